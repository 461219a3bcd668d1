"""`cobro setoff list|show|apply|bills`: customers the company also owes (their vendor bills,
`cobro import vendor-bills`), what each side owes, and setting one off against the other.
The CLI is the operator at the shell; what it applies is recorded as made by "cli"."""

from __future__ import annotations

import typer

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
from cobro.kit.dates import utcnow
from cobro.kit.money import display, parse_amount
from cobro.setoff import rules, service

setoff_app = typer.Typer(
    help="Set-off: customers the company also owes (vendor bills), their net exposure, and "
    "paying one side with the other.",
    no_args_is_help=True,
)
CLI: tuple[int | None, str] = (None, "cli")
CustomerArgument = typer.Argument(..., help="The customer's external id.")
OnDayOption = typer.Option(None, "--on", help="The day (default: today, company time).")


def _exposure_rows(exposures: list[rules.Exposure]) -> list[tuple[str, ...]]:
    return [
        (
            e.currency,
            display(e.owed, e.currency),
            display(e.owe, e.currency),
            display(e.net, e.currency),
            display(e.settable, e.currency),
        )
        for e in exposures
    ]


EXPOSURE_HEADINGS = ("currency", "they owe us", "we owe them", "net", "can set off")


@setoff_app.command("list")
def list_command(company: str | None = CompanyOption) -> None:
    """Customers with open vendor bills, with what each side owes per currency."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        found = service.customer_exposures(session, owner)
    rows = [
        (row.external_id, row.name, *line)
        for row in found
        for line in _exposure_rows(list(row.exposures))
    ]
    print_rows(("customer", "name", *EXPOSURE_HEADINGS), rows, "customers")


@setoff_app.command("show")
def show_command(
    customer: str = CustomerArgument,
    currency: str | None = typer.Option(None, "--currency", help="Which currency to propose."),
    on: str | None = OnDayOption,
    company: str | None = CompanyOption,
) -> None:
    """What each side owes, and the set-off proposed: the invoices and bills it would pay."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        found = get_customer(session, owner.id, customer)
        exposures = service.exposure(session, owner, found)
        proposal: rules.Proposal | None = None
        if any(e.settable for e in exposures):
            proposal = service.propose(session, owner, customer, currency, day_of(on, owner))
    print_rows(EXPOSURE_HEADINGS, _exposure_rows(exposures), "currencies")
    if proposal is None:
        console.print("Nothing can be set off.")
        return
    cur = proposal.currency
    console.print(f"Proposed set-off: {display(proposal.amount, cur)} {cur}")
    lines = [("invoice", line) for line in proposal.invoices] + [
        ("bill", line) for line in proposal.bills
    ]
    print_rows(
        ("side", "number", "due", "open", "set off"),
        [
            (
                side,
                line.number,
                str(line.due_date),
                display(line.open_amount, cur),
                display(line.amount, cur),
            )
            for side, line in lines
        ],
        "lines",
    )


@setoff_app.command("apply")
def apply_command(
    customer: str = CustomerArgument,
    amount: str | None = typer.Option(
        None, "--amount", help="Amount in currency units (default: all that can be set off)."
    ),
    currency: str | None = typer.Option(
        None, "--currency", help="Which currency (default: the only one both sides owe in)."
    ),
    note: str | None = typer.Option(None, "--note", help="Why, or who agreed (300 characters)."),
    on: str | None = OnDayOption,
    company: str | None = CompanyOption,
) -> None:
    """Set off what the customer owes us against what we owe them: a payment (method
    set_off) applied to their oldest invoices, and their oldest bills reduced by as much."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        minor = None
        if amount is not None:
            unit = (
                currency
                or service.propose(session, owner, customer, None, day_of(on, owner)).currency
            )
            try:
                minor = parse_amount(amount, unit)
            except Invalid as error:
                raise Invalid(error.message, field="amount") from None
        applied = service.apply_set_off(
            session, owner, customer, currency, day_of(on, owner), CLI, minor, note, utcnow()
        )
        cur, total, payment = (
            applied.proposal.currency,
            applied.set_off.amount,
            applied.payment.external_id,
        )
    console.print(f"Set off {display(total, cur)} {cur} with {customer} (payment {payment}).")


@setoff_app.command("bills")
def bills_command(
    customer: str | None = typer.Option(None, "--customer", help="Only this customer's bills."),
    show_all: bool = typer.Option(False, "--all", help="Paid bills too."),
    company: str | None = CompanyOption,
) -> None:
    """Vendor bills: what the company owes its customers who are also suppliers."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        rows = [
            (
                external_id,
                bill.number,
                str(bill.due_date),
                bill.currency,
                display(bill.total, bill.currency),
                display(bill.open_amount, bill.currency),
                str(bill.settled_on or ""),
            )
            for bill, external_id in service.list_bills(session, owner, customer, not show_all)
        ]
    print_rows(("customer", "bill", "due", "cur", "total", "open", "settled"), rows, "bills")
