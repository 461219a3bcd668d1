"""MT940/MT942 reading on small statements written here."""

from __future__ import annotations

from datetime import date

import pytest

from cobro.banking.mt940 import read_details, read_mt940
from cobro.banking.statement import StatementError


def mt940(*lines: str) -> bytes:
    return "\r\n".join(lines).encode()


SIMPLE = (
    ":20:STMT1",
    ":25:DE89370400440532013000",
    ":28C:7/1",
    ":60F:C250102EUR1000,00",
    ":61:2501030103C250,00NTRFINV-1//BANKREF1",
    ":86:Payment invoice 1",
    ":61:2501030103D50,5NMSCNONREF",
    ":86:Fee",
    ":62F:C250103EUR1199,50",
    "-",
)


def test_signs_balances_and_account() -> None:
    [statement] = read_mt940(mt940(*SIMPLE))
    assert statement.format == "mt940"
    assert statement.identifier == "STMT1/7/1"
    assert (statement.account_iban, statement.account_other) == ("DE89370400440532013000", None)
    assert statement.currency == "EUR"
    assert statement.opening
    assert statement.opening.amount == 100000
    assert statement.closing
    assert statement.closing.on == date(2025, 1, 3)
    credit, debit = statement.lines
    assert (credit.amount, debit.amount) == (25000, -5050)
    assert credit.bank_reference == "BANKREF1"  # the bank's reference first
    assert debit.bank_reference is None  # NONREF is no reference
    assert credit.bank_code == "NTRF"
    assert credit.remittance == "Payment invoice 1"
    assert statement.balance_gap() == 0


def test_reversals_keep_the_direction_of_the_money() -> None:
    # RC: a credit taken back, money leaves; RD: a debit taken back, money returns
    [statement] = read_mt940(
        mt940(
            ":20:REV",
            ":25:12345678",
            ":28C:1",
            ":60F:C250102EUR100,00",
            ":61:250103RC30,00NTRFNONREF",
            ":61:250103RD10,00NTRFNONREF",
            ":62F:C250103EUR80,00",
        )
    )
    rc, rd = statement.lines
    assert (rc.amount, rc.reversal) == (-3000, True)
    assert (rd.amount, rd.reversal) == (1000, True)
    assert statement.account_other == "12345678"
    assert statement.balance_gap() == 0


def test_german_structured_86() -> None:
    details = read_details(
        [
            "105?00SEPA-BASISLASTSCHRIFT?109310?20EREF+INV-2025-0042?21MREF+M",
            "ANDATE-7?22CRED+DE98ZZZ09999999999?23SVWZ+Rechnung 42 RF18539007",
            "?24547034?30COBADEFFXXX?31DE89370400440532013000?32Muster GmbH ",
            "?33& Co. KG?34992",
        ]
    )
    assert details["gvc"] == "105"
    assert details["eref"] == "INV-2025-0042"
    assert details["mref"] == "MANDATE-7"
    assert details["remittance"] == "Rechnung 42 RF18539007547034"
    assert details["iban"] == "DE89370400440532013000"
    assert details["bic"] == "COBADEFFXXX"
    assert details["name"] == "Muster GmbH & Co. KG"


def test_dutch_structured_86_with_return_reason() -> None:
    details = read_details(
        [
            "/RTRN/MD06//EREF/E2E-1//MARF/MND-1//CNTP/NL91ABNA0417164300/ABNANL2A/J. Jansen/Am",
            "sterdam//REMI/USTD//Factuur 2025-9/",
        ]
    )
    assert details["rtrn"] == "MD06"
    assert details["eref"] == "E2E-1"
    assert details["mref"] == "MND-1"
    assert details["iban"] == "NL91ABNA0417164300"
    assert details["bic"] == "ABNANL2A"
    assert details["name"] == "J. Jansen"
    assert details["remittance"] == "Factuur 2025-9"


def test_structured_86_reaches_the_line() -> None:
    [statement] = read_mt940(
        mt940(
            ":20:S",
            ":25:NL91ABNA0417164300",
            ":28C:1",
            ":60F:C250102EUR0,00",
            ":61:250103D12,00NDDTNONREF",
            ":86:109?00RUECKLASTSCHRIFT?20EREF+E2E-9?21SVWZ+Rueckgabegrund AM04 RF1",
            "?228539007547034?31DE89370400440532013000?32Kunde",
            ":62F:D250103EUR12,00",
        )
    )
    [line] = statement.lines
    assert line.bank_code == "109"  # the German GVC says more than :61:'s NDDT
    assert line.end_to_end_id == "E2E-9"
    assert line.return_reason == "AM04"
    assert line.structured_reference == "RF18539007547034"
    assert line.counterparty_name == "Kunde"
    assert statement.closing
    assert statement.closing.amount == -1200
    assert statement.balance_gap() == 0


def test_mt942_lines_are_pending() -> None:
    [report] = read_mt940(
        mt940(
            ":20:INTRADAY",
            ":25:NL91ABNA0417164300",
            ":28C:1/1",
            ":34F:EURD0,00",
            ":34F:EURC0,00",
            ":13D:2501031030+0100",
            ":61:2501030103C5,00NTRFNONREF",
            ":86:/NAME/Payer/REMI/USTD//hello/",
            ":90C:1EUR5,00",
        )
    )
    assert report.format == "mt942"
    assert report.currency == "EUR"
    assert report.created_at
    assert report.created_at.utcoffset() is not None
    assert report.created_at.utcoffset().total_seconds() == 3600  # type: ignore[union-attr]
    [line] = report.lines
    assert (line.status, line.amount, line.counterparty_name) == ("PDNG", 500, "Payer")
    assert report.balance_gap() is None


def test_several_statements_in_one_file() -> None:
    second = [
        ":20:STMT2",
        ":25:DE89370400440532013000",
        ":28C:8/1",
        ":60F:C250103EUR1199,50",
        ":62F:C250104EUR1199,50",
    ]
    statements = read_mt940(mt940("{1:F01BANKXXXX}{4:", *SIMPLE, "-}", *second))
    assert [s.identifier for s in statements] == ["STMT1/7/1", "STMT2/8/1"]
    assert [len(s.lines) for s in statements] == [2, 0]


def test_latin1_text_is_read() -> None:
    data = mt940(*SIMPLE).replace(b"Fee", "Gebühr".encode("cp1252"))
    [statement] = read_mt940(data)
    assert statement.lines[1].remittance == "Gebühr"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Date;Amount\n2025-01-01;12,00\n", "not an MT940"),
        (b"", "not an MT940"),
        (mt940(":20:X", ":60F:C250102EUR1,00", ":61:2501XX0103C5,00NTRF"), "line 3: :61:"),
        (mt940(":20:X", ":60F:C250102EUR1,001", ":62F:C250102EUR1,00"), "line 2: :60F:"),
        (mt940(":20:X", ":60F:C251302EUR1,00"), "line 2: :60F:"),
        (mt940(":20:X", ":61:250103C5,00NTRFNONREF"), "line 2: :61: no currency"),
    ],
)
def test_garbage_is_refused_naming_the_line(data: bytes, message: str) -> None:
    with pytest.raises(StatementError, match=message):
        read_mt940(data)
