"""`cobro aging`, `cobro customers timeline` and `cobro report`."""

from __future__ import annotations

import json
from decimal import Decimal

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
    fail,
    unit_of_work,
)
from cobro.kit.dates import parse_date
from cobro.kit.money import display
from cobro.report.kpi_rules import rounded
from cobro.report.kpis import Kpis, receivables_kpis
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


report_app = typer.Typer(help="Receivables reports: KPIs over a period.", no_args_is_help=True)
FORMATS = ("table", "json")


@report_app.command("kpis")
def kpis_command(
    start: str = typer.Option(..., "--from", help="The period's first day (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--to", help="Its last day (default: today)."),
    output: str = typer.Option("table", "--format", help="table or json."),
    company: str | None = CompanyOption,
) -> None:
    """DSO (standard and countback), best possible DSO, average days delinquent, CEI (the
    monthly-sales variant), bad-debt ratio, average days to pay and the promise kept rate,
    per currency, as the ledger stood at the end of --to. "n/d": not defined (nothing to
    divide by, e.g. no sales in the period)."""
    if output not in FORMATS:
        fail(f"--format {output!r}: use table or json")
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        found = receivables_kpis(session, owner.id, parse_date(start), day_of(end, owner))
    if output == "json":
        console.print_json(json.dumps([_kpi_json(k) for k in found]))
        return
    _print_kpis(found)


KPI_ROWS = (
    ("DSO, days", "dso"),
    ("DSO countback, days", "countback_dso"),
    ("best possible DSO, days", "best_possible_dso"),
    ("average days delinquent", "average_days_delinquent"),
    ("CEI, %", "cei"),
    ("bad-debt ratio, %", "bad_debt_ratio"),
    ("average days to pay", "days_to_pay"),
    ("… weighted by amount", "days_to_pay_weighted"),
    ("promises kept, %", "promises_kept_rate"),
)


def _print_kpis(found: list[Kpis]) -> None:
    if not found:
        console.print("Nothing was sold or open in that period.")
        return
    table = Table(title=f"KPIs {found[0].start} – {found[0].end}", box=box.SIMPLE_HEAD)
    table.add_column("")
    for kpis in found:
        table.add_column(kpis.currency, justify="right")
    for label, amount in (("AR at the start", "beginning_ar"), ("AR at the end", "ending_ar"),
                          ("… not yet due", "ending_current"), ("credit sales", "credit_sales"),
                          ("written off", "bad_debts")):  # fmt: skip
        table.add_row(label, *(display(getattr(k, amount), k.currency) for k in found))
    for label, name in KPI_ROWS:
        table.add_row(label, *(_shown(getattr(k, name)) for k in found))
    console.print(table)


def _shown(value: Decimal | None) -> str:
    found = rounded(value)
    return "n/d" if found is None else f"{found:,.2f}"


def _kpi_json(kpis: Kpis) -> dict[str, object]:
    out: dict[str, object] = {
        "currency": kpis.currency,
        "from": kpis.start.isoformat(),
        "to": kpis.end.isoformat(),
        "beginning_ar": kpis.beginning_ar,
        "ending_ar": kpis.ending_ar,
        "ending_current": kpis.ending_current,
        "credit_sales": kpis.credit_sales,
        "bad_debts": kpis.bad_debts,
    }
    for _label, name in KPI_ROWS:
        value = rounded(getattr(kpis, name))
        out[name] = None if value is None else str(value)
    return out
