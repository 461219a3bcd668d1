"""The KPI formulas reproduce every worked example of the reference (§9.K) to 0.01, say "not
defined" instead of dividing by zero, and keep their ranges under any input (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.report.kpi_rules import (
    CeiVariant,
    aging_allowance,
    average_days_delinquent,
    average_days_to_pay,
    bad_debt_ratio,
    best_possible_dso,
    cei,
    collections_forecast,
    countback_dso,
    dso,
    expected_pay_date,
    kept_rate,
    rounded,
)


def d(text: str) -> Decimal:
    return Decimal(text)


def test_k1_standard_dso() -> None:
    assert rounded(dso(150_000, 1_800_000, 365)) == d("30.42")


def test_k2_countback_with_30_day_months() -> None:
    months = [(100_000, 30), (80_000, 30), (70_000, 30)]  # newest first
    assert rounded(countback_dso(212_000, months)) == d("73.71")


def test_k3_countback_with_calendar_days() -> None:
    months = [(900_000, 31), (800_000, 28), (700_000, 31)]  # March, February, January
    assert rounded(countback_dso(2_100_000, months)) == d("76.71")


@pytest.mark.parametrize(
    ("ar", "current", "sales", "days", "expected"),
    [
        (15_000, 4_000, 10_000, 30, ("45.00", "12.00", "33.00")),  # K4, creditguru
        (25_000, 6_000, 15_000, 30, ("50.00", "12.00", "38.00")),  # K5, quadient
        (10_000, 8_000, 30_000, 28, ("9.33", "7.47", "1.87")),  # K6, growfin (+ derived)
    ],
)
def test_k4_to_k6_best_possible_dso_and_days_delinquent(
    ar: int, current: int, sales: int, days: int, expected: tuple[str, str, str]
) -> None:
    found = (
        rounded(dso(ar, sales, days)),
        rounded(best_possible_dso(current, sales, days)),
        rounded(average_days_delinquent(ar, current, sales, days)),
    )
    assert found == tuple(d(value) for value in expected)


def test_k7_cei() -> None:
    assert rounded(cei(100_000, 1_000_000, 120_000, 100_000)) == d("98.00")


def test_k8_cei_over_three_months_in_both_variants() -> None:
    monthly = cei(6_200, 10_890, 6_340, 3_590, months=3)
    total = cei(6_200, 10_890, 6_340, 3_590, months=3, variant=CeiVariant.TOTAL)
    assert (rounded(monthly), rounded(total)) == (d("55.93"), d("79.63"))


def test_k9_and_k10_aging_allowances() -> None:
    assert aging_allowance([(80_000, 3), (15_000, 9), (5_000, 25)]) == 5_000
    assert aging_allowance([(100, p) for p in (2, 5, 10, 25, 40)]) == 82


def test_k11_bad_debt_ratio() -> None:
    assert rounded(bad_debt_ratio(1_000, 100_000)) == d("1.00")


@pytest.mark.parametrize(
    ("paid", "simple", "weighted"),
    [
        ([(10, 100), (20, 1_000)], "15.00", "19.09"),  # K12, softrak
        ([(18, 1_200), (27, 500), (15, 2_000), (39, 300), (15, 1_000)], "22.80", "18.36"),  # K13
    ],
)
def test_k12_k13_average_days_to_pay(
    paid: list[tuple[int, int]], simple: str, weighted: str
) -> None:
    found = average_days_to_pay(paid)
    assert (rounded(found[0]), rounded(found[1])) == (d(simple), d(weighted))


def test_k14_promise_kept_rate_leaves_pending_and_cancelled_out() -> None:
    assert rounded(kept_rate(30, 12)) == d("71.43")


def test_k15_collection_curve() -> None:
    forecast = collections_forecast({1: 100_000}, [0, d("0.4"), d("0.5"), d("0.1")])
    assert {month: forecast[month] for month in (2, 3, 4)} == {2: 40_000, 3: 50_000, 4: 10_000}


def test_k16_forecast_with_cash_sales_and_bad_debts() -> None:
    sales = dict(enumerate((55_000, 75_000, 90_000, 80_000, 60_000, 35_000), start=1))
    credit = {month: Decimal(total) * d("0.8") for month, total in sales.items()}
    cash = {month: Decimal(total) * d("0.2") for month, total in sales.items()}
    forecast = collections_forecast(credit, [d("0.6"), d("0.3"), d("0.05")], cash)  # 5 % bad
    assert (forecast[4], forecast[5], forecast[6]) == (d("79000"), d("63600"), d("41400"))


def test_k17_expected_pay_date_from_the_customer_s_days_late() -> None:
    assert expected_pay_date(date(2025, 7, 31), 12) == date(2025, 8, 12)


def test_nothing_to_divide_by_is_not_defined() -> None:
    assert dso(1_000, 0, 30) is None  # a period with no sales
    assert best_possible_dso(0, 0, 30) is None
    assert average_days_delinquent(1_000, 0, 0, 30) is None
    assert cei(0, 0, 0, 0) is None  # an empty company
    assert bad_debt_ratio(10, 0) is None
    assert average_days_to_pay([]) == (None, None)
    assert kept_rate(0, 0) is None
    assert countback_dso(500, [(100, 30), (100, 31)]) is None  # older than the history
    assert rounded(None) is None


def test_countback_edges() -> None:
    assert countback_dso(0, [(100, 30)]) == 0
    assert countback_dso(100, [(100, 30), (50, 31)]) == 30  # exactly one month
    assert countback_dso(150, [(0, 30), (100, 31), (100, 30)]) == 30 + 31 + 15  # an empty month


AMOUNTS = st.integers(min_value=0, max_value=10**12)


@given(beginning=AMOUNTS, sales=AMOUNTS, collected=AMOUNTS, late_share=st.fractions(0, 1))
def test_cei_stays_within_0_and_100_for_a_consistent_ledger(
    beginning: int, sales: int, collected: int, late_share: object
) -> None:
    """What is collected comes out of what was collectible, and what is current at the end is
    part of what is still open: the index is then between 0 and 100 %."""
    collectible = beginning + sales
    collected = min(collected, collectible)
    ending = collectible - collected
    current = int(ending * (1 - late_share))  # type: ignore[operator]
    found = cei(beginning, sales, ending, current, variant=CeiVariant.TOTAL)
    if found is not None:
        assert 0 <= found <= 100


@given(ar=AMOUNTS, current=AMOUNTS, sales=AMOUNTS, days=st.integers(min_value=1, max_value=366))
def test_dso_is_never_negative_and_days_delinquent_neither_when_current_is_within_ar(
    ar: int, current: int, sales: int, days: int
) -> None:
    current = min(current, ar)
    standard = dso(ar, sales, days)
    delinquent = average_days_delinquent(ar, current, sales, days)
    assert (standard is None) == (sales == 0)
    if standard is not None:
        assert standard >= 0
        assert delinquent is not None
        assert delinquent >= 0
