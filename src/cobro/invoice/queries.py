"""The invoices as the API lists and shows them: filtered, sorted, a page at a time, each with
where it stands on a day (open, overdue or paid), and one invoice with everything that took
from it. Always within one company."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Select, column, select, table
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import CreditNote, Installment, Invoice, WriteOff
from cobro.invoice.rules import days_past_due
from cobro.kit.pagination import Page, PageRequest, page_keys, page_of, sorted_by

# what a list of invoices may be sorted by ("-" first: descending); the id breaks ties
INVOICE_SORTS = {
    "due_date": Invoice.due_date,
    "issue_date": Invoice.issue_date,
    "total": Invoice.total,
    "open_amount": Invoice.open_amount,
    "number": Invoice.number,
}
STATUSES = ("open", "overdue", "paid")


@dataclass(frozen=True)
class InvoiceFilter:
    customer: str | None = None  # external id
    status: str | None = None
    due_after: date | None = None  # inclusive
    due_before: date | None = None  # inclusive
    currency: str | None = None


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    customer: str
    issue_date: date
    due_date: date
    currency: str
    total: int
    tax: int
    open_amount: int
    status: str
    days_past_due: int
    settled_on: date | None
    payment_reference: str
    purchase_order: str | None
    reference: str | None
    discount_until: date | None
    discount_amount: int
    created_at: datetime
    # the detail only
    installments: list[Installment] = field(default_factory=list)
    allocations: list[dict[str, Any]] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    write_offs: list[WriteOff] = field(default_factory=list)
    stage: str | None = None
    stage_on: date | None = None


def status_of(invoice: Invoice, today: date) -> str:
    if invoice.open_amount == 0:
        return "paid"
    return "overdue" if invoice.due_date < today else "open"


def row_of(invoice: Invoice, customer: str, today: date) -> InvoiceRow:
    return InvoiceRow(
        number=invoice.number,
        customer=customer,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        total=invoice.total,
        tax=invoice.tax,
        open_amount=invoice.open_amount,
        status=status_of(invoice, today),
        days_past_due=days_past_due(invoice.due_date, today),
        settled_on=invoice.settled_on,
        payment_reference=invoice.payment_reference,
        purchase_order=invoice.purchase_order,
        reference=invoice.reference,
        discount_until=invoice.discount_until,
        discount_amount=invoice.discount_amount,
        created_at=invoice.created_at,
    )


def invoices_page(
    session: Session,
    company_id: int,
    today: date,
    page: PageRequest,
    where: InvoiceFilter | None = None,
    sort: str = "due_date",
) -> Page[InvoiceRow]:
    """A page of the company's invoices that pass `where`, sorted by one of INVOICE_SORTS;
    `today` (the company's) decides which open ones are overdue."""
    keys = _filtered(company_id, today, where or InvoiceFilter())
    shown = page_keys(sorted_by(keys, sort, INVOICE_SORTS, Invoice.id), page)
    query = (
        select(Invoice, Customer.external_id)
        .join(shown, shown.c.id == Invoice.id)
        .join(Customer, Customer.id == Invoice.customer_id)
    )
    rows = session.execute(sorted_by(query, sort, INVOICE_SORTS, Invoice.id))
    return page_of([row_of(invoice, external_id, today) for invoice, external_id in rows], page)


def _filtered(company_id: int, today: date, where: InvoiceFilter) -> Select[int]:
    """The ids of the company's invoices that pass `where`."""
    query = select(Invoice.id).where(Invoice.company_id == company_id)
    if where.customer is not None:
        query = query.join(Customer, Customer.id == Invoice.customer_id).where(
            Customer.external_id == where.customer
        )
    if where.status is not None:
        if where.status not in STATUSES:
            raise Invalid(f"status: use one of {', '.join(STATUSES)}", field="status")
        if where.status == "paid":
            query = query.where(Invoice.open_amount == 0)
        else:
            query = query.where(Invoice.open_amount > 0)
        if where.status == "overdue":
            query = query.where(Invoice.due_date < today)
        elif where.status == "open":  # as `status_of` says: open and not yet overdue
            query = query.where(Invoice.due_date >= today)
    if where.due_after is not None:
        query = query.where(Invoice.due_date >= where.due_after)
    if where.due_before is not None:
        query = query.where(Invoice.due_date <= where.due_before)
    if where.currency is not None:  # a code no invoice has lists nothing (a filter, not input)
        query = query.where(Invoice.currency == where.currency.strip().upper())
    return query


# Allocations and chase steps belong to cobro.payment and cobro.policy, layers above this one:
# the detail reads their rows by table name (as `service.last_reduction_on` does), never their
# models, so the invoice domain stays below them.
_ALLOCATION = table(
    "allocation",
    column("id"),
    column("payment_id"),
    column("invoice_id"),
    column("amount"),
    column("applied_on", Date),
)
_PAYMENT = table("payment", column("id"), column("external_id"))
_STEP = table("chase_step", column("invoice_id"), column("stage"), column("reached_on", Date))


def invoice_detail(session: Session, company_id: int, number: str, today: date) -> InvoiceRow:
    """One invoice of the company with its installments, allocations, credit notes,
    write-offs and current chase stage."""
    found = session.execute(
        select(Invoice, Customer.external_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.company_id == company_id, Invoice.number == number)
    ).first()
    if found is None:
        raise NotFound(f"no invoice {number!r}")
    invoice, external_id = found
    allocations = session.execute(
        select(
            _ALLOCATION.c.id,
            _ALLOCATION.c.payment_id,
            _PAYMENT.c.external_id.label("payment"),
            _ALLOCATION.c.amount,
            _ALLOCATION.c.applied_on,
        )
        .join(_PAYMENT, _PAYMENT.c.id == _ALLOCATION.c.payment_id)
        .where(_ALLOCATION.c.invoice_id == invoice.id)
        .order_by(_ALLOCATION.c.applied_on, _ALLOCATION.c.id)
    ).all()
    step = session.execute(
        select(_STEP.c.stage, _STEP.c.reached_on)
        .where(_STEP.c.invoice_id == invoice.id)
        .order_by(_STEP.c.reached_on.desc())
        .limit(1)
    ).first()
    return _with_detail(session, row_of(invoice, external_id, today), invoice, allocations, step)


def _with_detail(
    session: Session, base: InvoiceRow, invoice: Invoice, allocations: Any, step: Any
) -> InvoiceRow:
    return replace(
        base,
        installments=list(invoice.installments),
        allocations=[{**row._mapping, "invoice": invoice.number} for row in allocations],
        credit_notes=list(
            session.scalars(
                select(CreditNote)
                .where(CreditNote.invoice_id == invoice.id)
                .order_by(CreditNote.issue_date, CreditNote.id)
            )
        ),
        write_offs=list(
            session.scalars(
                select(WriteOff)
                .where(WriteOff.invoice_id == invoice.id)
                .order_by(WriteOff.written_off_on, WriteOff.id)
            )
        ),
        stage=step.stage if step is not None else None,
        stage_on=step.reached_on if step is not None else None,
    )
