"""What a person does to holds through the API: list them, place one on a customer or one
invoice, release one. Always within one company (another company's hold, customer or invoice
is NotFound); each change an audit event. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.service import get_invoice
from cobro.kit.pagination import Page, PageRequest, paginate_rows
from cobro.policy.holds import in_force, place_hold, release_hold
from cobro.policy.models import Hold


@dataclass(frozen=True)
class HoldRow:
    id: int
    customer: str  # external id
    customer_name: str
    invoice: str | None  # number
    kind: str
    reason: str
    reference: str | None
    starts_on: date
    ends_on: date | None
    released_on: date | None
    created_by: str | None
    created_at: datetime


def holds_page(
    session: Session,
    company_id: int,
    page: PageRequest,
    *,
    on: date,
    customer: str | None = None,
    active: bool | None = None,
) -> Page[HoldRow]:
    """The company's holds, newest first; `active`: only those in force `on` (False: only
    those not)."""
    query = (
        select(Hold, Customer.external_id, Customer.name, Invoice.number)
        .join(Customer, Customer.id == Hold.customer_id)
        .outerjoin(Invoice, Invoice.id == Hold.invoice_id)
        .where(Hold.company_id == company_id)
    )
    if customer is not None:
        query = query.where(Customer.external_id == customer)
    if active is not None:
        query = query.where(in_force(on) if active else ~in_force(on))
    return paginate_rows(session, query.order_by(Hold.id.desc()), page, _row)


def hold_row(session: Session, company_id: int, hold_id: int) -> HoldRow:
    found = session.execute(
        select(Hold, Customer.external_id, Customer.name, Invoice.number)
        .join(Customer, Customer.id == Hold.customer_id)
        .outerjoin(Invoice, Invoice.id == Hold.invoice_id)
        .where(Hold.company_id == company_id, Hold.id == hold_id)
    ).first()
    if found is None:
        raise NotFound(f"no hold {hold_id}", field="hold_id")
    return _row(*found)


def _row(hold: Hold, customer: str, name: str, invoice: str | None) -> HoldRow:
    return HoldRow(
        hold.id,
        customer,
        name,
        invoice,
        hold.kind,
        hold.reason,
        hold.reference,
        hold.starts_on,
        hold.ends_on,
        hold.released_on,
        hold.created_by,
        hold.created_at,
    )


def place(
    session: Session,
    company: Company,
    *,
    customer: str,
    invoice: str | None,
    kind: str,
    reason: str,
    starts_on: date,
    until: date | None,
    actor_id: int,
    actor: str,
    now: datetime,
) -> Hold:
    target = get_customer(session, company.id, customer)
    item = None if invoice is None else get_invoice(session, company.id, invoice)
    hold = place_hold(
        session, company, target, kind, reason, starts_on, until, item, created_by=actor[:100]
    )
    record(
        session,
        "hold.placed",
        at=now,
        entity_type="hold",
        entity_id=hold.id,
        actor_id=actor_id,
        company_id=company.id,
        after={
            "customer": customer,
            "invoice": invoice,
            "kind": kind,
            "reason": hold.reason,
            "starts_on": starts_on.isoformat(),
            "ends_on": until.isoformat() if until else None,
        },
    )
    return hold


def release(
    session: Session, company: Company, hold_id: int, *, on: date, actor_id: int, now: datetime
) -> Hold:
    hold = release_hold(session, company, hold_id, on)
    record(
        session,
        "hold.released",
        at=now,
        entity_type="hold",
        entity_id=hold.id,
        actor_id=actor_id,
        company_id=company.id,
        before={"released_on": None},
        after={"released_on": on.isoformat()},
    )
    return hold
