"""`cobro aging` and `cobro customers timeline` (`cobro report` is in report_cli)."""

from __future__ import annotations

import typer
from rich import box
from rich.table import Table

from cobro.edge import (
    CompanyOption,
    OnOption,
    cli_errors,
    company_of,
    console,
    day_of,
    unit_of_work,
)
from cobro.kit.money import display
from cobro.report.rules import Bucket
from cobro.report.service import AgingReport, aging
from cobro.report.timeline import KINDS, STORY_LIMIT, customer_story


def aging_command(
    on: str | None = OnOption,
    top: int = typer.Option(
        20, "--top", help="Customers owing most shown per currency (0 = every customer)."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Open amount per customer and in total, in the buckets current, 1–30, 31–60, 61–90 and
    90+ days past due, as the ledger stood at the end of --on."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        day = day_of(on, owner)
        report = aging(session, owner.id, day)
    print_aging(report, top, owner.currency)


def print_aging(report: AgingReport, top: int = 20, reporting: str | None = None) -> None:
    """One section per currency (the reporting currency first), each with the customers owing
    most in it and its total: amounts in different currencies are never ranked or added together.
    """
    buckets = list(Bucket)
    table = Table(title=f"Aging on {report.on}", box=box.SIMPLE_HEAD)
    table.add_column("customer", no_wrap=True)
    # the name gives way first on a narrow terminal; amounts are never cut
    table.add_column("name", max_width=28, no_wrap=True, overflow="ellipsis")
    table.add_column("cur", no_wrap=True)
    for heading in (*(b.value for b in buckets), "total"):
        table.add_column(heading, justify="right", no_wrap=True)
    for currency in sorted(report.totals, key=lambda code: (code != reporting, code)):
        lines = sorted(
            (line for line in report.lines if line.currency == currency),
            key=lambda line: (-line.total, line.customer),
        )
        shown = lines if top <= 0 else lines[:top]
        for line in shown:
            table.add_row(
                line.customer,
                line.name,
                currency,
                *(display(line.buckets[b], currency) for b in buckets),
                display(line.total, currency),
            )
        totals = report.totals[currency]
        hidden = len(lines) - len(shown)
        table.add_row(
            "[bold]TOTAL[/]",
            f"top {len(shown)} of {len(lines)} customers" if hidden else f"{len(lines)} customers",
            currency,
            *(f"[bold]{display(totals[b], currency)}[/]" for b in buckets),
            f"[bold]{display(report.total(currency), currency)}[/]",
            end_section=True,
        )
    console.print(table)
    if not report.lines:
        console.print("Nothing is open on that date.")


KINDS_OPTION = typer.Option(
    [], "--kind", help="Only these kinds (repeat): " + ", ".join(KINDS) + "."
)


def timeline_command(
    customer: str = typer.Argument(..., help="The customer's id (external id)."),
    kind: list[str] = KINDS_OPTION,
    limit: int = typer.Option(STORY_LIMIT, "--limit", min=1, max=1000, help="Events shown."),
    company: str | None = CompanyOption,
) -> None:
    """One customer's story, newest first: messages, payments, credit notes, write-offs,
    promises, disputes, notes, calls, tasks and manual holds."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        events = customer_story(session, owner.id, customer, kind or KINDS, limit)
    table = Table(title=f"Timeline of {customer}", box=box.SIMPLE_HEAD)
    for heading in ("when", "what", "ref", ""):
        table.add_column(heading, no_wrap=heading != "")
    for event in events:
        table.add_row(
            event.at.strftime("%Y-%m-%d %H:%M"), event.kind, event.ref or "", event.summary
        )
    console.print(table)
    if not events:
        console.print("Nothing has happened with this customer yet.")
