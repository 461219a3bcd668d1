"""The features of the risk models: what the ledger says about a customer as of a day, with
nothing from after it."""

from __future__ import annotations

import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cobro.scoring.features import (
    FEATURES,
    Debtor,
    Ledger,
    Past,
    history_facts,
    paperless_slope,
    paperless_status,
)

D = date(2026, 1, 1)


def f(values: tuple[float, ...], name: str) -> float:
    return values[FEATURES.index(name)]


def inv(n: int, issued: date, paid_after: int | None, total: int = 100_00, terms: int = 30,
        payments: int = 1, disputed: bool = False, customer: int = 1) -> Past:  # fmt: skip
    settled = None if paid_after is None else issued + timedelta(days=paid_after)
    return Past(n, customer, issued, issued + timedelta(days=terms), total, settled, payments,
                disputed)  # fmt: skip


def facts_on(pasts: list[Past], on: date, total: int = 100_00, due: date | None = None,
             debtor: Debtor | None = None, beta: float = 0.0) -> tuple[float, ...]:  # fmt: skip
    ledger = Ledger(debtor or Debtor(1, "ES"), pasts, beta)
    ledger.advance(on)
    return ledger.facts(on, total, due).values


def test_a_customer_without_history_has_no_history_features() -> None:
    values = facts_on([], D)
    assert f(values, "settled") == 0
    for name in ("days_mean", "days_median", "days_recent", "late_share", "late_3m", "size"):
        assert math.isnan(f(values, name))
    assert f(values, "open_items") == 0


def test_days_to_settle_and_lateness_come_from_invoices_settled_before_the_day() -> None:
    # paid after 20, 40 and 45 days on 30-day terms: two of three late, by 10 and 15 days
    pasts = [inv(1, D, 20), inv(2, D + timedelta(days=10), 40), inv(3, D + timedelta(days=20), 45)]
    values = facts_on(pasts, D + timedelta(days=100))
    assert f(values, "settled") == 3
    assert f(values, "days_mean") == (20 + 40 + 45) / 3
    assert f(values, "days_median") == 40
    assert f(values, "late_share") == 2 / 3
    assert f(values, "late_days_mean") == (0 + 10 + 15) / 3


def test_an_invoice_settled_on_the_day_itself_is_not_yet_known() -> None:
    pasts = [inv(1, D, 20)]
    assert f(facts_on(pasts, D + timedelta(days=20)), "settled") == 0
    assert f(facts_on(pasts, D + timedelta(days=21)), "settled") == 1


def test_open_items_and_the_oldest_overdue_one_as_of_the_day() -> None:
    # issued on D, due D+30, paid D+50: open and 10 days overdue on D+40, closed on D+51
    pasts = [inv(1, D, 50), inv(2, D + timedelta(days=5), None)]
    on = D + timedelta(days=40)
    values = facts_on(pasts, on)
    assert f(values, "open_items") == 2
    assert f(values, "oldest_overdue") == 10
    later = facts_on(pasts, D + timedelta(days=51))
    assert f(later, "open_items") == 1
    assert f(later, "oldest_overdue") == 51 - 35  # invoice 2 is due on D+35


def test_the_credit_limit_in_use_counts_the_open_amount() -> None:
    pasts = [inv(1, D, None, total=300_00), inv(2, D, None, total=100_00)]
    values = facts_on(pasts, D + timedelta(days=1), debtor=Debtor(1, "ES", credit_limit=800_00))
    assert f(values, "limit_used") == 0.5
    assert math.isnan(f(facts_on(pasts, D + timedelta(days=1)), "limit_used"))


def test_amount_weighted_days_late_over_windows_forget_old_settlements() -> None:
    # 100.00 paid 10 days late, 300.00 paid 30 days late (settled on D+40 and D+60)
    pasts = [inv(1, D, 40, total=100_00), inv(2, D, 60, total=300_00)]
    values = facts_on(pasts, D + timedelta(days=61))
    assert f(values, "late_3m") == (100 * 10 + 300 * 30) / 400
    # 100 days after D+40 the first left the 3-month window (91 days): only the second counts
    values = facts_on(pasts, D + timedelta(days=140))
    assert f(values, "late_3m") == 30
    assert f(values, "late_12m") == 25
    assert f(values, "late_trend") == 5


