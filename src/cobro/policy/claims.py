""" "I've paid" claims that ran out: a debtor said they paid (the portal, a call), the chase held
off for some days, and no payment came to answer it (cash application releases the claim when
one does). The daily cycle closes each such claim on the first day after it ends and raises a
follow-up task, so a person asks the debtor for proof instead of the chase just resuming in
silence. A claim whose invoices were settled meanwhile (a credit note, a payment applied by
hand) is closed without a task. Services flush; the caller commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.policy.models import Hold
from cobro.task.models import Task
from cobro.task.service import raise_task


def expired_claims(session: Session, company: Company, on: date) -> list[Task]:
    """Close the claims that ended before `on` unanswered; the tasks raised for them."""
    tasks = []
    for hold in session.scalars(
        select(Hold)
        .where(
            Hold.company_id == company.id,
            Hold.kind == "paid_claim",
            Hold.released_on.is_(None),
            Hold.ends_on < on,
        )
        .order_by(Hold.id)
    ):
        hold.released_on = on  # closed: the next run finds it answered
        customer = session.get_one(Customer, hold.customer_id)
        if not _still_owed(session, customer, hold.invoice_id):
            continue
        tasks.append(
            raise_task(
                session,
                company_id=company.id,
                customer=customer,
                kind="follow_up",
                title=f"No payment came for {customer.name}'s \"I've paid\" "
                f"({hold.reference or 'no reference'})",
                detail=f"{hold.reason}; the claim ended on {hold.ends_on}: ask for proof of "
                "payment (date, amount, bank reference)",
                due_on=on,
                invoice_id=hold.invoice_id,
            )
        )
    session.flush()
    return tasks


def _still_owed(session: Session, customer: Customer, invoice_id: int | None) -> bool:
    query = select(Invoice.id).where(Invoice.open_amount > 0)
    if invoice_id is None:
        query = query.where(Invoice.customer_id == customer.id)
    else:
        query = query.where(Invoice.id == invoice_id)
    return session.scalar(query.limit(1)) is not None
