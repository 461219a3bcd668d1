import csv
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.errors import Invalid
from cobro.importer.export import HEADERS, export_open_items
from cobro.importer.report import ImportReport, RowsInvalid
from cobro.importer.service import ImportOptions, import_file
from cobro.invoice.service import get_invoice
from cobro.payment.service import check_ledger
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment


# what openpyxl gives for a date cell: a date-time without a zone, as Excel keeps it
def excel_day(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day)  # noqa: DTZ001


HEADER = ["Nº factura", "Cliente", "Fecha", "Vencimiento", "Importe", "Moneda"]


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    make_customer(session, company, "C1", name="Talleres Pérez")
    make_customer(session, company, "1002", name="Numérica S.A.")
    return company


def workbook(path: Path, rows: Sequence[Sequence[object]], sheet: str = "Facturas") -> Path:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Notas"
    first.append(["nothing to see here"])
    data = book.create_sheet(sheet)
    for row in rows:
        data.append(row)
    book.save(path)
    return path


def run(session: Session, company: Company, path: Path, **options: object) -> ImportReport:
    report = import_file(session, company, "invoices", path, ImportOptions(**options))  # type: ignore[arg-type]
    assert check_ledger(session, company.id) == []
    return report


def test_an_excel_file_keeps_its_numbers_exact_and_its_dates_as_dates(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "f.xlsx", [
        HEADER,
        ["F-1", "C1", excel_day(2026, 1, 10), date(2026, 2, 9), 121.1, "EUR"],
        [],
        [2002, 1002, "2026-01-12", None, 50, "EUR", "a note right of the table"],
    ])  # fmt: skip
    report = run(session, company, path, sheet="Facturas")
    assert report.rows == 2
    first = get_invoice(session, company.id, "F-1")
    assert (first.total, first.issue_date, first.due_date) == (
        121_10, date(2026, 1, 10), date(2026, 2, 9),
    )  # fmt: skip
    numeric = get_invoice(session, company.id, "2002")
    assert (numeric.total, numeric.issue_date) == (50_00, date(2026, 1, 12))


def test_a_sheet_is_chosen_by_number_and_an_unknown_one_is_named(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "f.xlsx", [HEADER, ["F-1", "C1", "2026-01-10", "", 1, "EUR"]])
    assert run(session, company, path, sheet="2").count("invoices").created == 1
    with pytest.raises(Invalid, match="no sheet 'Ventas'; its sheets are Notas, Facturas"):
        run(session, company, path, sheet="Ventas")


def test_excel_rows_are_numbered_as_excel_shows_them(
    session: Session, company: Company, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "f.xlsx", [
        HEADER,
        ["F-1", "C1", excel_day(2026, 1, 10), None, 10.555, "EUR"],
        [],
        ["F-2", "C1", 46000, None, 10, "EUR"],
    ])  # fmt: skip
    with pytest.raises(RowsInvalid) as caught:
        run(session, company, path, sheet="Facturas")
    found = [(p.row, p.column, p.value) for p in caught.value.report.problems]
    assert found == [(2, "Importe", "10.555"), (4, "Fecha", "46000")]


def test_open_items_export_to_csv_with_amounts_as_plain_decimal_text(
    session: Session, company: Company, tmp_path: Path
) -> None:
    customer = make_customer(session, company, "C3", name="Ana")
    make_invoice(session, company, customer, 1234_56, due_date=date(2026, 1, 31), number="F-1")
    paid = make_invoice(session, company, customer, 10_00, number="F-2")
    make_invoice(session, company, customer, 99_99, due_date=date(2026, 3, 31), number="F-3")
    make_payment(session, company, customer, 10_00, invoices=(paid.number,))
    make_payment(session, company, customer, 99, invoices=("F-3",))
    target = tmp_path / "open.csv"
    assert export_open_items(session, company, target, date(2026, 3, 1)) == 2
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        list(HEADERS),
        ["C3", "Ana", "F-1", "2026-01-01", "2026-01-31", "EUR", "1234.56", "1234.56", "29"],
        ["C3", "Ana", "F-3", "2026-01-01", "2026-03-31", "EUR", "99.99", "99.00", "-30"],
    ]


def test_open_items_export_to_excel_keeps_dates_as_dates_and_amounts_as_text(
    session: Session, company: Company, tmp_path: Path
) -> None:
    customer = make_customer(session, company, "C3", name="Ana")
    make_invoice(session, company, customer, 1234_50, due_date=date(2026, 1, 31), number="F-1")
    target = tmp_path / "open.xlsx"
    export_open_items(session, company, target, date(2026, 2, 1))
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1] == (
        "C3", "Ana", "F-1", excel_day(2026, 1, 1), excel_day(2026, 1, 31), "EUR", "1234.50",
        "1234.50", 1,
    )  # fmt: skip


def test_an_exported_excel_file_imports_back_as_the_same_invoices(
    session: Session, company: Company, tmp_path: Path
) -> None:
    make_invoice(session, company, make_customer(session, company, "C3"), 77_70, number="F-1")
    target = tmp_path / "open.xlsx"
    export_open_items(session, company, target, date(2026, 2, 1))
    report = run(session, company, target)
    assert report.count("invoices").unchanged == 1
    assert report.ignored_columns == ("Open amount", "Days past due")


def test_export_refuses_an_unknown_format_or_a_missing_folder(
    session: Session, company: Company, tmp_path: Path
) -> None:
    with pytest.raises(Invalid, match=r"write to a \.csv or \.xlsx file"):
        export_open_items(session, company, tmp_path / "open.pdf", date(2026, 2, 1))
    with pytest.raises(Invalid, match="does not exist"):
        export_open_items(session, company, tmp_path / "no" / "open.csv", date(2026, 2, 1))
