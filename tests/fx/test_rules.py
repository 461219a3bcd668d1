"""FX rules without a database: converting minor units between currencies with different
decimals, rounding halves away from zero, and reading a rate as people write it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.fx.rules import check_rate, convert, parse_rate

# ---- converting ---------------------------------------------------------------------------------


def test_euros_become_yen_which_have_no_decimals() -> None:
    # 100.00 EUR at 161.5 JPY per EUR
    assert convert(100_00, "EUR", "JPY", Decimal("161.5")) == 16150


def test_yen_become_euro_cents() -> None:
    # 16,150 JPY at 0.0061919505 EUR per JPY: 99.9999… EUR
    assert convert(16150, "JPY", "EUR", Decimal("0.0061919505")) == 100_00


def test_dollars_become_euros_at_the_rate() -> None:
    assert convert(250_00, "USD", "EUR", Decimal("0.92")) == 230_00


def test_a_three_decimal_currency_counts_its_own_decimals() -> None:
    # 1.000 BHD (1000 fils) at 2.45 EUR per BHD
    assert convert(1000, "BHD", "EUR", Decimal("2.45")) == 2_45
    assert convert(1_00, "EUR", "BHD", Decimal("0.4081632653")) == 408  # 0.40816… BHD


def test_a_half_cent_rounds_up() -> None:
    assert convert(1, "USD", "EUR", Decimal("0.5")) == 1  # 0.005 EUR → 0.01
    assert convert(3, "USD", "EUR", Decimal("0.5")) == 2  # 0.015 → 0.02 (half-even: 0.02)
    assert convert(5, "USD", "EUR", Decimal("0.5")) == 3  # 0.025 → 0.03 (half-even: 0.02)


def test_less_than_half_a_cent_rounds_down() -> None:
    assert convert(1, "USD", "EUR", Decimal("0.4999999999")) == 0


def test_a_negative_amount_rounds_as_its_opposite() -> None:
    assert convert(-5, "USD", "EUR", Decimal("0.5")) == -3
    assert convert(-1, "USD", "EUR", Decimal("0.4")) == 0


def test_a_huge_amount_converts_exactly() -> None:
    minor = 9_223_372_036_854_775_807  # the largest BIGINT
    rate = Decimal("1.0000000001")
    # 9,223,372,036,854,775,807 + 922,337,203.6854775807 (a float would be thousands off)
    assert convert(minor, "EUR", "USD", rate) == 9_223_372_037_777_113_011


def test_yen_to_yen_like_won_keeps_whole_units() -> None:
    assert convert(1000, "JPY", "KRW", Decimal("9.1234")) == 9123


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(Invalid, match="unknown currency"):
        convert(1_00, "XYZ", "EUR", Decimal(1))


def test_a_float_amount_is_a_bug() -> None:
    with pytest.raises(TypeError):
        convert(1.5, "EUR", "USD", Decimal(1))  # type: ignore[arg-type]


def test_a_zero_rate_cannot_convert() -> None:
    with pytest.raises(Invalid):
        convert(1_00, "USD", "EUR", Decimal(0))


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    pair=st.sampled_from([("EUR", "USD"), ("USD", "GBP"), ("JPY", "KRW"), ("BHD", "KWD")]),
)
def test_rate_one_between_currencies_of_the_same_decimals_changes_nothing(
    minor: int, pair: tuple[str, str]
) -> None:
    assert convert(minor, pair[0], pair[1], Decimal(1)) == minor


@given(
    minor=st.integers(min_value=0, max_value=10**12),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(1000), places=4),
)
def test_the_result_is_within_half_a_minor_unit_of_the_exact_value(
    minor: int, rate: Decimal
) -> None:
    exact = Decimal(minor) * rate
    assert abs(Decimal(convert(minor, "USD", "EUR", rate)) - exact) <= Decimal("0.5")


# ---- reading a rate -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.92", Decimal("0.92")),
        (" 1 ", Decimal(1)),
        ("161.2345", Decimal("161.2345")),
        (".5", Decimal("0.5")),
        ("0.0000000001", Decimal("0.0000000001")),
        ("9999999999.9999999999", Decimal("9999999999.9999999999")),
        ("1.2300000000000", Decimal("1.23")),  # trailing zeros are no decimals
    ],
)
def test_a_rate_is_read_as_written(text: str, expected: Decimal) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "0,92", "1e3", "NaN", "Infinity", "1_000", "1.2.3", "USD", "0x10"]
)
def test_what_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(Invalid, match="is not a number") as caught:
        parse_rate(text)
    assert caught.value.field == "rate"


@pytest.mark.parametrize("text", ["0", "0.0", "-0.92", "-1"])
def test_zero_or_less_is_refused(text: str) -> None:
    with pytest.raises(Invalid, match="more than 0") as caught:
        parse_rate(text)
    assert caught.value.field == "rate"


def test_more_than_ten_decimals_is_refused() -> None:
    with pytest.raises(Invalid, match="at most 10 decimals") as caught:
        parse_rate("0.12345678901")
    assert caught.value.field == "rate"


def test_a_rate_the_column_cannot_hold_is_refused() -> None:
    with pytest.raises(Invalid, match="too large"):
        parse_rate("10000000000")


def test_a_decimal_is_checked_as_a_text_is() -> None:
    assert check_rate(Decimal("0.9200")) == Decimal("0.92")
    for bad in (Decimal("NaN"), Decimal("-1"), Decimal("1E-11"), Decimal("1E+10")):
        with pytest.raises(Invalid):
            check_rate(bad)
