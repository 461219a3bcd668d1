"""The payments as the API lists and shows them: filtered, sorted, a page at a time, and one
with its allocations. Always within one company."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from cobro.customer.models import Customer
from cobro.errors import NotFound
from cobro.invoice.models import Invoice
from cobro.kit.pagination import Page, PageRequest, paginate_rows, sorted_by
from cobro.payment.models import Allocation, Payment

PAYMENT_SORTS = {
    "received_on": Payment.received_on,
    "amount": Payment.amount,
    "unapplied": Payment.unapplied,
    "external_id": Payment.external_id,
}


@dataclass(frozen=True)
class PaymentFilter:
    customer: str | None = None  # external id
    currency: str | None = None
    unapplied: bool | None = None  # True: with cash left to allocate; False: fully allocated
    received_after: date | None = None  # inclusive
    received_before: date | None = None  # inclusive
    external_id: str | None = None


@dataclass(frozen=True)
class PaymentRow:
    id: int
    external_id: str
    customer: str | None
    received_on: date
    currency: str
    amount: int
    allocated: int
    unapplied: int
    method: str | None
    reference: str | None
    payer_name: str | None
    created_at: datetime
    allocations: list[dict[str, Any]] = field(default_factory=list)


def row_of(payment: Payment, customer: str | None) -> PaymentRow:
    return PaymentRow(
        id=payment.id,
        external_id=payment.external_id,
        customer=customer,
        received_on=payment.received_on,
        currency=payment.currency,
        amount=payment.amount,
        allocated=payment.amount - payment.unapplied,
        unapplied=payment.unapplied,
        method=payment.method,
        reference=payment.reference,
        payer_name=payment.payer_name,
        created_at=payment.created_at,
    )


def payments_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    where: PaymentFilter | None = None,
    sort: str = "-received_on",
) -> Page[PaymentRow]:
    query = _filtered(company_id, where or PaymentFilter())
    query = sorted_by(query, sort, PAYMENT_SORTS, Payment.id)
    return paginate_rows(session, query, page, row_of)


def _filtered(company_id: int, where: PaymentFilter) -> Select[Payment, str | None]:
    payer = aliased(Customer)
    query = (
        select(Payment, payer.external_id)
        .outerjoin(payer, payer.id == Payment.customer_id)
        .where(Payment.company_id == company_id)
    )
    if where.customer is not None:
        query = query.where(payer.external_id == where.customer)
    if where.currency is not None:  # a code no payment has lists nothing (a filter, not input)
        query = query.where(Payment.currency == where.currency.strip().upper())
    if where.unapplied is not None:
        query = query.where(Payment.unapplied > 0 if where.unapplied else Payment.unapplied == 0)
    if where.received_after is not None:
        query = query.where(Payment.received_on >= where.received_after)
    if where.received_before is not None:
        query = query.where(Payment.received_on <= where.received_before)
    if where.external_id is not None:
        query = query.where(Payment.external_id == where.external_id)
    return query


def payment_detail(session: Session, company_id: int, payment_id: int) -> PaymentRow:
    """One payment of the company with its allocations, oldest first."""
    found = session.execute(
        _filtered(company_id, PaymentFilter()).where(Payment.id == payment_id)
    ).first()
    if found is None:
        raise NotFound(f"no payment {payment_id} in this company")
    payment, customer = found
    allocations = session.execute(
        select(
            Allocation.id,
            Allocation.payment_id,
            Invoice.number.label("invoice"),
            Allocation.amount,
            Allocation.applied_on,
        )
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(Allocation.payment_id == payment.id)
        .order_by(Allocation.applied_on, Allocation.id)
    ).all()
    listed = [{**each._mapping, "payment": payment.external_id} for each in allocations]
    return replace(row_of(payment, customer), allocations=listed)
