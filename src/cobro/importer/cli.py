"""`cobro import customers|invoices|payments|vendor-bills FILE` and `cobro export FILE`.

The lead wires these into `cobro.cli`: `app.add_typer(import_app, name="import")` and
`app.command("export")(export_command)`.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from cobro import edge
from cobro.errors import CobroError
from cobro.importer.export import export_open_items
from cobro.importer.mapping import Kind, Mapping, combine, load_mapping
from cobro.importer.report import Counts, ImportReport, RowsInvalid, write_errors
from cobro.importer.service import ImportOptions, import_file

SHOWN_PROBLEMS = 20

import_app = typer.Typer(
    help=(
        "Import customers, invoices or payments from a CSV or Excel (.xlsx) file. Every row "
        "is checked before anything is written: one bad row stops the whole file unless "
        "--partial is given. Importing the same file again changes nothing."
    ),
    no_args_is_help=True,
)

FILE = typer.Argument(..., help="CSV (comma, semicolon, tab or | separated) or .xlsx file.")
MAP = typer.Option(
    [],
    "--map",
    help='Say what a column is: "Header=field" (repeatable). Use the field "ignore" to skip a '
    'column and "tag:<name>" to turn it into customer tags. Run with a wrong field to list them.',
)
MAPPING = typer.Option(
    None,
    "--mapping",
    help="TOML mapping file: [columns] header = field, [defaults] field = value, ignore = [...] "
    "(see docs/examples/ibm-accounts-receivable.toml).",
)
DAYFIRST = typer.Option(
    None,
    "--dayfirst/--monthfirst",
    help="Read 01/02/2026 as 1 February (--dayfirst) or as January 2 (the default).",
)
DECIMAL = typer.Option(
    None, "--decimal", help="Decimal mark of the amounts, . or , (default: read from each value)."
)
ENCODING = typer.Option(
    None, "--encoding", help="Text encoding of a CSV file, e.g. cp1252 or latin-1 (default UTF-8)."
)
DELIMITER = typer.Option(
    None, "--delimiter", help="Column separator of a CSV file: , ; tab or | (default: detected)."
)
SHEET = typer.Option(None, "--sheet", help="Excel sheet, by name or number (default: the first).")
PARTIAL = typer.Option(
    False, "--partial", help="Import the good rows and write the bad ones to a reject file."
)
REJECTS = typer.Option(
    None, "--rejects", help="Where --partial writes the bad rows (default: FILE.rejects.csv)."
)
ERRORS = typer.Option(None, "--errors", help="Write every problem found to this CSV file.")
DRY_RUN = typer.Option(
    False, "--dry-run", help="Check the file and count what would change; write nothing."
)
CREATE_CUSTOMERS = typer.Option(
    False,
    "--create-customers",
    help="Create customers the file names but the ledger lacks (else those rows are errors).",
)

APPLY_OLDEST = typer.Option(
    False,
    "--apply-oldest",
    help="Apply payments that name no invoice to the customer's oldest open invoices "
    "(else that cash stays unapplied).",
)
OUTPUT = typer.Argument(..., help="File to write: .csv or .xlsx (by its suffix).")


def _run(
    kind: Kind,
    file: Path,
    company: str | None,
    maps: list[str],
    mapping: Path | None,
    dayfirst: bool | None,
    decimal: str | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    partial: bool,
    rejects: Path | None,
    errors: Path | None,
    dry_run: bool,
    create_customers: bool = False,
    apply_oldest: bool = False,
) -> None:
    try:
        base = load_mapping(kind, mapping) if mapping else Mapping()
        options = ImportOptions(
            mapping=combine(base, maps, kind, dayfirst, decimal, encoding, delimiter),
            sheet=sheet,
            partial=partial,
            rejects=rejects,
            create_customers=create_customers,
            apply_oldest=apply_oldest,
            dry_run=dry_run,
        )
        with _Bar() as bar, edge.unit_of_work() as session:
            report = import_file(
                session, edge.company_of(session, company), kind, file, options, bar
            )
    except RowsInvalid as exc:
        _show_problems(exc.report, errors)
        edge.fail(exc.message)
    except CobroError as exc:
        edge.fail(exc.message)
    _show_problems(report, errors)
    _show_summary(report)


@import_app.command("customers")
def import_customers(
    file: Path = FILE,
    company: str | None = edge.CompanyOption,
    maps: list[str] = MAP,
    mapping: Path | None = MAPPING,
    dayfirst: bool | None = DAYFIRST,
    decimal: str | None = DECIMAL,
    encoding: str | None = ENCODING,
    delimiter: str | None = DELIMITER,
    sheet: str | None = SHEET,
    partial: bool = PARTIAL,
    rejects: Path | None = REJECTS,
    errors: Path | None = ERRORS,
    dry_run: bool = DRY_RUN,
) -> None:
    """Create or update customers, matched by their customer id. Columns the file lacks keep
    their stored values."""
    _run("customers", file, company, maps, mapping, dayfirst, decimal, encoding, delimiter,
         sheet, partial, rejects, errors, dry_run)  # fmt: skip


@import_app.command("invoices")
def import_invoices(
    file: Path = FILE,
    company: str | None = edge.CompanyOption,
    maps: list[str] = MAP,
    mapping: Path | None = MAPPING,
    dayfirst: bool | None = DAYFIRST,
    decimal: str | None = DECIMAL,
    encoding: str | None = ENCODING,
    delimiter: str | None = DELIMITER,
    sheet: str | None = SHEET,
    partial: bool = PARTIAL,
    rejects: Path | None = REJECTS,
    errors: Path | None = ERRORS,
    dry_run: bool = DRY_RUN,
    create_customers: bool = CREATE_CUSTOMERS,
) -> None:
    """Create or update invoices, matched by invoice number. Without a due date, the invoice's
    or its customer's payment terms give one. A settled/paid date column records the payment
    (as SETTLE-<number>)."""
    _run("invoices", file, company, maps, mapping, dayfirst, decimal, encoding, delimiter,
         sheet, partial, rejects, errors, dry_run, create_customers)  # fmt: skip


@import_app.command("payments")
def import_payments(
    file: Path = FILE,
    company: str | None = edge.CompanyOption,
    maps: list[str] = MAP,
    mapping: Path | None = MAPPING,
    dayfirst: bool | None = DAYFIRST,
    decimal: str | None = DECIMAL,
    encoding: str | None = ENCODING,
    delimiter: str | None = DELIMITER,
    sheet: str | None = SHEET,
    partial: bool = PARTIAL,
    rejects: Path | None = REJECTS,
    errors: Path | None = ERRORS,
    dry_run: bool = DRY_RUN,
    create_customers: bool = CREATE_CUSTOMERS,
    apply_oldest: bool = APPLY_OLDEST,
) -> None:
    """Record payments once each (by payment id, else by reference) and apply them to the
    invoices named in the row (several separated by ;). What is left stays unapplied."""
    _run("payments", file, company, maps, mapping, dayfirst, decimal, encoding, delimiter,
         sheet, partial, rejects, errors, dry_run, create_customers, apply_oldest)  # fmt: skip


@import_app.command("vendor-bills")
@import_app.command("vendor_bills", hidden=True)  # the kind's own name, as the API spells it
def import_vendor_bills(
    file: Path = FILE,
    company: str | None = edge.CompanyOption,
    maps: list[str] = MAP,
    mapping: Path | None = MAPPING,
    dayfirst: bool | None = DAYFIRST,
    decimal: str | None = DECIMAL,
    encoding: str | None = ENCODING,
    delimiter: str | None = DELIMITER,
    sheet: str | None = SHEET,
    partial: bool = PARTIAL,
    rejects: Path | None = REJECTS,
    errors: Path | None = ERRORS,
    dry_run: bool = DRY_RUN,
) -> None:
    """Create or update the bills customers who are also suppliers sent the company (what it
    owes them), matched by customer and bill number; the customer must exist. They feed the
    set-off hint (cobro setoff)."""
    _run("vendor_bills", file, company, maps, mapping, dayfirst, decimal, encoding, delimiter,
         sheet, partial, rejects, errors, dry_run)  # fmt: skip


def export_command(
    output: Path = OUTPUT,
    on: str | None = edge.OnOption,
    company: str | None = edge.CompanyOption,
) -> None:
    """Export open items (invoices with an amount left to pay) with their customer, dates,
    total, open amount and days past due."""
    with edge.cli_errors(), edge.unit_of_work() as session:
        owner = edge.company_of(session, company)
        day = edge.day_of(on, owner)
        count = export_open_items(session, owner, output, day)
    edge.console.print(f"{count:,} open items written to {output} (days past due on {day}).")


class _Bar:
    """Rich progress bars for the two passes (on the error stream: output stays clean)."""

    def __init__(self) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=edge.errors,
            transient=True,
            disable=not edge.errors.is_terminal,  # no bar in logs and pipes
        )
        self.task: TaskID | None = None

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, label: str, total: int) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(label, total=total or None)

    def update(self, done: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=done)


def _show_problems(report: ImportReport, errors: Path | None) -> None:
    problems = report.problems
    if not problems:
        return
    if errors is not None:
        with edge.cli_errors():
            write_errors(errors, problems)
    table = Table(title=f"Bad rows in {report.file}", title_justify="left")
    for name, justify in (("row", "right"), ("column", "left"), ("value", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("problem", overflow="fold")
    for problem in problems[:SHOWN_PROBLEMS]:
        table.add_row(str(problem.row), problem.column, problem.value[:40], problem.reason)
    edge.errors.print(table)
    if len(problems) > SHOWN_PROBLEMS:
        where = f"all are in {errors}" if errors else "write them all with --errors FILE"
        edge.errors.print(f"… and {len(problems) - SHOWN_PROBLEMS:,} more problems ({where}).")
    elif errors is not None:
        edge.errors.print(f"The problems are also in {errors}.")


def _show_summary(report: ImportReport) -> None:
    title = f"{report.kind.capitalize()} from {report.file}: {report.rows:,} rows"
    table = Table(title=title + (" (dry run: nothing written)" if report.dry_run else ""))
    table.add_column("records")
    for name in ("created", "updated", "unchanged", "rejected"):
        table.add_column(name, justify="right")
    kinds = sorted({*report.counts, report.kind})
    for name in kinds:
        counts = report.counts.get(name) or Counts()
        rejected = f"{report.rejected:,}" if name == report.kind else ""
        table.add_row(
            name, f"{counts.created:,}", f"{counts.updated:,}", f"{counts.unchanged:,}", rejected
        )
    edge.console.print(table)
    if report.rejects_file:
        edge.console.print(f"[yellow]Rejected rows written to {report.rejects_file}[/]")
    if report.ignored_columns:
        ignored = ", ".join(repr(header) for header in report.ignored_columns)
        edge.console.print(f"Columns not used: {ignored}", highlight=False)
