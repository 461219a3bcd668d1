"""Payment plans' pure rules: schedules add up exactly, monthly days stay put, guardrails,
money spread over installments in order, and how a plan stands on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cobro.plan import rules
from cobro.plan.rules import Installment, Limits, Terms

ON = date(2026, 3, 2)
LIMITS = Limits(longest_months=12, smallest_installment=50_00)


def terms(**changes: object) -> Terms:
    base: dict[str, object] = {
        "total": 1200_00,
        "count": 6,
        "frequency": "monthly",
        "first_on": date(2026, 4, 1),
    }
    base.update(changes)
    return Terms(**base)  # type: ignore[arg-type]


@given(
    total=st.integers(2, 10**12),
    count=st.integers(1, 60),
    down_share=st.integers(0, 99),
    fee=st.integers(0, 10**6),
    rate=st.none() | st.decimals(0, 30, places=2),
    frequency=st.sampled_from(rules.FREQUENCIES),
)
def test_a_schedule_adds_up_to_the_total_plus_the_fee_exactly(
    total: int, count: int, down_share: int, fee: int, rate: Decimal | None, frequency: str
) -> None:
    down = total * down_share // 100
    plan = rules.schedule(Terms(total, count, frequency, date(2026, 1, 31), down, fee, rate), ON)
    assert sum(part.amount for part in plan.installments) == plan.total == total + plan.fee
    assert plan.fee == fee + plan.interest
    regular = [part.amount for part in plan.installments if part.sequence > 0]
    assert len(regular) == count
    # equal, the remainder on the last only
    assert len(set(regular[:-1])) <= 1
    assert 0 <= regular[-1] - regular[0] < count
    assert [part.sequence for part in plan.installments][-1] == count


def test_monthly_days_keep_the_day_clamped_to_the_month_end() -> None:
    days = rules.due_dates(date(2026, 1, 31), 5, "monthly")
    assert days == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    assert rules.due_dates(date(2028, 1, 30), 2, "monthly")[1] == date(2028, 2, 29)
    assert rules.due_dates(ON, 3, "fortnightly") == [ON, date(2026, 3, 16), date(2026, 3, 30)]


def test_the_down_payment_is_due_at_once_and_the_remainder_goes_last() -> None:
    plan = rules.schedule(terms(total=1000_01, count=3, down_payment=100_00), ON)
    assert [(p.sequence, p.due_on, p.amount) for p in plan.installments] == [
        (0, ON, 100_00),
        (1, date(2026, 4, 1), 300_00),
        (2, date(2026, 5, 1), 300_00),
        (3, date(2026, 6, 1), 300_01),
    ]


def test_interest_is_simple_on_the_balance_still_financed() -> None:
    # 1200.00 over 12 months at 10 %: balances 12/12 … 1/12, 6.5 months of the whole
    assert rules.interest(1200_00, 12, "monthly", Decimal(10)) == 65_00
    assert rules.interest(1200_00, 12, "monthly", None) == 0
    plan = rules.schedule(terms(count=12, fee=10_00, interest_rate=Decimal(10)), ON)
    assert (plan.interest, plan.fee, plan.total) == (65_00, 75_00, 1275_00)


def test_guardrails_name_the_field_and_the_limit() -> None:
    inside = rules.assess(terms(), ON, LIMITS)
    assert inside.inside
    assert inside.possible
    too_long = rules.assess(terms(count=14), ON, LIMITS)
    assert not too_long.inside
    assert too_long.possible
    assert too_long.reasons[0].field == "installments"
    assert "12 months" in too_long.reasons[0].message
    too_small = rules.assess(terms(total=200_00, count=5), ON, LIMITS)
    assert [r.field for r in too_small.reasons] == ["installments"]
    assert "5000" in too_small.reasons[0].message
    # the last one on the limit's day itself is inside
    assert rules.assess(terms(count=13, total=13 * 50_00), ON, LIMITS).inside


def test_hard_reasons_leave_no_plan() -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"count": 0}, "installments"),
        ({"down_payment": 1200_00}, "down_payment"),
        ({"first_on": date(2026, 3, 1)}, "first_on"),
        ({"frequency": "daily"}, "frequency"),
        ({"total": 0}, "invoices"),
        ({"interest_rate": Decimal(-1)}, "interest"),
    ]
    for changes, field in cases:
        verdict = rules.assess(terms(**changes), ON, LIMITS)
        assert verdict.schedule is None, changes
        assert not verdict.possible
        assert verdict.reasons[0].field == field
        assert verdict.reasons[0].hard


def parts() -> list[Installment]:
    return [
        Installment(0, ON, 100_00),
        Installment(1, date(2026, 4, 1), 300_00),
        Installment(2, date(2026, 5, 1), 300_00),
    ]


def test_money_fills_installments_in_order() -> None:
    assert rules.allocate([100_00, 300_00, 300_00], 250_00) == [100_00, 150_00, 0]
    assert rules.allocate([100_00, 300_00], 1000_00) == [100_00, 300_00]
    payments = [(date(2026, 4, 2), 150_00), (ON, 100_00), (date(2026, 4, 20), 150_00)]
    assert rules.paid_days([100_00, 300_00, 300_00], payments) == [ON, date(2026, 4, 20), None]
    # installment 1 is due on 1 April: partly paid through its grace (7 days), then missed
    assert rules.states(parts(), 250_00, date(2026, 4, 8), 7) == ["paid", "partly_paid", "due"]
    assert rules.states(parts(), 250_00, date(2026, 4, 9), 7) == ["paid", "missed", "due"]
    assert rules.states(parts(), 0, date(2026, 3, 5), 7) == ["due", "due", "due"]


def test_a_plan_completes_when_paid_and_breaks_past_grace() -> None:
    assert rules.outcome(parts(), 700_00, 0, date(2026, 9, 1), 7) == "completed"
    assert rules.outcome(parts(), 400_00, 300_00, date(2026, 5, 8), 7) == "running"
    assert rules.outcome(parts(), 400_00, 300_00, date(2026, 5, 9), 7) == "broken"
    assert rules.outcome(parts(), 50_00, 650_00, ON, 7) == "running"
    assert rules.outcome(parts(), 0, 0, ON, 7) == "cancelled"


def test_reminders_before_and_late_notices_after() -> None:
    first = parts()[1]
    assert not rules.to_remind(parts()[0], False, ON)  # the down payment: due at once
    assert not rules.to_remind(first, False, date(2026, 3, 28))
    assert rules.to_remind(first, False, date(2026, 3, 29))
    assert not rules.to_remind(first, True, date(2026, 3, 30))
    assert not rules.to_notify_late(first, False, date(2026, 4, 1), 7)
    assert rules.to_notify_late(first, False, date(2026, 4, 2), 7)
    assert not rules.to_notify_late(first, False, date(2026, 4, 9), 7)
