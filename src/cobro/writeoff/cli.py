"""`cobro writeoffs list|request|approve|reject|settings` and `cobro invoices write-off`.

The CLI is the operator with shell access: it acts with an admin's power, as "cli", so what it
writes off is made at once, never waiting for approval (the approval by role is for people
using the app). Its approvals still count as another person's: "cli" never asked for the
requests people make in the app."""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.errors import Invalid
from cobro.invoice.models import Invoice, WriteOff
from cobro.invoice.service import get_invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import display, parse_amount
from cobro.kit.pagination import PageRequest
from cobro.writeoff import queries, service
from cobro.writeoff.models import REQUEST_STATUSES, WRITE_OFF_REASONS, WriteOffRequest
from cobro.writeoff.settings import change_write_off_settings, write_off_settings

writeoffs_app = typer.Typer(
    help="Write-offs: requests waiting for approval, and the company's limits. The CLI acts "
    "as an admin: what it writes off is made at once.",
    no_args_is_help=True,
)
CLI: tuple[int | None, str] = (None, "cli")
ROLE = "admin"  # the operator at the shell (see the module's docstring)

ReasonCodeOption = typer.Option(
    "other", "--reason-code", help=f"Why, as a code: {', '.join(WRITE_OFF_REASONS)}."
)
OnDayOption = typer.Option(
    None, "--on", help="Date of the write-off (default: today, company time)."
)


def _write_off(
    session: Session,
    owner: Company,
    number: str,
    amount: str | None,
    reason: tuple[str, str],
    on: str | None,
) -> tuple[WriteOff | WriteOffRequest, Invoice]:
    invoice = get_invoice(session, owner.id, number)
    minor = parse_amount(amount, invoice.currency) if amount else None
    code, text = reason
    made = service.request_write_off(
        session, owner, number, minor, code, text, day_of(on, owner), CLI, ROLE, utcnow()
    )
    return made, invoice


def write_off_command(
    number: str = typer.Argument(..., help="The invoice to write off."),
    reason: str = typer.Option(..., "--reason", help="Why the company gives up on it."),
    reason_code: str = ReasonCodeOption,
    amount: str | None = typer.Option(
        None, "--amount", help="Amount in currency units (default: all that is open)."
    ),
    on: str | None = OnDayOption,
    company: str | None = CompanyOption,
) -> None:
    """Write off all or part of an invoice's open amount. Acts as an admin (the operator at
    the shell): made at once, no approval needed; recorded as approved by "cli"."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        made, invoice = _write_off(session, owner, number, amount, (reason_code, reason), on)
        message = _outcome(made, invoice)
    console.print(message)


def _outcome(made: WriteOff | WriteOffRequest, invoice: Invoice) -> str:
    cur = invoice.currency
    if isinstance(made, WriteOff):
        return (
            f"Wrote off {display(made.amount, cur)} {cur} of {invoice.number}; "
            f"{display(invoice.open_amount, cur)} {cur} left open."
        )
    return f"Write-off request {made.id} for {invoice.number} waits for approval."


@writeoffs_app.command("request")
def request_command(
    invoice: str = typer.Argument(..., help="The invoice's number."),
    reason_code: str = typer.Option(
        ..., "--reason-code", help=f"Why, as a code: {', '.join(WRITE_OFF_REASONS)}."
    ),
    reason: str = typer.Option(..., "--reason", help="Why, in words (up to 300 characters)."),
    amount: str | None = typer.Option(
        None, "--amount", help="Amount in currency units (default: all that is open)."
    ),
    on: str | None = OnDayOption,
    company: str | None = CompanyOption,
) -> None:
    """Write off an invoice, with a reason code. The CLI acts as an admin, so it is made at
    once (people in the app above their limit get a request instead)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        made, found = _write_off(session, owner, invoice, amount, (reason_code, reason), on)
        message = _outcome(made, found)
    console.print(message)


@writeoffs_app.command("list")
def list_command(
    status: str | None = typer.Option(
        "pending", "--status", help=f"One of {', '.join(REQUEST_STATUSES)}, or 'all'."
    ),
    limit: int = typer.Option(50, "--limit", help="How many rows to show."),
    company: str | None = CompanyOption,
) -> None:
    """Write-off requests, newest first (default: those waiting for approval)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        wanted = None if status in (None, "all") else status
        page = queries.requests_page(session, owner.id, PageRequest(min(limit, 200)), wanted)
    rows = [
        (
            str(row.id),
            row.invoice,
            row.customer,
            "all open" if row.amount is None else display(row.amount, row.currency),
            display(row.amount_now, row.currency),
            row.currency,
            row.reason_code,
            row.reason,
            row.requested_by,
            str(row.requested_on),
            row.status,
            row.decided_by or "",
        )
        for row in page.items
    ]
    headings = ("id", "invoice", "customer", "amount", "now", "cur", "code", "reason", "by")
    print_rows((*headings, "on", "status", "decided by"), rows, "requests")


@writeoffs_app.command("approve")
def approve_command(
    request: int = typer.Argument(..., help="The request's id (cobro writeoffs list)."),
    on: str | None = OnDayOption,
    company: str | None = CompanyOption,
) -> None:
    """Approve a request: the write-off is made now (as an admin, "cli")."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        made = service.approve(session, owner, request, day_of(on, owner), CLI, ROLE, utcnow())
        invoice = session.get_one(Invoice, made.invoice_id)
        message = f"Request {request} approved. " + _outcome(made, invoice)
    console.print(message)


@writeoffs_app.command("reject")
def reject_command(
    request: int = typer.Argument(..., help="The request's id (cobro writeoffs list)."),
    note: str | None = typer.Option(None, "--note", help="Why (shown to who asked)."),
    company: str | None = CompanyOption,
) -> None:
    """Refuse a request: the invoice stays open and is chased as before."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        service.reject(session, owner, request, CLI, ROLE, note, utcnow())
    console.print(f"Request {request} rejected.")


@writeoffs_app.command("settings")
def settings_command(
    small_balance: str | None = typer.Option(
        None, "--small-balance", help="The cycle writes off remainders up to this (0: never)."
    ),
    collector_limit: str | None = typer.Option(
        None, "--collector-limit", help="A collector writes off up to this alone."
    ),
    manager_limit: str | None = typer.Option(
        None, "--manager-limit", help="A manager writes off up to this alone; 'none': any."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Show the write-off limits (amounts in currency units), changing those given."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        changes: dict[str, int | None] = {}
        for name, text in (
            ("small_balance_limit", small_balance),
            ("collector_write_off_limit", collector_limit),
            ("manager_write_off_limit", manager_limit),
        ):
            if text is not None:
                changes[name] = _limit(name, text, owner.currency)
        if changes:
            change_write_off_settings(session, owner, changes, CLI, utcnow())
        now = write_off_settings(owner)
        cur = owner.currency
    manager = "any" if now.manager_write_off_limit is None else now.manager_write_off_limit
    console.print(
        f"small balance: {display(now.small_balance_limit, cur)} {cur}"
        + (" (off)" if not now.small_balance_limit else "")
        + f"\ncollector limit: {display(now.collector_write_off_limit, cur)} {cur}"
        + "\nmanager limit: "
        + (f"{display(manager, cur)} {cur}" if isinstance(manager, int) else "any amount")
    )


def _limit(name: str, text: str, currency: str) -> int | None:
    if name == "manager_write_off_limit" and text.strip().lower() in ("none", "any", ""):
        return None
    try:
        return parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(error.message, field=name) from None
