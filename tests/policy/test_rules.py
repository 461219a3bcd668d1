"""Policies, stages and their conditions. No database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cobro.customer.rules import KINDS
from cobro.errors import Invalid
from cobro.policy.rules import (
    ALWAYS,
    MAX_OFFSET,
    MIN_OFFSET,
    ActionKind,
    Condition,
    CustomerKind,
    Grade,
    ItemFacts,
    Policy,
    Stage,
    Tone,
    check_policy,
    holds,
    next_stage,
    stage_due,
)

EMAIL = (ActionKind.EMAIL,)
FACTS = ItemFacts(open_amount=100_00, currency="EUR", kind=CustomerKind.BUSINESS, grade=Grade.B)


def stage(code: str, offset: int, condition: Condition = ALWAYS) -> Stage:
    return Stage(code, offset, Tone.FRIENDLY, EMAIL, condition)


def policy(*stages: Stage) -> Policy:
    return Policy("p", "Test policy", stages)


SIMPLE = policy(stage("a", 0), stage("b", 10), stage("c", 30))


def refused(bad: Policy, message: str, field: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        check_policy(bad)
    assert caught.value.field == field


def test_customer_kinds_are_the_words_the_customer_domain_uses() -> None:
    assert {kind.value for kind in CustomerKind} == set(KINDS)


def test_a_well_formed_policy_is_returned_unchanged() -> None:
    assert check_policy(SIMPLE) is SIMPLE


def test_a_policy_needs_a_code_and_at_least_one_stage() -> None:
    refused(replace(SIMPLE, code=" "), "policy code is empty", "code")
    refused(policy(), "policy 'p' has no stages", "stages")


def test_two_stages_at_the_same_offset_overlap() -> None:
    refused(
        policy(stage("a", 0), stage("b", 10), stage("c", 10)),
        "stages 'b' and 'c' overlap: both at day 10",
        "stages[2].offset",
    )


def test_stages_out_of_order_are_refused_not_sorted() -> None:
    refused(
        policy(stage("a", 0), stage("b", 30), stage("c", 10)),
        r"stages out of order: 'c' \(day 10\) comes after 'b' \(day 30\)",
        "stages[2].offset",
    )


def test_stage_codes_must_be_present_and_unique() -> None:
    refused(policy(stage("a", 0), stage("", 5)), "stage 2 has no code", "stages[1].code")
    refused(policy(stage("a", 0), stage("a", 5)), "'a' is used twice", "stages[1].code")


@pytest.mark.parametrize("offset", [MIN_OFFSET - 1, MAX_OFFSET + 1, -365, 100_000])
def test_an_offset_outside_the_sane_range_is_refused(offset: int) -> None:
    refused(policy(stage("x", offset)), f"offset {offset} days is outside", "stages[0].offset")


@pytest.mark.parametrize("offset", [MIN_OFFSET, MAX_OFFSET])
def test_the_ends_of_the_offset_range_are_allowed(offset: int) -> None:
    check_policy(policy(stage("x", offset)))


def test_a_stage_needs_at_least_one_action_and_no_action_twice() -> None:
    refused(policy(Stage("x", 0, Tone.FIRM, ())), "'x' has no actions", "stages[0].actions")
    twice = Stage("x", 0, Tone.FIRM, (ActionKind.EMAIL, ActionKind.SMS, ActionKind.EMAIL))
    refused(policy(twice), "'x' lists an action twice", "stages[0].actions")


def test_the_first_stage_cannot_wait_for_a_previous_one() -> None:
    first = stage("a", 0, Condition(previous_delivered=True))
    refused(policy(first, stage("b", 5)), "no previous stage", "stages[0].condition")


def test_previous_delivered_inside_any_of_is_refused_as_it_would_be_ignored() -> None:
    hidden = Condition(any_of=(Condition(previous_delivered=True),))
    refused(
        policy(stage("a", 0), stage("b", 5, hidden)),
        "not inside any_of",
        "stages[1].condition.any_of",
    )


@pytest.mark.parametrize(
    ("minimum", "message"),
    [
        ({"EURO": 1}, "unknown currency 'EURO'"),
        ({"EUR": -1}, "non-negative"),
        ({"eur": 1}, "upper-case"),
    ],
)
def test_a_minimum_amount_needs_a_known_currency_and_a_non_negative_amount(
    minimum: dict[str, int], message: str
) -> None:
    refused(
        policy(stage("a", 0, Condition(min_open=minimum))), message, "stages[0].condition.min_open"
    )


def test_before_the_first_stage_nothing_is_due() -> None:
    assert stage_due(SIMPLE, -1, FACTS) is None
    assert stage_due(SIMPLE, 0, FACTS) == SIMPLE.stages[0]


@pytest.mark.parametrize(
    ("day", "code"), [(0, "a"), (9, "a"), (10, "b"), (29, "b"), (30, "c"), (400, "c")]
)
def test_the_stage_due_is_the_latest_one_whose_day_has_come(day: int, code: str) -> None:
    assert stage_due(SIMPLE, day, FACTS).code == code  # type: ignore[union-attr]


def test_a_stage_whose_condition_fails_is_passed_over_not_delayed() -> None:
    only_consumers = Condition(kinds=frozenset({CustomerKind.CONSUMER}))
    skipping = policy(stage("a", 0), stage("b", 10, only_consumers), stage("c", 30))
    assert stage_due(skipping, 15, FACTS).code == "a"  # type: ignore[union-attr]
    assert stage_due(skipping, 30, FACTS).code == "c"  # type: ignore[union-attr]
    assert next_stage(skipping, "a", 29, FACTS) is None


def test_a_minimum_open_amount_is_per_currency_and_inclusive() -> None:
    condition = Condition(min_open={"EUR": 100_00, "MXN": 2_000_00})
    assert holds(policy(stage("a", 0, condition)), stage("a", 0, condition), FACTS)
    cases = [
        (replace(FACTS, open_amount=99_99), False),
        (replace(FACTS, currency="MXN"), False),
        (replace(FACTS, currency="MXN", open_amount=2_000_00), True),
        (replace(FACTS, currency="USD", open_amount=10**9), False),
    ]
    big = policy(stage("a", 0, condition))
    for facts, expected in cases:
        assert holds(big, big.stages[0], facts) is expected, facts


def test_kinds_grades_and_tags_must_all_match() -> None:
    condition = Condition(
        kinds=frozenset({CustomerKind.BUSINESS}),
        grades=frozenset({Grade.C, Grade.D}),
        tags=frozenset({"key-account"}),
    )
    narrow = policy(stage("a", 0, condition))
    tagged = replace(FACTS, grade=Grade.C, tags=frozenset({"key-account", "export"}))
    assert holds(narrow, narrow.stages[0], tagged)
    assert not holds(narrow, narrow.stages[0], replace(tagged, kind=CustomerKind.CONSUMER))
    assert not holds(narrow, narrow.stages[0], replace(tagged, grade=Grade.B))
    assert not holds(narrow, narrow.stages[0], replace(tagged, grade=None))
    assert not holds(narrow, narrow.stages[0], replace(tagged, tags=frozenset({"export"})))


def test_any_of_holds_when_one_alternative_does() -> None:
    either = Condition(
        any_of=(Condition(grades=frozenset({Grade.D})), Condition(tags=frozenset({"vip"})))
    )
    p = policy(stage("a", 0, either))
    assert holds(p, p.stages[0], replace(FACTS, grade=Grade.D))
    assert holds(p, p.stages[0], replace(FACTS, tags=frozenset({"vip"})))
    assert not holds(p, p.stages[0], FACTS)


def test_previous_delivered_looks_at_the_nearest_earlier_stage_the_item_qualifies_for() -> None:
    consumers = Condition(kinds=frozenset({CustomerKind.CONSUMER}))
    p = policy(
        stage("a", 0), stage("b", 10, consumers), stage("c", 30, Condition(previous_delivered=True))
    )
    # a business never qualified for "b", so "a" delivered is enough
    assert holds(p, p.stages[2], replace(FACTS, last_delivered="a"))
    assert not holds(p, p.stages[2], FACTS)
    consumer = replace(FACTS, kind=CustomerKind.CONSUMER)
    assert not holds(p, p.stages[2], replace(consumer, last_delivered="a"))
    assert holds(p, p.stages[2], replace(consumer, last_delivered="b"))
    # once "c" itself is delivered it keeps holding: the chase does not fall back
    assert holds(p, p.stages[2], replace(consumer, last_delivered="c"))
    assert not holds(p, p.stages[2], replace(consumer, last_delivered="gone"))


def test_previous_delivered_holds_when_no_earlier_stage_was_meant_for_the_item() -> None:
    consumers = Condition(kinds=frozenset({CustomerKind.CONSUMER}))
    p = policy(stage("a", 0, consumers), stage("b", 10, Condition(previous_delivered=True)))
    assert holds(p, p.stages[1], FACTS)


def test_next_stage_never_returns_a_stage_already_reached() -> None:
    assert next_stage(SIMPLE, None, 12, FACTS).code == "b"  # type: ignore[union-attr]
    assert next_stage(SIMPLE, "b", 12, FACTS) is None
    assert next_stage(SIMPLE, "b", 30, FACTS).code == "c"  # type: ignore[union-attr]
    assert next_stage(SIMPLE, "c", 400, FACTS) is None


def test_next_stage_after_an_unknown_stage_is_an_error() -> None:
    with pytest.raises(Invalid, match="policy 'p' has no stage 'zz'"):
        next_stage(SIMPLE, "zz", 5, FACTS)
