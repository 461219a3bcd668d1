"""Payment plans against the real database: making one (holds placed, a fee on a debit
note), refusals that write nothing, calling one off and rescheduling one (the history kept),
and the daily review (completed, broken, reminders)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.auth.errors import Forbidden
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import ContactIn
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.plan import queries, service
from cobro.plan.models import PaymentPlan, PlanInstallment, PlanInvoice
from cobro.plan.review import review_plans
from cobro.policy.holds import customer_holds, place_hold
from cobro.policy.models import Hold
from cobro.task.models import Task
from cobro.webhook.models import Delivery
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

ON = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)
MANAGER = service.Actor(7, "boss@example.com", may_override=True)
COLLECTOR = service.Actor(8, "ana@example.com")


def world(session: Session) -> tuple[Company, Customer, Invoice, Invoice]:
    company = make_company(session)
    customer = make_customer(
        session,
        company,
        "ACME",
        name="Acme S.L.",
        language="es",
        contact=ContactIn(email="pagos@acme.example"),
    )
    first = make_invoice(session, company, customer, 300_00, date(2026, 1, 1), date(2026, 2, 1))
    second = make_invoice(session, company, customer, 300_00, date(2026, 1, 5), date(2026, 2, 5))
    return company, customer, first, second


def ask(**changes: object) -> service.Ask:
    base: dict[str, object] = {
        "installments": 3,
        "frequency": "monthly",
        "first_on": date(2026, 4, 1),
    }
    base.update(changes)
    return service.Ask(**base)  # type: ignore[arg-type]


def count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def written(session: Session) -> tuple[int, ...]:
    models: list[type[object]] = [PaymentPlan, PlanInstallment, PlanInvoice, Hold, Invoice]
    return (*tuple(count(session, model) for model in models), count(session, AuditEvent))


def test_a_plan_inside_the_guardrails_is_approved_and_holds_its_invoices(
    session: Session,
) -> None:
    company, customer, first, second = world(session)
    plan = service.make_plan(
        session, company, "ACME", ask(down_payment=60_00), ON, "call", COLLECTOR, now=NOW
    )
    assert (plan.status, plan.approved_by, plan.total, plan.fee) == (
        "active",
        "guardrails",
        600_00,
        0,
    )
    assert plan.created_by == "ana@example.com"
    assert plan.grace_days == 7
    detail = queries.plan_detail(session, company.id, plan.id, ON)
    assert [(i.sequence, i.due_on, i.amount) for i in detail.installments] == [
        (0, ON, 60_00),
        (1, date(2026, 4, 1), 180_00),
        (2, date(2026, 5, 1), 180_00),
        (3, date(2026, 6, 1), 180_00),
    ]
    assert detail.row.invoices == (first.number, second.number)
    holds = session.scalars(select(Hold).where(Hold.plan_id == plan.id)).all()
    assert {h.invoice_id for h in holds} == {first.id, second.id}
    assert all(h.kind == "plan" and h.ends_on is None for h in holds)
    assert customer_holds(session, customer.id, ON) == {first.id, second.id}
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.made")).all()
    assert event.entity_id == str(plan.id)
    assert event.actor_id == 8


def test_a_fee_and_interest_go_on_a_debit_note_the_plan_covers(session: Session) -> None:
    company, _customer, first, _second = world(session)
    plan = service.make_plan(
        session,
        company,
        "ACME",
        ask(invoices=[first.number], fee=10_00, interest_rate=Decimal("12"), installments=2),
        ON,
        "web",
    )
    # 300.00 over 2 months at 12 %: 1.5 months of the whole, 4.50; plus the fee 10.00
    assert (plan.fee, plan.total, plan.interest_rate) == (14_50, 314_50, "12")
    note = session.get_one(Invoice, plan.fee_invoice_id)
    assert (note.kind, note.total, note.number) == ("debit_note", 14_50, f"PLAN-{plan.id}-FEE")
    covered = session.scalars(select(PlanInvoice.invoice_id).where(PlanInvoice.plan_id == plan.id))
    assert set(covered) == {first.id, note.id}
    assert session.scalar(select(Hold.id).where(Hold.invoice_id == note.id)) is not None


def test_outside_the_guardrails_it_is_refused_and_nothing_is_written(session: Session) -> None:
    company, _customer, _first, _second = world(session)
    before = written(session)
    with pytest.raises(Invalid) as refused:
        service.make_plan(session, company, "ACME", ask(installments=14), ON, "portal")
    assert refused.value.field == "installments"
    assert "12 months" in refused.value.message
    with pytest.raises(Invalid) as small:
        service.make_plan(session, company, "ACME", ask(installments=13), ON, "portal")
    assert "5000" in small.value.message
    with pytest.raises(Forbidden):
        service.make_plan(
            session, company, "ACME", ask(installments=14), ON, "web", COLLECTOR, override=True
        )
    with pytest.raises(Invalid) as hard:
        service.make_plan(
            session, company, "ACME", ask(down_payment=600_00), ON, "web", MANAGER, override=True
        )
    assert hard.value.field == "down_payment"
    with pytest.raises(NotFound):
        service.make_plan(session, company, "ACME", ask(invoices=["NOPE"]), ON, "web")
    assert written(session) == before


def test_a_manager_may_approve_a_plan_past_the_guardrails(session: Session) -> None:
    company, _customer, _first, _second = world(session)
    plan = service.make_plan(
        session, company, "ACME", ask(installments=14), ON, "web", MANAGER, override=True
    )
    assert plan.approved_by == "boss@example.com"


def test_invoices_in_a_plan_disputed_or_placed_are_refused(session: Session) -> None:
    company, customer, first, second = world(session)
    service.make_plan(session, company, "ACME", ask(invoices=[first.number]), ON, "web")
    with pytest.raises(Conflict) as taken:
        service.make_plan(session, company, "ACME", ask(invoices=[first.number]), ON, "web")
    assert taken.value.field == "invoices"
    assert "already in active payment plan" in str(taken.value)
    place_hold(session, company, customer, "dispute", "wrong price", ON, invoice=second)
    with pytest.raises(Conflict, match="disputed"):
        service.make_plan(session, company, "ACME", ask(invoices=[second.number]), ON, "web")
    # none named: what is free (nothing here) is all that goes in
    with pytest.raises(Invalid) as nothing:
        service.make_plan(session, company, "ACME", ask(), ON, "web")
    assert nothing.value.field == "invoices"


def test_cancel_releases_the_holds(session: Session) -> None:
    company, customer, _first, _second = world(session)
    plan = service.make_plan(session, company, "ACME", ask(), ON, "web")
    service.cancel_plan(session, company, plan.id, date(2026, 3, 12))
    assert (plan.status, plan.resolved_on) == ("cancelled", date(2026, 3, 12))
    assert customer_holds(session, customer.id, date(2026, 3, 12)) == set()
    with pytest.raises(Conflict):
        service.cancel_plan(session, company, plan.id, date(2026, 3, 12))
    other = make_company(session)
    with pytest.raises(NotFound):
        service.cancel_plan(session, other, plan.id, date(2026, 3, 12))


def test_reschedule_replaces_the_plan_keeping_the_history(session: Session) -> None:
    company, customer, first, second = world(session)
    old = service.make_plan(session, company, "ACME", ask(), ON, "web")
    make_payment(session, company, customer, 200_00, date(2026, 4, 1), (first.number,))
    review_plans(session, company, date(2026, 4, 1), NOW)
    holds = sorted(session.scalars(select(Hold.id).where(Hold.plan_id == old.id)))
    new = service.reschedule(
        session, company, old.id, ask(installments=4, first_on=date(2026, 5, 1)), date(2026, 4, 5)
    )
    assert (old.status, old.resolved_on, new.replaces_id) == ("replaced", date(2026, 4, 5), old.id)
    assert new.total == 400_00
    assert new.starts_on == date(2026, 4, 5)
    # the old plan's installments stay as they were paid
    old_parts = queries.plan_detail(session, company.id, old.id, date(2026, 4, 5)).installments
    assert [part.paid for part in old_parts] == [200_00, 0, 0]
    # the same holds, moved
    assert sorted(session.scalars(select(Hold.id).where(Hold.plan_id == new.id))) == holds
    assert customer_holds(session, customer.id, date(2026, 4, 5)) == {first.id, second.id}
    with pytest.raises(Conflict):
        service.reschedule(session, company, old.id, ask(), date(2026, 4, 5))
    # refused: nothing changes
    with pytest.raises(Invalid):
        service.reschedule(session, company, new.id, ask(installments=30), date(2026, 4, 5))
    assert new.status == "active"


def test_the_review_completes_breaks_and_reminds_once(session: Session) -> None:
    company, customer, first, _second = world(session)
    plan = service.make_plan(session, company, "ACME", ask(installments=2), ON, "web")
    # 29 March: three days before the first installment, a reminder (in Spanish)
    review = review_plans(session, company, date(2026, 3, 29), NOW)
    assert (review.reminders, review.late_notices) == (1, 0)
    [mail] = session.scalars(select(Delivery)).all()
    assert mail.target == "pagos@acme.example"
    assert mail.event == "plan.reminder"
    assert "plazo 1" in (mail.subject or "")
    assert "300,00" in (mail.payload or "")
    assert review_plans(session, company, date(2026, 3, 30), NOW).reminders == 0
    # paid on the day
    make_payment(session, company, customer, 300_00, date(2026, 4, 1), (first.number,))
    review = review_plans(session, company, date(2026, 4, 2), NOW)
    assert (review.late_notices, review.completed, review.broken) == (0, 0, 0)
    parts = session.scalars(
        select(PlanInstallment).where(PlanInstallment.plan_id == plan.id).order_by("sequence")
    ).all()
    assert [(p.paid, p.paid_on) for p in parts] == [(300_00, date(2026, 4, 1)), (0, None)]
    # the second is late: one notice, then broken on the 9th day (grace 7)
    assert review_plans(session, company, date(2026, 5, 2), NOW).late_notices == 1
    assert review_plans(session, company, date(2026, 5, 3), NOW).late_notices == 0
    assert review_plans(session, company, date(2026, 5, 8), NOW).broken == 0
    review = review_plans(session, company, date(2026, 5, 9), NOW)
    assert review.broken == 1
    assert plan.status == "broken"
    assert customer_holds(session, customer.id, date(2026, 5, 9)) == set()
    [task] = session.scalars(select(Task).where(Task.customer_id == customer.id)).all()
    assert task.kind == "call"
    assert task.title.startswith("Payment plan broken: Acme S.L.")
    assert review_plans(session, company, date(2026, 5, 10), NOW).broken == 0


def test_paid_in_full_completes(session: Session) -> None:
    company, customer, first, second = world(session)
    # money applied before the plan started does not count
    make_payment(session, company, customer, 100_00, date(2026, 3, 9), (first.number,))
    plan = service.make_plan(session, company, "ACME", ask(), ON, "web")
    assert plan.total == 500_00
    make_payment(session, company, customer, 200_00, date(2026, 3, 20), (first.number,))
    make_payment(session, company, customer, 300_00, date(2026, 3, 21), (second.number,))
    assert review_plans(session, company, date(2026, 3, 20), NOW).completed == 0
    assert review_plans(session, company, date(2026, 3, 21), NOW).completed == 1
    assert (plan.status, plan.resolved_on) == ("completed", date(2026, 3, 21))
    assert customer_holds(session, customer.id, date(2026, 3, 21)) == set()
