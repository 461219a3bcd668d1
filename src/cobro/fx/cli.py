"""`cobro fx add|list|import|remove`: the company's dated FX rates, which reports sliced by
collector, segment or country convert amounts with (`cobro report … --by …`)."""

from __future__ import annotations

from pathlib import Path

import typer

from cobro.audit.actor import Actor
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
from cobro.fx import service
from cobro.fx.rules import parse_rate
from cobro.kit.dates import parse_date

fx_app = typer.Typer(
    help="FX rates: what one unit of a currency is worth in the reporting currency, by day."
)
FILE = typer.Argument(..., dir_okay=False, help="CSV with the header date,currency,rate[,source].")


@fx_app.command("add")
def fx_add(
    currency: str = typer.Argument(..., help="ISO 4217 code, e.g. USD."),
    rate: str = typer.Argument(..., help="Units of the reporting currency per 1 CURRENCY: 0.92."),
    on: str | None = typer.Option(None, "--on", help="The day it holds from (default: today)."),
    source: str | None = typer.Option(None, "--source", help='Where it comes from: "ECB".'),
    company: str | None = CompanyOption,
) -> None:
    """Keep a rate from a day on (replacing that day's rate, if there is one)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        day = day_of(on, owner)
        row = service.set_rate(
            session, owner.id, currency, day, parse_rate(rate), source, Actor(name="cobro fx add")
        )
        said = f"1 {row.currency} = {row.rate.normalize():f} {owner.currency} from {row.day}."
    console.print(said)


@fx_app.command("list")
def fx_list(
    currency: str | None = typer.Option(None, "--currency", help="Only this currency's rates."),
    limit: int = typer.Option(service.LIST_LIMIT, "--limit", help="How many, latest first."),
    company: str | None = CompanyOption,
) -> None:
    """The company's rates, latest day first."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        rates = service.list_rates(session, owner.id, currency, limit)
        rows = [
            (
                r.day.isoformat(),
                r.currency,
                f"{r.rate.normalize():f}",
                owner.currency,
                r.source or "",
            )
            for r in rates
        ]
    print_rows(("day", "currency", "rate", "in", "source"), rows, "rates")


@fx_app.command("import")
def fx_import(
    file: Path = FILE,
    company: str | None = CompanyOption,
) -> None:
    """Import rates from a CSV file, all or nothing: any bad row refuses the whole file,
    naming each problem's row and column."""
    with cli_errors(), unit_of_work() as session:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise Invalid(f"cannot read {file}: {exc}", field="file") from None
        owner = company_of(session, company)
        done = service.import_rates(session, owner.id, text, Actor(name="cobro fx import"))
    console.print(f"{done.added} rates added, {done.replaced} replaced.")


@fx_app.command("remove")
def fx_remove(
    currency: str = typer.Argument(..., help="ISO 4217 code, e.g. USD."),
    on: str = typer.Option(..., "--on", help="The day of the rate to remove."),
    company: str | None = CompanyOption,
) -> None:
    """Remove one day's rate (the rate of the day before it holds again)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        day = parse_date(on)
        service.remove_rate(session, owner.id, currency, day, Actor(name="cobro fx remove"))
    console.print(f"Rate of {currency.strip().upper()} on {day} removed.")
