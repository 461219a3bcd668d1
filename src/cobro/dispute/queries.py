"""Reading disputes: the company's list, filtered and a page at a time, and one dispute with
its invoices and evidence (files listed, not loaded). Another company's is not found."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.dispute.models import Dispute, DisputeEvidence, DisputeItem
from cobro.errors import NotFound
from cobro.invoice.models import CreditNote, Invoice
from cobro.kit.pagination import Page, PageRequest, paginate_rows


@dataclass(frozen=True)
class ItemRow:
    invoice: str  # number
    currency: str
    amount: int  # disputed, minor units
    credited: int
    credit_note: str | None
    open_amount: int  # the invoice's, now


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class DisputeRow:
    id: int
    customer: str  # external id
    customer_name: str
    reason: str
    description: str
    status: str
    owner: str | None
    opened_on: date
    due_on: date
    resolved_on: date | None
    resolution: str | None
    source: str
    created_by: str | None
    validation_dispute_id: int | None
    overdue: bool
    items: tuple[ItemRow, ...]
    evidence: tuple[EvidenceRow, ...] = ()

    @property
    def amount(self) -> int:
        return sum(item.amount for item in self.items)

    @property
    def currency(self) -> str:
        return self.items[0].currency if self.items else ""


@dataclass(frozen=True)
class DisputeFilter:
    status: str | None = None
    customer: str | None = None  # external id
    owner: str | None = None
    overdue: bool | None = None  # open past their due date (False: all others)


def disputes_page(
    session: Session, company_id: int, page: PageRequest, on: date, where: DisputeFilter
) -> Page[DisputeRow]:
    """The company's disputes, newest first."""
    query = (
        select(Dispute, Customer.external_id, Customer.name)
        .join(Customer, Customer.id == Dispute.customer_id)
        .where(Dispute.company_id == company_id)
    )
    if where.status is not None:
        query = query.where(Dispute.status == where.status)
    if where.customer is not None:
        query = query.where(Customer.external_id == where.customer)
    if where.owner is not None:
        query = query.where(Dispute.owner == where.owner)
    if where.overdue is not None:
        late = (Dispute.status == "open") & (Dispute.due_on < on)
        query = query.where(late if where.overdue else ~late)
    found = paginate_rows(
        session,
        query.order_by(Dispute.id.desc()),
        page,
        lambda d, ref, name: (d, ref, name),
    )
    items = _items(session, [row[0].id for row in found.items])
    rows = [_row(d, ref, name, on, items.get(d.id, ())) for d, ref, name in found.items]
    return Page(rows, found.limit, found.offset, found.next_offset)


def dispute_detail(session: Session, company_id: int, dispute_id: int, on: date) -> DisputeRow:
    found = session.execute(
        select(Dispute, Customer.external_id, Customer.name)
        .join(Customer, Customer.id == Dispute.customer_id)
        .where(Dispute.company_id == company_id, Dispute.id == dispute_id)
    ).first()
    if found is None:
        raise NotFound(f"no dispute {dispute_id}", field="dispute_id")
    dispute, ref, name = found
    evidence = _evidence(session, dispute.id)
    items = _items(session, [dispute.id]).get(dispute.id, ())
    row = _row(dispute, ref, name, on, items)
    return replace(row, evidence=evidence)


def _evidence(session: Session, dispute_id: int) -> tuple[EvidenceRow, ...]:
    # columns, not rows: the files' bytes stay in the database until one is downloaded
    rows = session.execute(
        select(
            DisputeEvidence.id,
            DisputeEvidence.filename,
            DisputeEvidence.content_type,
            DisputeEvidence.size,
            DisputeEvidence.sha256,
            DisputeEvidence.uploaded_by,
            DisputeEvidence.created_at,
        )
        .where(DisputeEvidence.dispute_id == dispute_id)
        .order_by(DisputeEvidence.id)
    )
    return tuple(EvidenceRow(*row) for row in rows)


def _items(session: Session, dispute_ids: list[int]) -> dict[int, tuple[ItemRow, ...]]:
    if not dispute_ids:
        return {}
    rows = session.execute(
        select(
            DisputeItem.dispute_id,
            Invoice.number,
            Invoice.currency,
            DisputeItem.amount,
            DisputeItem.credited,
            CreditNote.number,
            Invoice.open_amount,
        )
        .join(Invoice, Invoice.id == DisputeItem.invoice_id)
        .outerjoin(CreditNote, CreditNote.id == DisputeItem.credit_note_id)
        .where(DisputeItem.dispute_id.in_(dispute_ids))
        .order_by(DisputeItem.dispute_id, Invoice.number)
    )
    found: dict[int, list[ItemRow]] = defaultdict(list)
    for dispute_id, number, currency, amount, credited, note, open_amount in rows:
        found[dispute_id].append(ItemRow(number, currency, amount, credited, note, open_amount))
    return {key: tuple(value) for key, value in found.items()}


def _row(d: Dispute, customer: str, name: str, on: date, items: tuple[ItemRow, ...]) -> DisputeRow:
    return DisputeRow(
        id=d.id,
        customer=customer,
        customer_name=name,
        reason=d.reason,
        description=d.description,
        status=d.status,
        owner=d.owner,
        opened_on=d.opened_on,
        due_on=d.due_on,
        resolved_on=d.resolved_on,
        resolution=d.resolution,
        source=d.source,
        created_by=d.created_by,
        validation_dispute_id=d.validation_dispute_id,
        overdue=d.status == "open" and d.due_on < on,
        items=items,
    )
