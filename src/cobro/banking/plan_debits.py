"""Payment-plan installments collected by direct debit: a customer with an active mandate and
an active plan in euros is debited, on a collection date, what the plan's installments due by
then still lack, applied to the plan's invoices oldest first. The plan's schedule, agreed when
it was made, is the pre-notification: a plan made less than the pre-notification period before
the collection date waits for a later batch.

What is still owed is worked out from the money applied to the plan's invoices since it
started, not from the installments' `paid` (which the daily review writes): a batch written
twice between two reviews never debits the same installment twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.invoice.models import Invoice
from cobro.payment.models import Allocation
from cobro.plan.models import PaymentPlan, PlanInstallment, PlanInvoice


@dataclass(frozen=True)
class Installments:
    """What one plan's installments due by the collection date still lack, and the plan's
    open invoices (oldest due first) it is applied to."""

    plan: PaymentPlan
    amount: int
    invoices: list[Invoice]


def installments_due(
    session: Session,
    company: Company,
    collection_date: date,
    customer_ids: Collection[int],
) -> dict[int, list[Installments]]:
    """By customer: each active euro plan's installments due by `collection_date` still
    unpaid (a plan with nothing owed then is left out)."""
    plans = list(
        session.scalars(
            select(PaymentPlan)
            .where(
                PaymentPlan.company_id == company.id,
                PaymentPlan.status == "active",
                PaymentPlan.currency == "EUR",
                PaymentPlan.customer_id.in_(list(customer_ids)),
            )
            .order_by(PaymentPlan.id)
        )
    )
    if not plans:
        return {}
    ids = [plan.id for plan in plans]
    due = _due_by(session, ids, collection_date)
    paid = _paid(session, ids)
    invoices = _open_invoices(session, ids)
    found: defaultdict[int, list[Installments]] = defaultdict(list)
    for plan in plans:
        left = invoices.get(plan.id, [])
        owed = min(due.get(plan.id, 0) - paid.get(plan.id, 0), sum(i.open_amount for i in left))
        if owed > 0:
            found[plan.customer_id].append(Installments(plan, owed, left))
    return found


def _due_by(session: Session, plan_ids: list[int], day: date) -> dict[int, int]:
    rows = session.execute(
        select(PlanInstallment.plan_id, func.sum(PlanInstallment.amount))
        .where(PlanInstallment.plan_id.in_(plan_ids), PlanInstallment.due_on <= day)
        .group_by(PlanInstallment.plan_id)
    )
    return {plan_id: int(total or 0) for plan_id, total in rows}


def _paid(session: Session, plan_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(PaymentPlan.id, func.sum(Allocation.amount))
        .join(PlanInvoice, PlanInvoice.plan_id == PaymentPlan.id)
        .join(Allocation, Allocation.invoice_id == PlanInvoice.invoice_id)
        .where(PaymentPlan.id.in_(plan_ids), Allocation.applied_on >= PaymentPlan.starts_on)
        .group_by(PaymentPlan.id)
    )
    return {plan_id: int(total or 0) for plan_id, total in rows}


def _open_invoices(session: Session, plan_ids: list[int]) -> dict[int, list[Invoice]]:
    found: defaultdict[int, list[Invoice]] = defaultdict(list)
    for plan_id, invoice in session.execute(
        select(PlanInvoice.plan_id, Invoice)
        .join(Invoice, Invoice.id == PlanInvoice.invoice_id)
        .where(PlanInvoice.plan_id.in_(plan_ids), Invoice.open_amount > 0)
        .order_by(Invoice.due_date, Invoice.id)
    ):
        found[plan_id].append(invoice)
    return found
