"""Stories over dates: a debtor promises to pay; the chase waits while the promise runs, and
ends it kept the day the money is applied, or broken once the grace days are over (then the
chase resumes where the item is, and a collector is asked to call)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.policy.models import Hold
from cobro.promise.service import make_promise
from cobro.task.models import Task
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

DUE = date(2026, 3, 2)  # a Monday


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def queued_on(session: Session, customer: Customer, on: date) -> set[str]:
    rows = session.scalars(
        select(Action.stage).where(Action.customer_id == customer.id, Action.cycle_on == on)
    )
    return set(rows)


def setup(session: Session) -> tuple[Company, Customer, Invoice]:
    company = make_company(session)
    customer = make_customer(session, company, "ACME", name="Acme Distribución S.L.")
    invoice = make_invoice(session, company, customer, 1200_00, date(2026, 1, 31), DUE, "F-88")
    for offset in range(0, 4):
        run_cycle(session, company, day(offset))
    assert queued_on(session, customer, day(3)) == {"reminder-1"}
    return company, customer, invoice


def test_a_promise_kept_pauses_the_chase_and_ends_the_day_the_money_is_applied(
    session: Session,
) -> None:
    company, customer, invoice = setup(session)
    # day 4: on the phone, the debtor promises the whole amount by day 12 (held to day 15)
    promise = make_promise(session, company, "ACME", 1200_00, None, day(12), day(4), "call")
    for offset in range(4, 10):
        report = run_cycle(session, company, day(offset))
        assert report.promises_kept == 0
    # day 10 is reminder-2's day: held by the promise, nothing is queued
    report = run_cycle(session, company, day(10))
    assert queued_on(session, customer, day(10)) == set()
    assert report.held["promise"] == 1
    assert promise.status == "open"
    # day 11: the transfer comes and is applied; that day's cycle ends the promise kept
    make_payment(session, company, customer, 1200_00, day(11), (invoice.number,))
    report = run_cycle(session, company, day(11))
    assert (report.promises_kept, report.promises_broken) == (1, 0)
    assert (promise.status, promise.paid, promise.resolved_on) == ("kept", 1200_00, day(11))
    holds = session.scalars(select(Hold).where(Hold.promise_id == promise.id)).all()
    assert [hold.released_on for hold in holds] == [day(11)]
    for offset in range(12, 25):
        run_cycle(session, company, day(offset))
        assert queued_on(session, customer, day(offset)) == set()
    assert session.scalars(select(Task).where(Task.customer_id == customer.id)).all() == []


def test_a_promise_broken_holds_until_due_plus_grace_then_the_chase_resumes(
    session: Session,
) -> None:
    company, customer, invoice = setup(session)
    # day 4: a promise of half by day 8; the chase waits to day 11 (3 days' grace)
    promise = make_promise(
        session, company, "ACME", 600_00, None, day(8), day(4), "call", [invoice.number]
    )
    for offset in range(4, 12):
        report = run_cycle(session, company, day(offset))
        assert queued_on(session, customer, day(offset)) == set(), offset
        assert report.promises_broken == 0
    # half of the half came: not enough
    make_payment(session, company, customer, 300_00, day(9), (invoice.number,))
    assert promise.status == "open"
    # day 12: the grace is over. The promise is broken and the chase takes the item up at the
    # stage it has reached (reminder-2, due since day 10)
    report = run_cycle(session, company, day(12))
    assert report.promises_broken == 1
    assert (promise.status, promise.paid, promise.resolved_on) == ("broken", 300_00, day(12))
    assert queued_on(session, customer, day(12)) == {"reminder-2"}
    [task] = session.scalars(select(Task).where(Task.customer_id == customer.id)).all()
    assert task.kind == "call"
    assert task.title.startswith("Promise broken: Acme Distribución S.L. promised 600.00 EUR")
    # the next days: no second task, no second break
    report = run_cycle(session, company, day(13))
    assert report.promises_broken == 0
    assert len(session.scalars(select(Task).where(Task.customer_id == customer.id)).all()) == 1
