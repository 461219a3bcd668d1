"""Set-based SQL for reports: one query over the ledger, never a loop over invoices."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.payment.models import Allocation
from cobro.report.rules import BUCKET_LIMITS, Bucket


def latest_reduction(session: Session, company_id: int) -> date | None:
    """The last date any allocation, credit note or write-off of the company took effect."""
    dates = [
        session.scalar(
            select(func.max(Allocation.applied_on))
            .join(Invoice, Invoice.id == Allocation.invoice_id)
            .where(Invoice.company_id == company_id)
        ),
        session.scalar(
            select(func.max(CreditNote.issue_date)).where(CreditNote.company_id == company_id)
        ),
        session.scalar(
            select(func.max(WriteOff.written_off_on))
            .join(Invoice, Invoice.id == WriteOff.invoice_id)
            .where(Invoice.company_id == company_id)
        ),
    ]
    known = [day for day in dates if day is not None]
    return max(known) if known else None


def open_as_of(on: date) -> ColumnElement[Any]:
    """The open amount as it stood at the end of `on` (reductions dated later not yet made)."""
    allocated = (
        select(func.coalesce(func.sum(Allocation.amount), 0))
        .where(Allocation.invoice_id == Invoice.id, Allocation.applied_on <= on)
        .scalar_subquery()
    )
    credited = (
        select(func.coalesce(func.sum(CreditNote.amount), 0))
        .where(CreditNote.invoice_id == Invoice.id, CreditNote.issue_date <= on)
        .scalar_subquery()
    )
    written = (
        select(func.coalesce(func.sum(WriteOff.amount), 0))
        .where(WriteOff.invoice_id == Invoice.id, WriteOff.written_off_on <= on)
        .scalar_subquery()
    )
    return Invoice.total - allocated - credited - written


def aging_rows(session: Session, company_id: int, on: date) -> list[Any]:
    """(customer id, external id, name, currency, one sum per bucket…) for every customer with
    an open amount on `on`. When nothing was reduced after `on`, the stored open amount is the
    amount as of `on` and the query reads one row per invoice."""
    latest = latest_reduction(session, company_id)
    amount = Invoice.open_amount if latest is None or latest <= on else open_as_of(on)
    buckets = [
        func.sum(case((_in_bucket(bucket, on), amount), else_=0)).label(bucket.value)
        for bucket, _limit in BUCKET_LIMITS
    ]
    query = (
        select(Customer.id, Customer.external_id, Customer.name, Invoice.currency, *buckets)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.issue_date <= on,
            or_(Invoice.settled_on.is_(None), Invoice.settled_on > on),
        )
        .group_by(Customer.id, Customer.external_id, Customer.name, Invoice.currency)
        .having(func.sum(amount) > 0)
        .order_by(Customer.external_id, Invoice.currency)
    )
    return list(session.execute(query).all())


def _in_bucket(bucket: Bucket, on: date) -> ColumnElement[bool]:
    """Compare due dates with precomputed boundaries: portable SQL, and index-friendly."""
    previous = 0
    lower: int | None = None
    for candidate, limit in BUCKET_LIMITS:
        if candidate is bucket:
            upper = limit
            lower = None if candidate is Bucket.CURRENT else previous + 1
            break
        previous = limit if limit is not None else previous
    else:  # pragma: no cover
        raise AssertionError(bucket)
    conditions = []
    if lower is not None:  # at least `lower` days past due
        conditions.append(Invoice.due_date <= on - timedelta(days=lower))
    if upper is not None:  # at most `upper` days past due
        conditions.append(Invoice.due_date >= on - timedelta(days=upper))
    return and_(*conditions)
