"""The interest rules against the worked vectors of the reference
(`../shared/reference/late-payment-law-and-kpis.md` §9), each with the rates it states, to the
cent; and the properties every computation keeps."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.interest.rules import (
    DayBasis,
    NoPublishedRate,
    RateTable,
    accrue,
    accrue_paid_in_parts,
    half_year_of,
    statutory_rate,
    uk_fixed_sum,
    uk_reference_day,
)


def flat(rate: str) -> RateTable:
    return RateTable.of((date(2000, 1, 1), rate))


def halves(year: int, first: str, second: str) -> RateTable:
    return RateTable.of((date(year, 1, 1), first), (date(year, 7, 1), second))


# (id, principal in cents, due, paid, rates, basis, expected cents)
ACT_365, ACT_ACT = DayBasis.ACT_365, DayBasis.ACT_ACT
VECTORS = [
    ("S1", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("12.50"), ACT_365, 205_48),
    ("S2", 5_000_00, date(2024, 6, 10), date(2024, 8, 9), halves(2024, "12.50", "12.25"),
     ACT_365, 101_37),
    ("S3", 10_000_00, date(2013, 2, 13), date(2013, 3, 15),
     RateTable.of((date(2013, 1, 1), "7.75"), (date(2013, 2, 24), "8.75")), ACT_365,
     69_18),
    ("S4", 12_100_00, date(2025, 6, 20), date(2025, 7, 20), halves(2025, "11.15", "10.15"),
     ACT_365, 104_26),
    ("S5", 2_000_00, date(2025, 12, 1), date(2026, 1, 30), flat("10.15"), ACT_365, 33_37),
    ("D1", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("12.62"), ACT_365, 207_45),
    ("D1b", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("12.62"), ACT_ACT,
     206_89),
    ("D2", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("8.62"), ACT_365, 141_70),
    ("D3", 10_000_00, date(2024, 6, 15), date(2024, 7, 15), halves(2024, "12.62", "12.37"),
     ACT_365, 102_70),
    ("D4", 10_000_00, date(2023, 1, 1), date(2023, 7, 1), halves(2023, "6.62", "8.12"),
     ACT_365, 328_69),
    ("D5", 2_500_00, date(2025, 11, 20), date(2026, 2, 18), flat("10.27"), ACT_365, 63_31),
    ("F1", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("14.50"), ACT_365, 238_36),
    ("F2", 3_000_00, date(2025, 6, 30), date(2025, 8, 29), flat("12.15"), ACT_365, 59_92),
    ("E1", 10_000_00, date(2023, 6, 15), date(2023, 7, 15), halves(2023, "10.50", "12.00"),
     ACT_365, 92_47),
    ("U1", 5_000_00, date(2025, 7, 31), date(2025, 11, 9), flat("12.25"), ACT_365, 169_49),
    ("U2", 20_000_00, date(2024, 12, 20), date(2025, 3, 20), flat("13.25"), ACT_365,
     653_42),
    ("U3", 2_400_00, date(2026, 3, 31), date(2026, 6, 15), flat("11.75"), ACT_365, 58_72),
    ("U4", 12_000_00, date(2025, 1, 31), date(2025, 5, 1), flat("12.75"), ACT_365, 377_26),
]  # fmt: skip


@pytest.mark.parametrize(
    ("principal", "due", "paid", "rates", "basis", "expected"),
    [vector[1:] for vector in VECTORS],
    ids=[vector[0] for vector in VECTORS],
)
def test_the_reference_vectors_to_the_cent(
    principal: int, due: date, paid: date, rates: RateTable, basis: DayBasis, expected: int
) -> None:
    assert accrue(principal, due, paid, rates, basis).amount == expected


def test_each_stretch_shows_its_days_and_rate() -> None:
    """S2: 20 days at 12.50 % (11–30 June), 40 at 12.25 % (1 July–9 August)."""
    accrual = accrue(5_000_00, date(2024, 6, 10), date(2024, 8, 9), halves(2024, "12.50", "12.25"))
    shown = [(s.first, s.last, s.days, s.rate) for s in accrual.stretches]
    assert shown == [
        (date(2024, 6, 11), date(2024, 6, 30), 20, Decimal("12.50")),
        (date(2024, 7, 1), date(2024, 8, 9), 40, Decimal("12.25")),
    ]
    assert accrual.days == 60
    assert accrual.exact.quantize(Decimal("0.0001")) == Decimal("10136.9863")  # cents


def test_rounding_happens_once_at_the_end() -> None:
    """U1: the daily £1.678… rounded first would give 101 × 168p = £169.68."""
    accrual = accrue(5_000_00, date(2025, 7, 31), date(2025, 11, 9), flat("12.25"))
    assert accrual.days == 101
    assert accrual.amount == 169_49 != 101 * 168


def test_leaving_the_payment_day_out_counts_one_day_fewer() -> None:
    counted = accrue(10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("12.50"))
    left_out = accrue(
        10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("12.50"), count_payment_day=False
    )
    assert (counted.days, left_out.days) == (60, 59)


def test_paid_on_time_or_early_accrues_nothing() -> None:
    assert accrue(1_000_00, date(2024, 3, 15), date(2024, 3, 15), flat("12.50")).amount == 0
    assert accrue(1_000_00, date(2024, 3, 15), date(2024, 3, 1), flat("12.50")).stretches == ()


def test_a_day_without_a_published_rate_is_said_not_guessed() -> None:
    table = RateTable.of((date(2026, 1, 1), "10.15"), ends_on=date(2026, 6, 30))
    with pytest.raises(NoPublishedRate, match="2026-07-10: the rates end on 2026-06-30"):
        accrue(1_000_00, date(2026, 6, 20), date(2026, 7, 10), table)
    with pytest.raises(NoPublishedRate, match="2025-12-31: the rates start on 2026-01-01"):
        accrue(1_000_00, date(2025, 12, 30), date(2026, 1, 10), table)


def test_a_negative_amount_or_a_disordered_table_is_refused() -> None:
    with pytest.raises(Invalid) as negative:
        accrue(-1, date(2024, 1, 1), date(2024, 2, 1), flat("8"))
    assert negative.value.field == "amount"
    with pytest.raises(Invalid):
        RateTable.of((date(2024, 7, 1), "1"), (date(2024, 1, 1), "2"))
    with pytest.raises(Invalid):
        RateTable(())


def test_statutory_rates_and_the_belgian_half_point() -> None:
    assert statutory_rate(Decimal("3.62"), Decimal(9)) == Decimal("12.62")  # DE B2B 2024-H1
    assert statutory_rate(Decimal("1.27"), Decimal(5)) == Decimal("6.27")  # DE consumer 2026-H1
    assert statutory_rate(Decimal("2.15"), Decimal(8), round_up_to_half=True) == Decimal("10.50")
    assert statutory_rate(Decimal("2.50"), Decimal(8), round_up_to_half=True) == Decimal("10.50")
    assert statutory_rate(Decimal("2.51"), Decimal(8), round_up_to_half=True) == Decimal("11.00")


def test_the_uk_rate_is_fixed_on_the_last_day_of_the_previous_half_year() -> None:
    assert uk_reference_day(date(2025, 8, 1)) == date(2025, 6, 30)  # U1
    assert uk_reference_day(date(2024, 12, 21)) == date(2024, 6, 30)  # U2
    assert uk_reference_day(date(2026, 4, 1)) == date(2025, 12, 31)  # U3
    assert uk_reference_day(date(2025, 2, 1)) == date(2024, 12, 31)  # U4


@pytest.mark.parametrize(
    ("debt", "fixed"),
    [(250_00, 40_00), (999_99, 40_00), (1_000_00, 70_00), (9_999_99, 70_00),
     (10_000_00, 100_00), (50_000_00, 100_00)],
)  # fmt: skip
def test_uk_fixed_sums_by_band(debt: int, fixed: int) -> None:
    assert uk_fixed_sum(debt) == fixed  # U6


def test_half_years_start_on_1_january_and_1_july() -> None:
    assert half_year_of(date(2024, 6, 30)) == date(2024, 1, 1)
    assert half_year_of(date(2024, 7, 1)) == date(2024, 7, 1)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
rates = st.decimals(min_value=0, max_value=30, places=2)


@given(st.integers(min_value=0, max_value=10**12), days, st.integers(0, 800), rates, rates)
def test_splitting_at_an_unchanged_rate_changes_nothing(
    principal: int, due: date, late: int, first: Decimal, second: Decimal
) -> None:
    paid = due + timedelta(days=late)
    one = accrue(principal, due, paid, RateTable.of((date(1999, 1, 1), first)))
    cut = RateTable.of((date(1999, 1, 1), first), (half_year_of(due), first))
    assert accrue(principal, due, paid, cut).exact == one.exact
    assert one.days == late
    assert one.amount >= 0


@given(st.integers(min_value=0, max_value=10**12), days, st.integers(0, 400), rates)
def test_more_days_never_accrue_less(principal: int, due: date, late: int, rate: Decimal) -> None:
    table = RateTable.of((date(1999, 1, 1), rate))
    sooner = accrue(principal, due, due + timedelta(days=late), table)
    later = accrue(principal, due, due + timedelta(days=late + 1), table)
    assert later.exact >= sooner.exact


# ---- paid in parts --------------------------------------------------------------------------


def close(one: Decimal, other: Decimal) -> bool:
    """Equal but for Decimal's 28-digit precision in the last place."""
    return abs(one - other) < Decimal("1e-12")


