"""A placement and recall, over dates: while a customer's invoices are placed with an agency
no reminder is queued; after the recall the next cycle chases them again; a payment the
agency collected, synced from its file, closes the placement and the chase ends."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.legal.agency_export import export_placement
from cobro.legal.placements import place, recall, sync_payments
from cobro.outbox.models import Action
from cobro.payment.service import check_ledger
from tests.factories.ledger import make_company, make_customer, make_invoice

DUE = date(2026, 3, 2)  # a Monday


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def queued(session: Session, customer: Customer, first: int, last: int) -> set[str]:
    rows = session.scalars(
        select(Action.stage).where(
            Action.customer_id == customer.id,
            Action.cycle_on >= day(first),
            Action.cycle_on <= day(last),
        )
    )
    return set(rows)


def test_a_placement_and_recall(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "ACME", name="Acme Distribución S.L.")
    invoice = make_invoice(session, company, customer, 1200_00, date(2026, 1, 31), DUE, "F-88")
    # day 1: placed with the agency before the first reminder (day 3) could go out
    placement = place(session, company, "ACME", "Recobros Norte", day(1), reference="RN-1")
    for offset in range(0, 30):
        run_cycle(session, company, day(offset))
    assert queued(session, customer, 0, 0) == {"due"}  # the day before it was placed
    assert queued(session, customer, 1, 29) == set()
    assert "F-88" in export_placement(session, company, placement.id, "csv", day(10))
    # day 30: taken back; the next cycle chases the item at the stage it is due for
    recall(session, company, placement.id, day(30))
    run_cycle(session, company, day(30))
    assert queued(session, customer, 30, 30) != set()
    # placed again; the agency collects it and its file says so
    again = place(session, company, "ACME", "Cobros Sur", day(31))
    for offset in range(31, 40):
        run_cycle(session, company, day(offset))
    assert queued(session, customer, 31, 39) == set()
    paid = "reference,invoice,date,amount\nCS-1,F-88,2026-04-10,1200.00\n"
    result = sync_payments(session, company, again.id, paid, day(40))
    assert result.closed
    assert (again.status, invoice.open_amount) == ("closed", 0)
    for offset in range(40, 60):
        assert run_cycle(session, company, day(offset)).created == 0
    assert sync_payments(session, company, again.id, paid, day(60)).recorded == 0
    assert check_ledger(session, company.id) == []
