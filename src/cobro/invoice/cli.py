"""`cobro invoices list|show`."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.edge import (
    CompanyOption,
    OnOption,
    cli_errors,
    company_of,
    console,
    day_of,
    unit_of_work,
)
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.invoice.rules import days_late, days_past_due, days_to_settle
from cobro.invoice.service import add_credit_note, get_invoice, invoices_query
from cobro.kit.money import display, parse_amount
from cobro.payment.models import Allocation, Payment

invoices_app = typer.Typer(help="Look at invoices.", no_args_is_help=True)


@invoices_app.command("list")
def list_command(
    overdue: bool = typer.Option(False, "--overdue", help="Only open invoices past due."),
    customer: str | None = typer.Option(None, "--customer", help="Only this customer's id."),
    min_days: int | None = typer.Option(
        None, "--days-past-due", help="Only open invoices at least this many days past due."
    ),
    open_only: bool = typer.Option(False, "--open", help="Only invoices with an open amount."),
    on: str | None = OnOption,
    limit: int = typer.Option(50, "--limit", help="How many rows to show."),
    company: str | None = CompanyOption,
) -> None:
    """List invoices by due date, with their open amount and days past due."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        day = day_of(on, owner)
        customer_id = get_customer(session, owner.id, customer).id if customer else None
        query = invoices_query(owner.id, day, customer_id, overdue, min_days, open_only)
        rows = session.execute(
            query.add_columns(Customer.external_id)
            .join(Customer, Customer.id == Invoice.customer_id)
            .limit(limit)
        ).all()
    table = Table("number", "customer", "issued", "due", "total", "open", "cur", "days past due")
    for invoice, customer_ext in rows:
        late = days_past_due(invoice.due_date, day) if invoice.open_amount else None
        table.add_row(
            invoice.number,
            customer_ext,
            str(invoice.issue_date),
            str(invoice.due_date),
            display(invoice.total, invoice.currency),
            display(invoice.open_amount, invoice.currency),
            invoice.currency,
            _age(late),
        )
    console.print(table)
    if len(rows) == limit:
        console.print(f"(first {limit}; use --limit for more)")


@invoices_app.command("show")
def show_command(
    number: str = typer.Argument(..., help="The invoice number."),
    on: str | None = OnOption,
    company: str | None = CompanyOption,
) -> None:
    """Show one invoice: amounts, terms, installments, payments, credits and write-offs."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        day = day_of(on, owner)
        invoice = get_invoice(session, owner.id, number)
        customer = session.get_one(Customer, invoice.customer_id)
        credits = list(
            session.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id))
        )
        write_offs = list(
            session.scalars(select(WriteOff).where(WriteOff.invoice_id == invoice.id))
        )
        payments = _payments_of(session, invoice.id)
        installments = list(invoice.installments)
    cur = invoice.currency
    grid = Table.grid(padding=(0, 2))
    status = _status(invoice, day)
    for label, value in (
        ("number", invoice.number),
        ("customer", f"{customer.external_id} {customer.name}"),
        ("issued / due", f"{invoice.issue_date} / {invoice.due_date}"),
        ("total (tax)", f"{display(invoice.total, cur)} {cur} ({display(invoice.tax, cur)})"),
        ("open", f"{display(invoice.open_amount, cur)} {cur}"),
        ("status", status),
        ("payment reference", invoice.payment_reference),
        ("purchase order", invoice.purchase_order or ""),
        ("reference", invoice.reference or ""),
        (
            "early-payment discount",
            f"{display(invoice.discount_amount, cur)} until {invoice.discount_until}"
            if invoice.discount_until
            else "",
        ),
    ):
        if value:  # a line per fact the invoice has, none for what it lacks
            grid.add_row(f"[bold]{label}[/]", value)
    console.print(grid)
    if installments:
        table = Table("#", "due", "amount", title="Installments")
        table.columns[2].justify = "right"
        for part in installments:
            table.add_row(str(part.sequence), str(part.due_date), display(part.amount, cur))
        console.print(table)
    moves = Table("date", "what", "amount", title="Reductions")
    moves.columns[2].justify = "right"
    for when, what, amount in payments:
        moves.add_row(str(when), what, display(amount, cur))
    for note in credits:
        moves.add_row(str(note.issue_date), f"credit note {note.number}", display(note.amount, cur))
    for entry in write_offs:
        moves.add_row(
            str(entry.written_off_on), f"write-off: {entry.reason}", display(entry.amount, cur)
        )
    if moves.row_count:
        console.print(moves)


def _age(late: int | None) -> str:
    if late is None:
        return ""
    return str(late) if late > 0 else "not due"


def _status(invoice: Invoice, day: date) -> str:
    if invoice.settled_on is not None:
        settled = invoice.settled_on
        return (
            f"settled on {settled}, {days_to_settle(invoice.issue_date, settled)} days after "
            f"issue, {days_late(invoice.due_date, settled)} days late"
        )
    late = days_past_due(invoice.due_date, day)
    return f"{late} days past due on {day}" if late > 0 else f"not yet due on {day}"


def _payments_of(session: Session, invoice_id: int) -> list[tuple[date, str, int]]:
    # The CLI is an edge: it may read the payment tables that the invoice domain itself never
    # imports (import-linter ignores this one import on purpose).
    rows = session.execute(
        select(Allocation.applied_on, Payment.external_id, Allocation.amount)
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Allocation.invoice_id == invoice_id)
        .order_by(Allocation.applied_on, Allocation.id)
    ).all()
    return [(when, f"payment {ext}", int(amount)) for when, ext, amount in rows]


AmountOption = typer.Option(..., "--amount", help="Amount in currency units, e.g. 120.50.")


@invoices_app.command("credit")
def credit_command(
    number: str = typer.Argument(..., help="The invoice to credit."),
    note: str = typer.Option(..., "--note", help="The credit note's own number."),
    amount: str = AmountOption,
    on: str | None = typer.Option(
        None, "--on", help="Issue date of the credit note (default: today, company time)."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why (a return, a price fix…)."),
    company: str | None = CompanyOption,
) -> None:
    """Issue a credit note that reduces what an invoice asks for."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        day = day_of(on, owner)
        invoice = get_invoice(session, owner.id, number)
        minor = parse_amount(amount, invoice.currency)
        add_credit_note(session, owner, invoice, note, day, minor, reason)
        left = invoice.open_amount
    console.print(
        f"Credit note {note} issued; {number} now has {display(left, invoice.currency)}"
        f" {invoice.currency} open."
    )
