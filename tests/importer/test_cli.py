"""The import and export commands, run as a user runs them, on a temporary SQLite file."""

from datetime import date
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobro.company.service import create_company
from cobro.db import make_engine, transaction, upgrade
from cobro.importer.cli import export_command, import_app
from cobro.invoice.models import Invoice
from tests.importer.helpers import INVOICE_HEADER, write_csv

app = typer.Typer()
app.add_typer(import_app, name="import")
app.command("export")(export_command)

CUSTOMERS = [["Customer ID", "Name", "Country"], ["C1", "Acme", "ES"], ["C2", "Beta", "ES"]]
INVOICES = [
    INVOICE_HEADER,
    ["F-1", "C1", "2026-01-10", "2026-02-09", "121.00", "EUR"],
    ["F-2", "C2", "2026-01-15", "2026-03-01", "50,5", "EUR"],
]


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        create_company(session, "acme", "Acme S.L.", "ES", "EUR", "Europe/Madrid")
    engine.dispose()
    return url


@pytest.fixture
def cli(database: str) -> CliRunner:
    return CliRunner(env={"COBRO_DATABASE_URL": database, "COLUMNS": "200"})


def invoices_stored(url: str) -> int:
    engine = make_engine(url)
    with transaction(engine) as session:
        count = session.scalar(select(func.count()).select_from(Invoice)) or 0
    engine.dispose()
    return count


def test_importing_customers_then_invoices_prints_a_summary_and_again_changes_nothing(
    cli: CliRunner, database: str, tmp_path: Path
) -> None:
    customers = write_csv(tmp_path / "customers.csv", CUSTOMERS)
    invoices = write_csv(tmp_path / "invoices.csv", INVOICES)
    assert cli.invoke(app, ["import", "customers", str(customers)]).exit_code == 0
    first = cli.invoke(app, ["import", "invoices", str(invoices)])
    assert first.exit_code == 0, first.output
    assert "Invoices from" in first.stdout
    assert "│ invoices │       2 │       0 │         0 │        0 │" in first.stdout
    again = cli.invoke(app, ["import", "invoices", str(invoices)])
    assert "│ invoices │       0 │       0 │         2 │        0 │" in again.stdout
    assert invoices_stored(database) == 2


