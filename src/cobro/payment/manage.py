"""What a person or program does to payments through the API: record one (allocated at once
or not), allocate its unapplied cash to invoices, reverse an allocation. Each is an audit event
with the money before and after. The payment and the invoices whose amounts change are locked
first (FOR UPDATE on PostgreSQL, in id order), so two requests at once can never allocate the
same cash twice nor take an invoice below zero. Errors name the field at fault, as the request
wrote it (`allocations.1.amount`). Services flush; the caller commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.service import find_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.money import check_currency
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import PaymentIn, allocate, record_payment, reverse_allocation


@dataclass(frozen=True)
class Share:
    """Part of a payment for one invoice, as a request asks for it."""

    invoice: str  # number
    amount: int


def record_api_payment(
    session: Session,
    company: Company,
    data: PaymentIn,
    shares: Sequence[Share],
    apply_oldest: bool,
    actor_id: int | None,
    now: datetime,
) -> Payment:
    """Record a new payment and allocate it: to `shares`, or to the oldest open invoices."""
    if shares and apply_oldest:
        raise Invalid("give allocations or apply_to_oldest, not both", field="apply_to_oldest")
    customer = None
    if data.customer is not None:
        customer = find_customer(session, company.id, data.customer)
        if customer is None:
            raise Invalid(f"no customer {data.customer!r}", field="customer")
    currency = data.currency or (customer.currency if customer else company.currency)
    try:
        currency = check_currency(currency)
    except Invalid as exc:
        raise Invalid(exc.message, field="currency") from None
    external_id = (data.external_id or "").strip() or f"api-{uuid.uuid4().hex}"
    if _payment_by_external_id(session, company.id, external_id) is not None:
        raise Conflict(f"payment {external_id!r} already exists", field="external_id")
    clean = PaymentIn(
        external_id=external_id,
        received_on=data.received_on,
        amount=data.amount,
        currency=currency,
        customer=customer.external_id if customer else None,
        method=data.method,
        reference=data.reference,
        payer_name=data.payer_name,
    )
    try:
        with session.begin_nested():  # another request recording the same id meanwhile
            payment, _ = record_payment(session, company, clean, apply_oldest=apply_oldest)
    except IntegrityError:
        raise Conflict(f"payment {external_id!r} already exists", field="external_id") from None
    record(
        session,
        "payment.recorded",
        at=now,
        entity_type="payment",
        entity_id=payment.id,
        actor_id=actor_id,
        company_id=company.id,
        after={
            **_money(payment),
            "customer": clean.customer,
            "received_on": str(clean.received_on),
        },
        source="api",
    )
    if shares:
        allocate_payment(session, company.id, payment.id, shares, data.received_on, actor_id, now)
    return payment


def allocate_payment(
    session: Session,
    company_id: int,
    payment_id: int,
    shares: Sequence[Share],
    on: date,
    actor_id: int | None,
    now: datetime,
) -> Payment:
    """Allocate `shares` of the payment's unapplied cash, all or none: every share is checked
    before any is made."""
    payment = lock_payment(session, company_id, payment_id)
    invoices = _lock_invoices(session, company_id, [share.invoice for share in shares])
    _check_shares(payment, shares, invoices)
    before = {**_money(payment), "invoices": _open(invoices)}
    for share in shares:
        allocate(session, payment, invoices[share.invoice], share.amount, on)
    record(
        session,
        "payment.allocated",
        at=now,
        entity_type="payment",
        entity_id=payment.id,
        actor_id=actor_id,
        company_id=company_id,
        before=before,
        after={
            **_money(payment),
            "invoices": _open(invoices),
            "allocated": {share.invoice: share.amount for share in shares},
        },
        source="api",
    )
    return payment


def reverse_payment_allocation(
    session: Session,
    company_id: int,
    payment_id: int,
    allocation_id: int,
    actor_id: int | None,
    now: datetime,
) -> Payment:
    """Undo one allocation of the payment: the invoice is open again by its amount and the
    cash is unapplied again."""
    payment = lock_payment(session, company_id, payment_id)
    allocation = session.scalar(
        select(Allocation).where(
            Allocation.id == allocation_id, Allocation.payment_id == payment.id
        )
    )
    if allocation is None:
        raise NotFound(f"no allocation {allocation_id} of payment {payment_id}")
    invoice = session.scalars(
        select(Invoice)
        .where(Invoice.id == allocation.invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    before = {**_money(payment), "invoices": _open({invoice.number: invoice})}
    amount = allocation.amount
    reverse_allocation(session, allocation)
    record(
        session,
        "allocation.reversed",
        at=now,
        entity_type="payment",
        entity_id=payment.id,
        actor_id=actor_id,
        company_id=company_id,
        before=before,
        after={
            **_money(payment),
            "invoices": _open({invoice.number: invoice}),
            "reversed": {"allocation": allocation_id, "invoice": invoice.number, "amount": amount},
        },
        source="api",
    )
    return payment


def lock_payment(session: Session, company_id: int, payment_id: int) -> Payment:
    """The company's payment, its row locked and re-read (see the module's docstring)."""
    payment = session.scalar(
        select(Payment)
        .where(Payment.id == payment_id, Payment.company_id == company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise NotFound(f"no payment {payment_id} in this company")
    return payment


def _lock_invoices(session: Session, company_id: int, numbers: list[str]) -> dict[str, Invoice]:
    found = session.scalars(
        select(Invoice)
        .where(Invoice.company_id == company_id, Invoice.number.in_(set(numbers)))
        .order_by(Invoice.id)  # one order for every request: no deadlock between two
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {invoice.number: invoice for invoice in found}


def _check_shares(payment: Payment, shares: Sequence[Share], invoices: dict[str, Invoice]) -> None:
    seen: set[str] = set()
    for index, share in enumerate(shares):
        where = f"allocations.{index}"
        invoice = invoices.get(share.invoice)
        if invoice is None:
            raise Invalid(f"no invoice {share.invoice!r}", field=f"{where}.invoice")
        if share.invoice in seen:
            raise Invalid(f"invoice {share.invoice} is named twice", field=f"{where}.invoice")
        seen.add(share.invoice)
        if share.amount <= 0:
            raise Invalid(f"amount must be positive, got {share.amount}", field=f"{where}.amount")
        if invoice.currency != payment.currency:
            raise Invalid(
                f"invoice {invoice.number} is in {invoice.currency}, the payment in "
                f"{payment.currency}",
                field=f"{where}.invoice",
            )
        if payment.customer_id is not None and invoice.customer_id != payment.customer_id:
            raise Invalid(
                f"invoice {invoice.number} belongs to another customer than the payment",
                field=f"{where}.invoice",
            )
        if share.amount > invoice.open_amount:
            raise Invalid(
                f"{share.amount} exceeds the {invoice.open_amount} open on invoice "
                f"{invoice.number}",
                field=f"{where}.amount",
            )
    if len({invoices[share.invoice].customer_id for share in shares}) > 1:
        raise Invalid("the invoices belong to several customers", field="allocations")
    wanted = sum(share.amount for share in shares)
    if wanted > payment.unapplied:
        raise Invalid(
            f"allocations of {wanted} exceed the {payment.unapplied} unapplied on payment "
            f"{payment.external_id}",
            field="allocations",
        )


def _payment_by_external_id(session: Session, company_id: int, external_id: str) -> int | None:
    found: int | None = session.scalar(
        select(Payment.id).where(
            Payment.company_id == company_id, Payment.external_id == external_id
        )
    )
    return found


def _money(payment: Payment) -> dict[str, object]:
    return {
        "external_id": payment.external_id,
        "currency": payment.currency,
        "amount": payment.amount,
        "unapplied": payment.unapplied,
    }


def _open(invoices: dict[str, Invoice]) -> dict[str, int]:
    return {number: invoice.open_amount for number, invoice in sorted(invoices.items())}
