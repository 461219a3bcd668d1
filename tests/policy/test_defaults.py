"""The default policy, day by day. No database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cobro.policy.defaults import LARGE_INVOICE, default_policy
from cobro.policy.rules import (
    ActionKind,
    CustomerKind,
    Grade,
    ItemFacts,
    Tone,
    check_policy,
    next_stage,
    stage_due,
)

POLICY = default_policy()
GOOD_PAYER = ItemFacts(
    open_amount=1_200_00, currency="EUR", kind=CustomerKind.BUSINESS, grade=Grade.A
)
RISKY = replace(GOOD_PAYER, grade=Grade.C)


def chase(facts: ItemFacts, until: int) -> list[tuple[int, str]]:
    """Run the item day by day from 60 days before due, delivering each stage the day it is due."""
    reached: str | None = None
    sent: list[tuple[int, str]] = []
    for day in range(-60, until + 1):
        stage = next_stage(POLICY, reached, day, replace(facts, last_delivered=reached))
        if stage is not None:
            reached = stage.code
            sent.append((day, stage.code))
    return sent


def test_the_default_policy_passes_its_own_checks() -> None:
    assert check_policy(POLICY) is POLICY


def test_the_default_policy_has_the_stages_of_good_practice() -> None:
    assert [(stage.code, stage.offset) for stage in POLICY.stages] == [
        ("preventive", -5),
        ("due", 0),
        ("reminder-1", 3),
        ("reminder-2", 10),
        ("firm", 20),
        ("demand", 30),
        ("final", 60),
        ("escalation", 90),
    ]


def test_early_stages_are_friendly_and_later_ones_firm_formal_and_final() -> None:
    tones = [stage.tone for stage in POLICY.stages]
    assert tones[:4] == [Tone.FRIENDLY] * 4
    assert tones[4:] == [Tone.FIRM, Tone.FORMAL, Tone.FINAL, Tone.FINAL]


def test_the_extrajudicial_demand_is_a_letter_a_call_and_the_statutory_interest() -> None:
    demand = POLICY.stages[5]
    # no fee of Cobro's own: the law's fixed compensation comes with the interest claim
    assert set(demand.actions) == {
        ActionKind.LETTER,
        ActionKind.CALL_TASK,
        ActionKind.INTEREST_CLAIM,
    }
    assert demand.fee is None


def test_the_final_notice_brings_the_interest_claimed_up_to_date() -> None:
    final = POLICY.stages[6]
    assert final.code == "final"
    assert ActionKind.INTEREST_CLAIM in final.actions


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (-6, None),
        (-5, None),
        (-1, None),
        (0, "due"),
        (2, "due"),
        (3, "reminder-1"),
        (9, "reminder-1"),
        (10, "reminder-2"),
        (29, "firm"),
        (30, "demand"),
        (89, "final"),
        (90, "escalation"),
        (400, "escalation"),
    ],
)
def test_a_good_payer_walks_through_the_stages_by_day(day: int, expected: str | None) -> None:
    sent = chase(GOOD_PAYER, day)
    assert (sent[-1][1] if sent else None) == expected


@pytest.mark.parametrize(
    ("day", "expected"), [(-6, None), (-5, "preventive"), (-1, "preventive"), (0, "due")]
)
def test_a_risky_customer_is_reminded_five_days_before_due(day: int, expected: str | None) -> None:
    sent = chase(RISKY, day)
    assert (sent[-1][1] if sent else None) == expected


def test_a_good_payer_is_sent_each_stage_once_and_never_the_preventive_reminder() -> None:
    assert chase(GOOD_PAYER, 400) == [
        (0, "due"),
        (3, "reminder-1"),
        (10, "reminder-2"),
        (20, "firm"),
        (30, "demand"),
        (60, "final"),
        (90, "escalation"),
    ]


@pytest.mark.parametrize(("currency", "large"), sorted(LARGE_INVOICE.items()))
def test_a_large_invoice_is_reminded_before_due_even_for_a_good_payer(
    currency: str, large: int
) -> None:
    big = replace(GOOD_PAYER, currency=currency, open_amount=large)
    assert chase(big, -5) == [(-5, "preventive")]
    assert chase(replace(big, open_amount=large - 1), -1) == []


def test_the_large_invoice_thresholds_are_5000_in_major_currencies_and_100000_pesos() -> None:
    assert LARGE_INVOICE["EUR"] == LARGE_INVOICE["USD"] == LARGE_INVOICE["GBP"] == 500_000
    assert LARGE_INVOICE["MXN"] == 10_000_000


def test_in_a_currency_without_a_threshold_only_the_grade_brings_a_preventive_reminder() -> None:
    huge_yen = replace(GOOD_PAYER, currency="JPY", open_amount=10**12)
    assert chase(huge_yen, -1) == []
    assert chase(replace(huge_yen, grade=Grade.D), -1) == [(-5, "preventive")]


def test_an_ungraded_customer_is_not_treated_as_risky() -> None:
    assert chase(replace(GOOD_PAYER, grade=None), -1) == []


def test_no_demand_letter_goes_out_before_a_reminder_was_delivered() -> None:
    # an old invoice imported at +45: the chase starts at the firm reminder, not the demand
    assert stage_due(POLICY, 45, GOOD_PAYER).code == "firm"  # type: ignore[union-attr]
    delivered = replace(GOOD_PAYER, last_delivered="firm")
    assert stage_due(POLICY, 45, delivered).code == "demand"  # type: ignore[union-attr]


def test_a_bounced_demand_holds_the_chase_before_the_final_notice() -> None:
    # the demand went out (reached) but the last stage delivered is still the firm reminder
    facts = replace(GOOD_PAYER, last_delivered="firm")
    assert next_stage(POLICY, "demand", 75, facts) is None
    assert next_stage(POLICY, "demand", 75, replace(facts, last_delivered="demand")) is not None