def test_a_bad_row_fails_the_command_with_a_table_and_writes_nothing(
    cli: CliRunner, database: str, tmp_path: Path
) -> None:
    cli.invoke(app, ["import", "customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS))])
    rows = [*INVOICES, ["F-3", "C1", "2026-13-01", "", "10", "EUR"]]
    result = cli.invoke(app, ["import", "invoices", str(write_csv(tmp_path / "i.csv", rows))])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "row 4, column 'Issue date': '2026-13-01': '2026-13-01' is not a real date" in (
        " ".join(result.stderr.split())
    )
    assert "nothing was imported" in result.stderr
    assert invoices_stored(database) == 0


def test_many_bad_rows_show_the_first_twenty_and_errors_writes_them_all(
    cli: CliRunner, tmp_path: Path
) -> None:
    rows = [INVOICE_HEADER] + [[f"F-{n}", "C404", "2026-01-10", "", "10", "EUR"] for n in range(25)]
    errors = tmp_path / "errors.csv"
    result = cli.invoke(
        app,
        ["import", "invoices", str(write_csv(tmp_path / "i.csv", rows)), "--errors", str(errors)],
    )
    assert result.exit_code == 1
    assert "… and 5 more problems (all are in" in result.stderr
    assert len(errors.read_text(encoding="utf-8").splitlines()) == 26


def test_partial_imports_the_good_rows_and_names_the_reject_file(
    cli: CliRunner, database: str, tmp_path: Path
) -> None:
    cli.invoke(app, ["import", "customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS))])
    rows = [*INVOICES, ["F-3", "C1", "2026-01-10", "", "diez", "EUR"]]
    path = write_csv(tmp_path / "i.csv", rows)
    result = cli.invoke(app, ["import", "invoices", str(path), "--partial"])
    assert result.exit_code == 0, result.output
    assert "│ invoices │       2 │       0 │         0 │        1 │" in result.stdout
    assert "Rejected rows written to" in result.stdout
    assert (tmp_path / "i.rejects.csv").exists()
    assert invoices_stored(database) == 2


def test_a_dry_run_counts_and_writes_nothing(cli: CliRunner, database: str, tmp_path: Path) -> None:
    cli.invoke(app, ["import", "customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS))])
    path = write_csv(tmp_path / "i.csv", INVOICES)
    result = cli.invoke(app, ["import", "invoices", str(path), "--dry-run"])
    assert "dry run: nothing written" in " ".join(result.stdout.split())
    assert invoices_stored(database) == 0


def test_options_say_how_to_read_the_file(cli: CliRunner, database: str, tmp_path: Path) -> None:
    cli.invoke(app, ["import", "customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS))])
    rows = [["Factura", "Cliente", "Fecha", "Bruto", "Notas"],
            ["F-1", "C1", "02/01/2026", "1.234,50", "ok"]]  # fmt: skip
    path = write_csv(tmp_path / "i.csv", rows, delimiter=";", encoding="cp1252")
    args = ["import", "invoices", str(path), "--map", "Bruto=total", "--dayfirst",
            "--decimal", ",", "--encoding", "cp1252", "--delimiter", ";"]  # fmt: skip
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Columns not used: 'Notas'" in result.stdout
    engine = make_engine(database)
    with transaction(engine) as session:
        invoice = session.scalars(select(Invoice)).one()
        assert (invoice.issue_date, invoice.total) == (date(2026, 1, 2), 1234_50)
    engine.dispose()


def test_a_wrong_encoding_is_one_clear_line(cli: CliRunner, tmp_path: Path) -> None:
    rows = [["Customer ID", "Name", "Country"], ["C1", "Peña", "ES"]]
    path = write_csv(tmp_path / "c.csv", rows, encoding="latin-1")
    result = cli.invoke(app, ["import", "customers", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: row 2, column 'Name': byte 0xf1 is not")
    assert "Traceback" not in result.output


def test_export_writes_open_items_to_csv_and_to_excel(cli: CliRunner, tmp_path: Path) -> None:
    cli.invoke(app, ["import", "customers", str(write_csv(tmp_path / "c.csv", CUSTOMERS))])
    cli.invoke(app, ["import", "invoices", str(write_csv(tmp_path / "i.csv", INVOICES))])
    result = cli.invoke(app, ["export", str(tmp_path / "open.csv"), "--on", "2026-02-19"])
    assert result.exit_code == 0, result.output
    assert "2 open items written" in result.stdout
    lines = (tmp_path / "open.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1] == "C1,Acme,F-1,2026-01-10,2026-02-09,EUR,121.00,121.00,10"
    assert cli.invoke(app, ["export", str(tmp_path / "open.xlsx")]).exit_code == 0
    sheet = load_workbook(tmp_path / "open.xlsx", read_only=True).worksheets[0]
    assert [row[2] for row in sheet.iter_rows(values_only=True)] == [
        "Invoice number", "F-1", "F-2",
    ]  # fmt: skip


def test_export_to_an_unknown_format_is_a_user_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["export", str(tmp_path / "open.ods")])
    assert result.exit_code == 1
    assert "write to a .csv or .xlsx file" in result.stderr


def test_the_import_commands_explain_themselves(cli: CliRunner) -> None:
    result = cli.invoke(app, ["import", "--help"])
    assert all(name in result.stdout for name in ("customers", "invoices", "payments"))
    payments = " ".join(cli.invoke(app, ["import", "payments", "--help"]).stdout.split())
    assert "--apply-oldest" in payments
    assert "--create-customers" in payments
