from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.setoff.rules import Document, Exposure, exposures, propose, qualifies

ON = date(2026, 3, 1)


def doc(id: int, amount: int, due: date = date(2026, 1, 31), currency: str = "EUR") -> Document:
    return Document(id, f"N{id}", due, currency, amount)


def test_net_exposure_is_per_currency_never_across() -> None:
    found = exposures({"EUR": 800_00, "USD": 50_00}, {"EUR": 500_00, "GBP": 20_00})
    assert found == [
        Exposure("EUR", 800_00, 500_00),
        Exposure("GBP", 0, 20_00),
        Exposure("USD", 50_00, 0),
    ]
    assert [(e.net, e.settable) for e in found] == [(300_00, 500_00), (-20_00, 0), (50_00, 0)]


def test_the_proposal_sets_off_the_smaller_side_equal_on_both_sides() -> None:
    proposal = propose([doc(1, 800_00)], [doc(2, 300_00), doc(3, 200_00)], "EUR")
    assert proposal.amount == 500_00
    assert [(line.id, line.amount) for line in proposal.invoices] == [(1, 500_00)]
    assert [(line.id, line.amount) for line in proposal.bills] == [(2, 300_00), (3, 200_00)]


def test_the_oldest_due_documents_are_paid_first() -> None:
    receivables = [doc(1, 100_00, date(2026, 2, 1)), doc(2, 100_00, date(2026, 1, 1))]
    payables = [doc(3, 60_00, date(2026, 5, 1)), doc(4, 90_00, date(2026, 4, 1))]
    proposal = propose(receivables, payables, "EUR")
    assert [(line.id, line.amount) for line in proposal.invoices] == [(2, 100_00), (1, 50_00)]
    assert [(line.id, line.amount) for line in proposal.bills] == [(4, 90_00), (3, 60_00)]


def test_another_currency_is_never_set_off() -> None:
    receivables = [doc(1, 100_00, currency="USD"), doc(2, 40_00)]
    payables = [doc(3, 100_00, currency="GBP"), doc(4, 100_00)]
    proposal = propose(receivables, payables, "EUR")
    assert proposal.amount == 40_00
    assert [line.id for line in proposal.invoices + proposal.bills] == [2, 4]
    with pytest.raises(Invalid) as refused:
        propose(receivables, payables, "USD")
    assert refused.value.field == "currency"


@pytest.mark.parametrize("amount", [0, -1, 100_01])
def test_an_amount_not_positive_or_above_what_can_be_set_off_is_refused(amount: int) -> None:
    with pytest.raises(Invalid) as refused:
        propose([doc(1, 100_00)], [doc(2, 500_00)], "EUR", amount)
    assert refused.value.field == "amount"


def test_a_part_of_what_can_be_set_off_takes_the_oldest_part() -> None:
    proposal = propose([doc(1, 100_00), doc(2, 100_00, date(2026, 3, 1))], [doc(3, 500_00)],
                       "EUR", 150_00)  # fmt: skip
    assert [(line.id, line.amount) for line in proposal.invoices] == [(1, 100_00), (2, 50_00)]
    assert [(line.id, line.amount) for line in proposal.bills] == [(3, 150_00)]


def test_a_customer_qualifies_only_where_they_owe_overdue_money_and_we_owe_them() -> None:
    not_due = [doc(1, 100_00, date(2026, 3, 10))]
    assert qualifies(not_due, [doc(2, 50_00)], ON) == {}
    overdue = [*not_due, doc(3, 30_00, date(2026, 2, 1))]
    assert qualifies(overdue, [doc(2, 50_00)], ON) == {"EUR": 50_00}
    assert qualifies(overdue, [doc(2, 50_00, currency="USD")], ON) == {}
    assert qualifies(overdue, [], ON) == {}


documents = st.lists(
    st.tuples(
        st.integers(1, 10**12),
        st.dates(date(2025, 1, 1), date(2027, 1, 1)),
        st.sampled_from(["EUR", "USD"]),
    ),
    max_size=8,
)


@given(documents, documents, st.sampled_from(["EUR", "USD"]), st.integers(1, 10**13))
def test_a_proposal_never_exceeds_either_side_and_its_sides_add_up(
    owed: list[tuple[int, date, str]],
    owe: list[tuple[int, date, str]],
    currency: str,
    amount: int,
) -> None:
    receivables = [Document(i, f"I{i}", d, c, a) for i, (a, d, c) in enumerate(owed)]
    payables = [Document(i, f"B{i}", d, c, a) for i, (a, d, c) in enumerate(owe)]
    side = {
        name: sum(d.open_amount for d in docs if d.currency == currency)
        for name, docs in (("owed", receivables), ("owe", payables))
    }
    available = min(side.values())
    if available == 0 or amount > available:
        with pytest.raises(Invalid):
            propose(receivables, payables, currency, amount)
        return
    proposal = propose(receivables, payables, currency, amount)
    assert proposal.amount == amount <= min(side["owed"], side["owe"])
    assert sum(line.amount for line in proposal.invoices) == amount
    assert sum(line.amount for line in proposal.bills) == amount
    for line in proposal.invoices + proposal.bills:
        assert 0 < line.amount <= line.open_amount
    everything = propose(receivables, payables, currency)
    assert everything.amount == available
