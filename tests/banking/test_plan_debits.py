"""Payment-plan installments collected by direct debit: what the installments due by the
collection date still lack is debited with the customer's other invoices due, applied to the
plan's oldest invoices; a second batch does not debit it again; a plan made too late to
pre-notify waits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking import debits
from cobro.company.models import Company
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import check_ledger
from cobro.plan.review import review_plans
from cobro.plan.service import Ask, make_plan
from tests.banking.test_debits import BY, COLLECT, NOW, company, due_invoice, with_mandate
from tests.factories.ledger import make_invoice

__all__ = ["company"]  # the fixture, shared with the other direct-debit tests

MADE = date(2026, 3, 2)  # 18 days before the collection date: pre-notified in time


def test_an_installment_is_debited_once_with_the_other_invoices_due(
    session: Session, company: Company
) -> None:
    customer = with_mandate(session, company)
    planned = make_invoice(session, company, customer, 900_00, date(2026, 1, 2), date(2026, 2, 1))
    ask = Ask(3, "monthly", date(2026, 3, 20), invoices=[planned.number])
    plan = make_plan(session, company, customer.external_id, ask, MADE, "call")
    other = due_invoice(session, company, customer, 40_00)
    batch = debits.plan_batch(session, company, COLLECT, MADE)
    [debit] = batch.collections
    assert [invoice.number for invoice in debit.invoices] == [other.number, planned.number]
    assert debit.amount == 40_00 + 300_00  # the invoice due, and the first installment
    assert batch.waiting == []  # the plan's invoice is collected by its installments
    [written] = debits.export_batches(session, company, COLLECT, "pain.008.001.08", MADE, BY, NOW)
    assert written.total == 340_00
    assert '<InstdAmt Ccy="EUR">340.00</InstdAmt>' in written.document
    applied = dict(
        session.execute(
            select(Allocation.invoice_id, Allocation.amount)
            .join(Payment, Payment.id == Allocation.payment_id)
            .where(Payment.method == "sepa direct debit")
        ).all()
    )
    assert applied == {other.id: 40_00, planned.id: 300_00}
    assert check_ledger(session, company.id) == []
    # the next batch, before or after the review, finds the installment paid
    assert debits.plan_batch(session, company, COLLECT, MADE).collections == []
    review_plans(session, company, COLLECT)
    assert plan.status == "active"
    assert debits.plan_batch(session, company, date(2026, 4, 20), MADE).collections[0].amount == (
        300_00
    )


def test_a_plan_made_too_late_to_pre_notify_waits(session: Session, company: Company) -> None:
    customer = with_mandate(session, company)
    planned = make_invoice(session, company, customer, 900_00, date(2026, 1, 2), date(2026, 2, 1))
    ask = Ask(3, "monthly", date(2026, 3, 20), invoices=[planned.number])
    make_plan(session, company, customer.external_id, ask, date(2026, 3, 15), "call")
    batch = debits.plan_batch(session, company, COLLECT, date(2026, 3, 15))
    assert batch.collections == []
    [(number, why)] = batch.waiting
    assert number == planned.number
    assert "too late to pre-notify" in why
