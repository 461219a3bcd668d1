"""Stories over dates: a customer who is also a supplier (we owe them vendor bills) is offered
a set-off instead of a reminder; once the set-off pays everything nothing more is chased; a
customer we owe nothing is chased as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.outbox.models import Action
from cobro.payment.service import check_ledger
from cobro.setoff.service import apply_set_off
from cobro.task.models import Task
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.factories.setoff import make_bill

DUE = date(2026, 3, 2)  # a Monday


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def at(offset: int) -> datetime:
    return datetime.combine(day(offset), datetime.min.time(), UTC) + timedelta(hours=8)


def queued(session: Session, customer: Customer) -> list[tuple[date, str, str]]:
    rows = session.execute(
        select(Action.cycle_on, Action.stage, Action.kind)
        .where(Action.customer_id == customer.id)
        .order_by(Action.cycle_on, Action.kind)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def reviews(session: Session, customer: Customer) -> list[Task]:
    query = select(Task).where(Task.customer_id == customer.id, Task.kind == "review")
    return list(session.scalars(query))


def setup(session: Session) -> tuple[Company, Customer, Customer]:
    company = make_company(session)
    supplier = make_customer(session, company, "SUP", name="Transportes Sur S.L.")
    make_invoice(session, company, supplier, 1200_00, date(2026, 1, 31), DUE, "F-1")
    make_bill(session, company, supplier, 1500_00, due_date=day(20), number="TS-77")
    plain = make_customer(session, company, "PLAIN", name="Cliente Normal S.A.")
    make_invoice(session, company, plain, 1200_00, date(2026, 1, 31), DUE, "F-2")
    return company, supplier, plain


def test_a_supplier_is_offered_a_set_off_instead_of_a_reminder(session: Session) -> None:
    company, supplier, plain = setup(session)
    reports = [run_cycle(session, company, day(offset), at(offset)) for offset in range(0, 8)]
    # the customer we owe nothing gets its reminders as before
    chased = queued(session, plain)
    assert any(kind == "email" and on > DUE for on, _stage, kind in chased)
    first = min(on for on, _stage, kind in chased if kind == "email" and on > DUE)
    # the supplier reached no reminder: nothing debtor-facing after the due day
    assert [row for row in queued(session, supplier) if row[0] > DUE] == []
    report = reports[(first - DUE).days]
    assert report.held["set_off"] == 1
    assert report.set_off_hints == 1
    # one review task, however many days the hint stands
    tasks = reviews(session, supplier)
    assert [task.status for task in tasks] == ["open"]
    assert tasks[0].title == (
        "Set-off possible with Transportes Sur S.L.: we owe them 1,500.00 EUR; "
        "they owe 1,200.00 EUR"
    )
    assert run_cycle(session, company, day(7), at(7)).set_off_hints == 1
    assert len(reviews(session, supplier)) == 1

    # the set-off pays everything they owe: nothing more is chased, the task is done
    applied = apply_set_off(session, company, "SUP", None, day(8), (None, "story"), now=at(8))
    assert applied.set_off.amount == 1200_00
    assert check_ledger(session, company.id) == []
    assert [task.status for task in reviews(session, supplier)] == ["done"]
    for offset in range(8, 40):
        report = run_cycle(session, company, day(offset), at(offset))
        assert report.set_off_hints == 0
    assert [row for row in queued(session, supplier) if row[0] > DUE] == []
    assert len(reviews(session, supplier)) == 1


def test_a_supplier_owed_less_than_they_owe_is_chased_for_the_rest_after_the_set_off(
    session: Session,
) -> None:
    company = make_company(session)
    supplier = make_customer(session, company, "SUP", name="Transportes Sur S.L.")
    invoice = make_invoice(session, company, supplier, 1200_00, date(2026, 1, 31), DUE, "F-1")
    make_bill(session, company, supplier, 200_00, due_date=day(20))
    for offset in range(0, 5):
        run_cycle(session, company, day(offset), at(offset))
    assert [row for row in queued(session, supplier) if row[0] > DUE] == []
    apply_set_off(session, company, "SUP", "EUR", day(5), (None, "story"), now=at(5))
    assert invoice.open_amount == 1000_00
    reports = [run_cycle(session, company, day(offset), at(offset)) for offset in range(5, 12)]
    assert all(report.held["set_off"] == 0 for report in reports)
    assert any(kind == "email" for on, _stage, kind in queued(session, supplier) if on > DUE)
