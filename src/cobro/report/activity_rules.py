"""The formulas of the activity reports (promises, disputes, collectors, the collection
curve), on numbers the queries give them. Pure: no database, no clock.

As in `report.kpi_rules`, a ratio with nothing to divide by is `None` ("not defined"), never a
made-up zero; results are exact `Decimal`s, `kpi_rules.rounded` gives what a report prints.

The collection curve: invoices are grouped in **cohorts**, the calendar months they were
issued in (cut to the report's period); a cohort's point at *d* days is the share of its
amount paid within *d* days of each invoice's issue. The point is only drawn once every
invoice of the cohort has had its *d* days by the report's end (`reached`): a young cohort's
180-day point is not yet known, which is not the same as 0 %.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from cobro.kit.dates import end_of_month
from cobro.report.kpi_rules import Number, percent

HORIZONS = (30, 60, 90, 120, 180)  # the curve's points, days after issue


def cohorts(start: date, end: date) -> list[tuple[date, date]]:
    """(first, last) issue day of each calendar month [start, end] touches, cut to the period:
    2026-01-15 → 2026-03-10 gives (01-15, 01-31), (02-01, 02-28), (03-01, 03-10)."""
    spans: list[tuple[date, date]] = []
    first = start
    while first <= end:
        last = min(end_of_month(first), end)
        spans.append((first, last))
        first = last + timedelta(days=1)
    return spans


def reached(last_issue: date, days: int, end: date) -> bool:
    """Whether an invoice issued on `last_issue` (a cohort's last day) is `days` old by `end`."""
    return last_issue + timedelta(days=days) <= end


def curve_point(
    paid: Number, issued: Number, last_issue: date, days: int, end: date
) -> Decimal | None:
    """The share (%) of a cohort's `issued` amount `paid` within `days` of issue; None when the
    cohort has not reached that age by `end`, or issued nothing."""
    return percent(paid, issued) if reached(last_issue, days, end) else None
