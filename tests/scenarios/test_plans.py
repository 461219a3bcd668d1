"""Stories over dates: a debtor agrees a payment plan. While it runs its invoices are not
chased; its installments are, gently (a reminder before each, a notice when one is late).
Paid in full, the plan is completed; an installment unpaid past the grace days breaks it,
and the invoices are chased again from the next cycle, at their stage, with a call task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import ContactIn
from cobro.cycle.service import run_cycle
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.plan.models import PaymentPlan
from cobro.plan.service import Ask, make_plan
from cobro.policy.holds import opt_out
from cobro.policy.models import Hold
from cobro.task.models import Task
from cobro.webhook.models import Delivery
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

DUE = date(2026, 3, 2)  # a Monday


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def queued_on(session: Session, customer: Customer, on: date) -> set[str]:
    rows = session.scalars(
        select(Action.stage).where(Action.customer_id == customer.id, Action.cycle_on == on)
    )
    return set(rows)


def mails(session: Session) -> list[tuple[str, str]]:
    return [
        (d.event, d.subject or "")
        for d in session.scalars(
            select(Delivery).where(Delivery.channel == "email").order_by(Delivery.id)
        )
    ]


def setup(session: Session) -> tuple[Company, Customer, Invoice, PaymentPlan]:
    company = make_company(session)
    customer = make_customer(
        session,
        company,
        "ACME",
        name="Acme Distribución S.L.",
        language="en",
        contact=ContactIn(email="ap@acme.example"),
    )
    invoice = make_invoice(session, company, customer, 1200_00, date(2026, 1, 31), DUE, "F-88")
    for offset in range(0, 4):
        run_cycle(session, company, day(offset))
    assert queued_on(session, customer, day(3)) == {"reminder-1"}
    # day 4: on the phone, 200.00 now and four weekly installments of 250.00 from day 10
    ask = Ask(installments=4, frequency="weekly", first_on=day(10), down_payment=200_00)
    plan = make_plan(session, company, "ACME", ask, day(4), "call")
    assert plan.approved_by == "guardrails"
    return company, customer, invoice, plan


def test_a_plan_completed(session: Session) -> None:
    company, customer, invoice, plan = setup(session)
    payments = {4: 200_00, 10: 250_00, 17: 250_00, 24: 250_00, 31: 250_00}
    for offset in range(4, 45):
        if offset in payments:
            make_payment(session, company, customer, payments[offset], day(offset), ("F-88",))
        report = run_cycle(session, company, day(offset))
        # nothing else is chased while the plan runs (reminder-2 and firm fall in it)
        assert queued_on(session, customer, day(offset)) == set(), offset
        if offset < 31:
            assert plan.status == "active", offset
            assert report.plans_completed == 0
        if offset == 31:
            assert report.plans_completed == 1
        assert report.plans_broken == 0
    assert (plan.status, plan.resolved_on) == ("completed", day(31))
    assert invoice.open_amount == 0
    # a reminder before each installment (not the down payment), once each; never late
    assert [event for event, _ in mails(session)] == ["plan.reminder"] * 4
    assert [subject.split(": ")[1] for _, subject in mails(session)] == [
        f"installment {n} of your payment plan is due on {day(10 + 7 * (n - 1)):%B} "
        f"{day(10 + 7 * (n - 1)).day}, 2026"
        for n in range(1, 5)
    ]
    holds = session.scalars(select(Hold).where(Hold.plan_id == plan.id)).all()
    assert [hold.released_on for hold in holds] == [day(31)]
    assert session.scalars(select(Task).where(Task.customer_id == customer.id)).all() == []


def test_a_plan_broken(session: Session) -> None:
    company, customer, _invoice, plan = setup(session)
    make_payment(session, company, customer, 200_00, day(4), ("F-88",))
    # the first installment (day 10) never comes; its grace (7 days) runs to day 17
    for offset in range(4, 18):
        report = run_cycle(session, company, day(offset))
        assert queued_on(session, customer, day(offset)) == set(), offset
        assert report.plans_broken == 0
    # reminders before the first (day 7) and the second (day 14), the first late on day 11
    events = [event for event, _ in mails(session)]
    assert events == ["plan.reminder", "plan.late", "plan.reminder"]
    report = run_cycle(session, company, day(18))
    assert report.plans_broken == 1
    assert (plan.status, plan.resolved_on) == ("broken", day(18))
    assert queued_on(session, customer, day(18)) == set()  # the day's chase was planned held
    [task] = session.scalars(select(Task).where(Task.customer_id == customer.id)).all()
    assert task.kind == "call"
    assert task.title.startswith("Payment plan broken: Acme")
    # the next cycle takes the invoice up at the stage it has reached
    report = run_cycle(session, company, day(19))
    assert queued_on(session, customer, day(19)) == {"reminder-2"}
    assert report.plans_broken == 0
    assert len(session.scalars(select(Task).where(Task.customer_id == customer.id)).all()) == 1
    assert len(mails(session)) == 3  # a broken plan sends nothing more


def test_plan_notices_wait_for_the_debtor_s_hours_and_respect_an_opt_out(
    session: Session,
) -> None:
    company, customer, _invoice, _plan = setup(session)
    make_payment(session, company, customer, 200_00, day(4), ("F-88",))
    night = datetime.combine(day(7), datetime.min.time(), UTC) + timedelta(hours=2)
    run_cycle(session, company, day(7), now=night)  # 3 days before the first installment
    [reminder] = session.scalars(select(Delivery).where(Delivery.channel == "email")).all()
    # 02:00 UTC is 03:00 in Madrid: the reminder waits for 08:00 there (07:00 UTC in March)
    assert reminder.not_before == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    opt_out(session, customer, "email", "portal")
    run_cycle(session, company, day(11), now=night + timedelta(days=4))  # the day after it
    assert len(mails(session)) == 1  # no late notice: they opted out of email
