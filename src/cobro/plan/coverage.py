"""Which invoices a payment plan covers: those named (each the customer's, open, in the
plan's currency) or all the customer's open ones, less those that may not go in a plan (in
another active plan, disputed, placed with an agency)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.covered import covered_invoices, currency_of, default_currency
from cobro.invoice.models import Invoice
from cobro.plan.models import PaymentPlan, PlanInvoice
from cobro.policy.holds import in_force
from cobro.policy.models import Hold

__all__ = ["covered_invoices", "currency_of", "default_currency", "taken"]

BLOCKING = ("dispute", "agency")  # holds that keep an invoice out of a plan


def taken(
    session: Session,
    company: Company,
    customer: Customer,
    invoice_ids: list[int],
    on: date,
    replacing: int | None,
) -> dict[int, tuple[str, str]]:
    """{invoice id: (number, why)} of those that may not go in a plan: in another active
    plan, disputed, or placed with an agency (a hold of either kind on it or on the whole
    customer)."""
    if not invoice_ids:
        return {}
    taken: dict[int, tuple[str, str]] = {}
    in_plan = (
        select(PlanInvoice.invoice_id, Invoice.number, PaymentPlan.id)
        .join(PaymentPlan, PaymentPlan.id == PlanInvoice.plan_id)
        .join(Invoice, Invoice.id == PlanInvoice.invoice_id)
        .where(PaymentPlan.status == "active", PlanInvoice.invoice_id.in_(invoice_ids))
    )
    if replacing is not None:
        in_plan = in_plan.where(PaymentPlan.id != replacing)
    for invoice_id, number, plan_id in session.execute(in_plan):
        taken[invoice_id] = (number, f"is already in active payment plan {plan_id}")
    blocked = session.execute(
        select(Hold.invoice_id, Hold.kind).where(
            Hold.company_id == company.id,
            Hold.customer_id == customer.id,
            Hold.kind.in_(BLOCKING),
            or_(Hold.invoice_id.is_(None), Hold.invoice_id.in_(invoice_ids)),
            in_force(on),
        )
    ).all()
    numbers = {
        row.id: row.number
        for row in session.execute(
            select(Invoice.id, Invoice.number).where(Invoice.id.in_(invoice_ids))
        )
    }
    for held_id, kind in blocked:
        why = "is disputed" if kind == "dispute" else "is placed with an agency"
        ids: list[int] = invoice_ids if held_id is None else [held_id]
        for one in ids:
            taken.setdefault(one, (numbers[one], why))
    return taken
