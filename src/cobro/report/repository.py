"""Set-based SQL for reports: one query over the ledger, never a loop over invoices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, func, or_, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.payment.repository import open_as_of, reduced_after
from cobro.report.rules import DEFAULT_SCHEME, Basis, Scheme


def aging_rows(
    session: Session, company_id: int, on: date, scheme: Scheme = DEFAULT_SCHEME
) -> list[Any]:
    """(customer id, external id, name, currency, one sum per bucket…) for every customer with
    an open amount on `on`. When nothing was reduced after `on`, the stored open amount is the
    amount as of `on` and the query reads one row per invoice.

    The open amount is summed per customer, currency and bucket first, then spread into one
    column per bucket: so each invoice's amount is computed once. Written as one sum per bucket
    column, SQLite evaluated the as-of amount (three subqueries) six times per invoice."""
    per_bucket = _per_bucket(session, company_id, on, scheme, Invoice.customer_id)
    buckets = [
        func.sum(case((per_bucket.c.bucket == label, per_bucket.c.amount), else_=0)).label(label)
        for label in scheme.labels()
    ]
    query = (
        select(Customer.id, Customer.external_id, Customer.name, per_bucket.c.currency, *buckets)
        .join_from(per_bucket, Customer, Customer.id == per_bucket.c.customer_id)
        .group_by(Customer.id, Customer.external_id, Customer.name, per_bucket.c.currency)
        .having(func.sum(per_bucket.c.amount) > 0)
        .order_by(Customer.external_id, per_bucket.c.currency)
    )
    return list(session.execute(query).all())


def aging_sums(
    session: Session,
    company_id: int,
    on: date,
    scheme: Scheme,
    by: ColumnElement[str],
    group: Sequence[str],
) -> list[tuple[str, str, str, int]]:
    """(slice, currency, bucket, open amount) as the ledger stood at the end of `on`, the
    slice being `by` over the invoice's customer (grouped by `group`): one GROUP BY, whatever
    the ledger's size."""
    per_bucket = _per_bucket(session, company_id, on, scheme, Invoice.customer_id)
    query = (
        select(by, per_bucket.c.currency, per_bucket.c.bucket, func.sum(per_bucket.c.amount))
        .join_from(per_bucket, Customer, Customer.id == per_bucket.c.customer_id)
        .group_by(*group, per_bucket.c.currency, per_bucket.c.bucket)
    )
    return [(s, c, b, int(a or 0)) for s, c, b, a in session.execute(query)]


def _per_bucket(session: Session, company_id: int, on: date, scheme: Scheme, key: Any) -> Subquery:
    """The open amount on `on` per (key, currency, bucket)."""
    amount = open_as_of(on) if reduced_after(session, company_id, on) else Invoice.open_amount
    aged = Invoice.due_date if scheme.basis is Basis.DUE else Invoice.issue_date
    bucket = case(
        *((_in_span(aged, lower, upper, on), label) for label, lower, upper in scheme.spans())
    ).label("bucket")
    return (
        select(key.label("customer_id"), Invoice.currency, bucket, func.sum(amount).label("amount"))
        .where(
            Invoice.company_id == company_id,
            Invoice.issue_date <= on,
            or_(Invoice.settled_on.is_(None), Invoice.settled_on > on),
        )
        # by its label: PostgreSQL cannot tell two renderings with their own parameters apart
        .group_by(key, Invoice.currency, "bucket")
        .subquery("per_bucket")
    )


def _in_span(aged: Any, lower: int | None, upper: int | None, on: date) -> ColumnElement[bool]:
    """Compare dates with precomputed boundaries: portable SQL, and index-friendly."""
    conditions = []
    if lower is not None:  # at least `lower` days old
        conditions.append(aged <= on - timedelta(days=lower))
    if upper is not None:  # at most `upper` days old
        conditions.append(aged >= on - timedelta(days=upper))
    return and_(*conditions)
