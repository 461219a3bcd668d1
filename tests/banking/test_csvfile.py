"""CSV statement reading on small exports written here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.banking.csvfile import PRESETS, CsvPreset, read_csv
from cobro.banking.statement import StatementError

SPANISH = (
    "Cuenta;ES91 2100 0418 4502 0005 1332\n"  # banks start with lines about the account
    "\n"
    "Fecha;Fecha valor;Concepto;Importe;Saldo\n"
    "03/01/2025;03/01/2025;Transferencia RF18539007547034;1.200,00;2.154,70\n"
    "02/01/2025;02/01/2025;Recibo luz;-45,30;954,70\n"  # newest first
)


def test_spanish_preset_with_running_balance() -> None:
    [statement] = read_csv(
        SPANISH.encode("cp1252"), "es", account="ES91 2100 0418 4502 0005 1332", currency="EUR"
    )
    assert statement.format == "csv:es"
    assert statement.account_iban == "ES9121000418450200051332"
    first, second = statement.lines
    assert (first.booking_date, first.amount, first.remittance) == (
        date(2025, 1, 2),
        -4530,
        "Recibo luz",
    )
    assert second.amount == 120000
    assert second.structured_reference == "RF18539007547034"
    assert statement.opening
    assert statement.opening.amount == 100000
    assert statement.closing
    assert statement.closing.amount == 215470
    assert statement.balance_gap() == 0


def test_german_preset_bom_and_soll_haben() -> None:
    data = (
        "\ufeffBuchungstag;Valutadatum;Auftraggeber/Empfänger;IBAN;Verwendungszweck;Betrag;"
        "Soll/Haben;Währung\n"
        '02.01.2025;03.01.2025;"Müller; GmbH";DE89370400440532013000;"Rechnung 7";1.234,56;H;EUR\n'
        "04.01.2025;04.01.2025;Stadtwerke;;Abschlag;80,00;S;EUR\n"
    ).encode()
    [statement] = read_csv(data, "de")
    credit, debit = statement.lines
    assert credit.counterparty_name == "Müller; GmbH"  # quoted delimiter
    assert credit.counterparty_iban == "DE89370400440532013000"
    assert (credit.amount, credit.value_date) == (123456, date(2025, 1, 3))
    assert debit.amount == -8000
    assert statement.currency == "EUR"
    assert statement.opening is None


def test_debit_credit_columns() -> None:
    data = (
        b"Date,Description,Paid out,Paid in,Balance\n"
        b"2025-01-02,Rent,500.00,,1500.00\n"
        b"2025-01-03,Salary,,2000.00,3500.00\n"
    )
    [statement] = read_csv(data, "debit_credit", currency="GBP")
    assert [line.amount for line in statement.lines] == [-50000, 200000]
    assert statement.opening
    assert statement.opening.amount == 200000
    assert statement.balance_gap() == 0


def test_generic_sniffs_the_delimiter_and_reads_currency() -> None:
    data = b"date\tamount\tcurrency\tname\treference\n2025-02-01\t-12.5\tUSD\tACME\tR1\n"
    [statement] = read_csv(data, "generic")
    [line] = statement.lines
    assert (line.amount, line.currency, line.counterparty_name) == (-1250, "USD", "ACME")
    assert line.bank_reference == "R1"


def test_custom_mapping() -> None:
    data = b"When;How much;Who\n2025-03-01;10,00;Ana\n"
    [statement] = read_csv(
        data, {"date": "When", "amount": "How much", "name": "Who"}, currency="EUR"
    )
    assert statement.format == "csv:custom"
    assert statement.lines[0].amount == 1000
    assert statement.lines[0].counterparty_name == "Ana"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "Fecha;Importe\n01/01/2025;1,00\n02/01/2025;12,3x\n",
            "row 3, column 'Importe': '12,3x' is not an amount",
        ),
        ("Fecha;Importe\n31/02/2025;1,00\n", "row 2, column 'Fecha': '31/02/2025' is not a date"),
        ("Fecha;Importe\n01/01/2025;1,001\n", "row 2, column 'Importe': '1,001' is not an amount"),
        ("Nothing;Here\n1;2\n", "no header row found"),
    ],
)
def test_errors_name_row_and_column(data: str, message: str) -> None:
    with pytest.raises(StatementError, match=message):
        read_csv(data.encode(), "es", currency="EUR")


def test_no_currency_is_an_error() -> None:
    with pytest.raises(StatementError, match="row 2: no currency"):
        read_csv(b"date;amount\n2025-01-01;1\n", "generic")


def test_unknown_preset_and_field() -> None:
    with pytest.raises(StatementError, match="unknown CSV preset"):
        read_csv(b"", "nope")
    with pytest.raises(StatementError, match="unknown field"):
        read_csv(b"", {"when": "Date"})


def test_wrong_encoding_names_the_line() -> None:
    utf8_only = CsvPreset("utf8", PRESETS["es"].columns, delimiter=";", encodings=("utf-8",))
    data = "Fecha;Importe;Concepto\n01/01/2025;1,00;ok\n02/01/2025;2,00;Peña\n".encode("cp1252")
    with pytest.raises(StatementError, match="line 3: byte 0xf1"):
        read_csv(data, utf8_only, currency="EUR")
    # the presets fall back to Windows-1252
    [statement] = read_csv(data, "es", currency="EUR")
    assert statement.lines[1].remittance == "Peña"


_AMOUNTS = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2)


@given(st.lists(_AMOUNTS, min_size=1, max_size=20))
def test_lines_add_up_to_the_written_amounts(amounts: list[Decimal]) -> None:
    # written the Spanish way: "1.234,56"
    spanish = [f"{a:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") for a in amounts]
    rows = "".join(f"0{1 + i % 9}/01/2025;{text}\n" for i, text in enumerate(spanish))
    [statement] = read_csv(f"Fecha;Importe\n{rows}".encode(), "es", currency="EUR")
    assert sum(line.amount for line in statement.lines) == int(sum(amounts) * 100)
