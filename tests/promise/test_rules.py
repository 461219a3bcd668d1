"""The rules of a promise to pay, without a database: what may be promised, how a promise
ends on a given day, and the kept rate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.promise import rules

TODAY = date(2026, 3, 10)
DUE = date(2026, 3, 20)


def check(
    amount: int = 500_00,
    due_on: date = DUE,
    open_amount: int = 1000_00,
    longest: int = 60,
    grace: int = 3,
) -> None:
    rules.check_promise(amount, due_on, TODAY, open_amount, longest, grace)


def refusal(**kwargs: object) -> Invalid:
    with pytest.raises(Invalid) as caught:
        check(**kwargs)  # type: ignore[arg-type]
    return caught.value


# ---- what may be promised -----------------------------------------------------------------------


def test_a_promise_within_the_guardrails_is_accepted() -> None:
    check()


def test_a_promise_of_all_that_is_open_is_accepted() -> None:
    check(amount=1000_00)


def test_a_promise_for_today_is_accepted() -> None:
    check(due_on=TODAY)


def test_a_promise_on_the_longest_day_is_accepted() -> None:
    check(due_on=TODAY + timedelta(days=60))


def test_a_promise_in_the_past_is_refused_naming_the_due_date() -> None:
    error = refusal(due_on=TODAY - timedelta(days=1))
    assert error.field == "due_on"
    assert "a promise in the past" in error.message


def test_a_promise_beyond_the_longest_day_is_refused() -> None:
    error = refusal(due_on=TODAY + timedelta(days=61))
    assert error.field == "due_on"
    assert "60 days at most" in error.message


@pytest.mark.parametrize("amount", [0, -1, -100_00])
def test_nothing_promised_is_refused(amount: int) -> None:
    assert refusal(amount=amount).field == "amount"


def test_more_than_is_open_is_refused() -> None:
    error = refusal(amount=1000_01)
    assert error.field == "amount"
    assert "more than is open" in error.message


def test_a_promise_over_nothing_open_is_refused() -> None:
    assert refusal(amount=1, open_amount=0).field == "invoices"


def test_a_negative_grace_is_refused() -> None:
    assert refusal(grace=-1).field == "grace_days"


@pytest.mark.parametrize(("grace", "longest"), [(-1, 60), (61, 60), (3, 0), (3, 366)])
def test_settings_out_of_range_are_refused(grace: int, longest: int) -> None:
    with pytest.raises(Invalid):
        rules.check_settings(grace, longest)


def test_settings_in_range_are_accepted() -> None:
    rules.check_settings(0, 1)
    rules.check_settings(60, 365)


# ---- how a promise ends -------------------------------------------------------------------------


def outcome(paid: int = 0, open_left: int = 500_00, on: date = DUE, grace: int = 3) -> str:
    return rules.outcome(500_00, paid, open_left, DUE, grace, on)


def test_a_promise_paid_in_full_before_its_day_is_kept() -> None:
    assert outcome(paid=500_00, open_left=0, on=DUE - timedelta(days=5)) == "kept"


def test_paying_more_than_promised_keeps_it() -> None:
    assert outcome(paid=600_00, open_left=100_00) == "kept"


def test_paid_on_the_last_grace_day_is_kept() -> None:
    assert outcome(paid=500_00, on=DUE + timedelta(days=3)) == "kept"


def test_unpaid_on_the_last_grace_day_is_still_open() -> None:
    assert outcome(paid=0, on=DUE + timedelta(days=3)) == "open"


def test_unpaid_the_day_after_the_grace_is_broken() -> None:
    assert outcome(paid=0, on=DUE + timedelta(days=4)) == "broken"


def test_paid_in_part_after_the_grace_is_broken() -> None:
    assert outcome(paid=499_99, on=DUE + timedelta(days=4)) == "broken"


def test_with_no_grace_the_day_after_the_due_date_breaks_it() -> None:
    assert outcome(grace=0, on=DUE) == "open"
    assert outcome(grace=0, on=DUE + timedelta(days=1)) == "broken"


def test_nothing_left_to_pay_cancels_an_unmet_promise() -> None:
    assert outcome(paid=100_00, open_left=0, on=DUE - timedelta(days=2)) == "cancelled"


def test_nothing_left_to_pay_cancels_even_after_the_grace() -> None:
    assert outcome(paid=0, open_left=0, on=DUE + timedelta(days=30)) == "cancelled"


def test_a_promise_running_and_unpaid_is_open() -> None:
    assert outcome(paid=100_00, on=DUE - timedelta(days=1)) == "open"


def test_the_last_held_day_is_the_due_date_plus_the_grace() -> None:
    assert rules.last_held_day(DUE, 3) == date(2026, 3, 23)
    assert rules.latest_due(TODAY, 60) == date(2026, 5, 9)


# ---- the kept rate ------------------------------------------------------------------------------


def test_the_kept_rate_is_kept_over_ended() -> None:
    assert rules.kept_rate(3, 1) == 0.75


def test_no_promise_ended_has_no_kept_rate() -> None:
    assert rules.kept_rate(0, 0) is None


def test_all_broken_is_a_kept_rate_of_zero() -> None:
    assert rules.kept_rate(0, 4) == 0


def test_a_tally_counts_by_status_and_leaves_open_and_cancelled_out_of_the_rate() -> None:
    tally = rules.tally("ana", {"kept": 2, "broken": 2, "open": 5, "cancelled": 1})
    assert (tally.made, tally.kept, tally.broken, tally.open, tally.cancelled) == (10, 2, 2, 5, 1)
    assert tally.rate == 0.5
    assert rules.tally("bob", {"open": 1}).rate is None


# ---- properties ---------------------------------------------------------------------------------

money = st.integers(min_value=0, max_value=10**12)


@given(
    amount=st.integers(min_value=1, max_value=10**12),
    paid=money,
    open_left=money,
    grace=st.integers(min_value=0, max_value=60),
    offset=st.integers(min_value=-400, max_value=400),
)
def test_a_promise_is_in_exactly_one_of_the_four_outcomes(
    amount: int, paid: int, open_left: int, grace: int, offset: int
) -> None:
    on = DUE + timedelta(days=offset)
    result = rules.outcome(amount, paid, open_left, DUE, grace, on)
    assert result in rules.OUTCOMES
    assert (result == "kept") == (paid >= amount)
    if result == "broken":
        assert on > DUE + timedelta(days=grace)
        assert open_left > 0


@given(kept=st.integers(min_value=0, max_value=10**6), broken=st.integers(0, 10**6))
def test_a_kept_rate_lies_between_zero_and_one(kept: int, broken: int) -> None:
    rate = rules.kept_rate(kept, broken)
    if kept + broken == 0:
        assert rate is None
    else:
        assert rate is not None
        assert 0 <= rate <= 1
