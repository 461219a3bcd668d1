"""Whatever a file holds, the importer answers with a `CobroError` or an import — never another
exception — and a refused file leaves the database as it was."""

import csv
import itertools
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
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
           "Paid on", "PO", "Payment ID", "Invoices", "Name", "Country", "Email",
           "Junk"]  # fmt: skip
PLAUSIBLE = ["C1", "C2", "F-1", "F-2", "EUR", "USD", "JPY", "NET30", "EOM+30", "50%@30 50%@60",
             "", " ", "-5", "0", "0.001", "1e9", "１２", "12,50", "1.234,5", "(3,50)", "€ 7",
             "2026-01-31", "31/01/2026", "2/30/2026", "ES", "XX", "a@b.es", "9" * 30]  # fmt: skip

cell_text = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.dates(date(1800, 1, 1), date(2300, 1, 1)).map(date.isoformat),
    st.decimals(-(10**6), 10**7, places=3, allow_nan=False).map(str),
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
        report = import_file(session, company, kind, path, ImportOptions(partial=partial))
    except CobroError as exc:
        event(f"refused: {type(exc).__name__}")
        assert ledger_counts(session) == before
    else:
        event("imported, some rows rejected" if report.problems else "imported")
    assert check_ledger(session, company.id) == []


REQUIRED: dict[Kind, list[str]] = {
    "customers": ["Customer", "Name", "Country"],
    "invoices": ["Invoice", "Customer", "Date", "Amount"],
    "payments": ["Payment ID", "Date", "Amount"],
}
# mostly good values for each column, so that imports get written too, with garbage among them
GOOD: dict[str, st.SearchStrategy[str]] = {
    "Invoice": st.integers(1, 60).map("F-{}".format),
    "Payment ID": st.integers(1, 60).map("P{}".format),
    "Customer": st.sampled_from(["C1", "C2", "C3"]),
    "Invoices": st.sampled_from(["F-1", "F-1;F-2", ""]),
    "Date": st.dates(date(2025, 1, 1), date(2026, 12, 31)).map(date.isoformat),
    "Due date": st.dates(date(2025, 1, 1), date(2026, 12, 31)).map(date.isoformat),
    "Paid on": st.sampled_from(["", "2026-06-30", "2024-01-01"]),
    "Amount": st.integers(1, 10**6).map(lambda cents: f"{cents / 100:.2f}"),
    "Tax": st.sampled_from(["", "0", "1.00", "21,00"]),
    "Currency": st.sampled_from(["EUR", "EUR", "USD"]),
    "Terms": st.sampled_from(["", "NET30", "50%@30 50%@60"]),
    "Name": st.sampled_from(["Acme", "Peña S.L."]),
    "Country": st.sampled_from(["ES", "US"]),
}


@st.composite
def csv_file(draw: st.DrawFn, kind: Kind) -> list[list[str]]:
    extra = draw(st.lists(st.sampled_from(HEADERS), max_size=4, unique=True))
    header = list(dict.fromkeys([*REQUIRED[kind], *extra]))
    header = draw(st.permutations(header))
    if draw(st.integers(0, 5)) == 0:
        header = header[1:]  # now and then a required column is missing
    clean = draw(st.booleans())
    values = {
        name: GOOD.get(name, cell_text)
        if clean
        else st.one_of(GOOD.get(name, cell_text), cell_text)
        for name in header
    }
    rows = draw(st.lists(st.tuples(*(values[name] for name in header)).map(list), max_size=6))
    return [header, *rows]


@FUZZ
@given(
    data=st.data(),
    kind=st.sampled_from(["customers", "invoices", "payments"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    partial=st.booleans(),
)
def test_random_rows_give_an_import_or_a_cobro_error(
    session: Session,
    company: Company,
    tmp_path: Path,
    data: st.DataObject,
    kind: Kind,
    delimiter: str,
    partial: bool,
) -> None:
    rows = data.draw(csv_file(kind))
    path = tmp_path / f"fuzz{next(_names)}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
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


# Excel date-times have no time zone; its calendar is sound from March 1900
EXCEL_FIRST = datetime(1900, 3, 1)  # noqa: DTZ001
EXCEL_LAST = datetime(2999, 12, 31)  # noqa: DTZ001
excel_value = st.one_of(
    st.none(),
    cell_text.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),  # what a sheet can hold
    st.integers(-(10**16), 10**16),
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.datetimes(EXCEL_FIRST, EXCEL_LAST),
    st.booleans(),
)


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_random_excel_cells_give_an_import_or_a_cobro_error(
    session: Session, company: Company, tmp_path: Path, data: st.DataObject
) -> None:
    header, *rows = data.draw(csv_file("invoices"))
    typed = [[data.draw(st.one_of(st.just(cell), excel_value)) for cell in row] for row in rows]
    path = tmp_path / f"fuzz{next(_names)}.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *typed]:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
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
