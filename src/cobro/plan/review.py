"""The daily review of payment plans (run by the cycle): what was paid on each active plan
since it started, spread over its installments in order; a plan paid in full is completed,
one with an installment unpaid past its grace days is broken (its invoices are chased again
at their stage from the next cycle, and a collector is asked to call); the others get their
reminder before an installment and their late notice after one, each once, by email to the
customer's billing contacts. Set-based: a handful of queries whatever the number of plans.
Services flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.invoice.models import Invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import display
from cobro.payment.models import Allocation
from cobro.plan import mail, rules
from cobro.plan.models import PaymentPlan, PlanInstallment, PlanInvoice
from cobro.plan.service import audit, release_holds
from cobro.policy.holds import opted_out as customers_opted_out
from cobro.policy.timing import SendWindow, first_send_at
from cobro.task.service import raise_task
from cobro.webhook.account_mail import queue_email

WINDOW = SendWindow()  # the default hours: a plan's notices follow no stage's settings


@dataclass(frozen=True)
class PlanReview:
    """What one day's review did."""

    completed: int = 0
    broken: int = 0
    cancelled: int = 0  # nothing left open on its invoices, though not paid (a credit note)
    reminders: int = 0  # emails queued before an installment
    late_notices: int = 0  # emails queued after one
    unreachable: int = 0  # reminders and notices not sent: no billing email on file


def review_plans(
    session: Session, company: Company, on: date, now: datetime | None = None
) -> PlanReview:
    at = now or utcnow()
    plans = list(
        session.scalars(
            select(PaymentPlan)
            .where(PaymentPlan.company_id == company.id, PaymentPlan.status == "active")
            .order_by(PaymentPlan.id)
        )
    )
    if not plans:
        return PlanReview()
    parts = installments_of(session, [plan.id for plan in plans])
    payments, later = _payments(session, company.id, on)
    open_left = _open_left(session, company.id)
    counts: dict[str, int] = defaultdict(int)
    notices: list[tuple[PaymentPlan, PlanInstallment, str]] = []
    broken: list[PaymentPlan] = []
    for plan in plans:
        rows = parts.get(plan.id, [])
        paid = _settle(rows, payments.get(plan.id, []))
        left = open_left.get(plan.id, 0) + later.get(plan.id, 0)
        schedule = [rules.Installment(row.sequence, row.due_on, row.amount) for row in rows]
        status = rules.outcome(schedule, paid, left, on, plan.grace_days)
        if status == "running":
            notices.extend(_due_notices(plan, rows, on))
            continue
        plan.status, plan.resolved_on = status, on
        release_holds(session, plan, on)
        counts[status] += 1
        after: dict[str, object] = {"status": status, "paid": paid, "resolved_on": on.isoformat()}
        audit(session, f"plan.{status}", plan, at, None, {"status": "active"}, after, "cycle")
        if status == "broken":
            broken.append(plan)
    _call_tasks(session, company, broken, on)
    sent = _send(session, company, notices, on, at)
    session.flush()
    return PlanReview(
        completed=counts["completed"],
        broken=counts["broken"],
        cancelled=counts["cancelled"],
        reminders=sent["reminder"],
        late_notices=sent["late"],
        unreachable=sent["unreachable"],
    )


def installments_of(session: Session, plan_ids: list[int]) -> dict[int, list[PlanInstallment]]:
    found: dict[int, list[PlanInstallment]] = defaultdict(list)
    if not plan_ids:
        return found
    for row in session.scalars(
        select(PlanInstallment)
        .where(PlanInstallment.plan_id.in_(plan_ids))
        .order_by(PlanInstallment.plan_id, PlanInstallment.sequence)
    ):
        found[row.plan_id].append(row)
    return found


def _payments(
    session: Session, company_id: int, on: date
) -> tuple[dict[int, list[tuple[date, int]]], dict[int, int]]:
    """{plan id: [(day, applied that day)]} up to `on`, and {plan id: applied after `on`}, of
    every active plan: the money applied to its invoices from the day it started. Cash
    applied after `on` is left out (a replayed day does not see money not yet come) and
    counts as still open."""
    rows = session.execute(
        select(PaymentPlan.id, Allocation.applied_on, func.sum(Allocation.amount))
        .join(PlanInvoice, PlanInvoice.plan_id == PaymentPlan.id)
        .join(Allocation, Allocation.invoice_id == PlanInvoice.invoice_id)
        .where(
            PaymentPlan.company_id == company_id,
            PaymentPlan.status == "active",
            Allocation.applied_on >= PaymentPlan.starts_on,
        )
        .group_by(PaymentPlan.id, Allocation.applied_on)
    )
    paid: dict[int, list[tuple[date, int]]] = defaultdict(list)
    later: dict[int, int] = defaultdict(int)
    for plan_id, day, amount in rows:
        if day <= on:
            paid[plan_id].append((day, int(amount)))
        else:
            later[plan_id] += int(amount)
    return paid, later


