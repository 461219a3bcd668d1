"""When the debtor may be contacted: hours, weekends and public holidays in the debtor's own time
zone and country. Pure: no database, no clock; the instant comes in as an argument.

An action that falls outside the window is **deferred, never dropped**: `next_allowed` gives the
first instant at or after the one asked for at which contact is allowed, and the caller moves the
action there.

Contact is allowed at an instant when, on the debtor's local clock at that instant:

- the time of day is in [start, end): 21:00 is already too late for a window ending at 21:00;
- the day is not a weekend day, unless the window allows weekends. The weekend is the debtor's
  country's, as the holidays library knows it (Friday–Saturday in Israel or Saudi Arabia,
  Saturday–Sunday in most places), and a weekend day the country has declared a working day
  (the bridge-compensation Saturdays of China or Russia) is a working day;
- the day is not a national public holiday of the country, unless the window allows holidays.
  Regional holidays are not known here.

The local clock is the wall clock, daylight-saving time included: on the night clocks go forward
the hour that is skipped never happens, so a window opening inside it opens at the jump; on the
night they go back the repeated hour is judged by what the clock says, both times.

A country code the holidays library does not know means no holidays, not an error: an unknown or
mistyped code must not stop a company's collection, and a day lost to a missing holiday is the
lesser harm. `has_holiday_calendar` tells the caller so it can warn about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars

from cobro.errors import Invalid

# a window that allows no day in a whole year is a mistake, not a policy
HORIZON_DAYS = 366

SATURDAY, SUNDAY = 5, 6
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
# no time zone changes its offset twice within an hour, so probing hourly finds every change
_PROBE = timedelta(hours=1)


@dataclass(frozen=True)
class SendWindow:
    """Local hours [start, end) in which the debtor may be contacted, and whether weekends and
    public holidays are open too."""

    start: time = time(8)
    end: time = time(21)
    weekends: bool = False
    holidays: bool = False


@dataclass(frozen=True)
class _Calendar:
    """The days of one year of one country on which no contact is made by default."""

    holidays: frozenset[date]
    weekend: frozenset[date]


def check_window(window: SendWindow) -> SendWindow:
    """Refuse a window that cannot be run as written; return it unchanged when it can.

    Times are local wall times, so they carry no time zone. A window must end after it starts on
    the same day: windows across midnight are not supported (nobody should be chased at night).
    """
    for name, value in (("start", window.start), ("end", window.end)):
        if value.tzinfo is not None:
            raise Invalid(
                f"window {name} {value.isoformat()} must be a local time without a time zone",
                field=name,
            )
    if window.start >= window.end:
        raise Invalid(
            f"window {_hhmm(window.start)}–{_hhmm(window.end)} must end after it starts on the "
            "same day (windows across midnight are not supported)",
            field="end",
        )
    return window


def is_allowed(at: datetime, zone: str, country: str, window: SendWindow) -> bool:
    """Whether the debtor may be contacted at the instant `at` (aware)."""
    _check_aware(at)
    check_window(window)
    wall = at.astimezone(_zone(zone)).replace(tzinfo=None)
    return _open_at(wall, _country(country), window)


def next_allowed(at: datetime, zone: str, country: str, window: SendWindow) -> datetime:
    """The earliest instant at or after `at` (aware) at which the debtor may be contacted, in UTC.

    `at` itself when contact is allowed then. Otherwise the next opening of the window on the
    debtor's clock: the start of the window on the next open day, or the moment the clock jumps
    into the window when daylight-saving time changes.
    """
    _check_aware(at)
    check_window(window)
    tz = _zone(zone)
    code = _country(country)
    moment = at.astimezone(UTC)
    # ends: each turn returns, or moves to the zone's next offset change (a few a year at most)
    while True:
        offset = _offset(moment, tz)
        wall = (moment + offset).replace(tzinfo=None)
        target = _next_open_wall(wall, code, window)
        if target == wall:
            return moment
        # where the clock shows `target` if the offset holds until then; if it changes first,
        # start again from the change, since the clock may jump into (or back into) the window
        candidate = (target - offset).replace(tzinfo=UTC)
        change = _next_change(tz, moment, candidate, offset)
        if change is None:
            return candidate
        moment = change


def first_send_at(day: date, zone: str, country: str, window: SendWindow) -> datetime:
    """The earliest instant, in UTC, at or after the window opens on the local `day` at which the
    debtor may be contacted: the daily cycle's not-before for an action planned for `day`.

    On an open day that is the window's start on the debtor's clock (or the moment the clock jumps
    past it, on a night clocks go forward); on a weekend or holiday, the opening of the next open
    day.
    """
    check_window(window)
    tz = _zone(zone)
    opening = _first_instant(datetime.combine(day, window.start), tz)
    return next_allowed(opening, zone, country, window)


def has_holiday_calendar(country: str) -> bool:
    """Whether the public holidays of `country` (ISO 3166 alpha-2) are known. When they are not,
    no day is treated as a holiday there; the caller should warn."""
    return _country(country) in _supported_countries()


def _check_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} is a naive datetime; instants must be aware")


def _zone(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {zone!r}", field="zone") from None


def _country(country: str) -> str:
    return country.strip().upper()


def _hhmm(value: time) -> str:
    return value.isoformat(timespec="minutes")


def _offset(moment: datetime, tz: ZoneInfo) -> timedelta:
    offset = moment.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _open_day(day: date, country: str, window: SendWindow) -> bool:
    calendar = _calendar(country, day.year)
    if not window.weekends and day in calendar.weekend:
        return False
    return window.holidays or day not in calendar.holidays


def _open_at(wall: datetime, country: str, window: SendWindow) -> bool:
    return window.start <= wall.time() < window.end and _open_day(wall.date(), country, window)


def _next_open_wall(wall: datetime, country: str, window: SendWindow) -> datetime:
    """The earliest local wall time at or after `wall` that is inside the window (naive)."""
    day = wall.date()
    if wall.time() < window.end and _open_day(day, country, window):
        return max(wall, datetime.combine(day, window.start))
    for _ in range(HORIZON_DAYS):
        day += timedelta(days=1)
        if _open_day(day, country, window):
            return datetime.combine(day, window.start)
    raise Invalid(
        f"the window {_hhmm(window.start)}–{_hhmm(window.end)} allows no day within "
        f"{HORIZON_DAYS} days of {wall.date().isoformat()} in {country or 'no country'}",
        field="window",
    )


def _next_change(
    tz: ZoneInfo, after: datetime, until: datetime, offset: timedelta
) -> datetime | None:
    """The first instant in (after, until] at which the zone's offset is no longer `offset`."""
    low = after
    while low < until:
        high = min(low + _PROBE, until)
        if _offset(high, tz) != offset:
            return _change_between(tz, low, high, offset)
        low = high
    return None


