"""`cobro disputes open|list|show|resolve|evidence|settings`: disputes from the command line.
Amounts are written as people write them ("120,50", "1.200"), in the invoice's currency."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.dispute import rules
from cobro.dispute.manage import set_dispute_days, written_amount
from cobro.dispute.queries import DisputeFilter, dispute_detail, disputes_page
from cobro.dispute.resolve import resolve_dispute
from cobro.dispute.service import EvidenceIn, ItemIn, add_evidence, get_dispute, open_dispute
from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    fail,
    print_rows,
    unit_of_work,
)
from cobro.kit.dates import parse_date
from cobro.kit.money import display
from cobro.kit.pagination import MAX_LIMIT, PageRequest

disputes_app = typer.Typer(
    help="Disputes: invoices (or part of them) the customer contests, until resolved.",
    no_args_is_help=True,
)
BY = Actor(name="cli")


def _read(paths: list[Path]) -> list[EvidenceIn]:
    files = []
    for path in paths:
        if not path.is_file():
            fail(f"{path}: no such file")
        with path.open("rb") as file:
            # one byte past the limit is enough for the rules to say it is too large
            files.append(EvidenceIn(path.name, file.read(rules.MAX_FILE_BYTES + 1)))
    return files


def _amount(session: Session, company: Company, number: str, text: str, option: str) -> int:
    return written_amount(session, company, number, text, option.lstrip("-"))


def _split(text: str, option: str) -> tuple[str, str | None]:
    number, _, amount = text.partition(":")
    if not number.strip():
        fail(f"{option} {text!r}: write the invoice number, then :AMOUNT if only part of it")
    return number.strip(), amount.strip() or None


@disputes_app.command("open")
def open_command(
    customer: str = typer.Argument(..., help="Customer external id."),
    invoice: list[str] = typer.Option(  # noqa: B008 (typer's way to declare a list option)
        ..., "--invoice", help="NUMBER, or NUMBER:AMOUNT for part of it (repeat for more)."
    ),
    reason: str = typer.Option(..., "--reason", help=f"One of {', '.join(rules.REASONS)}."),
    text: str = typer.Option(..., "--text", help="Why the customer disputes it."),
    evidence: list[str] = typer.Option(  # noqa: B008 (typer's way to declare a list option)
        [], "--evidence", help="A PDF, PNG, JPEG or text file (repeat for more)."
    ),
    owner: str | None = typer.Option(None, "--owner", help="Who works it (default: collector)."),
    due: str | None = typer.Option(None, "--due", help="Resolve by (default: in N days)."),
    source: str = typer.Option("call", "--source", help=f"One of {', '.join(rules.SOURCES)}."),
    on: str | None = typer.Option(None, "--on", help="The day it opens (default: today)."),
    company: str | None = CompanyOption,
) -> None:
    """Open a dispute: the disputed amounts are held, the rest is still chased."""
    files = _read([Path(name) for name in evidence])
    with cli_errors(), unit_of_work() as session:
        owner_company = company_of(session, company)
        items = []
        for each in invoice:
            number, amount = _split(each, "--invoice")
            value = (
                None
                if amount is None
                else _amount(session, owner_company, number, amount, "--invoice")
            )
            items.append(ItemIn(number, value))
        dispute = open_dispute(
            session,
            owner_company,
            customer,
            items,
            reason,
            text,
            day_of(on, owner_company),
            source,
            owner=owner,
            due_on=parse_date(due) if due else None,
            by=BY,
            evidence=files,
        )
        said = f"Dispute {dispute.id} opened for {customer}, due {dispute.due_on}"
        if dispute.validation_dispute_id is not None:
            said += (
                f"; Regulation F validation dispute {dispute.validation_dispute_id} recorded "
                "(held until verification is sent)"
            )
    console.print(said + ".")


@disputes_app.command("list")
def list_command(
    status: str | None = typer.Option(None, "--status", help="open, credited, rejected…"),
    customer: str | None = typer.Option(None, "--customer", help="Customer external id."),
    owner: str | None = typer.Option(None, "--owner"),
    overdue: bool = typer.Option(False, "--overdue", help="Only open ones past their due date."),
    company: str | None = CompanyOption,
) -> None:
    """The company's disputes, newest first."""
    with cli_errors(), unit_of_work() as session:
        owner_company = company_of(session, company)
        where = DisputeFilter(status, customer, owner, True if overdue else None)
        page = disputes_page(
            session, owner_company.id, PageRequest(MAX_LIMIT), day_of(None, owner_company), where
        )
        rows = [
            (
                str(d.id),
                d.customer,
                ", ".join(i.invoice for i in d.items),
                f"{display(d.amount, d.currency)} {d.currency}",
                d.reason,
                d.status + (" (overdue)" if d.overdue else ""),
                d.owner or "",
                d.due_on.isoformat(),
            )
            for d in page.items
        ]
    print_rows(
        ("id", "customer", "invoices", "disputed", "reason", "status", "owner", "due"),
        rows,
        "disputes",
    )


