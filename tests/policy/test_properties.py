"""Properties of every well-formed policy: the chase only moves forward. No database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.policy.fees import Fee
from cobro.policy.rules import (
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
    next_stage,
    stage_due,
)

conditions = st.builds(
    Condition,
    min_open=st.dictionaries(
        st.sampled_from(["EUR", "USD", "MXN"]), st.integers(0, 10_000_00), max_size=2
    ),
    kinds=st.frozensets(st.sampled_from(CustomerKind)),
    grades=st.frozensets(st.sampled_from(Grade)),
    tags=st.frozensets(st.sampled_from(["vip", "export"]), max_size=1),
)
facts = st.builds(
    ItemFacts,
    open_amount=st.integers(0, 20_000_00),
    currency=st.sampled_from(["EUR", "USD", "MXN", "JPY"]),
    kind=st.sampled_from(CustomerKind),
    grade=st.none() | st.sampled_from(Grade),
    tags=st.frozensets(st.sampled_from(["vip", "export"])),
)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    offsets = sorted(draw(st.sets(st.integers(MIN_OFFSET, MAX_OFFSET), min_size=1, max_size=8)))
    stages = []
    for index, offset in enumerate(offsets):
        condition = draw(conditions)
        if index and draw(st.booleans()):
            condition = replace(condition, previous_delivered=True)
        actions = draw(st.lists(st.sampled_from(ActionKind), min_size=1, max_size=3, unique=True))
        # the fee action comes with its fee (a stage's fee and its action go together)
        fee = Fee(percent=Decimal(draw(st.integers(1, 20)))) if ActionKind.FEE in actions else None
        stages.append(
            Stage(f"s{index}", offset, draw(st.sampled_from(Tone)), tuple(actions), condition, fee)
        )
    return Policy("p", "Generated policy", tuple(stages))


@given(policies(), facts, st.lists(st.integers(MIN_OFFSET - 5, MAX_OFFSET + 5), min_size=2))
def test_for_fixed_facts_the_stage_due_never_moves_back_as_days_pass(
    p: Policy, item: ItemFacts, days: list[int]
) -> None:
    offsets = [getattr(stage_due(p, day, item), "offset", MIN_OFFSET - 1) for day in sorted(days)]
    assert offsets == sorted(offsets)


@given(policies(), facts, st.integers(MIN_OFFSET - 5, MAX_OFFSET + 5))
def test_the_stage_due_has_come_by_its_offset(p: Policy, item: ItemFacts, day: int) -> None:
    due = stage_due(p, day, item)
    assert due is None or due.offset <= day


@given(
    policies(),
    facts,
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 20_000_00)), min_size=1, max_size=40),
)
def test_an_unpaid_unheld_item_never_steps_back_even_as_its_amount_changes(
    p: Policy, item: ItemFacts, steps: list[tuple[int, int]]
) -> None:
    # days pass in steps from before the first stage, the open amount changing (part payments,
    # credit notes); each stage reached is delivered at once
    reached: Stage | None = None
    day = p.stages[0].offset - 5
    for gap, amount in steps:
        day += gap
        code = None if reached is None else reached.code
        stage = next_stage(p, code, day, replace(item, open_amount=amount, last_delivered=code))
        if stage is not None:
            assert reached is None or stage.offset > reached.offset
            assert stage.offset <= day
            reached = stage


@given(policies())
def test_every_well_formed_policy_is_accepted(p: Policy) -> None:
    assert check_policy(p) is p


@given(policies().filter(lambda p: len(p.stages) >= 2), st.randoms())
def test_a_policy_with_its_stages_shuffled_is_refused(p: Policy, rng: Random) -> None:
    stages = list(p.stages)
    while stages == list(p.stages):
        rng.shuffle(stages)
    with pytest.raises(Invalid, match="stages out of order"):
        check_policy(replace(p, stages=tuple(stages)))
