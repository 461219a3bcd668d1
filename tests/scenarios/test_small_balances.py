"""A story over dates: a customer pays an invoice 0.40 short; with a small-balance limit of
1.00 the next daily cycle writes the remainder off, and the chase never comes back for it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.cycle.service import run_cycle
from cobro.invoice.models import WriteOff
from cobro.kit.dates import utcnow
from cobro.outbox.models import Action
from cobro.payment.service import check_ledger
from cobro.writeoff.settings import change_write_off_settings
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

DUE = date(2026, 3, 2)


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def test_a_short_payment_leaves_a_remainder_the_next_cycle_writes_off(session: Session) -> None:
    company = make_company(session)
    change_write_off_settings(
        session, company, {"small_balance_limit": 1_00}, (None, "story"), utcnow()
    )
    customer = make_customer(session, company, "SHORT", name="Pago Corto S.L.")
    invoice = make_invoice(session, company, customer, 250_00, date(2026, 2, 1), DUE, "F-40")
    for offset in range(0, 10):
        run_cycle(session, company, day(offset))
    chased_before = session.scalars(
        select(Action.stage).where(Action.customer_id == customer.id)
    ).all()
    assert chased_before  # the chase was on
    # day 10: the customer pays 249.60 (bank charges, a rounding): 0.40 is left open
    make_payment(session, company, customer, 249_60, day(10), (invoice.number,))
    assert invoice.open_amount == 40

    report = run_cycle(session, company, day(11))

    assert report.small_balances == 1
    assert invoice.open_amount == 0
    assert invoice.settled_on == day(11)
    [entry] = session.scalars(select(WriteOff).where(WriteOff.invoice_id == invoice.id)).all()
    assert (entry.amount, entry.reason_code, entry.approved_by) == (40, "small_balance", "cycle")
    assert check_ledger(session, company.id) == []
    # never chased again, whatever the days bring
    for offset in range(12, 120, 3):
        assert run_cycle(session, company, day(offset)).small_balances == 0
    later = session.scalars(
        select(Action.id).where(Action.customer_id == customer.id, Action.cycle_on > day(11))
    ).all()
    assert later == []
