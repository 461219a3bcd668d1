"""Set-based SQL for reports: one query over the ledger, never a loop over invoices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.db import no_index
from cobro.invoice.models import Invoice
from cobro.payment.repository import reduced_after, reduced_later
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
    return aging_sums_on(session, company_id, [on], scheme, by, group)[on]


def aging_sums_on(
    session: Session,
    company_id: int,
    days: Sequence[date],
    scheme: Scheme,
    by: ColumnElement[str],
    group: Sequence[str],
) -> dict[date, list[tuple[str, str, str, int]]]:
    """The aging sums of each of `days` (a trend's month ends), in one statement: the
    invoices open on any of them and their later reductions are read once, then each day
    takes those open on it."""
    days = sorted(set(days))
    open_then = _open_then(company_id, days[0], days[-1]).subquery("open_then")
    amounts: list[Any] = [open_then.c.open_amount] * len(days)
    source: Any = open_then
    if reduced_after(session, company_id, days[0]):
        later = reduced_later(days).subquery("later")
        amounts = [open_then.c.open_amount + func.coalesce(later.c[f"after_{i}"], 0)
                   for i in range(len(days))]  # fmt: skip
        source = open_then.outerjoin(later, later.c.invoice_id == open_then.c.id)
    # joined once (a CTE the days share): each day then reads it, never the join again
    joined = (
        select(
            open_then.c.customer_id,
            open_then.c.currency,
            open_then.c.due_date,
            open_then.c.issue_date,
            open_then.c.settled_on,
            *(amount.label(f"amount_{i}") for i, amount in enumerate(amounts)),
        )
        .select_from(source)
        .cte("joined")
    )
    aged = joined.c.due_date if scheme.basis is Basis.DUE else joined.c.issue_date
    each_day = []
    for index, day in enumerate(days):
        bucket = case(
            *((_in_span(aged, lower, upper, day), label) for label, lower, upper in scheme.spans())
        )
        each_day.append(
            select(
                literal(index).label("day"),
                joined.c.customer_id,
                joined.c.currency,
                bucket.label("bucket"),
                joined.c[f"amount_{index}"].label("amount"),
            ).where(
                joined.c.issue_date <= day,
                or_(joined.c.settled_on.is_(None), joined.c.settled_on > day),
            )
        )
    rows = union_all(*each_day).subquery("each_day")
    query = (
        select(rows.c.day, by, rows.c.currency, rows.c.bucket, func.sum(rows.c.amount))
        .join_from(rows, Customer, Customer.id == rows.c.customer_id)
        .group_by(rows.c.day, *group, rows.c.currency, rows.c.bucket)
    )
    found: dict[date, list[tuple[str, str, str, int]]] = {day: [] for day in days}
    for index, slice_name, currency, bucket_name, total in session.execute(query):
        found[days[index]].append((slice_name, currency, bucket_name, int(total or 0)))
    return found


def _per_bucket(session: Session, company_id: int, on: date, scheme: Scheme, key: Any) -> Subquery:
    """The open amount on `on` per (`key` of the invoice, currency, bucket)."""
    open_then = _open_then(company_id, on, on).subquery("open_then")
    amount: Any = open_then.c.open_amount
    query = select(open_then)
    if reduced_after(session, company_id, on):
        later = reduced_later([on]).subquery("later")
        amount = amount + func.coalesce(later.c.after_0, 0)
        query = query.outerjoin(later, later.c.invoice_id == open_then.c.id)
    aged = open_then.c.due_date if scheme.basis is Basis.DUE else open_then.c.issue_date
    bucket = case(
        *((_in_span(aged, lower, upper, on), label) for label, lower, upper in scheme.spans())
    ).label("bucket")
    grouped = open_then.c[key.key]
    return (
        query.with_only_columns(
            grouped.label("customer_id"),
            open_then.c.currency,
            bucket,
            func.sum(amount).label("amount"),
        )
        # by its label: PostgreSQL cannot tell two renderings with their own parameters apart
        .group_by(grouped, open_then.c.currency, "bucket")
        .subquery("per_bucket")
    )


def _open_then(company_id: int, first: date, last: date) -> CompoundSelect[Any]:
    """The invoices that may be open at the end of a day from `first` to `last`: those open
    now, and those settled after `first` — two ranges of ix_invoice_open (company,
    settled_on). The issue date is only filtered: read through an index of its own, it makes
    SQLite walk nearly the whole ledger."""
    columns = (Invoice.id, Invoice.customer_id, Invoice.currency, Invoice.due_date,
               Invoice.issue_date, Invoice.settled_on, Invoice.open_amount)  # fmt: skip
    issued = no_index(Invoice.issue_date) <= last
    return union_all(
        select(*columns).where(
            Invoice.company_id == company_id, Invoice.settled_on.is_(None), issued
        ),
        select(*columns).where(
            Invoice.company_id == company_id, Invoice.settled_on > first, issued
        ),
    )


def _in_span(aged: Any, lower: int | None, upper: int | None, on: date) -> ColumnElement[bool]:
    """Compare dates with precomputed boundaries: portable SQL, and index-friendly."""
    conditions = []
    if lower is not None:  # at least `lower` days old
        conditions.append(aged <= on - timedelta(days=lower))
    if upper is not None:  # at most `upper` days old
        conditions.append(aged >= on - timedelta(days=upper))
    return and_(*conditions)
