"""`cobro legal open|move|list|show|file` and `cobro agency place|recall|export|sync|list`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cobro.audit.actor import Actor
from cobro.edge import (
    CompanyOption,
    OnOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.errors import Invalid
from cobro.kit.money import display
from cobro.kit.pagination import MAX_LIMIT, PageRequest
from cobro.legal import cases, placements
from cobro.legal.agency_export import export_placement
from cobro.legal.casefile import case_file
from cobro.legal.rules import STAGES, STATUSES

legal_app = typer.Typer(help="Legal cases: open one, move it through its stages, build its file.")
agency_app = typer.Typer(help="Agency placements: place, export, sync payments, recall.")
BY = Actor(name="cli")
MAX_FILE = 5 * 1024 * 1024
ZIP_OUT = typer.Option(..., "--out", help="Where to write the ZIP.")
INVOICES = typer.Option(
    None, "--invoice", help="An invoice to place (repeat; default: all open ones)."
)
EXPORT_OUT = typer.Option(None, "--out", help="Write to a file (default: print).")
SYNC_FILE = typer.Argument(..., help="CSV: reference,invoice,date,amount,currency.")


@legal_app.command("open")
def legal_open(
    customer: str = typer.Argument(..., help="Customer external id."),
    court: str | None = typer.Option(None, "--court", help="The court the claim goes to."),
    lawyer: str | None = typer.Option(None, "--lawyer", help="Who takes the case."),
    guarantees: str | None = typer.Option(None, "--guarantees", help="Guarantees, securities."),
    note: str | None = typer.Option(None, "--note"),
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Open the customer's legal case at the pre-legal demand, claiming what is open."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        details = cases.CaseIn(court=court, lawyer=lawyer, guarantees=guarantees, note=note)
        case = cases.open_case(session, owner, customer, day_of(on, owner), details, BY)
        said = f"Case {case.id}: {customer}, {display(case.amount, case.currency)} {case.currency}"
    console.print(f"{said}, at pre_legal.", highlight=False)


@legal_app.command("move")
def legal_move(
    case_id: int = typer.Argument(..., help="The case's id."),
    stage: str = typer.Argument(..., help=f"One of {', '.join(STAGES[1:])}."),
    note: str | None = typer.Option(None, "--note", help="Why, or the court's reference."),
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Move a case to its next stage, or close it."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        cases.move_case(session, owner, case_id, stage, day_of(on, owner), note, BY)
    console.print(f"Case {case_id} is at {stage}.", highlight=False)


@legal_app.command("list")
def legal_list(
    stage: str | None = typer.Option(None, "--stage", help=f"One of {', '.join(STAGES)}."),
    company: str | None = CompanyOption,
) -> None:
    """The company's legal cases, newest first."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        page = cases.cases_page(session, owner.id, PageRequest(MAX_LIMIT), stage=stage)
    rows = [
        (str(r.id), r.customer, r.stage, r.opened_on.isoformat(),
         f"{display(r.amount, r.currency)} {r.currency}", r.lawyer or "")
        for r in page.items
    ]  # fmt: skip
    print_rows(("id", "customer", "stage", "opened", "amount", "lawyer"), rows, "cases")


@legal_app.command("show")
def legal_show(
    case_id: int = typer.Argument(...),
    company: str | None = CompanyOption,
) -> None:
    """One case with every stage it reached."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        row = cases.case_detail(session, owner.id, case_id)
    amount = f"{display(row.amount, row.currency)} {row.currency}"
    console.print(
        f"Case {row.id}: {row.customer_name} ({row.customer}), {amount}, at {row.stage}",
        highlight=False,
        markup=False,
    )
    for label, value in (("Court", row.court), ("Lawyer", row.lawyer),
                         ("Guarantees", row.guarantees), ("Note", row.note)):  # fmt: skip
        if value:
            console.print(f"{label}: {value}", highlight=False, markup=False)
    steps = [(s.stage, s.reached_on.isoformat(), s.note or "", s.by or "") for s in row.steps]
    print_rows(("stage", "reached", "note", "by"), steps, "steps")


@legal_app.command("file")
def legal_file(
    case_id: int = typer.Argument(...),
    out: Path = ZIP_OUT,
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Build the case file: a ZIP of the statement, invoice copies, every message sent with
    its hash and delivery, the interest computed, contacts, notes and the case."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        data = case_file(session, owner, case_id, day_of(on, owner))
    out.write_bytes(data)
    console.print(f"Case file written to {out} ({len(data)} bytes).", highlight=False)


@agency_app.command("place")
def agency_place(
    customer: str = typer.Argument(..., help="Customer external id."),
    agency: str = typer.Option(..., "--agency", help="The agency's name."),
    invoice: list[str] | None = INVOICES,
    commission: str | None = typer.Option(None, "--commission", help="% of what it collects."),
    reference: str | None = typer.Option(None, "--reference", help="The agency's reference."),
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Hand the customer's open invoices to an agency: no reminders go out while placed."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        placement = placements.place(session, owner, customer, agency, day_of(on, owner),
                                     invoice or (), reference, commission, by=BY)  # fmt: skip
        said = (
            f"Placement {placement.id}: {customer} with {placement.agency}, "
            f"{display(placement.amount, placement.currency)} {placement.currency}."
        )
    console.print(said, highlight=False, markup=False)


@agency_app.command("recall")
def agency_recall(
    placement_id: int = typer.Argument(...),
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Take the invoices back: the next cycle chases them again."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        placements.recall(session, owner, placement_id, day_of(on, owner), BY)
    console.print(f"Placement {placement_id} recalled.")


@agency_app.command("export")
def agency_export(
    placement_id: int = typer.Argument(...),
    format: str = typer.Option("csv", "--format", help="csv or json."),
    out: Path | None = EXPORT_OUT,
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Everything the agency needs about the placement's debtor and invoices."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        text = export_placement(session, owner, placement_id, format, day_of(on, owner))
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"Export written to {out}.", highlight=False)


@agency_app.command("sync")
def agency_sync(
    placement_id: int = typer.Argument(...),
    file: Path = SYNC_FILE,
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Record the payments the agency collected; all or nothing; a row recorded before adds
    nothing."""
    with cli_errors():
        data = file.read_bytes()[: MAX_FILE + 1]
        if len(data) > MAX_FILE:
            raise Invalid("the file is larger than 5 MB", field="file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid("the file is not UTF-8 text", field="file") from None
        with unit_of_work() as session:
            owner = company_of(session, company)
            result = placements.sync_payments(
                session, owner, placement_id, text, day_of(on, owner), BY
            )
    closed = " The placement is paid and closed." if result.closed else ""
    console.print(
        f"{result.recorded} payments recorded, {result.already} already known.{closed}",
        highlight=False,
    )


@agency_app.command("list")
def agency_list(
    status: str | None = typer.Option(None, "--status", help=f"One of {', '.join(STATUSES)}."),
    company: str | None = CompanyOption,
) -> None:
    """The company's placements, newest first."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        page = placements.placements_page(session, owner.id, PageRequest(MAX_LIMIT), status)
    rows = [
        (str(r.id), r.customer, r.agency, r.status, r.placed_on.isoformat(),
         f"{display(r.amount, r.currency)} {r.currency}", " ".join(r.invoices))
        for r in page.items
    ]  # fmt: skip
    print_rows(("id", "customer", "agency", "status", "placed", "amount", "invoices"), rows,
               "placements")  # fmt: skip
