"""Regulation F dates, itemization and disputes: vectors 9.US R1–R8 of the reference, exactly,
and the properties every validation period has."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.validation.rules import (
    Itemization,
    assumed_receipt,
    check_consistent_kind,
    check_itemization,
    dispute_timely,
    is_business_day,
    legal_public_holidays,
    undisputed,
    validation_period_end,
)

FEDERAL_HOLIDAYS = {
    "New Year's Day",
    "Martin Luther King Jr. Day",
    "Washington's Birthday",
    "Memorial Day",
    "Juneteenth National Independence Day",
    "Independence Day",
    "Labor Day",
    "Columbus Day",
    "Veterans Day",
    "Thanksgiving Day",
    "Christmas Day",
}


@pytest.mark.parametrize(
    ("sent", "receipt", "end"),
    [
        pytest.param(date(2025, 11, 3), date(2025, 11, 10), date(2025, 12, 10), id="R1"),
        pytest.param(date(2025, 11, 7), date(2025, 11, 17), date(2025, 12, 17), id="R2"),
        pytest.param(date(2025, 12, 22), date(2025, 12, 30), date(2026, 1, 29), id="R3"),
        pytest.param(date(2026, 6, 30), date(2026, 7, 8), date(2026, 8, 7), id="R4-observed"),
    ],
)
def test_receipt_is_the_fifth_business_day_and_the_period_ends_30_days_later(
    sent: date, receipt: date, end: date
) -> None:
    assert assumed_receipt(sent) == receipt
    assert validation_period_end(sent) == end


def test_r4_counting_only_the_statutory_dates_gives_the_earlier_day() -> None:
    # 4 July 2026 is a Saturday: 6103(a)'s own date excludes no weekday
    assert assumed_receipt(date(2026, 6, 30), observed=False) == date(2026, 7, 7)
    assert validation_period_end(date(2026, 6, 30), observed=False) == date(2026, 8, 6)


def test_the_default_is_the_later_safer_date_of_r4() -> None:
    assert validation_period_end(date(2026, 6, 30)) > validation_period_end(
        date(2026, 6, 30), observed=False
    )


def test_r2_skips_veterans_day() -> None:
    counted = [
        day
        for day in (date(2025, 11, 7) + timedelta(days=n) for n in range(1, 11))
        if is_business_day(day)
    ]
    assert counted[:5] == [date(2025, 11, d) for d in (10, 12, 13, 14, 17)]


def test_the_end_date_is_not_rolled_to_a_business_day() -> None:
    # sent Fri 2025-10-03: business days 6–10 Oct, so receipt Fri 10-10 and end Sun 11-09
    sent = date(2025, 10, 3)
    assert assumed_receipt(sent) == date(2025, 10, 10)
    assert validation_period_end(sent) == date(2025, 11, 9)
    assert validation_period_end(sent).weekday() == 6


@pytest.mark.parametrize("year", range(2022, 2041))
def test_the_holidays_are_the_eleven_of_6103a(year: int) -> None:
    # pinned: an upgrade of `holidays` that changes the set fails here, not in a notice
    days = holidays.country_holidays(
        "US", years=year, observed=False, categories=holidays.PUBLIC, language="en_US"
    )
    assert set(days.values()) == FEDERAL_HOLIDAYS
    assert legal_public_holidays(year, observed=False) == frozenset(days)


def test_inauguration_day_is_not_a_legal_public_holiday() -> None:
    # 20 January 2029 is a Saturday, 2033 a Thursday: 6103(c), not (a)
    assert is_business_day(date(2033, 1, 20))


def test_a_new_years_day_on_saturday_is_observed_the_year_before() -> None:
    assert date(2021, 12, 31) in legal_public_holidays(2021)
    assert date(2021, 12, 31) not in legal_public_holidays(2021, observed=False)


# ---- R5, R6: the itemization ---------------------------------------------------------------


def test_r5_the_total_is_owed_plus_interest_plus_fees_less_payments() -> None:
    item = Itemization.of("charge_off", date(2025, 6, 30), 2234_56, 75_00, 25_00, 50_00)
    assert item.total == 2284_56
    assert check_itemization(item, date(2025, 11, 3)) is item


def test_r5_a_total_that_does_not_add_up_is_refused_naming_the_mismatch() -> None:
    item = Itemization("charge_off", date(2025, 6, 30), 2234_56, 75_00, 25_00, 50_00, 2334_56)
    with pytest.raises(Invalid) as refused:
        check_itemization(item, date(2025, 11, 3))
    assert refused.value.message == (
        "the itemization does not add up: owed 2,234.56 + interest 75.00 + fees 25.00 − "
        "payments and credits 50.00 = 2,284.56, not the total 2,334.56"
    )
    assert refused.value.field == "total"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (Itemization.of("bill_date", date(2025, 6, 30), 100), "use one of last_statement"),
        (Itemization.of("judgment", date(2025, 12, 1), 100), "after the notice is sent"),
        (Itemization.of("judgment", date(2025, 6, 1), 100, fees=-1), "fees cannot be negative"),
        (Itemization.of("judgment", date(2025, 6, 1), 100, payments=100), "nothing is owed"),
    ],
)
def test_an_itemization_the_notice_cannot_print_is_refused(item: Itemization, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        check_itemization(item, date(2025, 11, 3))


def test_r6_a_later_notice_must_keep_the_kind_of_itemization_date() -> None:
    with pytest.raises(Invalid) as refused:
        check_consistent_kind("charge_off", "last_statement")
    assert "charge-off date" in refused.value.message
    assert "last statement date" in refused.value.message
    check_consistent_kind("charge_off", "charge_off")
    check_consistent_kind(None, "last_statement")  # the first notice chooses


# ---- R7, R8: disputes ----------------------------------------------------------------------


def test_r7_a_dispute_received_on_the_end_date_is_timely_the_next_day_is_not() -> None:
    end = validation_period_end(date(2025, 11, 3))
    assert end == date(2025, 12, 10)
    assert dispute_timely(end, date(2025, 12, 10))
    assert not dispute_timely(end, date(2025, 12, 11))


def test_r8_the_undisputed_rest_may_still_be_collected() -> None:
    assert undisputed(1000_00, 300_00) == 700_00
    assert undisputed(1000_00, None) == 0  # the whole debt disputed
    assert undisputed(1000_00, 1000_00) == 0


@pytest.mark.parametrize(("amount", "message"), [(0, "must be positive"), (1000_01, "more than")])
def test_a_disputed_amount_outside_the_debt_is_refused(amount: int, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        undisputed(1000_00, amount)


# ---- properties ----------------------------------------------------------------------------

sent_days = st.dates(min_value=date(2021, 1, 1), max_value=date(2040, 12, 31))


@given(sent=sent_days, observed=st.booleans())
def test_the_period_is_at_least_35_days_and_at_most_a_few_more(sent: date, observed: bool) -> None:
    end = validation_period_end(sent, observed)
    # five business days take at least five calendar days, and at most seven plus a weekend
    # and two holidays (the week of Christmas and New Year's Day observed: 11 days)
    assert sent + timedelta(days=35) <= end <= sent + timedelta(days=30 + 7 + 4)
    assert end == assumed_receipt(sent, observed) + timedelta(days=30)


@given(sent=sent_days, observed=st.booleans())
def test_receipt_is_never_a_weekend_or_a_holiday(sent: date, observed: bool) -> None:
    receipt = assumed_receipt(sent, observed)
    assert receipt.weekday() < 5
    assert receipt not in legal_public_holidays(receipt.year, observed)
    assert receipt not in legal_public_holidays(receipt.year, observed=False)


@given(sent=sent_days)
def test_counting_observed_days_never_gives_an_earlier_date(sent: date) -> None:
    assert assumed_receipt(sent) >= assumed_receipt(sent, observed=False)
