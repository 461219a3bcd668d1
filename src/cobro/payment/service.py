"""Payment use cases: record money received, allocate it, and prove the ledger balances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, ColumnElement, case, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cobro.company.models import Company
from cobro.customer.service import Change, get_customer
from cobro.errors import Invalid
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.invoice.service import add_credit_note, get_invoice, reduce_open, restore_open
from cobro.kit.money import check_currency
from cobro.payment.events import payment_received
from cobro.payment.models import Allocation, Payment
from cobro.payment.rules import (
    check_payment_amount,
    check_same_payment,
    exact_allocations,
    plan_allocations,
)


@dataclass(frozen=True)
class PaymentIn:
    external_id: str
    received_on: date
    amount: int
    currency: str
    customer: str | None = None  # external id; None for cash from an unknown payer
    method: str | None = None
    reference: str | None = None
    payer_name: str | None = None
    invoices: tuple[str, ...] = ()  # invoice numbers to apply it to, in order
    # exactly how much goes to each of `invoices` (cash application decided it); empty: each
    # in turn takes what it has open until the payment is spent
    amounts: tuple[int, ...] = ()


def record_payment(
    session: Session, company: Company, data: PaymentIn, apply_oldest: bool = False
) -> tuple[Payment, Change]:
    """Record a payment once (by external id) and apply it to the named invoices, else, with
    `apply_oldest`, to the customer's oldest open invoices; the rest stays unapplied cash.

    Recording the same payment again changes nothing; the same id with other content is an error.
    """
    check_payment_amount(data.amount)
    currency = check_currency(data.currency)
    customer = get_customer(session, company.id, data.customer) if data.customer else None
    existing = session.scalar(
        select(Payment).where(
            Payment.company_id == company.id, Payment.external_id == data.external_id
        )
    )
    if existing is not None:
        check_same_payment(
            data.external_id,
            (existing.amount, existing.currency, existing.received_on, existing.customer_id),
            (data.amount, currency, data.received_on, customer.id if customer else None),
        )
        return existing, Change.UNCHANGED
    payment = Payment(
        company_id=company.id,
        customer_id=customer.id if customer else None,
        external_id=data.external_id,
        received_on=data.received_on,
        currency=currency,
        amount=data.amount,
        unapplied=data.amount,
        method=data.method,
        reference=data.reference,
        payer_name=data.payer_name,
    )
    # find and check every invoice before writing anything: a refused payment leaves no trace
    targets = [get_invoice(session, company.id, number) for number in dict.fromkeys(data.invoices)]
    if not targets and apply_oldest and customer is not None:
        targets = list(
            session.scalars(
                select(Invoice)
                .where(
                    Invoice.customer_id == customer.id,
                    Invoice.open_amount > 0,
                    Invoice.currency == currency,
                )
                .order_by(Invoice.due_date, Invoice.id)
            )
        )
    for invoice in targets:
        _check_same_party(payment, invoice)
    if len({invoice.customer_id for invoice in targets}) > 1:  # an unknown payer pays one customer
        raise Invalid(f"payment {data.external_id} names invoices of several customers")
    session.add(payment)
    session.flush()
    by_id = {invoice.id: invoice for invoice in targets}
    if data.amounts:
        applied = exact_allocations(payment.unapplied, [i.id for i in targets], data.amounts)
    else:
        applied = plan_allocations(payment.unapplied, [(i.id, i.open_amount) for i in targets])
    for invoice_id, amount in applied:
        # amounts given: cash application matched them, discounts included, and settles those
        allocate(session, payment, by_id[invoice_id], amount, data.received_on, not data.amounts)
    payment_received(session, payment, customer, [(by_id[i].number, a) for i, a in applied])
    return payment, Change.CREATED


def _check_same_party(payment: Payment, invoice: Invoice) -> None:
    if invoice.company_id != payment.company_id:
        raise Invalid(
            f"invoice {invoice.number} belongs to another company than payment "
            f"{payment.external_id}"
        )
    if invoice.currency != payment.currency:
        raise Invalid(
            f"payment {payment.external_id} is in {payment.currency}, "
            f"invoice {invoice.number} in {invoice.currency}"
        )
    if payment.customer_id is not None and invoice.customer_id != payment.customer_id:
        raise Invalid(
            f"invoice {invoice.number} belongs to another customer than payment "
            f"{payment.external_id}"
        )


def allocate(
    session: Session,
    payment: Payment,
    invoice: Invoice,
    amount: int,
    on: date,
    take_discount: bool = True,
) -> Allocation:
    """Apply part of a payment to an invoice; never more than either has left. With
    `take_discount`, a payment received inside the invoice's early-payment window that leaves
    exactly the discount open took the discount: a credit note closes the invoice (cash
    application settles discounts itself, with the amounts it matched)."""
    _check_same_party(payment, invoice)
    if amount > payment.unapplied:
        raise Invalid(
            f"allocation of {amount} exceeds the {payment.unapplied} left on payment "
            f"{payment.external_id}"
        )
    applied_on = max(on, payment.received_on)
    reduce_open(invoice, amount, applied_on, "allocation")
    payment.unapplied -= amount
    if payment.customer_id is None:
        payment.customer_id = invoice.customer_id
    allocation = Allocation(
        payment_id=payment.id, invoice_id=invoice.id, amount=amount, applied_on=applied_on
    )
    session.add(allocation)
    session.flush()
    if take_discount and discount_taken(invoice, payment.received_on):
        company = session.get_one(Company, invoice.company_id)
        number = f"DSC-P{payment.id}-{invoice.id}"
        add_credit_note(
            session, company, invoice, number, applied_on, invoice.open_amount,
            "early-payment discount taken",
        )  # fmt: skip
    return allocation


def discount_taken(invoice: Invoice, received_on: date) -> bool:
    """What is left open is the early-payment discount, and the money came inside its window."""
    return (
        invoice.discount_amount > 0
        and invoice.discount_until is not None
        and received_on <= invoice.discount_until
        and invoice.open_amount == invoice.discount_amount
    )


def reverse_allocation(session: Session, allocation: Allocation) -> None:
    """Undo an allocation (a payment applied to the wrong invoice): both sides get it back."""
    payment = session.get_one(Payment, allocation.payment_id)
    invoice = session.get_one(Invoice, allocation.invoice_id)
    restore_open(invoice, allocation.amount)
    payment.unapplied += allocation.amount
    session.delete(allocation)
    session.flush()


@dataclass(frozen=True)
class LedgerBreak:
    kind: str  # "invoice" or "payment"
    key: str
    stored: int
    computed: int


def _total(amount: InstrumentedAttribute[int]) -> ColumnElement[int]:
    """SUM of a money column as an integer: PostgreSQL sums bigint into numeric (a Decimal)."""
    return cast(func.sum(amount), BigInteger)


def check_ledger(session: Session, company_id: int) -> list[LedgerBreak]:
    """Every invoice's open amount equals total − allocations − credits − write-offs, and every
    payment's unapplied cash equals amount − allocations (0 once returned).
    Set-based: one query per table."""
    alloc = (
        select(Allocation.invoice_id, _total(Allocation.amount).label("s"))
        .group_by(Allocation.invoice_id)
        .subquery()
    )
    credit = (
        select(CreditNote.invoice_id, _total(CreditNote.amount).label("s"))
        .group_by(CreditNote.invoice_id)
        .subquery()
    )
    written = (
        select(WriteOff.invoice_id, _total(WriteOff.amount).label("s"))
        .group_by(WriteOff.invoice_id)
        .subquery()
    )
    computed = (
        Invoice.total
        - func.coalesce(alloc.c.s, 0)
        - func.coalesce(credit.c.s, 0)
        - func.coalesce(written.c.s, 0)
    )
    invoice_rows = session.execute(
        select(Invoice.number, Invoice.open_amount, computed)
        .outerjoin(alloc, alloc.c.invoice_id == Invoice.id)
        .outerjoin(credit, credit.c.invoice_id == Invoice.id)
        .outerjoin(written, written.c.invoice_id == Invoice.id)
        .where(Invoice.company_id == company_id, Invoice.open_amount != computed)
    ).all()
    paid = (
        select(Allocation.payment_id, _total(Allocation.amount).label("s"))
        .group_by(Allocation.payment_id)
        .subquery()
    )
    # a returned direct debit keeps its amount for the record but has nothing left to apply
    left = case(
        (Payment.returned_on.is_not(None), 0),
        else_=Payment.amount - func.coalesce(paid.c.s, 0),
    )
    payment_rows = session.execute(
        select(Payment.external_id, Payment.unapplied, left)
        .outerjoin(paid, paid.c.payment_id == Payment.id)
        .where(Payment.company_id == company_id, Payment.unapplied != left)
    ).all()
    return [LedgerBreak("invoice", *row) for row in invoice_rows] + [
        LedgerBreak("payment", *row) for row in payment_rows
    ]
