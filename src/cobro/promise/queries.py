"""Reading promises: the company's list (by status, by customer, a page at a time), one with
its invoices, and the kept rates by customer or by collector over a period. Always within one
company; another company's promise is NotFound."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from cobro.customer.listing import listed_page
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.pagination import Page, PageRequest
from cobro.payment.models import Allocation
from cobro.promise.models import PROMISE_STATUSES, Promise, PromiseInvoice
from cobro.promise.rules import Tally, tally

By = Literal["customer", "collector"]
NO_COLLECTOR = "(none)"


@dataclass(frozen=True)
class PromiseRow:
    id: int
    customer: str  # external id
    customer_name: str
    amount: int  # minor units of `currency`
    currency: str
    promised_on: date
    due_on: date
    grace_days: int
    status: str
    paid: int
    resolved_on: date | None
    source: str
    collector: str | None
    created_by: str | None
    note: str | None
    invoices: tuple[str, ...]  # numbers; empty: the customer's whole balance
    created_at: datetime


def promises_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    *,
    status: str | None = None,
    customer: str | None = None,
) -> Page[PromiseRow]:
    """The company's promises, newest first; of one status or customer (external id)."""
    found = listed_page(session, Promise, company_id, page, PROMISE_STATUSES, status, customer)
    numbers = _numbers(session, [promise.id for promise, _, _ in found.items])
    rows = [
        _row(p, external_id, name, numbers.get(p.id, ())) for p, external_id, name in found.items
    ]
    return Page(rows, found.limit, found.offset, found.next_offset)


def promise_row(session: Session, company_id: int, promise_id: int) -> PromiseRow:
    found = session.execute(
        select(Promise, Customer.external_id, Customer.name)
        .join(Customer, Customer.id == Promise.customer_id)
        .where(Promise.company_id == company_id, Promise.id == promise_id)
    ).first()
    if found is None:
        raise NotFound(f"no promise {promise_id}", field="promise_id")
    promise, external_id, name = found
    return _row(promise, external_id, name, _numbers(session, [promise.id]).get(promise.id, ()))


def _numbers(session: Session, promise_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The invoice numbers each promise lists, in one query for the page."""
    if not promise_ids:
        return {}
    numbers: dict[int, list[str]] = defaultdict(list)
    for promise_id, number in session.execute(
        select(PromiseInvoice.promise_id, Invoice.number)
        .join(Invoice, Invoice.id == PromiseInvoice.invoice_id)
        .where(PromiseInvoice.promise_id.in_(promise_ids))
        .order_by(Invoice.number)
    ):
        numbers[promise_id].append(number)
    return {key: tuple(value) for key, value in numbers.items()}


def _row(promise: Promise, external_id: str, name: str, numbers: tuple[str, ...]) -> PromiseRow:
    return PromiseRow(
        id=promise.id,
        customer=external_id,
        customer_name=name,
        amount=promise.amount,
        currency=promise.currency,
        promised_on=promise.promised_on,
        due_on=promise.due_on,
        grace_days=promise.grace_days,
        status=promise.status,
        paid=promise.paid,
        resolved_on=promise.resolved_on,
        source=promise.source,
        collector=promise.collector,
        created_by=promise.created_by,
        note=promise.note,
        invoices=numbers,
        created_at=promise.created_at,
    )


def kept_rates(
    session: Session, company_id: int, start: date, end: date, by: By = "customer"
) -> list[Tally]:
    """Per customer (external id) or per collector (who owned the customer when the promise
    was made), the promises made from `start` to `end`: kept, broken, still open, cancelled and
    the kept rate. Best kept first, those with none ended last."""
    if by not in ("customer", "collector"):
        raise Invalid(f"by {by!r}: use customer or collector", field="by")
    if end < start:
        raise Invalid(f"the period ends ({end}) before it starts ({start})", field="end")
    key = Customer.external_id if by == "customer" else func.coalesce(Promise.collector, "")
    query = (
        select(key, Promise.status, func.count())
        .join(Customer, Customer.id == Promise.customer_id)
        .where(
            Promise.company_id == company_id,
            Promise.promised_on >= start,
            Promise.promised_on <= end,
        )
        .group_by(key, Promise.status)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for name, status, count in session.execute(query):
        counts[name or NO_COLLECTOR][status] = int(count)
    tallies = [tally(name, by_status) for name, by_status in counts.items()]
    return sorted(tallies, key=lambda t: (t.rate is None, -(t.rate or 0), t.key))


# ---- what the daily review reads ------------------------------------------------------------


def has_invoices() -> ColumnElement[bool]:
    """The promise lists its invoices (else it is over the customer's whole balance)."""
    return exists().where(PromiseInvoice.promise_id == Promise.id)


def _coverage(company_id: int) -> Subquery:
    """(promise id, invoice id) of every open promise of the company: the invoices listed,
    or, for a promise over the whole balance, the customer's invoices in its currency."""
    listed = (
        select(PromiseInvoice.promise_id.label("promise_id"), PromiseInvoice.invoice_id)
        .join(Promise, Promise.id == PromiseInvoice.promise_id)
        .where(Promise.company_id == company_id, Promise.status == "open")
    )
    whole = (
        select(Promise.id.label("promise_id"), Invoice.id.label("invoice_id"))
        .join(
            Invoice,
            and_(
                Invoice.customer_id == Promise.customer_id,
                Invoice.currency == Promise.currency,
                Invoice.company_id == Promise.company_id,
            ),
        )
        .where(Promise.company_id == company_id, Promise.status == "open", ~has_invoices())
    )
    return union_all(listed, whole).subquery("coverage")


def promise_sums(
    session: Session, company_id: int, on: date
) -> tuple[dict[int, int], dict[int, int]]:
    """{promise id: paid toward it from the day it was made up to `on`} and {promise id: open
    on what it covers as it stood on `on`}, for every open promise at once (set-based: two
    queries whatever their number). Cash applied after `on` counts as still open, so that
    replaying an earlier day does not find the invoices settled by money not yet come."""
    cover = _coverage(company_id)
    counted = and_(Allocation.applied_on >= Promise.promised_on, Allocation.applied_on <= on)
    paid_rows = session.execute(
        select(
            cover.c.promise_id,
            func.sum(case((counted, Allocation.amount), else_=literal(0))),
            func.sum(case((Allocation.applied_on > on, Allocation.amount), else_=literal(0))),
        )
        .join(Allocation, Allocation.invoice_id == cover.c.invoice_id)
        .join(Promise, Promise.id == cover.c.promise_id)
        .group_by(cover.c.promise_id)
    )
    paid: dict[int, int] = {}
    later: dict[int, int] = {}
    for promise_id, toward, after in paid_rows:
        paid[promise_id], later[promise_id] = int(toward or 0), int(after or 0)
    open_rows = session.execute(
        select(cover.c.promise_id, func.coalesce(func.sum(Invoice.open_amount), literal(0)))
        .join(Invoice, Invoice.id == cover.c.invoice_id)
        .group_by(cover.c.promise_id)
    )
    open_left = {key: int(total) + later.get(key, 0) for key, total in open_rows}
    return paid, open_left
