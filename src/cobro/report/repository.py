"""Set-based SQL for reports: one query over the ledger, never a loop over invoices."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.payment.repository import open_as_of, reduced_after
from cobro.report.rules import BUCKET_LIMITS, Bucket


def aging_rows(session: Session, company_id: int, on: date) -> list[Any]:
    """(customer id, external id, name, currency, one sum per bucket…) for every customer with
    an open amount on `on`. When nothing was reduced after `on`, the stored open amount is the
    amount as of `on` and the query reads one row per invoice.

    The open amount is summed per customer, currency and bucket first, then spread into one
    column per bucket: so each invoice's amount is computed once. Written as one sum per bucket
    column, SQLite evaluated the as-of amount (three subqueries) six times per invoice."""
    amount = open_as_of(on) if reduced_after(session, company_id, on) else Invoice.open_amount
    bucket = case(*((_in_bucket(b, on), b.value) for b, _limit in BUCKET_LIMITS)).label("bucket")
    per_bucket = (
        select(Invoice.customer_id, Invoice.currency, bucket, func.sum(amount).label("amount"))
        .where(
            Invoice.company_id == company_id,
            Invoice.issue_date <= on,
            or_(Invoice.settled_on.is_(None), Invoice.settled_on > on),
        )
        # by its label: PostgreSQL cannot tell two renderings with their own parameters apart
        .group_by(Invoice.customer_id, Invoice.currency, "bucket")
        .subquery("per_bucket")
    )
    buckets = [
        func.sum(case((per_bucket.c.bucket == b.value, per_bucket.c.amount), else_=0)).label(
            b.value
        )
        for b, _limit in BUCKET_LIMITS
    ]
    query = (
        select(Customer.id, Customer.external_id, Customer.name, per_bucket.c.currency, *buckets)
        .join_from(per_bucket, Customer, Customer.id == per_bucket.c.customer_id)
        .group_by(Customer.id, Customer.external_id, Customer.name, per_bucket.c.currency)
        .having(func.sum(per_bucket.c.amount) > 0)
        .order_by(Customer.external_id, per_bucket.c.currency)
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
