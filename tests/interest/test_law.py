"""Each jurisdiction's rates from the shipped tables: the reference's rate lookups (S11, S12,
D6, E2) and its worked vectors computed end to end from the jurisdiction alone; the fixed sums;
what is not covered refused by name."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cobro.errors import Invalid
from cobro.interest.law import (
    JURISDICTIONS,
    check_jurisdiction,
    fixed_compensation,
    published,
    rate_table,
)
from cobro.interest.rules import NoPublishedRate, accrue


def rate(code: str, day: date, business: bool = True) -> Decimal:
    return rate_table(code, business, day).rate_on(day)


def claim(code: str, amount: int, due: date, paid: date, business: bool = True) -> int:
    table = rate_table(code, business, due + timedelta(days=1))
    return accrue(amount, due, paid, table).amount


def test_rate_lookups_at_the_boundaries() -> None:
    assert rate("ES", date(2024, 7, 1)) == Decimal("12.25")  # S11: first day of H2
    assert rate("ES", date(2024, 6, 30)) == Decimal("12.50")
    assert rate("ES", date(2013, 2, 24)) == Decimal("8.75")  # S12: RDL 4/2013
    assert rate("ES", date(2013, 2, 23)) == Decimal("7.75")
    assert rate("DE", date(2026, 3, 1)) == Decimal("10.27")  # D6
    assert rate("DE", date(2026, 3, 1), business=False) == Decimal("6.27")
    assert rate("BE", date(2025, 9, 1)) == Decimal("10.50")  # E2: 2.15 + 8, up to the half
    assert rate("EU", date(2024, 3, 1)) == Decimal("12.50")
    assert rate("FR", date(2025, 9, 1)) == Decimal("12.15")


@pytest.mark.parametrize(
    ("code", "amount", "due", "paid", "business", "expected"),
    [
        ("ES", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), True, 205_48),  # S1
        ("ES", 5_000_00, date(2024, 6, 10), date(2024, 8, 9), True, 101_37),  # S2
        ("ES", 10_000_00, date(2013, 2, 13), date(2013, 3, 15), True, 69_18),  # S3
        ("ES", 12_100_00, date(2025, 6, 20), date(2025, 7, 20), True, 104_26),  # S4
        ("ES", 2_000_00, date(2025, 12, 1), date(2026, 1, 30), True, 33_37),  # S5
        ("DE", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), True, 207_45),  # D1
        ("DE", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), False, 141_70),  # D2
        ("DE", 10_000_00, date(2024, 6, 15), date(2024, 7, 15), True, 102_70),  # D3
        ("DE", 10_000_00, date(2023, 1, 1), date(2023, 7, 1), False, 328_69),  # D4
        ("DE", 2_500_00, date(2025, 11, 20), date(2026, 2, 18), True, 63_31),  # D5
        ("FR", 10_000_00, date(2024, 3, 15), date(2024, 5, 14), True, 238_36),  # F1
        ("FR", 3_000_00, date(2025, 6, 30), date(2025, 8, 29), True, 59_92),  # F2
        ("EU", 10_000_00, date(2023, 6, 15), date(2023, 7, 15), True, 92_47),  # E1
        ("GB", 5_000_00, date(2025, 7, 31), date(2025, 11, 9), True, 169_49),  # U1
        ("GB", 20_000_00, date(2024, 12, 20), date(2025, 3, 20), True, 653_42),  # U2
        ("GB", 2_400_00, date(2026, 3, 31), date(2026, 6, 15), True, 58_72),  # U3
        ("GB", 12_000_00, date(2025, 1, 31), date(2025, 5, 1), True, 377_26),  # U4
    ],
)
def test_the_vectors_from_the_shipped_tables(
    code: str, amount: int, due: date, paid: date, business: bool, expected: int
) -> None:
    assert claim(code, amount, due, paid, business) == expected


def test_the_uk_rate_stays_fixed_across_half_years() -> None:
    """U2: 13.25 % for the whole debt; re-fixing on 1 January would give £631.78."""
    table = rate_table("GB", True, date(2024, 12, 21))
    assert table.rate_on(date(2025, 3, 20)) == Decimal("13.25")
    assert rate_table("UK", True, date(2025, 8, 1)).rate_on(date(2025, 8, 1)) == Decimal("12.25")


def test_fixed_compensation_per_invoice() -> None:
    assert fixed_compensation("ES", True, 10_000_00) == 40_00  # S1
    assert fixed_compensation("DE", False, 10_000_00) == 0  # D2: no Pauschale for consumers
    assert fixed_compensation("GB", True, 5_000_00) == 70_00  # U1
    assert fixed_compensation("GB", True, 20_000_00) == 100_00  # U2
    assert sum(fixed_compensation("ES", True, 1_000_00) for _ in range(3)) == 120_00  # S6


def test_beyond_the_shipped_data_there_is_no_rate() -> None:
    with pytest.raises(NoPublishedRate, match="the rates end on 2026-06-30"):
        claim("DE", 1_000_00, date(2026, 6, 20), date(2026, 7, 10))
    with pytest.raises(NoPublishedRate, match="2026-07-01"):
        rate_table("GB", True, date(2026, 7, 1))


def test_what_is_not_covered_is_refused_by_name() -> None:
    with pytest.raises(Invalid, match="jurisdiction 'XX': use one of") as unknown:
        check_jurisdiction("XX")
    assert unknown.value.field == "jurisdiction"
    with pytest.raises(Invalid, match="taux de l'intérêt légal") as consumer:
        rate_table("FR", False, date(2024, 1, 1))
    assert consumer.value.field == "business"
    for code in ("EU", "BE"):
        with pytest.raises(Invalid, match="business debts only"):
            rate_table(code, False, date(2024, 1, 1))
    with pytest.raises(Invalid, match="business debts only"):
        rate_table("GB", False, date(2024, 1, 1))


@pytest.mark.parametrize("series", ["ecb_mro_half_years", "es_interes_demora", "de_basiszinssatz",
                                    "uk_reference_rate"])  # fmt: skip
def test_each_shipped_table_names_its_source_and_its_end(series: str) -> None:
    shipped = published(series)
    assert shipped.source
    assert shipped.table.ends_on == date(2026, 6, 30)
    days = [period.starts_on for period in shipped.table.periods]
    assert days == sorted(days)
    assert {day.month for day in days} <= {1, 2, 7}  # half-years (and Spain's 24 Feb 2013)


def test_every_jurisdiction_has_a_business_rate_today_in_the_data() -> None:
    for code in JURISDICTIONS:
        # Colombia's cap is certified monthly; the reference gives it up to December 2025
        day = date(2025, 12, 15) if code == "CO" else date(2026, 1, 15)
        assert rate(code, day) > 0
