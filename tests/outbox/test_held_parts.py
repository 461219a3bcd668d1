"""A hold on part of an invoice (a dispute of part of it): the cycle and the messages chase
the rest; an invoice whose whole open amount is held in parts is not chased at all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from cobro.cycle.service import run_cycle
from cobro.errors import Invalid
from cobro.outbox.snapshot import load_snapshot
from cobro.policy.holds import HoldPart, active_holds, place_hold
from tests.factories.ledger import make_company, make_customer, make_invoice

DUE = date(2026, 3, 2)


def test_the_rest_of_a_part_held_invoice_is_chased(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    partly = make_invoice(session, company, customer, 100_00, date(2026, 2, 1), DUE)
    wholly = make_invoice(session, company, customer, 50_00, date(2026, 2, 1), DUE)
    on = DUE + timedelta(days=3)
    for invoice, amount in ((partly, 30_00), (wholly, 20_00), (wholly, 30_00)):
        place_hold(
            session, company, customer, "dispute", "price", on, invoice=invoice,
            part=HoldPart(amount=amount),
        )  # fmt: skip
    holds = active_holds(session, company.id, on)
    assert holds.parts == {partly.id: (30_00, "dispute"), wholly.id: (50_00, "dispute")}
    assert holds.invoices == {}
    report = run_cycle(session, company, on)
    assert report.held == {"dispute": 1}  # the wholly held one; the other moved
    snapshot = load_snapshot(session, [customer.id], on)
    assert [invoice.id for invoice, _policy, _stage in snapshot.chased(customer.id)] == [partly.id]
    assert snapshot.held[partly.id] == 30_00


@pytest.mark.parametrize(("whole_customer", "amount"), [(True, 10_00), (False, 0), (False, -5)])
def test_a_part_hold_needs_an_invoice_and_a_positive_amount(
    session: Session, whole_customer: bool, amount: int
) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, 100_00, date(2026, 2, 1), DUE)
    with pytest.raises(Invalid) as refused:
        place_hold(
            session, company, customer, "dispute", "price", DUE,
            invoice=None if whole_customer else invoice, part=HoldPart(amount=amount),
        )  # fmt: skip
    assert refused.value.field == "amount"