def test_a_partial_payment_reduces_the_base_from_the_next_day() -> None:
    """€10,000 due 15 March 2024 at 12.62 %: €4,000 paid 14 April (30 days on 10,000), the
    rest 14 May (30 days on 6,000)."""
    parts = accrue_paid_in_parts(
        10_000_00,
        date(2024, 3, 15),
        [(date(2024, 5, 14), 6_000_00), (date(2024, 4, 14), 4_000_00)],
        date(2024, 5, 14),
        flat("12.62"),
    )
    by_formula = (Decimal(10_000_00) * 30 + Decimal(6_000_00) * 30) * Decimal("0.1262") / 365
    assert close(parts.exact, by_formula)
    assert parts.amount == 165_96
    first, second = parts.reductions
    assert (first.paid_on, first.base_after, first.accrued) == (date(2024, 4, 14), 6_000_00, 103_73)
    assert (second.base_after, second.accrued) == (0, 165_96)  # recorded: not lost when paid


def test_paid_at_once_in_parts_matches_the_plain_computation() -> None:
    plain = accrue(10_000_00, date(2024, 3, 15), date(2024, 5, 14), flat("12.50"))
    parts = accrue_paid_in_parts(
        10_000_00, date(2024, 3, 15), [(date(2024, 5, 14), 10_000_00)], date(2024, 12, 31),
        flat("12.50"),
    )  # fmt: skip
    assert parts.amount == plain.amount == 205_48
    unpaid = accrue_paid_in_parts(
        10_000_00, date(2024, 3, 15), [], date(2024, 5, 14), flat("12.50")
    )
    assert unpaid.amount == 205_48


