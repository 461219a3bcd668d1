"""`cobro charges list|waive|settings`: the fees and interest recorded, waiving one, and the
company's charge settings (whose law, claim or charge, an agreed rate)."""

from __future__ import annotations

import typer

from cobro.charge import debit, manage
from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.kit.dates import utcnow
from cobro.kit.money import display
from cobro.kit.pagination import MAX_LIMIT, PageRequest

charges_app = typer.Typer(help="Fees and late-payment interest: list, waive, settings.")
LIST_LIMIT = MAX_LIMIT  # the newest; the API and the page go further


@charges_app.command("list")
def charges_list(
    customer: str | None = typer.Option(None, "--customer", help="Customer external id."),
    invoice: str | None = typer.Option(None, "--invoice", help="Invoice number."),
    company: str | None = CompanyOption,
) -> None:
    """The charges recorded, newest first (the latest 200): kind, amount, and whether
    waived or on a debit note."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        page = manage.charges_page(
            session,
            owner.id,
            PageRequest(limit=LIST_LIMIT, offset=0),
            customer=customer,
            invoice=invoice,
        )
    rows = [
        (
            str(row.id),
            row.customer,
            row.invoice or "(notice)",
            row.kind,
            f"{display(row.amount, row.currency)} {row.currency}",
            row.computed_on.isoformat(),
            row.debit_note or row.mode,
            f"waived {row.waived_on}: {row.waived_reason}" if row.waived_on else "",
        )
        for row in page.items
    ]
    headings = ("id", "customer", "invoice", "kind", "amount", "on", "debit note", "waived")
    print_rows(headings, rows, "charges")


@charges_app.command("waive")
def charges_waive(
    charge: int = typer.Argument(..., help="The charge's id (cobro charges list)."),
    reason: str = typer.Option(..., "--reason", help="Why it is waived (kept with it)."),
    on: str | None = typer.Option(None, "--on", help="Day of the waiver (default: today)."),
    by: str = typer.Option("cli", "--by", help="Who waives it (kept with it)."),
    company: str | None = CompanyOption,
) -> None:
    """Waive a charge: a claim is no longer asked for; a charge on a debit note is credited
    back. A debit note already paid is refused (refund instead)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        row = debit.waive(session, owner, charge, reason, (None, by), utcnow(), day_of(on, owner))
        said = f"{display(row.amount, row.currency)} {row.currency}"
    console.print(f"Charge {charge} ({said}) waived.", highlight=False)


@charges_app.command("settings")
def charges_settings(
    jurisdiction: str | None = typer.Option(
        None, "--jurisdiction", "-j", help='Whose late-payment law, e.g. ES, DE, GB; "" for none.'
    ),
    mode: str | None = typer.Option(
        None, "--mode", help="off, claim (shown in letters) or charge (on a debit note)."
    ),
    contract_rate: str | None = typer.Option(
        None, "--contract-rate", help='An agreed rate, % a year, replacing the statutory one; "".'
    ),
    company: str | None = CompanyOption,
) -> None:
    """Show the company's charge settings, or change those given."""
    changes = {
        name: value
        for name, value in (
            ("jurisdiction", jurisdiction),
            ("mode", mode),
            ("contract_rate", contract_rate),
        )
        if value is not None
    }
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        if changes:
            manage.update_settings(session, owner, changes, None, utcnow())
        shown = manage.settings_of(owner)
    for name, value in shown.items():
        console.print(f"{name}: {value or '(none)'}", highlight=False)
