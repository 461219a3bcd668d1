"""Vendor bill files (`cobro import vendor-bills`): what the company owes customers who are
also its suppliers, read like the other kinds: every row checked before anything is written."""

from datetime import date
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.db import make_engine, transaction, upgrade
from cobro.importer.cli import import_app
from cobro.importer.report import Problem, RowsInvalid
from cobro.importer.service import ImportOptions, import_file
from cobro.setoff import service as setoff
from cobro.setoff.models import VendorBill
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.importer.helpers import write_csv

BILLS = [
    ["Proveedor", "Nº factura", "Fecha factura", "Vencimiento", "Importe", "Pendiente",
     "Moneda", "Concepto"],
    ["SUP", "FP-1", "2026-01-05", "2026-02-04", "1.210,00", "1.000,00", "EUR", "Transporte"],
    ["SUP", "FP-2", "2026-01-20", "2026-02-19", "300,00", "", "EUR", ""],
    ["OTHER", "FP-1", "2026-01-20", "2026-02-19", "50", "", "USD", ""],
]  # fmt: skip


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    make_customer(session, company, "SUP", name="Proveedora S.A.")
    make_customer(session, company, "OTHER")
    return company


def bills(session: Session, company: Company) -> dict[tuple[str, str], tuple[object, ...]]:
    rows = setoff.list_bills(session, company, open_only=False)
    return {
        (customer, bill.number): (bill.total, bill.open_amount, bill.currency, bill.due_date)
        for bill, customer in rows
    }


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(VendorBill)) or 0


def refused(session: Session, company: Company, path: Path) -> list[Problem]:
    before = stored(session)
    with pytest.raises(RowsInvalid) as caught:
        import_file(session, company, "vendor_bills", path)
    assert stored(session) == before
    return caught.value.report.problems


def test_a_bill_file_creates_the_bills_with_their_open_amounts(
    session: Session, company: Company, tmp_path: Path
) -> None:
    report = import_file(session, company, "vendor_bills", write_csv(tmp_path / "b.csv", BILLS))
    assert report.count("vendor_bills").created == 3
    assert bills(session, company) == {
        ("SUP", "FP-1"): (1210_00, 1000_00, "EUR", date(2026, 2, 4)),
        ("SUP", "FP-2"): (300_00, 300_00, "EUR", date(2026, 2, 19)),
        ("OTHER", "FP-1"): (50_00, 50_00, "USD", date(2026, 2, 19)),
    }


def test_the_same_bill_again_updates_it_and_an_unchanged_file_changes_nothing(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "b.csv", BILLS)
    import_file(session, company, "vendor_bills", path)
    assert import_file(session, company, "vendor_bills", path).count("vendor_bills").unchanged == 3
    paid = [BILLS[0], ["SUP", "FP-1", "2026-01-05", "2026-02-04", "1.210,00", "0", "EUR", ""]]
    report = import_file(session, company, "vendor_bills", write_csv(tmp_path / "p.csv", paid))
    assert report.count("vendor_bills").updated == 1
    assert bills(session, company)[("SUP", "FP-1")][1] == 0
    assert stored(session) == 3


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({4: "-5"}, "Importe", "must be positive"),
        ({5: "2.000,00"}, "Pendiente", "between 0 and the total"),
        ({3: "2025-12-01"}, "Vencimiento", "before the issue date"),
        ({3: ""}, "Vencimiento", "is empty"),
        ({2: "someday"}, "Fecha factura", ""),
        ({6: "EURO"}, "Moneda", "unknown currency"),
        ({1: ""}, "Nº factura", "is empty"),
    ],
)
def test_a_bad_row_names_its_row_and_column_and_nothing_is_written(
    session: Session,
    company: Company,
    tmp_path: Path,
    cells: dict[int, str],
    column: str,
    reason: str,
) -> None:
    bad = list(BILLS[2])
    for position, value in cells.items():
        bad[position] = value
    problems = refused(session, company, write_csv(tmp_path / "b.csv", [*BILLS[:2], bad]))
    assert [(p.row, p.column) for p in problems] == [(3, column)]
    assert reason in problems[0].reason


def test_an_unknown_customer_is_a_bad_row(
    session: Session, company: Company, tmp_path: Path
) -> None:
    rows = [*BILLS, ["NOBODY", "X-1", "2026-01-05", "2026-02-04", "10", "", "EUR", ""]]
    problems = refused(session, company, write_csv(tmp_path / "b.csv", rows))
    assert [(p.row, p.column, p.value) for p in problems] == [(5, "Proveedor", "NOBODY")]
    assert "no customer 'NOBODY'" in problems[0].reason


def test_partial_imports_the_good_rows(session: Session, company: Company, tmp_path: Path) -> None:
    rows = [*BILLS, ["NOBODY", "X-1", "2026-01-05", "2026-02-04", "10", "", "EUR", ""]]
    path = write_csv(tmp_path / "b.csv", rows)
    report = import_file(session, company, "vendor_bills", path, ImportOptions(partial=True))
    assert (report.count("vendor_bills").created, report.rejected) == (3, 1)


def test_a_file_never_reopens_what_was_set_off(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "b.csv", [BILLS[0], BILLS[2]])
    import_file(session, company, "vendor_bills", path)
    customer = make_customer(session, company, "SUP")
    make_invoice(session, company, customer, 100_00)
    setoff.apply_set_off(session, company, "SUP", "EUR", date(2026, 3, 1), (None, "cli"))
    assert bills(session, company)[("SUP", "FP-2")][1] == 200_00
    import_file(session, company, "vendor_bills", path)  # the payables system not yet told
    assert bills(session, company)[("SUP", "FP-2")][1] == 200_00


def test_the_command_imports_a_bill_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        company = create_company(session, "acme", "Acme S.L.", "ES", "EUR", "Europe/Madrid")
        make_customer(session, company, "SUP")
        make_customer(session, company, "OTHER")
    engine.dispose()
    app = typer.Typer()
    app.add_typer(import_app, name="import")
    cli = CliRunner(env={"COBRO_DATABASE_URL": url, "COLUMNS": "200"})
    result = cli.invoke(app, ["import", "vendor-bills", str(write_csv(tmp_path / "b.csv", BILLS))])
    assert result.exit_code == 0, result.output
    assert "vendor_bills" in result.stdout
    bad = write_csv(tmp_path / "bad.csv", [*BILLS, ["X", "1", "2026-01-01", "2026-01-02", "1"]])
    refused_run = cli.invoke(app, ["import", "vendor_bills", str(bad)])
    assert refused_run.exit_code == 1
    assert "no customer 'X'" in refused_run.output
