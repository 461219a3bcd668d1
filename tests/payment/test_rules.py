"""How a payment is spread over invoices. No database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cobro.payment.rules import plan_allocations


def test_a_payment_fills_invoices_in_the_order_given() -> None:
    assert plan_allocations(100, [(1, 30), (2, 50), (3, 40)]) == [(1, 30), (2, 50), (3, 20)]


def test_what_no_invoice_takes_is_left_over() -> None:
    assert plan_allocations(100, [(1, 30)]) == [(1, 30)]


def test_settled_invoices_are_skipped() -> None:
    assert plan_allocations(100, [(1, 0), (2, 40)]) == [(2, 40)]


def test_nothing_available_plans_nothing() -> None:
    assert plan_allocations(0, [(1, 30)]) == []
    assert plan_allocations(100, []) == []


targets = st.lists(
    st.tuples(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=10**9)),
    max_size=12,
    unique_by=lambda pair: pair[0],
)


@given(available=st.integers(min_value=0, max_value=10**10), invoices=targets)
def test_a_plan_never_takes_more_than_there_is_on_either_side(
    available: int, invoices: list[tuple[int, int]]
) -> None:
    plan = plan_allocations(available, invoices)
    open_of = dict(invoices)
    assert all(amount > 0 for _, amount in plan)
    assert all(amount <= open_of[invoice] for invoice, amount in plan)
    assert sum(amount for _, amount in plan) == min(available, sum(open_of.values()))
    order = [invoice for invoice, _ in invoices]
    assert [invoice for invoice, _ in plan] == [i for i in order if i in dict(plan)]
    # every invoice before the last one paid is paid in full
    for invoice, amount in plan[:-1]:
        assert amount == open_of[invoice]
