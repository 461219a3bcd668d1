"""Whatever a file holds, the importer answers with a `CobroError` or an import — never another
exception — and a refused file leaves the database as it was."""

import csv
import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.errors import CobroError
from cobro.importer.mapping import Kind, Mapping, resolve
from cobro.importer.rows import ParseOptions, RowParser
from cobro.importer.service import ImportOptions, import_file
from cobro.kit.money import parse_amount
from cobro.payment.service import check_ledger
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.importer.helpers import ledger_counts

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count()

HEADERS = ["Invoice", "Customer", "Date", "Due date", "Amount", "Tax", "Currency", "Terms",
           "Paid on", "PO", "Payment ID", "Invoices", "Name", "Country", "Email", "Junk"]  # fmt: skip
PLAUSIBLE = ["C1", "C2", "F-1", "F-2", "EUR", "USD", "JPY", "NET30", "EOM+30", "50%@30 50%@60",
             "", " ", "-5", "0", "0.001", "1e9", "１２", "12,50", "1.234,5", "(3,50)", "€ 7",
             "2026-01-31", "31/01/2026", "2/30/2026", "ES", "XX", "a@b.es", "9" * 30]  # fmt: skip

cell_text = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.dates(date(1800, 1, 1), date(2300, 1, 1)).map(date.isoformat),
    st.decimals(-10**6, 10**7, places=3, allow_nan=False).map(str),
)


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    make_invoice(session, company, make_customer(session, company, "C1"), number="F-1")
    make_customer(session, company, "C2")
    return company


def attempt(session: Session, company: Company, kind: Kind, path: Path, partial: bool) -> None:
    before = ledger_counts(session)
    try:
        import_file(session, company, kind, path, ImportOptions(partial=partial))
    except CobroError:
        assert ledger_counts(session) == before
    assert check_ledger(session, company.id) == []


@FUZZ
@given(
    kind=st.sampled_from(["customers", "invoices", "payments"]),
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(cell_text, max_size=9), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    partial=st.booleans(),
)
def test_random_rows_give_an_import_or_a_cobro_error(
    session: Session,
    company: Company,
    tmp_path: Path,
    kind: Kind,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
    partial: bool,
) -> None:
    path = tmp_path / f"fuzz{next(_names)}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([header, *rows])
    attempt(session, company, kind, path, partial)


@FUZZ
@given(
    kind=st.sampled_from(["customers", "invoices", "payments"]),
    content=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=200).map(lambda tail: b"Invoice,Customer,Date,Amount\n" + tail),
        st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
    ),
    suffix=st.sampled_from([".csv", ".xlsx", ".txt"]),
)
def test_random_bytes_give_only_a_cobro_error_and_change_nothing(
    session: Session, company: Company, tmp_path: Path, kind: Kind, content: bytes, suffix: str
) -> None:
    path = tmp_path / f"fuzz{next(_names)}{suffix}"
    path.write_bytes(content)
    attempt(session, company, kind, path, partial=False)


excel_value = st.one_of(
    st.none(),
    cell_text,
    st.integers(-(10**16), 10**16),
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.datetimes(),
    st.booleans(),
)


@settings(FUZZ, max_examples=25)
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=7, unique=True),
    rows=st.lists(st.lists(excel_value, max_size=8), max_size=4),
)
def test_random_excel_cells_give_an_import_or_a_cobro_error(
    session: Session, company: Company, tmp_path: Path, header: list[str], rows: list[list[object]]
) -> None:
    path = tmp_path / f"fuzz{next(_names)}.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    book.save(path)
    attempt(session, company, "invoices", path, partial=True)


@settings(max_examples=300, deadline=None)
@given(
    text=st.from_regex(r"[0-9]{0,16}(\.[0-9]{0,4})?", fullmatch=True),
    currency=st.sampled_from(["EUR", "JPY", "BHD"]),
)
def test_the_fast_reading_of_plain_amounts_agrees_with_parse_amount(
    text: str, currency: str
) -> None:
    columns = resolve("invoices", "f.csv", ["Invoice", "Customer", "Date", "Amount"], Mapping())
    parser = RowParser(columns, ParseOptions(currency=currency))
    parser.start(["F-1", "C1", "2026-01-01", text])
    fast = parser.amount("total", currency)
    try:
        expected: int | None = parse_amount(text, currency) if text else None
    except CobroError:
        expected = None
    if fast is not None or not parser.problems:
        assert fast == expected
