"""`cobro holds add|list|release` and `cobro opt-out`."""

from __future__ import annotations

import typer
from rich import box
from rich.table import Table
from sqlalchemy import select

from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.edge import CompanyOption, cli_errors, company_of, console, day_of, unit_of_work
from cobro.invoice.service import get_invoice
from cobro.kit.dates import parse_date
from cobro.policy.holds import list_holds, opt_in, opt_out, place_hold, release_hold
from cobro.policy.models import HOLD_KINDS

holds_app = typer.Typer(help="Holds: stop chasing a customer or an invoice for a while.")


@holds_app.command("add")
def holds_add(
    customer: str = typer.Argument(..., help="Customer external id."),
    kind: str = typer.Option("manual", "--kind", help=f"One of {', '.join(HOLD_KINDS)}."),
    reason: str = typer.Option(..., "--reason", help="Why (shown to collectors)."),
    invoice: str | None = typer.Option(None, "--invoice", help="Hold one invoice only."),
    start: str | None = typer.Option(None, "--from", help="First day (default: today)."),
    until: str | None = typer.Option(None, "--until", help="Last day (default: until released)."),
    company: str | None = CompanyOption,
) -> None:
    """Stop chasing a customer, or one invoice, from --from to --until."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        target = get_customer(session, owner.id, customer)
        item = None if invoice is None else get_invoice(session, owner.id, invoice)
        hold = place_hold(
            session,
            owner,
            target,
            kind,
            reason,
            day_of(start, owner),
            parse_date(until) if until else None,
            invoice=item,
        )
        hold_id = hold.id
    console.print(f"Hold {hold_id} placed.")


@holds_app.command("list")
def holds_list(
    on: str | None = typer.Option(None, "--on", help="Only holds in force that day."),
    company: str | None = CompanyOption,
) -> None:
    """Holds of the company, with their customer, invoice, kind and dates."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        holds = list_holds(session, owner, parse_date(on) if on else None)
        names = {
            c.id: c.external_id
            for c in session.scalars(select(Customer).where(Customer.company_id == owner.id))
        }
        rows = [
            (
                h.id,
                names.get(h.customer_id, "?"),
                h.invoice_id,
                h.kind,
                h.reason,
                h.starts_on,
                h.ends_on,
                h.released_on,
            )
            for h in holds
        ]
    table = Table(box=box.SIMPLE_HEAD)
    for heading in ("id", "customer", "invoice", "kind", "reason", "from", "until", "released"):
        table.add_column(heading)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@holds_app.command("release")
def holds_release(
    hold: int = typer.Argument(...),
    on: str | None = typer.Option(None, "--on", help="Release day (default: today)."),
    company: str | None = CompanyOption,
) -> None:
    """End a hold: the chase resumes at the stage the item is due for."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        release_hold(session, owner, hold, day_of(on, owner))
    console.print(f"Hold {hold} released.")


def opt_out_command(
    customer: str = typer.Argument(..., help="Customer external id."),
    channel: str = typer.Argument(..., help="email, sms, whatsapp, letter or registered_letter."),
    undo: bool = typer.Option(False, "--undo", help="Opt back in."),
    company: str | None = CompanyOption,
) -> None:
    """Record that a customer does not want to be contacted on a channel (or no longer)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        target = get_customer(session, owner.id, customer)
        if undo:
            opt_in(session, target, channel)
        else:
            opt_out(session, target, channel, "cobro opt-out")
    console.print(
        f"Customer {customer} {'opted back in to' if undo else 'opted out of'} {channel}."
    )
