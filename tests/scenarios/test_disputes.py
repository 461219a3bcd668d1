"""Stories over dates: a dispute upheld ends in a credit note and no reminder meanwhile; a
dispute rejected is chased again from the next cycle; a dispute of part of an invoice leaves
the rest chased."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.dispute.resolve import resolve_dispute
from cobro.dispute.service import ItemIn, open_dispute
from cobro.invoice.models import CreditNote, Invoice
from cobro.outbox.models import Action
from cobro.payment.service import check_ledger
from cobro.policy.models import ChaseStep
from cobro.task.models import Task
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

DUE = date(2026, 3, 2)  # a Monday


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def actions_on(session: Session, customer: Customer, on: date) -> set[str]:
    return set(
        session.scalars(
            select(Action.stage).where(Action.customer_id == customer.id, Action.cycle_on == on)
        )
    )


def setup(session: Session) -> tuple[Company, Customer, Invoice]:
    company = make_company(session)
    customer = make_customer(session, company, "ACME", name="Acme Distribución S.L.")
    invoice = make_invoice(session, company, customer, 1200_00, date(2026, 1, 31), DUE, "F-88")
    return company, customer, invoice


def test_an_upheld_dispute_ends_in_a_credit_note_and_no_reminder_meanwhile(
    session: Session,
) -> None:
    company, customer, invoice = setup(session)
    run_cycle(session, company, day(0))
    dispute = open_dispute(
        session, company, "ACME", [ItemIn("F-88")], "quality", "Damaged pallets", day(1), "call"
    )
    for offset in range(1, 12):
        run_cycle(session, company, day(offset))
        assert actions_on(session, customer, day(offset)) == set(), offset
    resolve_dispute(session, company, dispute.id, "credit", day(12), note="carrier's fault")
    assert invoice.open_amount == 0
    assert invoice.settled_on == day(12)
    assert session.scalars(select(CreditNote.number)).one() == f"CN-D{dispute.id}-1"
    assert session.scalars(select(Task.status).where(Task.kind == "review")).one() == "done"
    for offset in range(12, 60):
        assert run_cycle(session, company, day(offset)).created == 0
    assert check_ledger(session, company.id) == []


def test_a_rejected_dispute_is_chased_again_from_the_next_cycle(session: Session) -> None:
    company, customer, _ = setup(session)
    dispute = open_dispute(
        session, company, "ACME", [ItemIn("F-88")], "price", "Too dear", day(1), "web"
    )
    for offset in range(1, 10):
        run_cycle(session, company, day(offset))
        assert actions_on(session, customer, day(offset)) == set(), offset
    resolve_dispute(session, company, dispute.id, "reject", day(10), note="price as agreed")
    run_cycle(session, company, day(10))
    assert actions_on(session, customer, day(10)) != set()


def test_a_partial_dispute_leaves_the_undisputed_rest_chased(session: Session) -> None:
    company, customer, invoice = setup(session)
    open_dispute(
        session,
        company,
        "ACME",
        [ItemIn("F-88", 300_00)],
        "price",
        "300 too much",
        day(1),
        "portal",
    )
    chased: set[str] = set()
    for offset in range(1, 12):
        run_cycle(session, company, day(offset))
        chased |= actions_on(session, customer, day(offset))
    assert chased  # the rest is reminded
    steps = session.scalars(
        select(ChaseStep.open_amount).where(ChaseStep.invoice_id == invoice.id)
    ).all()
    assert steps
    assert set(steps) == {900_00}
    # the customer pays the undisputed 900: what is left is all disputed, and held
    make_payment(session, company, customer, 900_00, day(12), invoices=("F-88",))
    assert invoice.open_amount == 300_00
    for offset in range(12, 40):
        assert run_cycle(session, company, day(offset)).created == 0, offset
