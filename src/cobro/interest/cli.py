"""`cobro interest`: the late-payment interest and fixed compensation on one amount, with the
computation shown stretch by stretch and any warning on the rates; `cobro rates list|import`:
the rate series, and periods imported into the database to extend them.

The calculator reads the shipped rates extended by the imported ones when the database can be
opened (`--rates-from-db`, the default), else (or with `--shipped-only`) the shipped ones, and
says which it used: it never creates a database file."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich import box
from rich.table import Table
from sqlalchemy.engine import make_url

from cobro.config import load_settings
from cobro.edge import cli_errors, console, print_rows, unit_of_work
from cobro.errors import CobroError, Invalid
from cobro.interest.law import (
    JURISDICTIONS,
    Claim,
    Tables,
    check_jurisdiction,
    claim,
    currency_of,
    published,
    shipped,
    shipped_series,
)
from cobro.interest.periods import Span
from cobro.interest.ratefile import read_rate_file
from cobro.interest.rules import DayBasis
from cobro.interest.service import import_rates, list_series, series_spans, tables_of
from cobro.kit.dates import parse_date, utcnow
from cobro.kit.money import display, parse_amount


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
    contract_rate: str | None = typer.Option(
        None, "--contract-rate", help="The rate the contract sets, % a year (capped by law)."
    ),
    act_act: bool = typer.Option(
        False, "--act-act", help="Count a leap year as 366 days (default: every year 365)."
    ),
    without_payment_day: bool = typer.Option(
        False, "--without-payment-day", help="Leave the payment day out of the days counted."
    ),
    rates_from_db: bool = typer.Option(
        True,
        "--rates-from-db/--shipped-only",
        help="Add the rates imported into the database (default, when it can be opened).",
    ),
) -> None:
    """Late-payment interest on one amount: each stretch of days at its rate, the fixed
    compensation and the total claim, as the law of the jurisdiction computes it."""
    with cli_errors():
        code = check_jurisdiction(jurisdiction)
        currency = currency_of(code)
        principal = parse_amount(amount, currency)
        if principal <= 0:
            raise Invalid(f"--amount {amount!r}: the amount due must be positive")
        due_on, paid_on = parse_date(due), parse_date(paid)
        if paid_on <= due_on:
            raise Invalid(f"--paid {paid}: not after the due date {due}, so nothing is late")
        agreed = _rate_option(contract_rate)
        tables, rates_used = _tables(rates_from_db)
        basis = DayBasis.ACT_ACT if act_act else DayBasis.ACT_365
        result = claim(code, business, principal, due_on, paid_on, agreed=agreed, basis=basis,
                       count_payment_day=not without_payment_day, tables=tables)  # fmt: skip
    header = (
        f"{display(principal, currency)} {currency}, due {due_on}, paid {paid_on}: {code} law, "
        f"{'business' if business else 'consumer'} debtor, {result.accrual.days} days late"
        + ("" if agreed is None else f", agreed rate {agreed} %")
    )
    _show(result, header, rates_used)


def _rate_option(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        rate = Decimal(text.strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise Invalid(f"--contract-rate {text!r}: not a rate (% a year, e.g. 9.5)") from None
    return rate


def _tables(from_db: bool) -> tuple[Tables, str]:
    """The rate tables to read, and a line saying which they are."""
    if not from_db:
        return shipped, "shipped rates only"
    url = load_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return shipped, f"shipped rates only (no database file {parsed.database})"
    try:
        with unit_of_work() as session:
            return tables_of(session), "shipped rates and those imported into the database"
    except CobroError as exc:  # a database that cannot be read: the law still can be
        return shipped, f"shipped rates only ({exc.message})"


def _show(result: Claim, header: str, rates_used: str) -> None:
    currency, accrual = result.currency, result.accrual
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
    console.print(header, highlight=False)
    console.print(shown)
    if result.jurisdiction == "CO":
        console.print("Effective annual rates: (1 + rate)^(days/year) − 1", highlight=False)
    for warning in result.warnings:
        console.print(f"Warning: {warning}", highlight=False, markup=False)
    console.print(f"Interest: {display(accrual.amount, currency)} {currency}", highlight=False)
    fixed = result.fixed_compensation
    console.print(f"Fixed compensation: {display(fixed, currency)} {currency}", highlight=False)
    console.print(
        f"Total claim on top of the amount due: {display(result.total, currency)} {currency}",
        highlight=False,
    )
    console.print(f"Rates: {rates_used}.", highlight=False, markup=False)


RATE_FILE = typer.Argument(..., help="CSV: series,starts_on,ends_on,rate,source; or JSON.")
rates_app = typer.Typer(help="Rate series: list them, import periods that extend them.")


@rates_app.command("list")
def rates_list(
    series: str | None = typer.Argument(None, help="One series: its periods, day by day."),
) -> None:
    """Every rate series with its source and the days it covers; or one series' periods."""
    with cli_errors(), unit_of_work() as session:
        if series is not None:
            spans = series_spans(session, series)
        else:
            views = list_series(session)
    if series is not None:
        console.print(f"{series}: {published(series).source}", highlight=False, markup=False)
        print_rows(("from", "to", "rate %", "from where"), [_span_row(s) for s in spans],
                   "periods")  # fmt: skip
        return
    rows = [
        (
            view.series,
            view.first_day.isoformat(),
            view.last_day.isoformat() if view.last_day else "open",
            str(view.imported),
            view.name,
        )
        for view in views
    ]
    print_rows(("series", "first day", "last day", "imported", "what"), rows, "series")


def _span_row(span: Span) -> tuple[str, str, str, str]:
    return (
        span.starts_on.isoformat(),
        span.ends_on.isoformat() if span.ends_on else "open",
        "not published" if span.rate is None else f"{span.rate}",
        span.source,
    )


@rates_app.command("import")
def rates_import(
    file: Path = RATE_FILE,
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; store nothing."),
) -> None:
    """Import rate periods that extend the shipped series; refused whole, row by row, if a
    period overlaps another, leaves a gap, or gives another rate for a day already known."""
    with cli_errors():
        monthly = [name for name in shipped_series() if published(name).monthly]
        rows = read_rate_file(file, shipped_series(), monthly)
        with unit_of_work(dry_run=dry_run) as session:
            result = import_rates(session, rows, file.name, utcnow())
    for series, span in result.added:
        console.print(f"{series}: {span.starts_on} to {span.ends_on} at {span.rate} %",
                      highlight=False)  # fmt: skip
    known = result.already_known
    if not result.added:
        console.print(f"Nothing new: all {known} periods are already known at those rates.")
        return
    verb = "Would add" if dry_run else "Added"
    console.print(
        f"{verb} {len(result.added)} periods"
        + (f"; {known} already known at those rates" if known else "")
        + "."
    )
