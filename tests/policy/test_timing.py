"""Send windows: hours, weekends, public holidays and daylight-saving time. No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.policy.contact import REG_F_WINDOW
from cobro.policy.settings import DEFAULT_WINDOW
from cobro.policy.timing import (
    SendWindow,
    check_window,
    first_send_at,
    has_holiday_calendar,
    is_allowed,
    next_allowed,
)

MADRID = "Europe/Madrid"
NEW_YORK = "America/New_York"
EVERY_DAY = SendWindow(start=time(8), end=time(21), weekends=True, holidays=True)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(
    zone: str,
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=ZoneInfo(zone))


def test_an_instant_inside_the_window_is_returned_as_it_is() -> None:
    at = local(MADRID, 2026, 3, 3, 10, 15, 30, 123)  # a Tuesday
    assert next_allowed(at, MADRID, "ES", DEFAULT_WINDOW) == at
    assert is_allowed(at, MADRID, "ES", DEFAULT_WINDOW)


def test_the_answer_is_in_utc_whatever_zone_the_question_was_in() -> None:
    at = local("Asia/Tokyo", 2026, 3, 3, 18, 0)  # 10:00 in Madrid
    answer = next_allowed(at, MADRID, "ES", DEFAULT_WINDOW)
    assert answer.tzinfo is UTC
    assert answer == utc(2026, 3, 3, 9, 0)


def test_friday_night_in_madrid_waits_for_monday_morning() -> None:
    friday_22 = local(MADRID, 2026, 3, 6, 22, 0)
    assert next_allowed(friday_22, MADRID, "ES", DEFAULT_WINDOW) == utc(2026, 3, 9, 8, 0)


def test_early_morning_waits_for_the_window_to_open_the_same_day() -> None:
    tuesday_0730 = local(MADRID, 2026, 3, 3, 7, 30)
    assert next_allowed(tuesday_0730, MADRID, "ES", DEFAULT_WINDOW) == utc(2026, 3, 3, 8, 0)


def test_the_end_of_the_window_is_already_outside_it() -> None:
    closing = local(MADRID, 2026, 3, 3, 19, 0)
    assert not is_allowed(closing, MADRID, "ES", DEFAULT_WINDOW)
    assert is_allowed(closing - timedelta(microseconds=1), MADRID, "ES", DEFAULT_WINDOW)
    assert next_allowed(closing, MADRID, "ES", DEFAULT_WINDOW) == utc(2026, 3, 4, 8, 0)


def test_spanish_national_holidays_are_skipped() -> None:
    # Reyes, Tuesday 6 January 2026; la Inmaculada, Tuesday 8 December 2026
    assert next_allowed(local(MADRID, 2026, 1, 5, 20, 0), MADRID, "ES", DEFAULT_WINDOW) == utc(
        2026, 1, 7, 8, 0
    )
    assert next_allowed(local(MADRID, 2026, 12, 7, 19, 30), MADRID, "ES", DEFAULT_WINDOW) == utc(
        2026, 12, 9, 8, 0
    )
    assert not is_allowed(local(MADRID, 2026, 12, 8, 12, 0), MADRID, "ES", DEFAULT_WINDOW)


def test_a_window_open_on_holidays_does_not_skip_them() -> None:
    window = SendWindow(start=time(9), end=time(19), holidays=True)
    assert next_allowed(local(MADRID, 2026, 1, 5, 20, 0), MADRID, "ES", window) == utc(
        2026, 1, 6, 8, 0
    )


def test_thanksgiving_is_skipped_for_a_us_business() -> None:
    wednesday_evening = local(NEW_YORK, 2026, 11, 25, 19, 0)
    # Friday 27 November, 09:00 EST
    assert next_allowed(wednesday_evening, NEW_YORK, "US", DEFAULT_WINDOW) == utc(
        2026, 11, 27, 14, 0
    )


def test_the_weekend_is_the_debtors_countrys() -> None:
    jerusalem = "Asia/Jerusalem"
    friday = local(jerusalem, 2026, 3, 6, 10, 0)
    assert not is_allowed(friday, jerusalem, "IL", DEFAULT_WINDOW)
    assert is_allowed(friday, jerusalem, "ES", DEFAULT_WINDOW)
    sunday = local(jerusalem, 2026, 3, 8, 10, 0)
    assert is_allowed(sunday, jerusalem, "IL", DEFAULT_WINDOW)
    assert not is_allowed(sunday, jerusalem, "ES", DEFAULT_WINDOW)


def test_a_working_saturday_declared_by_the_country_is_a_working_day() -> None:
    shanghai = "Asia/Shanghai"
    assert is_allowed(local(shanghai, 2026, 2, 28, 10, 0), shanghai, "CN", DEFAULT_WINDOW)
    assert not is_allowed(local(shanghai, 2026, 3, 7, 10, 0), shanghai, "CN", DEFAULT_WINDOW)


def test_an_unknown_country_has_no_holidays_and_says_so() -> None:
    assert has_holiday_calendar("ES")
    assert has_holiday_calendar(" es ")
    assert not has_holiday_calendar("XX")
    # Reyes is an ordinary Tuesday there; the weekend is Saturday–Sunday
    assert is_allowed(local(MADRID, 2026, 1, 6, 10, 0), MADRID, "XX", DEFAULT_WINDOW)
    assert not is_allowed(local(MADRID, 2026, 1, 10, 10, 0), MADRID, "XX", DEFAULT_WINDOW)


def test_the_clocks_going_forward_in_madrid_move_the_opening_an_hour_earlier_in_utc() -> None:
    saturday_night = local(MADRID, 2026, 3, 28, 22, 0)
    # Sunday 29 March 2026: 08:00 CEST, an hour after the jump from 02:00 CET to 03:00 CEST
    assert next_allowed(saturday_night, MADRID, "ES", EVERY_DAY) == utc(2026, 3, 29, 6, 0)
    assert next_allowed(local(MADRID, 2026, 3, 27, 20, 0), MADRID, "ES", DEFAULT_WINDOW) == utc(
        2026, 3, 30, 7, 0
    )


def test_a_window_opening_in_the_skipped_hour_opens_at_the_jump() -> None:
    window = SendWindow(start=time(2, 30), end=time(21), weekends=True)
    before = utc(2026, 3, 29, 0, 30)  # 01:30 CET
    jump = utc(2026, 3, 29, 1, 0)  # 02:00 CET becomes 03:00 CEST
    assert next_allowed(before, MADRID, "ES", window) == jump
    assert not is_allowed(jump - timedelta(microseconds=1), MADRID, "ES", window)
    assert first_send_at(date(2026, 3, 29), MADRID, "ES", window) == jump


def test_the_clocks_going_forward_in_new_york() -> None:
    midnight = local(NEW_YORK, 2026, 3, 8, 0, 0)  # Sunday, still EST
    assert next_allowed(midnight, NEW_YORK, "US", REG_F_WINDOW) == utc(2026, 3, 8, 12, 0)
    assert next_allowed(utc(2026, 3, 7, 2, 0), NEW_YORK, "US", REG_F_WINDOW) == utc(
        2026, 3, 7, 13, 0
    )


def test_a_day_that_starts_with_the_clocks_going_forward_opens_at_the_jump() -> None:
    # Santiago, Sunday 6 September 2026: 00:00 (-04) becomes 01:00 (-03); 00:00 never happens
    santiago = "America/Santiago"
    from_midnight = SendWindow(start=time(0), end=time(21), weekends=True, holidays=True)
    assert first_send_at(date(2026, 9, 6), santiago, "CL", from_midnight) == utc(2026, 9, 6, 4, 0)


def test_the_repeated_hour_counts_both_times_it_is_on_the_clock() -> None:
    # 1 November 2026 in New York: 02:00 EDT (06:00 UTC) becomes 01:00 EST
    window = SendWindow(start=time(1), end=time(1, 30), weekends=True)
    first_pass_late = utc(2026, 11, 1, 5, 45)  # 01:45 EDT
    assert not is_allowed(first_pass_late, NEW_YORK, "US", window)
    assert next_allowed(first_pass_late, NEW_YORK, "US", window) == utc(2026, 11, 1, 6, 0)
    assert first_send_at(date(2026, 11, 1), NEW_YORK, "US", window) == utc(2026, 11, 1, 5, 0)


def test_the_first_send_of_a_working_day_is_the_opening_of_its_window() -> None:
    assert first_send_at(date(2026, 3, 3), MADRID, "ES", DEFAULT_WINDOW) == utc(2026, 3, 3, 8, 0)
    assert first_send_at(date(2026, 7, 7), MADRID, "ES", DEFAULT_WINDOW) == utc(2026, 7, 7, 7, 0)
    assert first_send_at(date(2026, 7, 7), NEW_YORK, "US", REG_F_WINDOW) == utc(2026, 7, 7, 12, 0)


def test_the_first_send_of_a_closed_day_is_the_next_open_mornings() -> None:
    saturday = date(2026, 3, 7)
    assert first_send_at(saturday, MADRID, "ES", DEFAULT_WINDOW) == utc(2026, 3, 9, 8, 0)
    reyes = date(2026, 1, 6)
    assert first_send_at(reyes, MADRID, "ES", DEFAULT_WINDOW) == utc(2026, 1, 7, 8, 0)


def test_naive_instants_are_refused() -> None:
    naive = datetime(2026, 3, 3, 10, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        next_allowed(naive, MADRID, "ES", DEFAULT_WINDOW)
    with pytest.raises(ValueError, match="naive"):
        is_allowed(naive, MADRID, "ES", DEFAULT_WINDOW)


def test_a_window_must_end_after_it_starts_the_same_day() -> None:
    with pytest.raises(Invalid, match="must end after it starts") as caught:
        check_window(SendWindow(start=time(21), end=time(8)))
    assert caught.value.field == "end"
    with pytest.raises(Invalid):
        next_allowed(utc(2026, 3, 3), MADRID, "ES", SendWindow(start=time(9), end=time(9)))


def test_window_times_are_local_and_carry_no_time_zone() -> None:
    with pytest.raises(Invalid, match="local time") as caught:
        check_window(SendWindow(start=time(9, tzinfo=UTC)))
    assert caught.value.field == "start"


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(Invalid, match="unknown time zone") as caught:
        next_allowed(utc(2026, 3, 3), "Europe/Atlantis", "ES", DEFAULT_WINDOW)
    assert caught.value.field == "zone"


# Properties, over zones with unusual clocks: half-hour DST (Lord Howe), changes at midnight
# (Santiago), Friday–Saturday weekends (Jerusalem), and windows that open in the changing hours.
ZONES = [
    MADRID,
    NEW_YORK,
    "Asia/Jerusalem",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
]
instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@st.composite
def windows(draw: st.DrawFn) -> SendWindow:
    start, end = sorted(draw(st.lists(minutes, min_size=2, max_size=2, unique=True)))
    return SendWindow(start, end, weekends=draw(st.booleans()), holidays=draw(st.booleans()))


places = st.tuples(st.sampled_from(ZONES), st.sampled_from(["ES", "US", "IL", "CL", "XX"]))


@given(instants, places, windows())
def test_the_answer_is_the_first_allowed_instant_not_before_the_question(
    at: datetime, place: tuple[str, str], window: SendWindow
) -> None:
    zone, country = place
    answer = next_allowed(at, zone, country, window)
    assert answer >= at
    assert is_allowed(answer, zone, country, window)
    if answer > at:
        assert not is_allowed(answer - timedelta(microseconds=1), zone, country, window)
        assert not is_allowed(at, zone, country, window)


@given(instants, places, windows(), st.floats(0, 1))
def test_nothing_in_between_is_allowed(
    at: datetime, place: tuple[str, str], window: SendWindow, fraction: float
) -> None:
    zone, country = place
    answer = next_allowed(at, zone, country, window)
    between = at + (answer - at) * fraction
    if between < answer:
        assert not is_allowed(between, zone, country, window)


@given(instants, places, windows())
def test_asking_again_gives_the_same_answer(
    at: datetime, place: tuple[str, str], window: SendWindow
) -> None:
    zone, country = place
    answer = next_allowed(at, zone, country, window)
    assert next_allowed(answer, zone, country, window) == answer


@given(instants, st.timedeltas(timedelta(0), timedelta(days=10)), places, windows())
def test_a_later_question_never_gets_an_earlier_answer(
    at: datetime, later: timedelta, place: tuple[str, str], window: SendWindow
) -> None:
    zone, country = place
    assert next_allowed(at, zone, country, window) <= next_allowed(
        at + later, zone, country, window
    )


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), places, windows())
def test_the_first_send_of_a_day_is_allowed_and_not_before_the_window_opens(
    day: date, place: tuple[str, str], window: SendWindow
) -> None:
    zone, country = place
    first = first_send_at(day, zone, country, window)
    assert is_allowed(first, zone, country, window)
    on_the_clock = first.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    assert on_the_clock >= datetime.combine(day, window.start)
