"""`cobro plans propose|add|list|show|cancel|reschedule|settings`: payment plans from the
command line. Whoever runs the CLI runs the installation, so may approve a plan past the
guardrails (`--override`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import typer
from sqlalchemy.orm import Session

from cobro.company.models import Company
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
from cobro.kit.dates import parse_date
from cobro.kit.money import display, parse_amount
from cobro.kit.pagination import MAX_LIMIT, PageRequest
from cobro.plan import coverage, queries, rules, service
from cobro.plan.models import PLAN_STATUSES
from cobro.plan.settings import change_settings

plans_app = typer.Typer(help="Payment plans: the invoices wait while the installments are paid.")
ACTOR = service.Actor(name="cobro plans", may_override=True)

INSTALLMENTS = typer.Option(..., "--installments", min=1, help="How many installments.")
EVERY = typer.Option("monthly", "--every", help="weekly, fortnightly or monthly.")
FIRST = typer.Option(..., "--first", help="The first installment's day.")
DOWN = typer.Option(None, "--down", help='A down payment, due at once: "200", "1.234,56".')
FEE = typer.Option(None, "--fee", help="A fee for the plan (on a debit note).")
INTEREST = typer.Option(None, "--interest", help="Simple interest, % a year.")
INVOICES = typer.Option([], "--invoice", help="An invoice it covers (repeat it; none: all open).")
CURRENCY = typer.Option(None, "--currency", help="Default: that of the customer's invoices.")
ON = typer.Option(None, "--on", help="The day it is made (default: today).")


@dataclass(frozen=True)
class _Typed:
    installments: int
    every: str
    first: str
    down: str | None
    fee: str | None
    interest: str | None


def _ask(
    session: Session,
    company: Company,
    customer: str,
    typed: _Typed,
    invoices: list[str],
    currency: str | None,
) -> service.Ask:
    code = currency or coverage.default_currency(
        session, company, get_customer(session, company.id, customer)
    )
    return service.Ask(
        installments=typed.installments,
        frequency=typed.every.strip().lower(),
        first_on=parse_date(typed.first),
        down_payment=_minor(typed.down, code, "down_payment"),
        fee=_minor(typed.fee, code, "fee"),
        interest_rate=_rate(typed.interest),
        invoices=invoices,
        currency=code,
    )


def _minor(text: str | None, currency: str, field: str) -> int:
    if text is None or not text.strip():
        return 0
    try:
        return parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(f"{field}: {error.message}", field=field) from None


def _rate(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        return Decimal(text.strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise Invalid(f"--interest {text!r} is not a number", field="interest") from None


def _print_schedule(schedule: rules.Schedule, currency: str) -> None:
    rows = [
        (
            "down payment" if part.sequence == 0 else str(part.sequence),
            part.due_on.isoformat(),
            display(part.amount, currency),
        )
        for part in schedule.installments
    ]
    print_rows(("installment", "due on", f"amount ({currency})"), rows, "installments")
    extra = f" (fee {display(schedule.fee, currency)})" if schedule.fee else ""
    console.print(f"Total {display(schedule.total, currency)} {currency}{extra}.")


@plans_app.command("propose")
def plans_propose(
    customer: str = typer.Argument(..., help="Customer external id."),
    installments: int = INSTALLMENTS,
    every: str = EVERY,
    first: str = FIRST,
    down: str | None = DOWN,
    fee: str | None = FEE,
    interest: str | None = INTEREST,
    invoice: list[str] = INVOICES,
    currency: str | None = CURRENCY,
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """Show the schedule a plan would have and whether the guardrails allow it; saves nothing."""
    typed = _Typed(installments, every, first, down, fee, interest)
    with cli_errors(), unit_of_work(dry_run=True) as session:
        owner = company_of(session, company)
        ask = _ask(session, owner, customer, typed, invoice, currency)
        proposal = service.propose(session, owner, customer, ask, day_of(on, owner))
        verdict = proposal.verdict
        if verdict.schedule is not None:
            console.print("Invoices: " + ", ".join(i.number for i in proposal.invoices))
            _print_schedule(verdict.schedule, proposal.currency)
    if verdict.inside:
        console.print("Inside the guardrails: it would be approved at once.")
        return
    for reason in verdict.reasons:
        console.print(f"- {reason.field}: {reason.message}")
    tail = "a manager may approve it (--override)" if verdict.possible else "no plan"
    console.print(f"Outside the guardrails: {tail}.")


@plans_app.command("add")
def plans_add(
    customer: str = typer.Argument(..., help="Customer external id."),
    installments: int = INSTALLMENTS,
    every: str = EVERY,
    first: str = FIRST,
    down: str | None = DOWN,
    fee: str | None = FEE,
    interest: str | None = INTEREST,
    invoice: list[str] = INVOICES,
    currency: str | None = CURRENCY,
    override: bool = typer.Option(False, "--override", help="Approve past the guardrails."),
    note: str | None = typer.Option(None, "--note", help="What was agreed."),
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """Make a plan: its invoices are held while it runs."""
    typed = _Typed(installments, every, first, down, fee, interest)
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        ask = _ask(session, owner, customer, typed, invoice, currency)
        plan = service.make_plan(
            session, owner, customer, ask, day_of(on, owner), "call", ACTOR, override, note
        )
        said = (
            f"Plan {plan.id}: {display(plan.total, plan.currency)} {plan.currency}, "
            f"approved by {plan.approved_by}."
        )
    console.print(said)


@plans_app.command("list")
def plans_list(
    status: str | None = typer.Option(None, "--status", help=", ".join(PLAN_STATUSES)),
    customer: str | None = typer.Option(None, "--customer", help="Customer external id."),
    company: str | None = CompanyOption,
) -> None:
    """The company's payment plans, newest first."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        page = queries.plans_page(
            session, owner.id, PageRequest(MAX_LIMIT), status=status, customer=customer
        )
        rows = [
            (
                str(row.id),
                row.customer,
                f"{display(row.total, row.currency)} {row.currency}",
                row.frequency,
                row.starts_on.isoformat(),
                row.status,
                display(row.paid, row.currency),
                ", ".join(row.invoices),
            )
            for row in page.items
        ]
    headings = ("id", "customer", "total", "every", "starts", "status", "paid", "invoices")
    print_rows(headings, rows, "plans")