def test_paid_in_parts_disputed_and_broken_promises() -> None:
    pasts = [inv(1, D, 20, payments=2), inv(2, D, 20, disputed=True), inv(3, D, 20)]
    broken = (D - timedelta(days=400), D + timedelta(days=10), D + timedelta(days=30))
    values = facts_on(pasts, D + timedelta(days=30), debtor=Debtor(1, "ES", broken=broken))
    assert f(values, "parts_share") == 1 / 3
    assert f(values, "dispute_share") == 1 / 3
    assert f(values, "broken_12m") == 1  # the one 400 days back is too old; D+30 is the day


def test_an_invoice_closed_by_a_credit_note_says_nothing_of_paying() -> None:
    pasts = [inv(1, D, 5, payments=0), inv(2, D, 40)]
    values = facts_on(pasts, D + timedelta(days=60))
    assert f(values, "settled") == 1
    assert f(values, "days_mean") == 40
    assert f(values, "open_items") == 0


def test_the_invoice_size_against_the_usual() -> None:
    pasts = [inv(1, D, 20, total=100_00), inv(2, D, 20, total=300_00)]
    values = facts_on(pasts, D + timedelta(days=1), total=400_00)
    assert math.isclose(f(values, "size"), math.log(2))  # the median is 200.00


def test_paperless_is_compared_with_the_day_never_read_as_a_date() -> None:
    debtor = Debtor(1, "ES", paperless_since=D + timedelta(days=10))
    assert paperless_status(debtor, D + timedelta(days=9)) == 0
    assert paperless_status(debtor, D + timedelta(days=10)) == 1
    assert f(facts_on([], D, debtor=debtor), "paperless") == 0


def test_past_invoices_are_moved_to_the_paperless_status_of_the_invoice_predicted() -> None:
    # paid after 40 days on paper; paperless since D+50; beta = −6: as if paperless, 34 days
    debtor = Debtor(1, "ES", paperless_since=D + timedelta(days=50))
    pasts = [inv(1, D, 40)]
    on_paper = facts_on(pasts, D + timedelta(days=45), debtor=debtor, beta=-6.0)
    paperless = facts_on(pasts, D + timedelta(days=60), debtor=debtor, beta=-6.0)
    assert f(on_paper, "days_mean") == 40
    assert f(paperless, "days_mean") == 34
    assert f(paperless, "late_share") == 1.0  # 34 days on 30-day terms is still late


def test_the_paperless_slope_is_learnt_within_customers() -> None:
    # customer 1: 40 days on paper, 34 paperless; customer 2 never changed (says nothing)
    rows = [(1, 0, 40.0), (1, 0, 40.0), (1, 1, 34.0), (1, 1, 34.0), (2, 0, 10.0), (2, 0, 90.0)]
    assert paperless_slope(rows) == -6.0
    assert paperless_slope([(2, 0, 10.0), (2, 0, 90.0)]) == 0.0


def test_the_usual_pay_day_of_the_month_gives_the_gap_from_a_due_date() -> None:
    # five invoices all paid on the 25th of a month
    pasts = [inv(n, date(2026, n, 1), 24) for n in range(1, 6)]
    values = facts_on(pasts, date(2026, 7, 1), due=date(2026, 7, 20))
    assert f(values, "payday_gap") == 5
    values = facts_on(pasts, date(2026, 7, 1), due=date(2026, 7, 28))
    assert f(values, "payday_gap") == 28  # the next 25th: August 25


def test_queries_in_day_order_give_what_each_day_alone_gives() -> None:
    pasts = [inv(1, D, 20), inv(2, D + timedelta(days=3), 50), inv(3, D + timedelta(days=9), 31)]
    days = [D + timedelta(days=n) for n in (0, 15, 25, 40, 60, 90)]
    together = list(history_facts(Debtor(1, "ES"), pasts, [(d, 100_00, None) for d in days], 0.0))
    for day, fact in zip(days, together, strict=True):
        assert _same(fact.values, facts_on(pasts, day))


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=True))


invoices = st.lists(
    st.tuples(st.integers(0, 400), st.one_of(st.none(), st.integers(0, 120)),
              st.integers(1, 10_000_00)),
    max_size=25,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(invoices, st.integers(0, 500))
def test_nothing_settled_or_issued_after_the_day_changes_its_features(
    drawn: list[tuple[int, int | None, int]], day: int
) -> None:
    on = D + timedelta(days=day)
    pasts = [inv(n, D + timedelta(days=i), paid, total) for n, (i, paid, total) in enumerate(drawn)]
    # what could be known on `on`: later invoices gone, later settlements still open
    known = [
        p._replace(settled_on=p.settled_on if p.settled_on and p.settled_on < on else None)
        for p in pasts
        if p.issue_date < on
    ]
    assert _same(facts_on(pasts, on), facts_on(known, on))
