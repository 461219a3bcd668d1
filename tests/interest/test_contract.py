"""Consumer debts and agreed (contractual) rates, as each law lets them replace the statutory
one: Spain's interés legal (S9, S10), what is not shipped refused by name, Germany's floor,
the flags where Cobro cannot check a rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cobro.errors import Invalid
from cobro.interest.law import claim, contractual_table, published, rate_table


def test_a_spanish_consumer_debt_runs_at_the_interes_legal() -> None:
    """S9: 5,000 € at 3 % (2022) for 180 days = 73.97 (lainformacion); S10: 8,000 € for 100
    days in 2025 at 3.25 % = 71.23; no fixed sum for consumers."""
    s9 = claim("ES", False, 5_000_00, date(2022, 1, 1), date(2022, 6, 30))
    assert (s9.accrual.days, s9.accrual.amount, s9.fixed_compensation) == (180, 73_97, 0)
    s10 = claim("ES", False, 8_000_00, date(2025, 1, 1), date(2025, 4, 11))
    assert (s10.accrual.days, s10.accrual.amount) == (100, 71_23)


def test_the_interes_legal_by_year_from_the_reference() -> None:
    table = rate_table("ES", False, date(2007, 1, 1))
    expected = {2007: "5.00", 2009: "5.50", 2014: "4.00", 2015: "3.50", 2022: "3.00",
                2023: "3.25", 2025: "3.25"}  # fmt: skip
    for year, rate in expected.items():
        assert table.rate_on(date(year, 6, 1)) == Decimal(rate)
    assert published("es_interes_legal").table.ends_on == date(2025, 12, 31)  # 2026 unconfirmed


def test_an_agreed_rate_for_consumers_the_tables_do_not_cover_is_taken_as_agreed() -> None:
    applied = contractual_table("FR", False, date(2025, 3, 1), Decimal(5))
    assert applied.table.rate_on(date(2025, 4, 1)) == Decimal(5)
    assert applied.warnings == ("FR: no statutory cap for consumer debts is checked",)
    spain = contractual_table("ES", False, date(2025, 3, 1), Decimal(7))
    assert spain.warnings == ()  # no numeric cap: a court judges abuse


def test_germany_gives_the_higher_of_the_agreed_and_the_statutory_rate() -> None:
    """§ 288(3) BGB: more may be agreed; never less than the statutory rate."""
    higher = contractual_table("DE", True, date(2025, 1, 1), Decimal(15))
    assert higher.table.rate_on(date(2025, 3, 1)) == Decimal(15)
    assert higher.warnings == ()
    lower = claim("DE", True, 10_000_00, date(2025, 6, 15), date(2025, 7, 15), agreed=Decimal(11))
    first, second = lower.accrual.stretches
    assert (first.rate, second.rate) == (Decimal("11.27"), Decimal(11))  # 2.27 + 9; 1.27 + 9
    assert lower.warnings == (
        "DE: the agreed rate 11 % is below the statutory rate from 2025-01-01 (11.27 %): the "
        "statutory rate applies there (§ 288 BGB)",
    )


def test_france_and_spain_take_the_agreed_rate_with_what_cobro_cannot_check_said() -> None:
    france = contractual_table("FR", True, date(2025, 7, 1), Decimal(2))  # F3
    assert france.table.rate_on(date(2025, 8, 1)) == Decimal(2)
    assert "3 × the taux de l'intérêt légal" in france.warnings[0]
    spain_low = contractual_table("ES", True, date(2025, 7, 1), Decimal(5))
    assert "below the statutory 10.15 %" in spain_low.warnings[0]
    assert "Ley 3/2004 art. 9" in spain_low.warnings[0]
    assert contractual_table("ES", True, date(2025, 7, 1), Decimal(12)).warnings == ()
    belgium = contractual_table("BE", True, date(2025, 7, 1), Decimal(5))
    assert "Directive 2011/7/EU art. 7" in belgium.warnings[0]


def test_a_uk_contractual_remedy_replaces_the_act_and_its_fixed_sum() -> None:
    result = claim("GB", True, 5_000_00, date(2025, 7, 31), date(2025, 11, 9), agreed=Decimal(4))
    assert result.accrual.amount == 55_34  # 5,000 × 4 % × 101/365
    assert result.fixed_compensation == 0
    assert "replaces the Late Payment Act" in result.warnings[0]


def test_without_an_agreed_rate_nothing_changes() -> None:
    applied = contractual_table("DE", True, date(2024, 3, 16), None)
    assert applied.table == rate_table("DE", True, date(2024, 3, 16))
    assert applied.warnings == ()


@pytest.mark.parametrize("rate", ["-1", "1000.01", "NaN"])
def test_an_impossible_agreed_rate_is_refused_naming_the_field(rate: str) -> None:
    with pytest.raises(Invalid) as refused:
        contractual_table("ES", True, date(2025, 1, 1), Decimal(rate))
    assert refused.value.field == "contract_rate"


def test_bad_input_names_its_field() -> None:
    with pytest.raises(Invalid) as late:
        claim("ES", True, 100_00, date(2025, 3, 1), date(2025, 2, 1))
    assert late.value.field == "paid"
    with pytest.raises(Invalid) as negative:
        claim("ES", True, -1, date(2025, 3, 1), date(2025, 4, 1))
    assert negative.value.field == "amount"
    with pytest.raises(Invalid) as unknown:
        claim("AR", True, 100, date(2025, 3, 1), date(2025, 4, 1))
    assert unknown.value.field == "jurisdiction"
