"""`cobro report aging|kpis|dso|cei|add|trends|curve|promises|disputes|collectors` and
`cobro report management`: every report as a table, CSV, Excel, PDF or JSON."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import typer
from rich import box
from rich.table import Table

from cobro.company.models import Company
from cobro.company.service import list_companies
from cobro.edge import CompanyOption, cli_errors, company_of, console, fail, unit_of_work
from cobro.errors import Invalid
from cobro.kit.dates import parse_date, today_in, utcnow
from cobro.report.catalog import DESCRIPTIONS, REPORTS, Query, build, default_start
from cobro.report.export import cell_text, to_csv, to_json, to_pdf, to_xlsx
from cobro.report.management import MANAGEMENT_REPORTS, management_reports
from cobro.report.rules import DEFAULT_SCHEME, Scheme, parse_scheme
from cobro.report.slices import parse_by
from cobro.report.table import Kind, Report, combined
from cobro.report.weekly import WEEKDAYS, parse_weekday, queue_weekly_report, set_report_day

FORMATS = ("table", "csv", "xlsx", "pdf", "json")
BINARY = {"xlsx", "pdf"}

report_app = typer.Typer(
    help="Receivables reports and KPIs: as a table, CSV, Excel, PDF or JSON.",
    no_args_is_help=True,
)


OnOpt = typer.Option(None, "--on", help="As of this day (default: --to, or today).")
FromOpt = typer.Option(
    None, "--from", help="The period's first day (default: the start of the calendar month "
    "two months before --to: the last three months)."
)  # fmt: skip
ToOpt = typer.Option(None, "--to", help="The period's last day (default: --on, or today).")
ByOpt = typer.Option(
    None, "--by", help="Slice by collector, segment or country (amounts converted to the "
    "reporting currency at the FX rates of the period's end); default: by currency."
)  # fmt: skip
FormatOpt = typer.Option("table", "--format", help="table, csv, xlsx, pdf or json.")
OutputOpt = typer.Option(
    None, "--output", "-o", help="Write to this file (xlsx and pdf default to "
    "cobro-<report>-<day>.<format> in the current folder; others to the screen)."
)  # fmt: skip
BucketsOpt = typer.Option(
    None, "--buckets", help="Aging bucket limits in days, e.g. 30,60,90,120 (default "
    "0,30,60,90 by due date, 30,60,90 by issue date)."
)  # fmt: skip
ReportCompanyOpt = typer.Option(
    None, "--company", "-c", help="Company code, or all: every company's rows with a company "
    "column first, nothing added across companies (default: COBRO_COMPANY, or the only one)."
)  # fmt: skip
AgedFromOpt = typer.Option("due", "--aged-from", help="Age from the due or the issue date.")


def _register(name: str) -> None:
    """One command per report, every one with the same options."""

    def command(
        on: str | None = OnOpt,
        start: str | None = FromOpt,
        end: str | None = ToOpt,
        by: str | None = ByOpt,
        output: str = FormatOpt,
        path: Path | None = OutputOpt,
        company: str | None = ReportCompanyOpt,
    ) -> None:
        _run(name, on, start, end, by, output, path, company, DEFAULT_SCHEME)

    command.__doc__ = DESCRIPTIONS.get(name, name)
    report_app.command(name)(command)


@report_app.command("aging")
def aging_command(
    on: str | None = OnOpt,
    start: str | None = typer.Option(
        None,
        "--from",
        help="Not used (an aging is as of one day): the same options as the "
        "other reports, so that one command line serves them all.",
    ),
    end: str | None = typer.Option(None, "--to", help="The same as --on."),
    by: str | None = ByOpt,
    buckets: str | None = BucketsOpt,
    aged_from: str = AgedFromOpt,
    output: str = FormatOpt,
    path: Path | None = OutputOpt,
    company: str | None = ReportCompanyOpt,
) -> None:
    try:
        scheme = parse_scheme(buckets, aged_from)
    except ValueError as exc:
        fail(str(exc))
    _run("aging", on, start, end, by, output, path, company, scheme)


aging_command.__doc__ = DESCRIPTIONS["aging"]
for _name in REPORTS:
    if _name != "aging":
        _register(_name)


@report_app.command("management")
def management_command(
    on: str | None = OnOpt,
    start: str | None = FromOpt,
    end: str | None = ToOpt,
    path: Path | None = OutputOpt,
    company: str | None = CompanyOption,
) -> None:
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        first, last = _period(owner, on, start, end)
        reports = management_reports(session, owner.id, first, last)
        content = to_pdf(reports, "Receivables management report", owner.name, last)
    target = path or Path(f"cobro-management-{last}.pdf")
    target.write_bytes(content)
    console.print(f"Wrote {target} ({len(content):,} bytes).")


management_command.__doc__ = (
    "The management report as one PDF, charts included: " + ", ".join(MANAGEMENT_REPORTS) + "."
)


@report_app.command("weekly")
def weekly_command(
    on: str | None = typer.Option(
        None, "--on", help="Queue the report of this day's week (default: today)."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Queue the weekly management report now: an email with the headline figures and the
    PDF to each admin and manager who has not had this week's (the worker sends it). The
    worker also queues it by itself on the company's report day (see weekly-day)."""
    with cli_errors(), unit_of_work(writes=True) as session:
        owner = company_of(session, company)
        day = parse_date(on) if on else today_in(owner.timezone)
        mailing = queue_weekly_report(session, owner, day, utcnow())
    if mailing.queued:
        console.print(f"Week {mailing.week}: queued for {', '.join(mailing.queued)}.")
    else:
        console.print(f"Week {mailing.week}: every admin and manager already has it (or none).")


