"""Write-offs on a real database: made at once or waiting for approval, approved, rejected,
cancelled, and the small remainders the cycle writes off; the ledger always adds up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.auth.errors import Forbidden
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice, WriteOff
from cobro.kit.dates import utcnow
from cobro.kit.pagination import PageRequest
from cobro.payment.service import check_ledger
from cobro.policy.holds import place_hold
from cobro.task.models import Task
from cobro.writeoff import service
from cobro.writeoff.models import WriteOffRequest
from cobro.writeoff.queries import recent_write_offs, requests_page
from cobro.writeoff.settings import change_write_off_settings, write_off_settings
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

ON = date(2026, 3, 1)
ANA = (None, "ana@acme.es")  # a collector
BEA = (None, "bea@acme.es")  # a manager


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    company.collector_write_off_limit = 50_00
    company.manager_write_off_limit = 500_00
    return company


def invoice_of(session: Session, company: Company, total: int = 100_00) -> Invoice:
    return make_invoice(session, company, make_customer(session, company), total)


def events(session: Session, company: Company, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.company_id == company.id, AuditEvent.action == action
            )
        )
    )


def ask(
    session: Session,
    company: Company,
    number: str,
    amount: int | None,
    by: tuple[None, str] = ANA,
    role: str = "collector",
) -> WriteOff | WriteOffRequest:
    return service.request_write_off(
        session, company, number, amount, "bad_debt", "insolvent", ON, by, role
    )


def test_within_the_limit_the_write_off_is_made_at_once(session: Session, company: Company) -> None:
    invoice = invoice_of(session, company)
    made = ask(session, company, invoice.number, 50_00)
    assert isinstance(made, WriteOff)
    assert (made.amount, made.reason_code, made.approved_by) == (50_00, "bad_debt", ANA[1])
    assert invoice.open_amount == 50_00
    [event] = events(session, company, "invoice.written_off")
    assert event.before is not None
    assert event.after is not None
    assert (event.before["open_amount"], event.after["open_amount"]) == (100_00, 50_00)
    assert check_ledger(session, company.id) == []


def test_above_the_limit_it_waits_for_approval_with_a_review_task(
    session: Session, company: Company
) -> None:
    invoice = invoice_of(session, company)
    asked = ask(session, company, invoice.number, None)
    assert isinstance(asked, WriteOffRequest)
    assert (asked.status, asked.amount, asked.requested_by) == ("pending", None, ANA[1])
    assert invoice.open_amount == 100_00  # nothing written yet
    [task] = session.scalars(select(Task).where(Task.invoice_id == invoice.id)).all()
    assert (task.kind, task.assignee, task.status) == ("review", None, "open")
    assert events(session, company, "write_off.requested")
    with pytest.raises(Conflict):  # one waiting request per invoice
        ask(session, company, invoice.number, 60_00)
    page = requests_page(session, company.id, PageRequest(), "pending")
    assert [row.id for row in page.items] == [asked.id]
    assert page.items[0].amount_now == 100_00

    with pytest.raises(Forbidden):  # four eyes: not even a manager approves their own
        service.approve(session, company, asked.id, ON, ANA, "manager")
    with pytest.raises(Forbidden):  # another collector's limit does not cover it
        service.approve(session, company, asked.id, ON, (None, "cid@acme.es"), "collector")
    made = service.approve(session, company, asked.id, date(2026, 3, 2), BEA, "manager")
    assert (made.amount, made.approved_by, made.written_off_on) == (
        100_00,
        BEA[1],
        date(2026, 3, 2),
    )
    assert (asked.status, asked.decided_by, asked.write_off_id) == ("approved", BEA[1], made.id)
    assert invoice.open_amount == 0
    assert task.status == "done"
    with pytest.raises(Conflict):  # decided: once
        service.approve(session, company, asked.id, ON, BEA, "manager")
    assert recent_write_offs(session, company.id)[0].approved_by == BEA[1]
    assert check_ledger(session, company.id) == []


def test_a_payment_that_shrank_the_invoice_meanwhile_stops_the_approval(
    session: Session, company: Company
) -> None:
    invoice = invoice_of(session, company)
    asked = ask(session, company, invoice.number, 80_00)
    assert isinstance(asked, WriteOffRequest)
    customer = session.get_one(Customer, invoice.customer_id)
    make_payment(session, company, customer, 30_00, invoices=(invoice.number,))
    assert invoice.open_amount == 70_00
    with pytest.raises(Conflict) as stopped:
        service.approve(session, company, asked.id, ON, BEA, "manager")
    assert stopped.value.field == "amount"
    assert "7000 is open" in stopped.value.message
    assert asked.status == "pending"
    assert session.scalars(select(WriteOff).where(WriteOff.invoice_id == invoice.id)).all() == []
    assert invoice.open_amount == 70_00
    assert check_ledger(session, company.id) == []


def test_reject_and_cancel_leave_the_invoice_open(session: Session, company: Company) -> None:
    first, second = invoice_of(session, company), invoice_of(session, company)
    rejected = ask(session, company, first.number, 90_00)
    cancelled = ask(session, company, second.number, 90_00)
    assert isinstance(rejected, WriteOffRequest)
    assert isinstance(cancelled, WriteOffRequest)
    with pytest.raises(Forbidden):
        service.reject(session, company, rejected.id, ANA, "manager")
    service.reject(session, company, rejected.id, BEA, "manager", note="call them again")
    assert (rejected.status, rejected.decision_note) == ("rejected", "call them again")
    with pytest.raises(Forbidden):  # only who asked cancels
        service.cancel(session, company, cancelled.id, BEA)
    service.cancel(session, company, cancelled.id, ANA)
    assert cancelled.status == "cancelled"
    assert (first.open_amount, second.open_amount) == (100_00, 100_00)
    [rejection] = events(session, company, "write_off.rejected")
    assert rejection.after is not None
    assert rejection.after["status"] == "rejected"
    assert len(events(session, company, "write_off.cancelled")) == 1
    with pytest.raises(NotFound):
        service.cancel(session, company, 10**9, ANA)


def test_what_may_not_be_asked(session: Session, company: Company) -> None:
    invoice = invoice_of(session, company)
    with pytest.raises(Forbidden):
        ask(session, company, invoice.number, 1_00, role="viewer")
    with pytest.raises(Invalid) as too_much:
        ask(session, company, invoice.number, 100_01)
    assert too_much.value.field == "amount"
    with pytest.raises(Invalid) as code:
        service.request_write_off(
            session, company, invoice.number, None, "nope", "x", ON, ANA, "admin"
        )
    assert code.value.field == "reason_code"
    with pytest.raises(NotFound):
        ask(session, company, "NO-SUCH", 1_00)
    ask(session, company, invoice.number, None, role="admin")
    with pytest.raises(Conflict):  # paid: nothing to write off
        ask(session, company, invoice.number, None, role="admin")


def test_small_balances_only_remainders_not_held_past_due(
    session: Session, company: Company
) -> None:
    company.small_balance_limit = 1_00
    customer = make_customer(session, company)

    def invoice(paid: int, due: date = date(2026, 2, 1)) -> Invoice:
        made = make_invoice(session, company, customer, 100_00, due_date=due)
        if paid:
            make_payment(session, company, customer, paid, invoices=(made.number,))
        return made

    remainder = invoice(99_60)
    untouched = invoice(0)  # nothing paid: still a debt to chase
    big_rest = invoice(98_99)  # 1.01 left: above the limit
    not_due = invoice(99_60, due=ON)
    held = invoice(99_60)
    place_hold(session, company, customer, "dispute", "quality", ON, invoice=held)
    other = make_customer(session, company)
    whole_customer_held = make_invoice(session, company, other, 100_00, due_date=date(2026, 2, 1))
    make_payment(session, company, other, 99_60, invoices=(whole_customer_held.number,))
    place_hold(session, company, other, "promise", "pays friday", ON)

    made = service.write_off_small_balances(session, company, ON)
    assert [entry.invoice_id for entry in made] == [remainder.id]
    assert (made[0].amount, made[0].reason_code, made[0].approved_by) == (
        40,
        "small_balance",
        "cycle",
    )
    assert remainder.open_amount == 0
    assert [i.open_amount for i in (untouched, big_rest, not_due, held)] == [100_00, 1_01, 40, 40]
    assert whole_customer_held.open_amount == 40
    assert len(events(session, company, "invoice.written_off")) == 1
    assert service.write_off_small_balances(session, company, ON) == []  # the same day again
    assert check_ledger(session, company.id) == []


def test_a_limit_of_zero_writes_off_nothing(session: Session, company: Company) -> None:
    customer = make_customer(session, company)
    made = make_invoice(session, company, customer, 100_00)
    make_payment(session, company, customer, 99_99, invoices=(made.number,))
    assert company.small_balance_limit == 0
    assert service.write_off_small_balances(session, company, ON) == []
    assert made.open_amount == 1


def test_settings_are_checked_and_audited(session: Session, company: Company) -> None:
    by = (None, "cli")
    changes: dict[str, int | None] = {"small_balance_limit": 2_00, "manager_write_off_limit": None}
    after = change_write_off_settings(session, company, changes, by, utcnow())
    assert after == write_off_settings(company)
    assert (after.small_balance_limit, after.manager_write_off_limit) == (2_00, None)
    [event] = events(session, company, "write_off.settings_changed")
    assert event.before == {"small_balance_limit": 0, "manager_write_off_limit": 500_00}
    wrongs: list[dict[str, int | None]] = [
        {"collector_write_off_limit": -1},
        {"small_balance_limit": None},
        {"x": 1},
    ]
    for wrong in wrongs:
        with pytest.raises(Invalid) as refused:
            change_write_off_settings(session, company, wrong, by, utcnow())
        assert refused.value.field == next(iter(wrong))
    assert company.collector_write_off_limit == 50_00
