"""`cobro aging`."""

from __future__ import annotations

import typer
from rich.table import Table

from cobro.edge import CompanyOption, company_of, console, fail, unit_of_work
from cobro.errors import CobroError
from cobro.invoice.cli import OnOption, on_date
from cobro.kit.money import display
from cobro.report.rules import Bucket
from cobro.report.service import AgingReport, aging


def aging_command(
    on: str | None = OnOption,
    top: int = typer.Option(
        20, "--top", help="Show the customers owing most (0 = every customer)."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Open amount per customer and in total, in the buckets current, 1–30, 31–60, 61–90 and
    90+ days past due, as the ledger stood at the end of --on."""
    try:
        day = on_date(on)
        with unit_of_work() as session:
            owner = company_of(session, company)
            report = aging(session, owner.id, day)
    except CobroError as exc:
        fail(exc.message)
    print_aging(report, top)


def print_aging(report: AgingReport, top: int = 20) -> None:
    buckets = list(Bucket)
    lines = sorted(report.lines, key=lambda line: (-line.total, line.customer))
    shown = lines if top <= 0 else lines[:top]
    title = f"Aging on {report.on}" + (
        f" — top {len(shown)} of {len(lines)} customers" if len(shown) < len(lines) else ""
    )
    table = Table("customer", "name", "cur", *(b.value for b in buckets), "total", title=title)
    for column in table.columns[3:]:
        column.justify = "right"
    for line in shown:
        table.add_row(
            line.customer,
            line.name[:30],
            line.currency,
            *(display(line.buckets[b], line.currency) for b in buckets),
            display(line.total, line.currency),
        )
    if report.totals:
        table.add_section()
    for currency, totals in sorted(report.totals.items()):
        table.add_row(
            "[bold]TOTAL[/]",
            f"{sum(1 for line in lines if line.currency == currency)} customers",
            currency,
            *(display(totals[b], currency) for b in buckets),
            f"[bold]{display(report.total(currency), currency)}[/]",
        )
    console.print(table)
    if not report.lines:
        console.print("Nothing is open on that date.")