@report_app.command("weekly-day")
def weekly_day_command(
    day: str = typer.Argument(..., help="monday … sunday, or off."),
    company: str | None = CompanyOption,
) -> None:
    """The weekday the worker emails the weekly management report to admins and managers
    (default monday), or off."""
    try:
        weekday = parse_weekday(day)
    except ValueError as exc:
        fail(str(exc))
    with cli_errors(), unit_of_work(writes=True) as session:
        set_report_day(session, company_of(session, company), weekday, utcnow(), source="cli")
    shown = "off" if weekday is None else WEEKDAYS[weekday]
    console.print(f"Weekly report day: {shown}.")


ALL = "all"  # --company all: every company's rows, a company column first


def _period(
    owner: Company, on: str | None, start: str | None, end: str | None
) -> tuple[date, date]:
    """--from and --to (or --on), with their defaults: the last three months up to today."""
    last_day = end or on
    last = parse_date(last_day) if last_day else today_in(owner.timezone)
    return (parse_date(start) if start else default_start(last)), last


def _run(
    name: str,
    on: str | None,
    start: str | None,
    end: str | None,
    by: str | None,
    output: str,
    path: Path | None,
    company: str | None,
    scheme: Scheme,
) -> None:
    if output not in FORMATS:
        fail(f"--format {output!r}: use one of {', '.join(FORMATS)}")
    try:
        sliced_by = parse_by(by)
    except Invalid as exc:
        fail(exc.message)
    with cli_errors(), unit_of_work() as session:
        owners = list_companies(session) if company == ALL else [company_of(session, company)]
        found = []
        for owner in owners:
            first, last = _period(owner, on, start, end)
            found.append(
                (owner.code, build(session, Query(name, owner.id, first, last, sliced_by, scheme)))
            )
        report = found[0][1] if company != ALL else combined(found)
        holder = owners[0].name if company != ALL else "all companies"
        pdf = to_pdf([report], report.title, holder, last) if output == "pdf" else b""
    if output == "table" and path is None:
        print_report(report)
        return
    content = {
        "table": lambda: _plain(report).encode(),
        "csv": lambda: to_csv(report),
        "json": lambda: json.dumps(to_json(report), indent=2).encode(),
        "xlsx": lambda: to_xlsx(report),
        "pdf": lambda: pdf,
    }[output]()
    if path is None and output not in BINARY:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    target = path or Path(f"cobro-{name}-{last}.{output}")
    target.write_bytes(content)
    console.print(f"Wrote {target} ({len(content):,} bytes).")


WIDEST = 8  # more columns than this, and few rows: each row printed as a column


def _table(report: Report) -> Table:
    table = Table(title=f"{report.title} — {report.period}", box=box.SIMPLE_HEAD)
    if len(report.columns) > WIDEST and len(report.rows) <= WIDEST:
        return _transposed(report, table)
    for column in report.columns:
        right = column.kind is not Kind.TEXT
        table.add_column(column.label, justify="right" if right else "left", no_wrap=right)
    for row in report.rows:
        table.add_row(*(cell_text(report, row, column) for column in report.columns))
    return table


def _transposed(report: Report, table: Table) -> Table:
    """A wide report with few rows (the KPIs of two currencies): a line per column."""
    heads = [c for c in report.columns if c.kind is Kind.TEXT]
    table.add_column("")
    for row in report.rows:
        title = " ".join(cell_text(report, row, column) for column in heads)
        table.add_column(title, justify="right", no_wrap=True)
    for column in report.columns:
        if column.kind is not Kind.TEXT:
            table.add_row(column.label, *(cell_text(report, row, column) for row in report.rows))
    return table


def print_report(report: Report) -> None:
    console.print(_table(report))
    if not report.rows:
        console.print("Nothing to show for that period.")
    for note in report.notes:
        console.print(f"[dim]{note}[/]", highlight=False)


def _plain(report: Report) -> str:
    """The table as plain text, for --output with --format table."""
    with console.capture() as captured:
        print_report(report)
    return captured.get()
