"""Who writes off how much alone, who approves, and which remainders the cycle writes off."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.auth.rules import ROLES
from cobro.errors import Invalid
from cobro.writeoff import rules
from cobro.writeoff.models import WRITE_OFF_REASONS

LIMITS = rules.Limits(collector=50_00, manager=1000_00)


def test_the_reason_codes_are_the_tables() -> None:
    assert rules.REASONS == WRITE_OFF_REASONS


@pytest.mark.parametrize(
    ("role", "amount", "alone"),
    [
        ("admin", 10**12, True),
        ("manager", 1000_00, True),
        ("manager", 1000_01, False),
        ("collector", 50_00, True),
        ("collector", 50_01, False),
        ("viewer", 1, False),
        ("auditor", 1, False),
    ],
)
def test_each_role_writes_off_alone_up_to_its_limit(role: str, amount: int, alone: bool) -> None:
    assert rules.may_write_off_alone(role, amount, LIMITS) is alone


def test_a_manager_without_a_limit_writes_off_any_amount_and_a_collector_by_default_none() -> None:
    default = rules.Limits()
    assert rules.may_write_off_alone("manager", 10**12, default)
    assert not rules.may_write_off_alone("collector", 1, default)


def test_viewers_and_auditors_may_not_even_ask() -> None:
    assert [role for role in ROLES if rules.may_request(role)] == ["admin", "manager", "collector"]


def test_approval_needs_a_covering_limit_and_another_person() -> None:
    def approves(role: str, amount: int, approver: str = "boss@x.es") -> bool:
        return rules.may_approve(role, amount, LIMITS, approver=approver, requester="ana@x.es")

    assert approves("manager", 800_00)
    assert not approves("manager", 2000_00)  # above the manager's own limit: an admin's
    assert approves("admin", 2000_00)
    assert not approves("admin", 1_00, approver="ANA@x.es ")  # four eyes, however cased
    assert not approves("viewer", 1_00)


@given(
    role=st.sampled_from(ROLES),
    amount=st.integers(min_value=1, max_value=10**15),
    collector=st.integers(min_value=0, max_value=10**15),
    manager=st.none() | st.integers(min_value=0, max_value=10**15),
    name=st.text(min_size=1, max_size=40),
)
def test_nobody_ever_approves_their_own_request(
    role: str, amount: int, collector: int, manager: int | None, name: str
) -> None:
    limits = rules.Limits(collector, manager)
    assert not rules.may_approve(role, amount, limits, approver=name, requester=name)
    assert not rules.may_approve(role, amount, limits, approver=name.upper(), requester=name)


def test_reason_code_and_text_are_checked() -> None:
    assert rules.check_reason(" Bad_Debt ", " gone ") == ("bad_debt", "gone")
    with pytest.raises(Invalid) as code:
        rules.check_reason("because", "x")
    assert code.value.field == "reason_code"
    for text in ("  ", "x" * 301):
        with pytest.raises(Invalid) as missing:
            rules.check_reason("other", text)
        assert missing.value.field == "reason"


def test_the_amount_must_fit_what_is_open() -> None:
    assert rules.check_amount(None, 40, "F-1") == 40
    assert rules.check_amount(40, 40, "F-1") == 40
    for amount, open_amount in ((41, 40), (0, 40), (-1, 40), (None, 0)):
        with pytest.raises(Invalid) as refused:
            rules.check_amount(amount, open_amount, "F-1")
        assert refused.value.field == "amount"


def test_limits_are_zero_or_more_and_only_the_managers_may_be_empty() -> None:
    assert rules.check_limit(0, "small_balance_limit") == 0
    assert rules.check_limit(None, "manager_write_off_limit", optional=True) is None
    for value, optional in ((-1, True), (None, False)):
        with pytest.raises(Invalid) as refused:
            rules.check_limit(value, "x", optional=optional)
        assert refused.value.field == "x"


ON = date(2026, 3, 1)
DUE = date(2026, 2, 1)


def small(**changes: object) -> bool:
    facts: dict[str, object] = {
        "open_amount": 40,
        "total": 100_00,
        "due_date": DUE,
        "on": ON,
        "held": False,
        "limit": 1_00,
    }
    return rules.small_balance(**{**facts, **changes})  # type: ignore[arg-type]


def test_a_small_remainder_past_due_and_not_held_is_written_off() -> None:
    assert small()
    assert small(open_amount=1_00)


@pytest.mark.parametrize(
    "changes",
    [
        {"limit": 0},  # the company does not do this
        {"open_amount": 1_01},  # above the limit
        {"open_amount": 0},  # nothing open
        {"open_amount": 40, "total": 40},  # nothing paid: a debt to chase, however small
        {"due_date": ON},  # not yet past due
        {"held": True},  # a dispute or a promise: a person's business
    ],
)
def test_what_is_not_a_small_balance(changes: dict[str, object]) -> None:
    assert not small(**changes)