def _change_between(tz: ZoneInfo, low: datetime, high: datetime, offset: timedelta) -> datetime:
    """The instant the offset changes, knowing `low` is at `offset` and `high` is not: found by
    halving, on whole seconds (the time zone database changes offsets on whole seconds)."""
    below = (low - _EPOCH) // _SECOND  # still at `offset`
    above = -((_EPOCH - high) // _SECOND)  # already changed
    while above - below > 1:
        middle = (below + above) // 2
        if _offset(_EPOCH + middle * _SECOND, tz) == offset:
            below = middle
        else:
            above = middle
    return _EPOCH + above * _SECOND


def _first_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first instant the local clock reads `wall` (naive), or the moment it jumps past it."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first  # fold=0 is the earlier of a repeated time
    # skipped by a jump forward: the two readings of the time bracket the jump
    other = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    low, high = min(first, other), max(first, other)
    return _change_between(tz, low, high, _offset(low, tz))


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holiday_calendars.list_supported_countries())


@lru_cache(maxsize=512)
def _calendar(country: str, year: int) -> _Calendar:
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
    days = [day for day in days if day.year == year]
    if country not in _supported_countries():
        return _Calendar(
            holidays=frozenset(),
            weekend=frozenset(day for day in days if day.weekday() in (SATURDAY, SUNDAY)),
        )
    known = holiday_calendars.country_holidays(country, years=year)
    return _Calendar(
        holidays=frozenset(known),
        weekend=frozenset(
            day for day in days if known.is_weekend(day) and day not in known.weekend_workdays
        ),
    )
