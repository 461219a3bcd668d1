"""Dates as people write them, and month arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.kit.dates import (
    add_months,
    end_of_month,
    local_time,
    parse_date,
    plus_days,
    today_in,
    utcnow,
)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01",
        "2026/03/01",
        "2026.3.1",
        " 2026-03-01 ",
        "2026-03-01T00:00:00",
        "2026-03-01 12:30",
    ],
)
def test_iso_dates_are_read_whatever_the_separator(text: str) -> None:
    assert parse_date(text) == date(2026, 3, 1)


def test_local_dates_are_month_first_by_default() -> None:
    assert parse_date("3/1/2026") == date(2026, 3, 1)
    assert parse_date("12-31-2026") == date(2026, 12, 31)


def test_local_dates_are_day_first_when_asked() -> None:
    assert parse_date("3/1/2026", dayfirst=True) == date(2026, 1, 3)
    assert parse_date("31.12.2026", dayfirst=True) == date(2026, 12, 31)


def test_iso_dates_ignore_dayfirst() -> None:
    assert parse_date("2026-03-01", dayfirst=True) == date(2026, 3, 1)


def test_two_digit_years_follow_the_posix_pivot() -> None:
    assert parse_date("3/1/26") == date(2026, 3, 1)
    assert parse_date("1/3/68", dayfirst=True) == date(2068, 3, 1)
    assert parse_date("1/3/69", dayfirst=True) == date(1969, 3, 1)
    assert parse_date("31/12/99", dayfirst=True) == date(1999, 12, 31)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2/30/2026", "0000-01-01"])
def test_an_impossible_date_is_not_a_real_date(text: str) -> None:
    with pytest.raises(Invalid, match="not a real date") as caught:
        parse_date(text)
    assert repr(text) in caught.value.message


def test_a_day_first_date_read_month_first_can_be_impossible() -> None:
    with pytest.raises(Invalid, match="not a real date"):
        parse_date("31/12/2026")


@pytest.mark.parametrize(
    "text", ["", "tomorrow", "2026", "1/2/3", "2026-03", "03-2026-01", "x2026-03-01"]
)
def test_garbage_is_not_a_date(text: str) -> None:
    with pytest.raises(Invalid, match="is not a date"):
        parse_date(text)


def test_adding_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert add_months(date(2026, 1, 15), 1) == date(2026, 2, 15)


def test_adding_months_crosses_years_both_ways() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 31), -2) == date(2025, 11, 30)
    assert add_months(date(2026, 5, 10), -17) == date(2024, 12, 10)
    assert add_months(date(2026, 5, 10), 0) == date(2026, 5, 10)


def test_the_end_of_february_depends_on_leap_years() -> None:
    assert end_of_month(date(2026, 2, 3)) == date(2026, 2, 28)
    assert end_of_month(date(2028, 2, 3)) == date(2028, 2, 29)
    assert end_of_month(date(2000, 2, 1)) == date(2000, 2, 29)
    assert end_of_month(date(1900, 2, 1)) == date(1900, 2, 28)
    assert end_of_month(date(2026, 12, 31)) == date(2026, 12, 31)


def test_plus_days_counts_calendar_days() -> None:
    assert plus_days(date(2026, 2, 27), 2) == date(2026, 3, 1)
    assert plus_days(date(2026, 3, 1), -1) == date(2026, 2, 28)


def test_the_clock_is_aware_utc() -> None:
    now = utcnow()
    assert now.utcoffset() is not None
    assert now.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_an_iso_written_date_reads_back(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}", dayfirst=True) == day


@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    months=st.integers(min_value=-1200, max_value=1200),
)
def test_adding_months_lands_in_the_right_month_never_past_its_end(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, end_of_month(moved).day)


def test_today_depends_on_where_the_company_is() -> None:
    # 25 hours apart: Kiritimati is always one (for an hour a day, two) calendar days ahead
    ahead = today_in("Pacific/Kiritimati") - today_in("Pacific/Pago_Pago")
    assert ahead.days in (1, 2)


def test_a_time_is_shown_on_the_clock_of_the_zone_winter_and_summer() -> None:
    winter = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    summer = datetime(2026, 7, 2, 8, 15, tzinfo=UTC)
    assert local_time(winter, "Europe/Madrid") == "2026-03-02 09:15 CET"
    assert local_time(summer, "Europe/Madrid") == "2026-07-02 10:15 CEST"
    assert local_time(summer, "America/Mexico_City") == "2026-07-02 02:15 CST"
    assert local_time(winter, "UTC", "%H:%M") == "08:15"