def _open_left(session: Session, company_id: int) -> dict[int, int]:
    rows = session.execute(
        select(PaymentPlan.id, func.sum(Invoice.open_amount))
        .join(PlanInvoice, PlanInvoice.plan_id == PaymentPlan.id)
        .join(Invoice, Invoice.id == PlanInvoice.invoice_id)
        .where(PaymentPlan.company_id == company_id, PaymentPlan.status == "active")
        .group_by(PaymentPlan.id)
    )
    return {plan_id: int(total or 0) for plan_id, total in rows}


def _settle(rows: Sequence[PlanInstallment], payments: list[tuple[date, int]]) -> int:
    """Write what each installment got (and the day it was paid in full); the total paid."""
    paid = sum(amount for _day, amount in payments)
    amounts = [row.amount for row in rows]
    for row, got, day in zip(
        rows, rules.allocate(amounts, paid), rules.paid_days(amounts, payments), strict=True
    ):
        row.paid, row.paid_on = got, day
    return paid


def _due_notices(
    plan: PaymentPlan, rows: Sequence[PlanInstallment], on: date
) -> list[tuple[PaymentPlan, PlanInstallment, str]]:
    notices = []
    for row in rows:
        part = rules.Installment(row.sequence, row.due_on, row.amount)
        full = row.paid >= row.amount
        if row.reminded_on is None and rules.to_remind(part, full, on):
            notices.append((plan, row, "reminder"))
        if row.late_notice_on is None and rules.to_notify_late(part, full, on, plan.grace_days):
            notices.append((plan, row, "late"))
    return notices


def _send(
    session: Session,
    company: Company,
    notices: list[tuple[PaymentPlan, PlanInstallment, str]],
    on: date,
    at: datetime,
) -> dict[str, int]:
    """Queue each notice to the customer's billing emails, not before the debtor's send window
    opens on their clock (8:00–21:00 on working days), and mark it done either way: a customer
    with no email on file, or who opted out of email, is counted, not asked again each day."""
    sent: dict[str, int] = defaultdict(int)
    if not notices:
        return sent
    customer_ids = {plan.customer_id for plan, _row, _kind in notices}
    customers = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
    }
    opted_out = customers_opted_out(session, company.id)
    emails: dict[int, list[str]] = defaultdict(list)
    for customer_id, email in session.execute(
        select(Contact.customer_id, Contact.email)
        .where(
            Contact.customer_id.in_(customer_ids),
            Contact.role == "billing",
            Contact.email.is_not(None),
            Contact.email != "",
        )
        .order_by(Contact.id)
    ):
        if email and email not in emails[customer_id]:
            emails[customer_id].append(email)
    for plan, row, kind in notices:
        if kind == "reminder":
            row.reminded_on = on
        else:
            row.late_notice_on = on
        customer = customers[plan.customer_id]
        to = emails.get(customer.id, [])
        if not to or "email" in opted_out.get(customer.id, frozenset()):
            sent["unreachable"] += 1
            continue
        # an agreed reminder still respects the debtor's hours (no email at 3 a.m. their time)
        not_before = max(at, first_send_at(on, customer.timezone, customer.country, WINDOW))
        subject, text = mail.compose(
            kind,
            mail.language(customer.language, company.language),
            company=company.name,
            customer=customer.name,
            sequence=row.sequence,
            amount=row.amount,
            left=row.amount - row.paid,
            currency=plan.currency,
            day=row.due_on,
            last_day=rules.last_held_day(row.due_on, plan.grace_days),
        )
        for address in to:
            queue_email(
                session,
                to=address,
                subject=subject,
                text=text,
                event=f"plan.{kind}",
                now=at,
                company_id=company.id,
            ).not_before = not_before
        sent[kind] += 1
    return sent


def _call_tasks(session: Session, company: Company, broken: list[PaymentPlan], on: date) -> None:
    if not broken:
        return
    customers = {
        c.id: c
        for c in session.scalars(
            select(Customer).where(Customer.id.in_({plan.customer_id for plan in broken}))
        )
    }
    for plan in broken:
        customer = customers[plan.customer_id]
        owed = f"{display(plan.total, plan.currency)} {plan.currency}"
        raise_task(
            session,
            company_id=company.id,
            customer=customer,
            kind="call",
            title=f"Payment plan broken: {customer.name}, plan {plan.id} of {owed}",
            detail=f"an installment went unpaid past {plan.grace_days} days of grace; "
            "the invoices it covered are chased again",
            due_on=on,
        )
