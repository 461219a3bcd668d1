"""What the write-off screens read: a company's requests (by status, newest first, a page at a
time) and its latest write-offs with their reason code and who made or approved them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice, WriteOff
from cobro.kit.pagination import Page, PageRequest, paginate_rows
from cobro.writeoff.models import REQUEST_STATUSES, WriteOffRequest


@dataclass(frozen=True)
class RequestRow:
    id: int
    invoice: str  # number
    customer: str  # external id
    customer_name: str
    currency: str
    amount: int | None  # None: all that is open when it is approved
    open_amount: int  # what is open on the invoice now
    reason_code: str
    reason: str
    requested_on: date
    requested_by: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    write_off_id: int | None

    @property
    def amount_now(self) -> int:
        """What approving it now would write off."""
        return self.open_amount if self.amount is None else self.amount


@dataclass(frozen=True)
class WriteOffRow:
    id: int
    invoice: str
    customer: str
    currency: str
    amount: int
    written_off_on: date
    reason_code: str | None
    reason: str
    approved_by: str | None


def check_status(status: str | None) -> str | None:
    if status is not None and status not in REQUEST_STATUSES:
        raise Invalid(f"status {status!r}: use one of {', '.join(REQUEST_STATUSES)}", "status")
    return status


def _requests() -> Select[WriteOffRequest, Invoice, str, str]:
    return (
        select(WriteOffRequest, Invoice, Customer.external_id, Customer.name)
        .join(Invoice, Invoice.id == WriteOffRequest.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
    )


def requests_page(
    session: Session, company_id: int, page: PageRequest, status: str | None = None
) -> Page[RequestRow]:
    query = _requests().where(WriteOffRequest.company_id == company_id)
    if check_status(status) is not None:
        query = query.where(WriteOffRequest.status == status)
    return paginate_rows(session, query.order_by(WriteOffRequest.id.desc()), page, _row)


def request_row(session: Session, company_id: int, request_id: int) -> RequestRow:
    found = session.execute(
        _requests().where(
            WriteOffRequest.company_id == company_id, WriteOffRequest.id == request_id
        )
    ).first()
    if found is None:
        raise NotFound(f"no write-off request {request_id}", field="request_id")
    return _row(*found)


def _row(request: WriteOffRequest, invoice: Invoice, customer: str, name: str) -> RequestRow:
    return RequestRow(
        id=request.id,
        invoice=invoice.number,
        customer=customer,
        customer_name=name,
        currency=invoice.currency,
        amount=request.amount,
        open_amount=invoice.open_amount,
        reason_code=request.reason_code,
        reason=request.reason,
        requested_on=request.requested_on,
        requested_by=request.requested_by,
        status=request.status,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
        decision_note=request.decision_note,
        write_off_id=request.write_off_id,
    )


def recent_write_offs(session: Session, company_id: int, limit: int = 20) -> list[WriteOffRow]:
    rows = session.execute(
        select(WriteOff, Invoice.number, Invoice.currency, Customer.external_id)
        .join(Invoice, Invoice.id == WriteOff.invoice_id)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.company_id == company_id)
        .order_by(WriteOff.id.desc())
        .limit(limit)
    ).all()
    return [
        WriteOffRow(
            entry.id,
            number,
            customer,
            currency,
            entry.amount,
            entry.written_off_on,
            entry.reason_code,
            entry.reason,
            entry.approved_by,
        )
        for entry, number, currency, customer in rows
    ]