def test_an_early_payment_an_overpayment_and_a_later_one() -> None:
    early = accrue_paid_in_parts(
        1_000_00, date(2024, 3, 15), [(date(2024, 3, 1), 400_00)], date(2024, 4, 14), flat("10")
    )
    assert close(early.exact, Decimal(600_00) * 30 * Decimal("0.10") / 365)  # 600 was late
    over = accrue_paid_in_parts(
        1_000_00, date(2024, 3, 15), [(date(2024, 4, 14), 5_000_00)], date(2024, 12, 31),
        flat("10"),
    )  # fmt: skip
    assert over.reductions[0].base_after == 0
    assert close(over.exact, Decimal(1_000_00) * 30 * Decimal("0.10") / 365)  # then stops
    after = accrue_paid_in_parts(
        1_000_00, date(2024, 3, 15), [(date(2024, 6, 1), 1_000_00)], date(2024, 4, 14), flat("10")
    )
    assert after.reductions == ()  # the claim as of 14 April: a later payment does not count
    with pytest.raises(Invalid) as zero:
        accrue_paid_in_parts(1_00, date(2024, 1, 1), [(date(2024, 2, 1), 0)], date(2024, 3, 1),
                             flat("10"))  # fmt: skip
    assert zero.value.field == "payments"


@given(
    st.integers(min_value=1, max_value=10**10),
    days,
    st.lists(st.tuples(st.integers(-30, 400), st.integers(1, 10**10)), max_size=5),
    st.integers(0, 400),
    rates,
)
def test_payments_never_add_interest(
    principal: int,
    due: date,
    payments: list[tuple[int, int]],
    late: int,
    rate: Decimal,
) -> None:
    table = RateTable.of((date(1998, 1, 1), rate))
    until = due + timedelta(days=late)
    dated = [(due + timedelta(days=offset), amount) for offset, amount in payments]
    parts = accrue_paid_in_parts(principal, due, dated, until, table)
    assert parts.exact <= accrue(principal, due, until, table).exact
    assert parts.amount >= 0
    assert [r.accrued for r in parts.reductions] == sorted(r.accrued for r in parts.reductions)
