"""Invoice use cases. The open amount and settled date change only through `reduce_open` and
`restore_open`, so every path (payments, credit notes, write-offs) keeps them right."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Select, column, func, select, table, union_all
from sqlalchemy.orm import Session, object_session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import Change, get_customer
from cobro.errors import Conflict, NotFound
from cobro.invoice.models import CreditNote, Installment, Invoice, WriteOff
from cobro.invoice.rules import (
    InvoiceIn,
    applicable_terms,
    check_reduction,
    check_update,
    prepare_invoice,
)
from cobro.kit.dates import plus_days
from cobro.kit.money import check_currency, exponent
from cobro.terms.models import PaymentTerms
from cobro.terms.service import ensure_terms, terms_of


def upsert_invoice(session: Session, company: Company, data: InvoiceIn) -> tuple[Invoice, Change]:
    """Create the invoice, or update the one with the same number.

    Updating may not take the total below what payments, credit notes and write-offs already
    took from it, nor change its currency once anything was applied (money must not vanish).
    """
    currency = check_currency(data.currency)
    customer = get_customer(session, company.id, data.customer.strip())
    terms_row = _terms_for(session, company, customer, data)
    prepared = prepare_invoice(
        data, terms_of(terms_row) if terms_row else None, company.code, exponent(currency)
    )
    values = {
        "customer_id": customer.id,
        "issue_date": data.issue_date,
        "due_date": prepared.due_date,
        "currency": currency,
        "total": data.total,
        "tax": data.tax,
        "terms_id": terms_row.id if terms_row else None,
        "discount_until": prepared.discount_until,
        "discount_amount": prepared.discount_amount,
        "purchase_order": data.purchase_order,
        "reference": data.reference,
        "payment_reference": prepared.payment_reference,
    }
    invoice = find_invoice(session, company.id, data.number.strip())
    if invoice is None:
        invoice = Invoice(company_id=company.id, number=data.number.strip(), **values)
        invoice.open_amount = data.total
        invoice.installments = _installments(prepared.installments)
        session.add(invoice)
        session.flush()
        return invoice, Change.CREATED
    changed = {name: value for name, value in values.items() if getattr(invoice, name) != value}
    if not changed:
        return invoice, Change.UNCHANGED
    _check_update(invoice, changed)
    reduced = invoice.total - invoice.open_amount
    for name, value in changed.items():
        setattr(invoice, name, value)
    invoice.open_amount = invoice.total - reduced
    if invoice.open_amount > 0:
        invoice.settled_on = None
    elif invoice.settled_on is None:  # the new total is what was already taken: settled
        invoice.settled_on = last_reduction_on(session, invoice.id)
    if [(part.due_date, part.amount) for part in invoice.installments] != list(
        prepared.installments
    ):
        invoice.installments.clear()
        session.flush()  # the old rows go before new ones reuse their sequence numbers
        invoice.installments = _installments(prepared.installments)
    session.flush()
    return invoice, Change.UPDATED


def _terms_for(
    session: Session, company: Company, customer: Customer, data: InvoiceIn
) -> PaymentTerms | None:
    own = ensure_terms(session, company.id, data.terms) if data.terms else None
    customers = session.get(PaymentTerms, customer.terms_id) if customer.terms_id else None
    return applicable_terms(own, customers, data.due_date)


def _installments(parts: tuple[tuple[date, int], ...]) -> list[Installment]:
    return [
        Installment(sequence=index, due_date=due, amount=amount)
        for index, (due, amount) in enumerate(parts, start=1)
    ]


def _check_update(invoice: Invoice, changed: dict[str, object]) -> None:
    new_total = changed.get("total", invoice.total)
    new_currency = changed.get("currency", invoice.currency)
    assert isinstance(new_total, int)
    assert isinstance(new_currency, str)
    check_update(
        invoice.number,
        invoice.total - invoice.open_amount,
        invoice.currency,
        new_currency,
        new_total,
        customer_changes="customer_id" in changed,
    )


def reduce_open(invoice: Invoice, amount: int, on: date, what: str) -> None:
    """Take `amount` off the open amount. When nothing is left the invoice is settled on the
    latest date of all its reductions: `on`, or later when an earlier-recorded one is dated
    later (a credit note imported after a payment, but dated before it)."""
    check_reduction(invoice.open_amount, amount, f"{what} on invoice {invoice.number}")
    invoice.open_amount -= amount
    if invoice.open_amount == 0:
        session = object_session(invoice)
        latest = last_reduction_on(session, invoice.id) if session is not None else None
        invoice.settled_on = max(on, latest) if latest is not None else on


# Allocations belong to cobro.payment, a layer above this one: only their dates are read here,
# by table name, to know when an invoice's last reduction took effect.
_ALLOCATION = table("allocation", column("invoice_id"), column("applied_on", Date))


def last_reduction_on(session: Session, invoice_id: int) -> date | None:
    """The latest date of the invoice's allocations, credit notes and write-offs."""
    dates = union_all(
        select(_ALLOCATION.c.applied_on.label("day")).where(_ALLOCATION.c.invoice_id == invoice_id),
        select(CreditNote.issue_date).where(CreditNote.invoice_id == invoice_id),
        select(WriteOff.written_off_on).where(WriteOff.invoice_id == invoice_id),
    ).subquery()
    latest: date | None = session.scalar(select(func.max(dates.c.day)))
    return latest


