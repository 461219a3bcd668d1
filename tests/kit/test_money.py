"""Money: integer minor units, parsed from what people type, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.kit.money import (
    Money,
    check_currency,
    exponent,
    format_minor,
    parse_amount,
    to_decimal,
    to_minor,
)


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("1234,56", 123456),
        ("1234.56", 123456),
        ("-12,50", -1250),
        ("+12.50", 1250),
        ("€ 3,50", 350),
        ("3,50 €", 350),
        ("EUR -3.50", -350),
        ("-€3.50", -350),
        ("\u22123,50", -350),
        ("12", 1200),
        ("0,05", 5),
        (".5", 50),
        ("1.500", 150000),
        ("12.345", 1234500),
        ("1.234.567", 123456700),
        ("1,234,567.89", 123456789),
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),
        ("1'234.56", 123456),
        ("(12,50)", -1250),
    ],
)
def test_written_euro_amounts_are_read_as_minor_units(text: str, minor: int) -> None:
    assert parse_amount(text, "EUR") == minor


def test_one_separator_followed_by_three_digits_groups_thousands() -> None:
    assert parse_amount("1.500", "EUR") == parse_amount("1,500", "EUR") == 1500_00


def test_a_zero_before_the_separator_makes_it_a_decimal_mark() -> None:
    assert parse_amount("0,500", "EUR") == 50
    with pytest.raises(Invalid, match="more decimals"):
        parse_amount("0.001", "EUR")


def test_a_separator_with_more_than_three_digits_before_it_is_a_decimal_mark() -> None:
    with pytest.raises(Invalid, match="more decimals"):
        parse_amount("1234.567", "EUR")


def test_more_decimals_than_the_currency_has_is_an_error_not_a_rounding() -> None:
    with pytest.raises(Invalid, match="more decimals than EUR"):
        parse_amount("12.3456", "EUR")


def test_yen_have_no_decimals() -> None:
    assert exponent("JPY") == 0
    assert parse_amount("1.500", "JPY") == 1500
    assert parse_amount("¥1,234", "JPY") == 1234
    with pytest.raises(Invalid, match="JPY"):
        parse_amount("12,5", "JPY")


def test_bahraini_dinars_have_three_decimals() -> None:
    assert exponent("BHD") == 3
    assert parse_amount("1,234.567", "BHD") == 1234567
    assert parse_amount("1.500", "BHD") == 1500  # 3 digits = the currency's decimals
    assert parse_amount("12.5", "BHD") == 12500


def test_a_forced_decimal_mark_overrides_the_guess() -> None:
    assert parse_amount("1.500", "EUR", decimal_mark=".") == 150
    assert parse_amount("1,500", "EUR", decimal_mark=",") == 150
    assert parse_amount("1.234", "EUR", decimal_mark=",") == 1234_00
    with pytest.raises(Invalid):
        parse_amount("1.5", "EUR", decimal_mark=",")


def test_an_unknown_decimal_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="decimal mark"):
        parse_amount("1", "EUR", decimal_mark=";")


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "",
        "   ",
        "-",
        "1,2,3.4.5",
        "1,2,3",
        "1.234.5",
        "10 20",
        "NaN",
        "inf",
        "-Infinity",
        "1e5",
        "12abc34",
        "--5",
        "5-",
        "1.2.3,4,5",
        "(-5)",
    ],
)
def test_garbage_is_not_an_amount_and_the_message_quotes_it(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_amount(text, "EUR")
    assert repr(text) in caught.value.message


def test_currency_codes_are_checked_and_upper_cased() -> None:
    assert check_currency("eur") == "EUR"
    assert check_currency(" usd ") == "USD"


@pytest.mark.parametrize("code", ["EURO", "EU", "", "ZZZ", "XXX", "XTS", "€"])
def test_what_is_not_a_currency_of_money_is_refused(code: str) -> None:
    with pytest.raises(Invalid, match="unknown currency"):
        check_currency(code)


def test_to_minor_is_exact() -> None:
    assert to_minor(Decimal("12.30"), "EUR") == 1230
    assert to_decimal(1230, "EUR") == Decimal("12.30")
    with pytest.raises(Invalid):
        to_minor(Decimal("0.001"), "EUR")


@pytest.mark.parametrize("amount", [1.5, 1.0, True, Decimal("1"), "1"])
def test_money_accepts_only_integer_minor_units(amount: object) -> None:
    with pytest.raises(TypeError, match="integer minor units"):
        Money(amount, "EUR")  # type: ignore[arg-type]


def test_money_checks_its_currency() -> None:
    assert Money(5, "eur").currency == "EUR"
    with pytest.raises(Invalid, match="ZZZ"):
        Money(5, "ZZZ")


def test_money_formats_for_people_and_files() -> None:
    assert Money(123456, "EUR").format("en") == "€1,234.56"
    assert Money(123456, "EUR").format("es").replace("\xa0", " ") == "1.234,56 €"
    assert Money(1500, "JPY").format("en") == "¥1,500"
    assert str(Money(-1250, "EUR")) == "-12.50 EUR"
    assert format_minor(5, "EUR") == "0.05"
    assert format_minor(0, "BHD") == "0.000"
    assert format_minor(7, "JPY") == "7"


CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CLP", "BHD", "KWD", "CLF", "MXN", "CHF"]


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15), currency=st.sampled_from(CURRENCIES)
)
def test_formatted_amounts_read_back_to_the_same_minor_units(minor: int, currency: str) -> None:
    parsed = parse_amount(format_minor(minor, currency), currency)
    assert parsed == minor
    assert type(parsed) is int


@given(
    minor=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["EUR", "USD", "GBP", "JPY"]),
    locale=st.sampled_from(["en", "es", "de", "fr", "de_CH", "en_IN"]),
)
def test_amounts_formatted_for_people_read_back_with_their_decimal_mark(
    minor: int, currency: str, locale: str
) -> None:
    from babel.numbers import get_decimal_symbol

    written = Money(minor, currency).format(locale)
    assert parse_amount(written, currency, decimal_mark=get_decimal_symbol(locale)) == minor


@given(text=st.text(max_size=20))
def test_parsing_any_text_gives_an_int_or_invalid(text: str) -> None:
    try:
        value = parse_amount(text, "EUR")
    except Invalid:
        return
    assert type(value) is int
