"""The activity reports' formulas: shares and averages are not defined with nothing to divide
by; cohorts are the calendar months of the period, cut to it; a curve point is only known once
the cohort's last invoices are that old."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cobro.report.activity_rules import cohorts, curve_point, reached
from cobro.report.kpi_rules import percent, rounded
from cobro.report.kpi_rules import ratio as average


def test_a_share_of_nothing_is_not_defined() -> None:
    assert percent(3, 0) is None
    assert percent(0, 5) == Decimal(0)
    assert rounded(percent(4, 3)) == Decimal("133.33")


def test_an_average_over_no_case_is_not_defined() -> None:
    assert average(0, 0) is None
    assert average(30, 2) == Decimal(15)
    assert rounded(average(10, 3)) == Decimal("3.33")


def test_cohorts_are_the_months_of_the_period_cut_to_it() -> None:
    assert cohorts(date(2026, 1, 15), date(2026, 3, 10)) == [
        (date(2026, 1, 15), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 10)),
    ]
    assert cohorts(date(2026, 12, 31), date(2027, 1, 1)) == [
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 1)),
    ]
    assert cohorts(date(2026, 2, 2), date(2026, 2, 1)) == []


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(0, 800))
def test_cohorts_cover_every_day_of_the_period_once(start: date, length: int) -> None:
    end = date.fromordinal(start.toordinal() + length)
    spans = cohorts(start, end)
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert sum((last - first).days + 1 for first, last in spans) == length + 1
    assert all(first.month == last.month and first <= last for first, last in spans)


def test_a_point_is_known_once_the_cohort_s_last_invoice_is_that_old() -> None:
    last, end = date(2026, 1, 31), date(2026, 3, 2)
    assert reached(last, 30, end)
    assert not reached(last, 31, end)
    assert curve_point(50, 200, last, 30, end) == Decimal(25)
    assert curve_point(50, 200, last, 60, end) is None
    assert curve_point(0, 0, last, 30, end) is None