def restore_open(invoice: Invoice, amount: int) -> None:
    """Give back a reduction (a reversed allocation): the invoice is open again."""
    invoice.open_amount += amount
    invoice.settled_on = None


def add_credit_note(
    session: Session,
    company: Company,
    invoice: Invoice,
    number: str,
    issue_date: date,
    amount: int,
    reason: str | None = None,
) -> CreditNote:
    if session.scalar(
        select(CreditNote.id).where(
            CreditNote.company_id == company.id, CreditNote.number == number
        )
    ):
        raise Conflict(f"credit note {number!r} already exists")
    reduce_open(invoice, amount, issue_date, f"credit note {number}")
    note = CreditNote(
        company_id=company.id,
        invoice_id=invoice.id,
        number=number,
        issue_date=issue_date,
        currency=invoice.currency,
        amount=amount,
        reason=reason,
    )
    session.add(note)
    session.flush()
    return note


def write_off(
    session: Session, invoice: Invoice, amount: int | None, on: date, reason: str
) -> WriteOff:
    """Write off `amount`, or the whole open amount when None."""
    amount = invoice.open_amount if amount is None else amount
    reduce_open(invoice, amount, on, "write-off")
    entry = WriteOff(invoice_id=invoice.id, written_off_on=on, amount=amount, reason=reason)
    session.add(entry)
    session.flush()
    return entry


def find_invoice(session: Session, company_id: int, number: str) -> Invoice | None:
    return session.scalar(
        select(Invoice).where(Invoice.company_id == company_id, Invoice.number == number)
    )


def get_invoice(session: Session, company_id: int, number: str) -> Invoice:
    invoice = find_invoice(session, company_id, number)
    if invoice is None:
        raise NotFound(f"no invoice {number!r}")
    return invoice


def invoices_query(
    company_id: int,
    on: date,
    customer_id: int | None = None,
    overdue: bool = False,
    min_days_past_due: int | None = None,
    open_only: bool = False,
) -> Select[Invoice]:
    """Invoices filtered as the CLI and API offer; `on` is the day days past due are counted to."""
    query = select(Invoice).where(Invoice.company_id == company_id)
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if open_only or overdue or min_days_past_due is not None:
        query = query.where(Invoice.open_amount > 0)
    if overdue:
        query = query.where(Invoice.due_date < on)
    if min_days_past_due is not None:
        query = query.where(Invoice.due_date <= plus_days(on, -min_days_past_due))
    return query.order_by(Invoice.due_date, Invoice.number)
