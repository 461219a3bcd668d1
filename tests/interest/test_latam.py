"""Mexico and Colombia against the reference's vectors (§9.LATAM: M1, M3, C1–C4), to the cent;
Colombia's months the reference does not give are not guessed; effective annual rates only
grow with the days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.interest.law import claim, contractual_table, fixed_compensation, published, rate_table
from cobro.interest.rules import (
    NoPublishedRate,
    RateTable,
    accrue,
    accrue_paid_in_parts,
)


def test_mexico_charges_the_legal_six_percent_without_an_agreed_rate() -> None:
    """M1: MXN 100,000, 90 days late, ACT/365."""
    result = claim("MX", True, 100_000_00, date(2025, 1, 1), date(2025, 4, 1))
    assert result.accrual.days == 90
    assert result.accrual.amount == 1_479_45
    assert result.currency == "MXN"
    assert result.fixed_compensation == 0
    assert result.warnings == ()


def test_mexico_is_the_same_for_consumers_and_open_ended() -> None:
    assert rate_table("MX", False, date(2031, 5, 1)).rate_on(date(2040, 1, 1)) == Decimal(6)
    assert published("mx_interes_legal").table.ends_on is None
    assert fixed_compensation("MX", True, 1_000_000_00) == 0


def test_an_agreed_mexican_rate_replaces_the_legal_one_and_a_usurious_one_is_flagged() -> None:
    """M3: 10 % a month is reviewed for usury; computed all the same."""
    modest = contractual_table("MX", True, date(2025, 1, 2), Decimal("24"))
    assert modest.table.rate_on(date(2025, 3, 1)) == Decimal(24)
    assert modest.warnings == ()
    monthly_ten = claim("MX", True, 100_000_00, date(2025, 1, 1), date(2025, 4, 1),
                        agreed=Decimal(120))  # fmt: skip
    assert monthly_ten.accrual.amount == 29_589_04
    (warning,) = monthly_ten.warnings
    assert "usury review" in warning
    assert "10.00 % a month" in warning
    below = contractual_table("MX", True, date(2025, 1, 2), Decimal("119.99"))
    assert below.warnings == ()


def test_the_colombian_caps_are_the_published_ones() -> None:
    """C1: Nov 2025 = 1.5 × 16.66 = 24.99; C2: Jan 2025 24.885 published as 24.89."""
    table = rate_table("CO", False, date(2025, 1, 1))
    assert table.compounding
    assert table.rate_on(date(2025, 11, 15)) == Decimal("24.99")
    assert table.rate_on(date(2025, 1, 31)) == Decimal("24.89")
    assert table.rate_on(date(2025, 12, 1)) == Decimal("25.02")
    assert rate_table("CO", True, date(2025, 1, 1)) == table  # the cap is the default rate


def test_colombian_interest_compounds_the_effective_annual_cap() -> None:
    """C3: COP 1,000,000 for the 30 days of November 2025 at 24.99 % EA = 18,503.09
    (not 1,000,000 × 24.99 % × 30/365 = 20,539.73)."""
    result = claim("CO", False, 1_000_000_00, date(2025, 10, 31), date(2025, 11, 30))
    assert result.accrual.amount == 18_503_09
    assert result.currency == "COP"
    assert result.fixed_compensation == 0


def test_each_month_of_the_cap_compounds_at_its_own_rate() -> None:
    result = claim("CO", False, 1_000_000_00, date(2025, 11, 15), date(2025, 12, 10))
    november, december = result.accrual.stretches
    assert (november.days, november.rate) == (15, Decimal("24.99"))
    assert (december.days, december.rate) == (10, Decimal("25.02"))
    exact = 1_000_000_00 * ((Decimal("1.2499") ** (Decimal(15) / 365) - 1)
                            + (Decimal("1.2502") ** (Decimal(10) / 365) - 1))  # fmt: skip
    assert result.accrual.exact == exact


def test_an_agreed_rate_above_the_cap_is_capped_month_by_month() -> None:
    """C4: 30 % EA agreed, December 2025: 25.02 %."""
    applied = contractual_table("CO", True, date(2025, 12, 1), Decimal(30))
    assert applied.table.rate_on(date(2025, 12, 20)) == Decimal("25.02")
    assert applied.table.compounding
    assert "above the usury cap in 2025-12 (25.02 %)" in applied.warnings[0]
    lower = contractual_table("CO", True, date(2025, 11, 1), Decimal(20))
    assert lower.table.rate_on(date(2025, 11, 2)) == Decimal(20)
    assert lower.warnings == ()


def test_a_month_the_reference_does_not_give_has_no_rate_and_says_which() -> None:
    table = rate_table("CO", False, date(2025, 1, 1))
    with pytest.raises(NoPublishedRate, match=r"the rate for 2025-03 is not published"):
        table.rate_on(date(2025, 3, 10))
    with pytest.raises(NoPublishedRate, match=r"the rate for 2025-09 is not published"):
        claim("CO", False, 1_000_00, date(2025, 8, 20), date(2025, 10, 10))
    with pytest.raises(NoPublishedRate, match="the rates end on 2025-12-31"):
        claim("CO", False, 1_000_00, date(2025, 12, 20), date(2026, 1, 10))


def test_paid_in_parts_works_on_an_effective_annual_table() -> None:
    table = rate_table("CO", False, date(2025, 11, 1))
    whole = accrue(1_000_000_00, date(2025, 10, 31), date(2025, 11, 30), table)
    parts = accrue_paid_in_parts(1_000_000_00, date(2025, 10, 31), [], date(2025, 11, 30), table)
    assert parts.amount == whole.amount == 18_503_09


@given(
    days=st.integers(min_value=1, max_value=3_000),
    more=st.integers(min_value=1, max_value=400),
    rate=st.decimals(min_value=0, max_value=200, places=2),
    principal=st.integers(min_value=1, max_value=10**12),
)
def test_compounding_interest_never_decreases_with_more_days(
    days: int, more: int, rate: Decimal, principal: int
) -> None:
    table = RateTable.of((date(2000, 1, 1), rate), compounding=True)
    due = date(2001, 1, 1)
    shorter = accrue(principal, due, due + timedelta(days=days), table)
    longer = accrue(principal, due, due + timedelta(days=days + more), table)
    assert longer.exact >= shorter.exact >= 0
    assert longer.amount >= shorter.amount
