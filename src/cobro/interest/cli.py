"""`cobro interest`: the statutory late-payment interest and fixed compensation on one amount,
with the computation shown stretch by stretch. No database: the law and the shipped rates."""

from __future__ import annotations

from datetime import timedelta

import typer
from rich import box
from rich.table import Table

from cobro.edge import cli_errors, console
from cobro.errors import Invalid
from cobro.interest.law import (
    JURISDICTIONS,
    check_jurisdiction,
    fixed_compensation,
    rate_table,
)
from cobro.interest.rules import DayBasis, accrue
from cobro.kit.dates import parse_date
from cobro.kit.money import display, parse_amount

CURRENCY = {"GB": "GBP"}  # the others are euro countries


def interest_command(
    amount: str = typer.Option(
        ..., "--amount", help="The amount due, VAT included (e.g. 10000 or 10.000,50)."
    ),
    due: str = typer.Option(..., "--due", help="The due date (YYYY-MM-DD)."),
    paid: str = typer.Option(..., "--paid", help="The day it was (or will be) paid."),
    jurisdiction: str = typer.Option(
        ..., "--jurisdiction", "-j", help=f"Whose law: {', '.join(JURISDICTIONS)} (UK = GB)."
    ),
    business: bool = typer.Option(
        True, "--business/--consumer", help="Whether the debtor is a business or a consumer."
    ),
    act_act: bool = typer.Option(
        False, "--act-act", help="Count a leap year as 366 days (default: every year 365)."
    ),
    without_payment_day: bool = typer.Option(
        False, "--without-payment-day", help="Leave the payment day out of the days counted."
    ),
) -> None:
    """Late-payment interest on one amount: each stretch of days at its rate, the fixed
    compensation and the total claim, as the law of the jurisdiction computes it."""
    with cli_errors():
        code = check_jurisdiction(jurisdiction)
        currency = CURRENCY.get(code, "EUR")
        principal = parse_amount(amount, currency)
        if principal <= 0:
            raise Invalid(f"--amount {amount!r}: the amount due must be positive")
        due_on, paid_on = parse_date(due), parse_date(paid)
        if paid_on <= due_on:
            raise Invalid(f"--paid {paid}: not after the due date {due}, so nothing is late")
        table = rate_table(code, business, due_on + timedelta(days=1))
        basis = DayBasis.ACT_ACT if act_act else DayBasis.ACT_365
        accrual = accrue(principal, due_on, paid_on, table, basis, not without_payment_day)
        fixed = fixed_compensation(code, business, principal)
    shown = Table(box=box.SIMPLE_HEAD)
    for heading in ("from", "to", "days", "rate %", "year", "interest"):
        shown.add_column(heading, justify="left" if heading in ("from", "to") else "right")
    for stretch in accrual.stretches:
        shown.add_row(
            stretch.first.isoformat(),
            stretch.last.isoformat(),
            str(stretch.days),
            f"{stretch.rate:.2f}",
            str(stretch.year_days),
            f"{stretch.interest / 100:.4f}",
        )
    debtor = "business" if business else "consumer"
    console.print(
        f"{display(principal, currency)} {currency}, due {due_on}, paid {paid_on}: "
        f"{code} law, {debtor} debtor, {accrual.days} days late",
        highlight=False,
    )
    console.print(shown)
    total = accrual.amount + fixed
    console.print(f"Interest: {display(accrual.amount, currency)} {currency}", highlight=False)
    console.print(f"Fixed compensation: {display(fixed, currency)} {currency}", highlight=False)
    console.print(
        f"Total claim on top of the amount due: {display(total, currency)} {currency}",
        highlight=False,
    )
