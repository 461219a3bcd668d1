"""Regulation F validation notice endpoints (mounted under /api by `cobro.app`): the company's
notices with their dates, itemization and disputes (any reader), a notice's document as sent
(any reader); sending a notice, recording a dispute and recording that verification was sent
need the `work` permission (a token's `write` scope). The same services as the CLI
(`cobro.validation.service`): a business customer, a consumer outside the US, an itemization
that does not add up or a kind of itemization date other than the debt's first are a 422 naming
the field. Another company's notice, dispute, customer or invoice is a 404; a verification
already recorded a 409."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.invoice.service import get_invoice
from cobro.kit.dates import today_in
from cobro.kit.pagination import MAX_OFFSET, Page, PageRequest, paginate_rows
from cobro.kit.schemas import PageOut
from cobro.validation import service
from cobro.validation.models import ValidationDispute, ValidationNotice
from cobro.validation.rules import Itemization
from cobro.validation.schemas import (
    DisputeIn,
    DisputeOut,
    DisputeRecordedOut,
    NoticeIn,
    NoticeOut,
    VerifiedIn,
)
from cobro.validation.service import NoticeRow, notice_reference

router = APIRouter(prefix="/validation", tags=["validation"], responses=CALLER_ERRORS)

NoticeId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the notice's id")]
DisputeId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the dispute's id")]
# The stored letter has its own inline styles and no script: its own policy lets the styles
# apply and nothing else run (the pages' policy allows no inline style).
DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)


def json_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`error_responses` for a route whose own answer is not JSON: its errors still are (with
    a `model`, FastAPI would document them in the route's media type)."""
    responses = error_responses(*statuses)
    for response in responses.values():
        response.pop("model")
        schema = {"$ref": "#/components/schemas/ErrorOut"}
        response["content"] = {"application/json": {"schema": schema}}
    return responses


def notices_page(
    session: Session, company_id: int, page: PageRequest, customer: str | None = None
) -> Page[NoticeRow]:
    """The company's notices, newest sent first, optionally of one customer (external id); each
    with its disputes, oldest first."""
    query = (
        select(ValidationNotice, Customer.external_id)
        .join(Customer, Customer.id == ValidationNotice.customer_id)
        .where(ValidationNotice.company_id == company_id)
    )
    if customer is not None:
        query = query.where(Customer.external_id == customer)
    ordered = query.order_by(ValidationNotice.sent_on.desc(), ValidationNotice.id.desc())
    found = paginate_rows(session, ordered, page, lambda notice, ref: (notice, ref))
    disputes: dict[int, list[ValidationDispute]] = {}
    ids = [notice.id for notice, _ in found.items]
    if ids:
        for dispute in session.scalars(
            select(ValidationDispute)
            .where(ValidationDispute.notice_id.in_(ids))
            .order_by(ValidationDispute.id)
        ):
            disputes.setdefault(dispute.notice_id, []).append(dispute)
    rows = [
        NoticeRow(notice=notice, customer=ref, disputes=tuple(disputes.get(notice.id, ())))
        for notice, ref in found.items
    ]
    return Page(rows, found.limit, found.offset, found.next_offset)


def notice_row(session: Session, company: Company, notice_id: int) -> NoticeRow:
    """One notice of the company's with its customer and disputes; another's is not found."""
    notice = service.get_notice(session, company, notice_id)
    customer = session.get_one(Customer, notice.customer_id)
    disputes = session.scalars(
        select(ValidationDispute)
        .where(ValidationDispute.notice_id == notice.id)
        .order_by(ValidationDispute.id)
    )
    return NoticeRow(notice=notice, customer=customer.external_id, disputes=tuple(disputes))


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


@router.get("/notices")
def list_notices(
    session: DbSession,
    caller: Reader,
    page: Paging,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=100, description="external id")
    ] = None,
) -> PageOut[NoticeOut]:
    """The company's validation notices, newest sent first, with their disputes."""
    found = notices_page(session, caller.company_id, page, customer)
    return PageOut[NoticeOut](
        items=[NoticeOut.of(row) for row in found.items],
        limit=found.limit,
        offset=found.offset,
        next_offset=found.next_offset,
    )


@router.post("/notices", status_code=201, responses=error_responses(404))
def send_notice(session: DbSession, caller: Worker, body: NoticeIn) -> NoticeOut:
    """Record a validation notice sent to a US consumer on `sent_on`: its assumed receipt and
    the end of its validation period are computed, and the letter is rendered and stored."""
    company = _company(session, caller.company_id)
    customer = get_customer(session, company.id, body.customer)
    itemization = Itemization.of(
        body.itemization_kind,
        body.itemization_on,
        body.owed,
        body.interest,
        body.fees,
        body.payments,
    )
    sent = service.send_notice(session, company, customer, body.sent_on, itemization, body.creditor)
    return NoticeOut.of(NoticeRow(notice=sent.notice, customer=customer.external_id, disputes=()))


@router.get(
    "/notices/{notice_id}/document",
    response_class=HTMLResponse,
    responses={200: {"description": "The letter (HTML)"}, **json_errors(401, 403, 404, 422, 503)},
)
def notice_document(session: DbSession, caller: Reader, notice_id: NoticeId) -> HTMLResponse:
    """The notice as it was rendered when sent (HTML, printable)."""
    notice = service.get_notice(session, _company(session, caller.company_id), notice_id)
    name = f"{notice_reference(notice)}.html"
    headers = {
        "Content-Disposition": f'inline; filename="{name}"',
        "Content-Security-Policy": DOCUMENT_CSP,
    }
    return HTMLResponse(notice.document, headers=headers)


@router.post("/notices/{notice_id}/disputes", status_code=201, responses=error_responses(404))
def record_dispute(
    session: DbSession, caller: Worker, notice_id: NoticeId, body: DisputeIn
) -> DisputeRecordedOut:
    """Record a consumer's dispute received on `received_on`. In the validation period,
    collection stops (dispute holds on the invoices named, else the whole customer) until
    verification is sent; a late one is held only with `honour_late`."""
    company = _company(session, caller.company_id)
    notice = service.get_notice(session, company, notice_id)
    invoices = [get_invoice(session, company.id, number) for number in body.invoices]
    outcome = service.record_dispute(
        session,
        company,
        notice.id,
        body.received_on,
        amount=body.amount,
        invoice_ids=[invoice.id for invoice in invoices],
        honour=body.honour_late,
        note=body.note,
    )
    numbers = {invoice.id: invoice.number for invoice in invoices}
    return DisputeRecordedOut.of_outcome(outcome, notice.currency, numbers)


@router.post("/disputes/{dispute_id}/verified", responses=error_responses(404, 409))
def verification_sent(
    session: DbSession, caller: Worker, dispute_id: DisputeId, body: VerifiedIn
) -> DisputeOut:
    """Record that verification of the debt was mailed on `on` (default: today): the dispute's
    holds end that day and collection may resume."""
    company = _company(session, caller.company_id)
    on = body.on or today_in(company.timezone)
    return DisputeOut.of(service.verification_sent(session, company, dispute_id, on))
