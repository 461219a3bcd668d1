"""Pure rules of statement import: formats recognised, lines and statements recognised again,
an invoice=amount typed by a person."""

from __future__ import annotations

from datetime import date

import pytest

from cobro.banking.rules import (
    compact_account,
    initial_state,
    line_keys,
    parse_share,
    sniff_format,
    statement_key,
)
from cobro.banking.statement import Line, ParsedStatement, StatementError
from cobro.errors import Invalid
from tests.conftest import shared_file

DAY = date(2026, 3, 2)


def line(amount: int = 10_00, **fields: object) -> Line:
    return Line(amount, "EUR", DAY, DAY, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'\xef\xbb\xbf<?xml version="1.0"?><Document/>', "camt"),
        (b"  <Document>", "camt"),
        (b":20:STMT\r\n:25:NL91ABNA0417164300\r\n:28C:1\r\n", "mt940"),
        (b"{1:F01BANKBEBBAXXX0000000000}{4:\r\n:20:X", "mt940"),
        (b"Fecha;Concepto;Importe\n", "csv"),
        (b"date,amount\n2026-01-01,3\n", "csv"),
    ],
)
def test_the_format_is_recognised_from_the_first_bytes(head: bytes, expected: str) -> None:
    assert sniff_format(head) == expected


def test_an_empty_file_and_an_unknown_one_are_refused_in_words() -> None:
    with pytest.raises(StatementError, match="empty"):
        sniff_format(b"  \n")
    with pytest.raises(StatementError, match="unknown statement format"):
        sniff_format(b"%PDF-1.7")


def test_a_belgian_coda_statement_is_refused_saying_what_to_ask_the_bank_for() -> None:
    data = shared_file(
        "bank_statements/other_formats/tryton_account_statement_coda/CODA.txt"
    ).read_bytes()
    with pytest.raises(StatementError, match=r"Belgian CODA .* camt\.053 or MT940"):
        sniff_format(data)


def test_accounts_compare_without_spaces_dashes_or_case() -> None:
    assert compact_account("de89 3704-0044.0532 0130 00") == "DE89370400440532013000"


def test_two_identical_lines_get_two_keys_and_the_same_two_again() -> None:
    first = line_keys("ACC", [line(), line()])
    assert len(set(first)) == 2
    assert line_keys("ACC", [line(), line(), line(5_00)])[:2] == first


def test_the_banks_reference_identifies_a_line_whatever_its_wording() -> None:
    notified = Line(10_00, "EUR", None, DAY, remittance="INV 1", bank_reference="R-1")
    booked = line(remittance="INV 1 THANK YOU", bank_reference="R-1")
    assert line_keys("ACC", [notified]) == line_keys("ACC", [booked])


def test_a_pending_line_is_not_the_booked_one() -> None:
    assert line_keys("ACC", [line(status="PDNG")]) != line_keys("ACC", [line()])


def test_the_same_line_on_another_account_is_another_line() -> None:
    assert line_keys("A", [line()]) != line_keys("B", [line()])


def test_a_statement_is_known_by_its_id_and_period() -> None:
    statement = ParsedStatement(
        "camt.053.001.02", "S-1", "ACC", None, "EUR", None, DAY, DAY, None, None
    )
    other_year = ParsedStatement(
        "camt.053.001.02",
        "S-1",
        "ACC",
        None,
        "EUR",
        None,
        date(2027, 3, 2),
        date(2027, 3, 2),
        None,
        None,
    )
    assert statement_key("ACC", statement, []) != statement_key("ACC", other_year, [])
    notification = ParsedStatement(
        "camt.054.001.02", "S-1", "ACC", None, "EUR", None, DAY, DAY, None, None
    )
    assert statement_key("ACC", statement, []) != statement_key("ACC", notification, [])


@pytest.mark.parametrize(
    ("amount", "status", "state"),
    [(10_00, "BOOK", "unmatched"), (-10_00, "BOOK", "debit"), (10_00, "PDNG", "pending")],
)
def test_where_a_new_line_starts(amount: int, status: str, state: str) -> None:
    assert initial_state(line(amount, status=status)) == state


def test_an_invoice_and_amount_as_people_type_them() -> None:
    assert parse_share("F-2026=1.234,50", "EUR") == ("F-2026", 1234_50)
    assert parse_share(" A=B=7 ", "EUR") == ("A=B", 7_00)
    with pytest.raises(Invalid, match="write invoice=amount"):
        parse_share("F-1 120", "EUR")
    with pytest.raises(Invalid, match="more than zero"):
        parse_share("F-1=0", "EUR")