@disputes_app.command("show")
def show_command(dispute: int = typer.Argument(...), company: str | None = CompanyOption) -> None:
    """One dispute: its invoices, amounts, credits, evidence and resolution."""
    with cli_errors(), unit_of_work() as session:
        owner_company = company_of(session, company)
        row = dispute_detail(session, owner_company.id, dispute, day_of(None, owner_company))
    console.print(
        f"Dispute {row.id} · {row.customer} ({row.customer_name}) · {row.reason} · {row.status}"
        f" · owner {row.owner or '-'} · opened {row.opened_on} · due {row.due_on}",
        highlight=False,
    )
    console.print(row.description, highlight=False, markup=False)
    for item in row.items:
        credited = f", credited {display(item.credited, item.currency)}" if item.credited else ""
        console.print(
            f"  {item.invoice}: {display(item.amount, item.currency)} {item.currency} disputed"
            f"{credited}{f' ({item.credit_note})' if item.credit_note else ''}",
            highlight=False,
        )
    for evidence in row.evidence:
        console.print(
            f"  evidence {evidence.id}: {evidence.filename} ({evidence.content_type}, "
            f"{evidence.size} bytes)",
            highlight=False,
            markup=False,
        )
    if row.validation_dispute_id is not None:
        console.print(f"  Regulation F validation dispute {row.validation_dispute_id}")
    if row.resolution:
        console.print(f"Resolved {row.resolved_on}: {row.resolution}", markup=False)


@disputes_app.command("resolve")
def resolve_command(
    dispute: int = typer.Argument(...),
    credit: bool = typer.Option(False, "--credit", help="Credit all that is disputed."),
    partial: list[str] = typer.Option(  # noqa: B008 (typer's way to declare a list option)
        [], "--partial", help="NUMBER:AMOUNT to credit (repeat for more)."
    ),
    reject: bool = typer.Option(False, "--reject", help="Credit nothing: the chase resumes."),
    withdraw: bool = typer.Option(False, "--withdraw", help="The customer took it back."),
    note: str | None = typer.Option(None, "--note"),
    on: str | None = typer.Option(None, "--on", help="The day (default: today)."),
    company: str | None = CompanyOption,
) -> None:
    """End a dispute with a credit note, a partial credit, a rejection or a withdrawal."""
    chosen = [
        name
        for name, given in (
            ("credit", credit),
            ("partial", bool(partial)),
            ("reject", reject),
            ("withdraw", withdraw),
        )
        if given
    ]
    if len(chosen) != 1:
        fail("choose one of --credit, --partial NUMBER:AMOUNT, --reject, --withdraw")
    with cli_errors(), unit_of_work() as session:
        owner_company = company_of(session, company)
        get_dispute(session, owner_company, dispute)  # another company's: not found first
        credits: dict[str, int] = {}
        for each in partial:
            number, amount = _split(each, "--partial")
            if amount is None:
                fail(f"--partial {each}: write NUMBER:AMOUNT")
            credits[number] = _amount(session, owner_company, number, amount, "--partial")
        resolved = resolve_dispute(
            session,
            owner_company,
            dispute,
            chosen[0],
            day_of(on, owner_company),
            credits=credits or None,
            note=note,
            by=BY,
        )
        said = f"Dispute {dispute} {resolved.status}: {resolved.resolution}"
    console.print(said, markup=False)


@disputes_app.command("evidence")
def evidence_command(
    dispute: int = typer.Argument(...),
    file: str = typer.Argument(..., help="A PDF, PNG, JPEG or text file, 5 MiB at most."),
    company: str | None = CompanyOption,
) -> None:
    """Attach a file to an open dispute."""
    [given] = _read([Path(file)])
    with cli_errors(), unit_of_work() as session:
        owner_company = company_of(session, company)
        row = add_evidence(session, owner_company, dispute, given.filename, given.content, by=BY)
        said = f"Evidence {row.id} ({row.filename}, {row.content_type}) added to dispute {dispute}."
    console.print(said, markup=False)


@disputes_app.command("settings")
def settings_command(
    days: int | None = typer.Option(None, "--days", help="Days to resolve a new dispute in."),
    company: str | None = CompanyOption,
) -> None:
    """Show (or change, with --days) how long a new dispute has to be resolved."""
    with cli_errors(), unit_of_work() as session:
        owner_company = company_of(session, company)
        if days is not None:
            set_dispute_days(session, owner_company, days, BY)
        shown = owner_company.dispute_days
    console.print(f"New disputes are due {shown} days after they open.")