@plans_app.command("show")
def plans_show(
    plan: int = typer.Argument(...),
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """One plan and its installments."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        detail = queries.plan_detail(session, owner.id, plan, day_of(on, owner))
    row = detail.row
    console.print(
        f"Plan {row.id} · {row.customer} ({row.customer_name}) · {row.status} · "
        f"{display(row.total, row.currency)} {row.currency} · approved by {row.approved_by}"
    )
    console.print("Invoices: " + ", ".join(row.invoices))
    if row.replaces_id:
        console.print(f"Replaces plan {row.replaces_id}.")
    if detail.replaced_by:
        console.print(f"Replaced by plan {detail.replaced_by}.")
    rows = [
        (
            str(part.sequence),
            part.due_on.isoformat(),
            display(part.amount, row.currency),
            display(part.paid, row.currency),
            part.state,
        )
        for part in detail.installments
    ]
    print_rows(("#", "due on", "amount", "paid", "state"), rows, "installments")


@plans_app.command("cancel")
def plans_cancel(
    plan: int = typer.Argument(...),
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """Call off an active plan: its invoices are chased again from the next cycle."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        service.cancel_plan(session, owner, plan, day_of(on, owner), ACTOR)
    console.print(f"Plan {plan} cancelled.")


@plans_app.command("reschedule")
def plans_reschedule(
    plan: int = typer.Argument(...),
    installments: int = INSTALLMENTS,
    every: str = EVERY,
    first: str = FIRST,
    down: str | None = DOWN,
    fee: str | None = FEE,
    interest: str | None = INTEREST,
    override: bool = typer.Option(False, "--override", help="Approve past the guardrails."),
    on: str | None = ON,
    company: str | None = CompanyOption,
) -> None:
    """New terms for an active plan: a new plan replaces it, the old one is kept."""
    typed = _Typed(installments, every, first, down, fee, interest)
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        old = service.get_plan(session, owner.id, plan)
        customer = queries.plan_row(session, owner.id, plan).customer
        ask = _ask(session, owner, customer, typed, [], old.currency)
        new = service.reschedule(
            session, owner, plan, ask, day_of(on, owner), ACTOR, override, "call"
        )
        said = f"Plan {new.id} replaces plan {plan}: {display(new.total, new.currency)}."
    console.print(said)


@plans_app.command("settings")
def plans_settings(
    longest_months: int | None = typer.Option(None, "--longest-months", help="Longest plan."),
    smallest: str | None = typer.Option(None, "--smallest", help="Smallest installment."),
    grace_days: int | None = typer.Option(None, "--grace-days", help="Days an installment waits."),
    company: str | None = CompanyOption,
) -> None:
    """Show the plan guardrails, or change them."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        if longest_months is not None or smallest is not None or grace_days is not None:
            least = None if smallest is None else _minor(smallest, owner.currency, "smallest")
            change_settings(session, owner, longest_months, least, grace_days)
        said = (
            f"Longest plan: {owner.plan_longest_months} months. Smallest installment: "
            f"{display(owner.plan_smallest_installment, owner.currency)} {owner.currency}. "
            f"Grace days: {owner.plan_grace_days}."
        )
    console.print(said)
