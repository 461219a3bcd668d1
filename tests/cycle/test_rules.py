"""The cycle's pure planning: which items move, which actions one customer gets for a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cobro.cycle.rules import COVERED, Debtor, OpenItem, plan_customer
from cobro.policy.defaults import default_policy
from cobro.policy.rules import ActionKind, CustomerKind, Grade

POLICY = default_policy()
POLICIES = {1: POLICY}
DUE = date(2026, 3, 2)
DEBTOR = Debtor(customer_id=7, kind=CustomerKind.BUSINESS, grade=None, tags=frozenset())


def item(invoice_id: int = 1, due: date = DUE, amount: int = 100_00, **changes: object) -> OpenItem:
    base = OpenItem(
        invoice_id=invoice_id,
        due_date=due,
        open_amount=amount,
        currency="EUR",
        policy_id=1,
        current=None,
        stage_on=None,
        delivered=None,
        hold=None,
        min_gap=3,
    )
    return base._replace(**changes)  # type: ignore[arg-type]


def test_an_item_three_days_late_gets_the_first_friendly_reminder() -> None:
    plan = plan_customer(DEBTOR, [item()], POLICIES, {}, DUE + timedelta(days=3))
    assert [step.stage for step in plan.steps] == ["reminder-1"]
    assert set(plan.actions) == {ActionKind.EMAIL}


def test_two_items_at_different_stages_share_one_email_at_the_later_stage() -> None:
    items = [item(1), item(2, due=DUE - timedelta(days=7))]
    plan = plan_customer(DEBTOR, items, POLICIES, {}, DUE + timedelta(days=3))
    assert sorted(step.stage for step in plan.steps) == ["reminder-1", "reminder-2"]
    assert plan.actions[ActionKind.EMAIL].stage.code == "reminder-2"
    assert plan.actions[ActionKind.SMS].stage.code == "reminder-2"


def test_a_held_item_is_counted_by_its_hold_and_not_moved() -> None:
    plan = plan_customer(DEBTOR, [item(hold="dispute")], POLICIES, {}, DUE + timedelta(days=3))
    assert plan.steps == []
    assert plan.held == {"dispute": 1}


def test_unapplied_cash_covering_a_currency_stops_its_items_only() -> None:
    items = [item(1, amount=50_00), item(2, amount=70_00, currency="USD")]
    plan = plan_customer(DEBTOR, items, POLICIES, {"EUR": 50_00}, DUE + timedelta(days=3))
    assert [step.invoice_id for step in plan.steps] == [2]
    assert plan.held == {COVERED: 1}


def test_unapplied_cash_short_of_the_debt_does_not_stop_the_chase() -> None:
    plan = plan_customer(DEBTOR, [item()], POLICIES, {"EUR": 99_99}, DUE + timedelta(days=3))
    assert len(plan.steps) == 1


def test_an_item_does_not_move_again_before_the_minimum_gap() -> None:
    reached = item(current="firm", stage_on=DUE + timedelta(days=29), delivered="firm")
    assert plan_customer(DEBTOR, [reached], POLICIES, {}, DUE + timedelta(days=30)).steps == []
    later = plan_customer(DEBTOR, [reached], POLICIES, {}, DUE + timedelta(days=32))
    assert [step.stage for step in later.steps] == ["demand"]


def test_the_preventive_reminder_goes_to_a_risky_customer_only() -> None:
    risky = replace(DEBTOR, grade=Grade.D)
    on = DUE - timedelta(days=5)
    assert plan_customer(DEBTOR, [item()], POLICIES, {}, on).steps == []
    assert [s.stage for s in plan_customer(risky, [item()], POLICIES, {}, on).steps] == [
        "preventive"
    ]


def test_the_demand_waits_for_a_delivered_reminder() -> None:
    undelivered = item(current="firm", stage_on=DUE + timedelta(days=20))
    on = DUE + timedelta(days=31)
    assert plan_customer(DEBTOR, [undelivered], POLICIES, {}, on).steps == []
    delivered = undelivered._replace(delivered="firm")
    assert [s.stage for s in plan_customer(DEBTOR, [delivered], POLICIES, {}, on).steps] == [
        "demand"
    ]


STAGES = [stage.code for stage in POLICY.stages]


@settings(max_examples=200, deadline=None)
@given(
    late=st.integers(min_value=-20, max_value=200),
    days=st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=25),
    delivered=st.booleans(),
)
def test_for_an_unpaid_unheld_item_the_stage_never_moves_backwards(
    late: int, days: list[int], delivered: bool
) -> None:
    current = item(due=DUE - timedelta(days=late))
    on = DUE
    position = -1
    for step in days:
        on += timedelta(days=step)
        plan = plan_customer(DEBTOR, [current], POLICIES, {}, on)
        for moved in plan.steps:
            assert STAGES.index(moved.stage) > position
            position = STAGES.index(moved.stage)
            current = current._replace(
                current=moved.stage,
                stage_on=on,
                delivered=moved.stage if delivered else current.delivered,
            )
        # the same date again: the item is where the plan put it, nothing new
        assert plan_customer(DEBTOR, [current], POLICIES, {}, on).steps == []
