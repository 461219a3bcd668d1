"""Dates as people write them, and the clock (aware UTC, always)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cobro.errors import Invalid

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_LOCAL = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?: .*)?$")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_in(zone: str) -> date:
    """Today where the company (or debtor) is: in Madrid the day starts an hour or two before
    UTC's, in Mexico City six hours after."""
    return utcnow().astimezone(ZoneInfo(zone)).date()


TO_THE_MINUTE = "%Y-%m-%d %H:%M"  # a `local_time` style for tables, without the zone's name


def local_time(at: datetime, zone: str, style: str = "%Y-%m-%d %H:%M %Z") -> str:
    """An aware time as a clock where `zone` is shows it: "2026-03-02 09:15 CET"."""
    return at.astimezone(ZoneInfo(zone)).strftime(style)


def parse_date(text: str, dayfirst: bool = False) -> date:
    """Read "2026-03-01", "2026/03/01", "3/1/2026" (month first) or, with dayfirst, "1/3/2026"."""
    clean = text.strip()
    iso = _ISO.match(clean)
    if iso:
        return _make(int(iso[1]), int(iso[2]), int(iso[3]), text)
    local = _LOCAL.match(clean)
    if local:
        first, second, year = int(local[1]), int(local[2]), int(local[3])
        if len(local[3]) == 2:  # the POSIX pivot, as strptime's %y: 69–99 → 19xx, 00–68 → 20xx
            year += 1900 if year >= 69 else 2000
        day, month = (first, second) if dayfirst else (second, first)
        return _make(year, month, day, text)
    raise Invalid(f"{text!r} is not a date (use YYYY-MM-DD, or D/M/YYYY with --dayfirst)")


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid(f"{text!r} is not a real date") from None


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plus_days(day: date, days: int) -> date:
    return day + timedelta(days=days)
