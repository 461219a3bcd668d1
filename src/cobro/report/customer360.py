"""The customer 360 and the invoice page: one customer of one company as a collector sees it.

`customer_overview` reads several domains (customers, invoices, payments, chase progress,
holds, the outbox) and so sits in the report layer, above them all. Every query is scoped to
the caller's company: another company's customer, invoice or document is `NotFound`, the same
answer as one that does not exist, so an id of another tenant learns nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Contact, Customer
from cobro.customer.service import get_customer
from cobro.errors import NotFound
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.invoice.service import get_invoice
from cobro.note.service import NoteRow, customer_notes
from cobro.outbox.models import Action, Attempt, Document
from cobro.payment.models import Allocation, Payment
from cobro.policy.holds import in_force
from cobro.policy.models import ChaseStep, Hold
from cobro.policy.progress import progress_of

LEDGER_LIMIT = 50
TIMELINE_LIMIT = 100


@dataclass(frozen=True)
class OpenItem:
    number: str
    issue_date: date
    due_date: date
    currency: str
    total: int
    open_amount: int
    days_overdue: int  # 0 when not yet due
    stage: str | None  # from the chase steps (policy.progress)
    delivered: str | None
    hold: str | None  # the kind of a hold in force on the invoice or the whole customer


@dataclass(frozen=True)
class LedgerLine:
    on: date
    kind: Literal["invoice", "payment", "credit_note", "write_off"]
    reference: str
    currency: str
    amount: int  # minor units; what the customer owes more (+) or less (-)
    invoice: str | None  # the invoice it belongs to, where it belongs to one


@dataclass(frozen=True)
class DocumentRef:
    id: int
    name: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class AttemptLine:
    at: datetime
    outcome: str
    detail: str | None


@dataclass(frozen=True)
class TimelineEntry:
    """A message or other action of the chase, with its attempts and the documents sent."""

    id: int
    cycle_on: date
    at: datetime  # when sent, else when created: the order of the timeline
    kind: str
    stage: str
    tone: str
    status: str
    attempts: tuple[AttemptLine, ...]
    last_error: str | None
    documents: tuple[DocumentRef, ...]


@dataclass(frozen=True)
class HoldLine:
    kind: str
    reason: str
    invoice: str | None
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class Overview:
    customer: Customer
    contacts: tuple[Contact, ...]
    on: date
    open_items: tuple[OpenItem, ...]
    open_totals: dict[str, int]  # currency -> open amount
    ledger: tuple[LedgerLine, ...]  # newest first
    timeline: tuple[TimelineEntry, ...]  # newest first
    holds: tuple[HoldLine, ...]  # in force on `on`
    notes: tuple[NoteRow, ...] = ()  # notes and calls, newest first


def customer_overview(
    session: Session, company_id: int, external_id: str, on: date, limit: int = LEDGER_LIMIT
) -> Overview:
    customer = get_customer(session, company_id, external_id)
    invoices = list(
        session.scalars(
            select(Invoice)
            .where(Invoice.company_id == company_id, Invoice.customer_id == customer.id)
            .order_by(Invoice.due_date, Invoice.number)
        )
    )
    numbers = {invoice.id: invoice.number for invoice in invoices}
    holds = list(
        session.scalars(
            select(Hold)
            .where(Hold.company_id == company_id, Hold.customer_id == customer.id, in_force(on))
            .order_by(Hold.id)
        )
    )
    customer_hold = next((hold.kind for hold in holds if hold.invoice_id is None), None)
    invoice_holds: dict[int, str] = {}
    for hold in holds:
        if hold.invoice_id is not None:
            invoice_holds.setdefault(hold.invoice_id, hold.kind)
    open_invoices = [invoice for invoice in invoices if invoice.open_amount > 0]
    progress = progress_of(session, [invoice.id for invoice in open_invoices])
    items = []
    totals: dict[str, int] = {}
    for invoice in open_invoices:
        step = progress.get(invoice.id)
        items.append(
            OpenItem(
                number=invoice.number,
                issue_date=invoice.issue_date,
                due_date=invoice.due_date,
                currency=invoice.currency,
                total=invoice.total,
                open_amount=invoice.open_amount,
                days_overdue=max(0, (on - invoice.due_date).days),
                stage=step.stage if step else None,
                delivered=step.delivered if step else None,
                hold=customer_hold or invoice_holds.get(invoice.id),
            )
        )
        totals[invoice.currency] = totals.get(invoice.currency, 0) + invoice.open_amount
    return Overview(
        customer=customer,
        contacts=tuple(customer.contacts),
        on=on,
        open_items=tuple(items),
        open_totals=totals,
        ledger=tuple(_ledger(session, company_id, customer, invoices, numbers, limit)),
        timeline=tuple(message_timeline(session, company_id, customer.id, TIMELINE_LIMIT)),
        notes=tuple(customer_notes(session, company_id, customer.id)),
        holds=tuple(
            HoldLine(
                hold.kind,
                hold.reason,
                numbers.get(hold.invoice_id) if hold.invoice_id else None,
                hold.starts_on,
                hold.ends_on,
            )
            for hold in holds
        ),
    )


def _ledger(
    session: Session,
    company_id: int,
    customer: Customer,
    invoices: list[Invoice],
    numbers: dict[int, str],
    limit: int,
) -> list[LedgerLine]:
    lines = [
        LedgerLine(i.issue_date, "invoice", i.number, i.currency, i.total, i.number)
        for i in invoices
    ]
    payments = session.scalars(
        select(Payment)
        .where(Payment.company_id == company_id, Payment.customer_id == customer.id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())
        .limit(limit)
    )
    lines += [
        LedgerLine(p.received_on, "payment", p.external_id, p.currency, -p.amount, None)
        for p in payments
    ]
    if numbers:
        notes = session.scalars(
            select(CreditNote)
            .where(CreditNote.company_id == company_id, CreditNote.invoice_id.in_(numbers))
            .order_by(CreditNote.issue_date.desc(), CreditNote.id.desc())
            .limit(limit)
        )
        lines += [
            LedgerLine(
                n.issue_date, "credit_note", n.number, n.currency, -n.amount, numbers[n.invoice_id]
            )
            for n in notes
        ]
        currency = {i.id: i.currency for i in invoices}
        write_offs = session.scalars(
            select(WriteOff)
            .where(WriteOff.invoice_id.in_(numbers))
            .order_by(WriteOff.written_off_on.desc(), WriteOff.id.desc())
            .limit(limit)
        )
        lines += [
            LedgerLine(
                w.written_off_on,
                "write_off",
                w.reason,
                currency[w.invoice_id],
                -w.amount,
                numbers[w.invoice_id],
            )
            for w in write_offs
        ]
    lines.sort(key=lambda line: (line.on, line.kind != "invoice"), reverse=True)
    return lines[:limit]


def message_timeline(
    session: Session, company_id: int, customer_id: int, limit: int
) -> list[TimelineEntry]:
    actions = list(
        session.scalars(
            select(Action)
            .where(Action.company_id == company_id, Action.customer_id == customer_id)
            .order_by(Action.cycle_on.desc(), Action.id.desc())
            .limit(limit)
        )
    )
    ids = [action.id for action in actions]
    attempts: dict[int, list[AttemptLine]] = {}
    documents: dict[int, list[DocumentRef]] = {}
    if ids:
        for attempt in session.scalars(
            select(Attempt).where(Attempt.action_id.in_(ids)).order_by(Attempt.at, Attempt.id)
        ):
            attempts.setdefault(attempt.action_id, []).append(
                AttemptLine(attempt.at, attempt.outcome, attempt.detail)
            )
        rows = session.execute(
            select(
                Document.action_id,
                Document.id,
                Document.name,
                Document.media_type,
                Document.size,
                Document.sha256,
            )
            .where(Document.action_id.in_(ids))
            .order_by(Document.id)
        )
        for action_id, document_id, name, media_type, size, digest in rows:
            documents.setdefault(action_id, []).append(
                DocumentRef(document_id, name, media_type, size, digest)
            )
    entries = [
        TimelineEntry(
            id=action.id,
            cycle_on=action.cycle_on,
            at=action.sent_at or action.created_at,
            kind=action.kind,
            stage=action.stage,
            tone=action.tone,
            status=action.status,
            attempts=tuple(attempts.get(action.id, ())),
            last_error=action.last_error,
            documents=tuple(documents.get(action.id, ())),
        )
        for action in actions
    ]
    entries.sort(key=lambda entry: (entry.cycle_on, entry.at, entry.id), reverse=True)
    return entries


def customer_document(
    session: Session, company_id: int, external_id: str, document_id: int
) -> Document:
    """A document sent to this customer of this company; NotFound for any other."""
    customer = get_customer(session, company_id, external_id)
    document = session.scalar(
        select(Document)
        .join(Action, Action.id == Document.action_id)
        .where(
            Document.id == document_id,
            Action.company_id == company_id,
            Action.customer_id == customer.id,
        )
    )
    if document is None:
        raise NotFound(f"no document {document_id} for customer {external_id!r}")
    return document


@dataclass(frozen=True)
class AllocationLine:
    payment: str
    applied_on: date
    amount: int


@dataclass(frozen=True)
class StepLine:
    stage: str
    reached_on: date
    open_amount: int
    delivered_on: date | None


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    customer: Customer
    on: date
    days_overdue: int
    allocations: tuple[AllocationLine, ...]
    credit_notes: tuple[CreditNote, ...]
    write_offs: tuple[WriteOff, ...]
    steps: tuple[StepLine, ...]  # oldest first
    hold: str | None


def invoice_view(session: Session, company_id: int, number: str, on: date) -> InvoiceView:
    invoice = get_invoice(session, company_id, number)
    customer = session.get_one(Customer, invoice.customer_id)
    allocations = session.execute(
        select(Payment.external_id, Allocation.applied_on, Allocation.amount)
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Allocation.invoice_id == invoice.id, Payment.company_id == company_id)
        .order_by(Allocation.applied_on, Allocation.id)
    )
    notes = session.scalars(
        select(CreditNote)
        .where(CreditNote.company_id == company_id, CreditNote.invoice_id == invoice.id)
        .order_by(CreditNote.issue_date, CreditNote.id)
    )
    write_offs = session.scalars(
        select(WriteOff)
        .where(WriteOff.invoice_id == invoice.id)
        .order_by(WriteOff.written_off_on, WriteOff.id)
    )
    steps = session.scalars(
        select(ChaseStep)
        .where(ChaseStep.invoice_id == invoice.id)
        .order_by(ChaseStep.reached_on, ChaseStep.stage)
    )
    hold = session.scalar(
        select(Hold.kind)
        .where(
            Hold.company_id == company_id,
            Hold.customer_id == customer.id,
            (Hold.invoice_id == invoice.id) | Hold.invoice_id.is_(None),
            in_force(on),
        )
        .order_by(Hold.id)
        .limit(1)
    )
    return InvoiceView(
        invoice=invoice,
        customer=customer,
        on=on,
        days_overdue=max(0, (on - invoice.due_date).days) if invoice.open_amount else 0,
        allocations=tuple(AllocationLine(*row) for row in allocations),
        credit_notes=tuple(notes),
        write_offs=tuple(write_offs),
        steps=tuple(StepLine(s.stage, s.reached_on, s.open_amount, s.delivered_on) for s in steps),
        hold=hold,
    )
