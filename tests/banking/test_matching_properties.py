"""Whatever the line and the book, a proposal keeps the money straight. No database."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cobro.banking.matching import Book, MatchSettings, OpenItem, Party, propose
from cobro.banking.statement import Line
from cobro.invoice.rules import payment_reference

ON = date(2026, 3, 5)
IBANS = ["DE89370400440532013000", "ES9121000418450200051332", "NL91ABNA0417164300"]
NAMES = ["Alpha SL", "Beta GmbH", "García Hermanos, S.A.", "Gamma Ltd"]


@st.composite
def books(draw: st.DrawFn) -> tuple[Book, list[OpenItem]]:
    count = draw(st.integers(min_value=1, max_value=12))
    items = []
    for invoice_id in range(1, count + 1):
        number = draw(st.sampled_from(["F-2026-{:06d}", "INV{:05d}", "2026-{:04d}"])).format(
            draw(st.integers(min_value=1, max_value=60))
        )
        amount = draw(st.integers(min_value=1, max_value=5000_00))
        discount = draw(st.integers(min_value=0, max_value=amount // 10))
        items.append(
            OpenItem(
                invoice_id=invoice_id,
                number=number,
                customer_id=draw(st.integers(min_value=1, max_value=4)),
                currency=draw(st.sampled_from(["EUR", "EUR", "USD"])),
                open_amount=amount,
                total=amount + draw(st.integers(min_value=0, max_value=100_00)),
                due_date=ON + timedelta(days=draw(st.integers(min_value=-90, max_value=30))),
                issue_date=ON - timedelta(days=100),
                payment_reference=payment_reference("T", number),
                discount_until=ON + timedelta(days=draw(st.integers(-5, 5))) if discount else None,
                discount_amount=discount,
            )
        )
    parties = [
        Party(
            customer,
            NAMES[customer - 1],
            frozenset(draw(st.lists(st.sampled_from(IBANS), max_size=1))),
        )
        for customer in range(1, 5)
    ]
    return Book(items, parties), items


@st.composite
def lines(draw: st.DrawFn, items: list[OpenItem]) -> Line:
    picked = draw(st.lists(st.sampled_from(items), min_size=1, max_size=3, unique=True))
    exact = sum(item.open_amount for item in picked)
    amount = draw(
        st.one_of(
            st.just(exact),
            st.integers(min_value=-100_00, max_value=20000_00),
            st.integers(min_value=max(1, exact - 30_00), max_value=exact + 30_00),
        )
    )
    words = [draw(st.sampled_from([i.number, i.payment_reference, "x"])) for i in picked]
    return Line(
        amount=amount,
        currency=draw(st.sampled_from(["EUR", "USD"])),
        booking_date=ON,
        value_date=ON,
        counterparty_name=draw(st.sampled_from([*NAMES, "Nobody", None])),
        counterparty_iban=draw(st.sampled_from([*IBANS, None])),
        remittance=" ".join(words),
        structured_reference=draw(st.sampled_from([None, picked[0].payment_reference])),
    )


@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_every_proposal_keeps_the_money_straight(data: st.DataObject) -> None:
    book, items = data.draw(books())
    line = data.draw(lines(items))
    chosen = MatchSettings(
        auto_threshold=data.draw(st.integers(min_value=50, max_value=100)),
        max_combined=data.draw(st.integers(min_value=1, max_value=6)),
        suggestions=data.draw(st.integers(min_value=1, max_value=5)),
    )
    proposal = propose(line, book, ON, chosen)
    by_id = {item.invoice_id: item for item in items}
    if line.amount <= 0:
        assert proposal.candidates == ()
        assert not proposal.auto
    assert len(proposal.candidates) <= chosen.suggestions
    scores = [candidate.score for candidate in proposal.candidates]
    assert scores == sorted(scores, reverse=True)
    for candidate in proposal.candidates:
        paid = sum(amount for _, amount in candidate.shares)
        assert paid + candidate.unapplied == line.amount
        assert all(amount > 0 for _, amount in candidate.shares)
        assert all(amount <= by_id[invoice].open_amount for invoice, amount in candidate.shares)
        assert {by_id[invoice].customer_id for invoice, _ in candidate.shares} <= {
            candidate.customer_id
        }
        assert 0 <= candidate.score <= 100
        assert candidate.unapplied >= 0
        assert candidate.discount >= 0
        assert candidate.charges >= 0
        if candidate.discount or candidate.charges:  # only when the invoices are settled in full
            owed = sum(by_id[invoice].open_amount for invoice, _ in candidate.shares)
            assert paid + candidate.discount + candidate.charges == owed
    if proposal.auto:
        assert proposal.candidates[0].score >= chosen.auto_threshold
        assert proposal.why_not_auto is None
    else:
        assert proposal.why_not_auto


@given(data=st.data())
@settings(max_examples=100, deadline=None)
def test_an_automatic_match_is_never_in_another_currency(data: st.DataObject) -> None:
    book, items = data.draw(books())
    line = data.draw(lines(items))
    proposal = propose(line, book, ON)
    if proposal.auto:
        invoices = {invoice for invoice, _ in proposal.candidates[0].shares}
        assert {item.currency for item in items if item.invoice_id in invoices} == {line.currency}
