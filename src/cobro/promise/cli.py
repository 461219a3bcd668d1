"""`cobro promises add|list|cancel|stats|settings`: promises to pay from the command line."""

from __future__ import annotations

from datetime import timedelta

import typer

from cobro.audit.actor import Actor
from cobro.customer.service import get_customer
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
from cobro.invoice.covered import default_currency
from cobro.kit.dates import parse_date
from cobro.kit.money import display, parse_amount
from cobro.kit.pagination import MAX_LIMIT, PageRequest
from cobro.promise import queries, service
from cobro.promise.models import PROMISE_STATUSES
from cobro.promise.settings import change_settings

promises_app = typer.Typer(help="Promises to pay: the chase waits while one runs.")
STATS_DAYS = 90  # the period `stats` looks at by default
INVOICES = typer.Option(
    [], "--invoice", help="An invoice it covers (repeat it; none: the whole balance)."
)


@promises_app.command("add")
def promises_add(
    customer: str = typer.Argument(..., help="Customer external id."),
    amount: str = typer.Argument(..., help='Amount promised, as written: "1.234,56", "300".'),
    by: str = typer.Option(..., "--by", help="The day the debtor will pay by."),
    invoice: list[str] = INVOICES,
    currency: str | None = typer.Option(None, "--currency", help="Default: the customer's."),
    note: str | None = typer.Option(None, "--note", help="What was said."),
    on: str | None = typer.Option(None, "--on", help="The day it was made (default: today)."),
    company: str | None = CompanyOption,
) -> None:
    """Record a promise to pay: the chase of what it covers waits until the day plus grace."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        debtor = get_customer(session, owner.id, customer)
        code = currency or default_currency(session, owner, debtor)
        try:
            minor = parse_amount(amount, code)
        except Invalid as error:
            raise Invalid(f"amount: {error.message}", field="amount") from None
        promise = service.make_promise(
            session,
            owner,
            customer,
            minor,
            code,
            parse_date(by),
            day_of(on, owner),
            "web",
            invoice,
            created_by=Actor(name="cobro promises add"),
            note=note,
        )
        held_to = promise.due_on + timedelta(days=promise.grace_days)
        said = f"Promise {promise.id}: {display(minor, promise.currency)} {promise.currency}"
    console.print(f"{said} by {parse_date(by)}; the chase waits until {held_to}.")


@promises_app.command("list")
def promises_list(
    status: str | None = typer.Option(None, "--status", help=", ".join(PROMISE_STATUSES)),
    customer: str | None = typer.Option(None, "--customer", help="Customer external id."),
    company: str | None = CompanyOption,
) -> None:
    """The company's promises, newest first."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        page = queries.promises_page(
            session, owner.id, PageRequest(MAX_LIMIT), status=status, customer=customer
        )
        rows = [
            (
                str(row.id),
                row.customer,
                f"{display(row.amount, row.currency)} {row.currency}",
                row.due_on.isoformat(),
                row.status,
                display(row.paid, row.currency),
                ", ".join(row.invoices) or "(all)",
                row.collector or "",
            )
            for row in page.items
        ]
    headings = ("id", "customer", "amount", "by", "status", "paid", "invoices", "collector")
    print_rows(headings, rows, "promises")


@promises_app.command("cancel")
def promises_cancel(
    promise: int = typer.Argument(...),
    on: str | None = typer.Option(None, "--on", help="Day (default: today)."),
    company: str | None = CompanyOption,
) -> None:
    """Call off an open promise: the chase resumes at the next cycle."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        service.cancel_promise(session, owner, promise, day_of(on, owner))
    console.print(f"Promise {promise} cancelled.")


@promises_app.command("stats")
def promises_stats(
    by: str = typer.Option("customer", "--by", help="customer or collector."),
    start: str | None = typer.Option(None, "--from", help=f"Default: {STATS_DAYS} days ago."),
    end: str | None = typer.Option(None, "--to", help="Default: today."),
    company: str | None = CompanyOption,
) -> None:
    """Promises made in a period and how many were kept, by customer or collector."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        last = day_of(end, owner)
        first = parse_date(start) if start else last - timedelta(days=STATS_DAYS)
        if by not in ("customer", "collector"):
            raise Invalid(f"--by {by!r}: use customer or collector", field="by")
        tallies = queries.kept_rates(
            session, owner.id, first, last, "customer" if by == "customer" else "collector"
        )
    rows = [
        (
            t.key,
            str(t.made),
            str(t.kept),
            str(t.broken),
            str(t.open),
            str(t.cancelled),
            "" if t.rate is None else f"{t.rate:.0%}",
        )
        for t in tallies
    ]
    print_rows((by, "made", "kept", "broken", "open", "cancelled", "kept rate"), rows, by + "s")


@promises_app.command("settings")
def promises_settings(
    grace_days: int | None = typer.Option(None, "--grace-days", help="Days waited past the day."),
    longest_days: int | None = typer.Option(
        None, "--longest-days", help="The furthest day a debtor may promise, in days."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Show the promise settings, or change them."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        if grace_days is not None or longest_days is not None:
            change_settings(session, owner, grace_days, longest_days)
        grace, longest = owner.promise_grace_days, owner.promise_longest_days
    console.print(f"Grace days: {grace}. Longest promise: {longest} days.")
