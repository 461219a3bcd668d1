"""Invoice endpoints (mounted under /api by `cobro.app`): the caller's company's invoices,
filtered, sorted and paged; one with what took from it; and the POSTs that change what is owed
(a new invoice, a credit note), each with a required `Idempotency-Key`. Writing off is
`cobro.writeoff.endpoints` (same /invoices path): it goes through the approval by role. Reading
needs `read`; changing `work` (an API token's `write` scope). Another company's invoice is a
404, never its data. Money is integer minor units next to its currency."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Paging, Reader, Worker, error_responses
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.invoice import manage
from cobro.invoice.queries import InvoiceFilter, invoice_detail, invoices_page
from cobro.invoice.rules import InvoiceIn as InvoiceData
from cobro.invoice.schemas import (
    CreditNoteIn,
    InvoiceDetailOut,
    InvoiceIn,
    InvoiceOut,
    InvoiceStatus,
)
from cobro.kit.dates import today_in, utcnow
from cobro.kit.schemas import PageOut

router = APIRouter(prefix="/invoices", tags=["invoices"], responses=CALLER_ERRORS)

Sort = Literal[
    "due_date",
    "-due_date",
    "issue_date",
    "-issue_date",
    "total",
    "-total",
    "open_amount",
    "-open_amount",
    "number",
    "-number",
]
# what a POST that moves money may answer besides CALLER_ERRORS
MONEY_ANSWERS = {
    **error_responses(404, 409),
    201: {
        "description": "Created (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
}


def _company(session: Session, caller: Caller) -> Company:
    return session.get_one(Company, caller.company_id)


@router.get("")
def list_invoices(
    session: DbSession,
    caller: Reader,
    page: Paging,
    customer: Annotated[
        str | None, Query(max_length=100, description="only this customer's (external id)")
    ] = None,
    status: Annotated[
        InvoiceStatus | None,
        Query(description="only in this status: open (not yet due), overdue or paid"),
    ] = None,
    due_after: Annotated[date | None, Query(description="only due on or after this day")] = None,
    due_before: Annotated[date | None, Query(description="only due on or before this day")] = None,
    currency: Annotated[
        str | None, Query(min_length=3, max_length=3, description="only in this ISO 4217 code")
    ] = None,
    sort: Annotated[Sort, Query(description="field to sort by; - first: descending")] = "due_date",
) -> PageOut[InvoiceOut]:
    """The invoices of the caller's company, a page at a time. Overdue means open and past its
    due date today, in the company's time zone."""
    today = today_in(_company(session, caller).timezone)
    where = InvoiceFilter(customer, status, due_after, due_before, currency)
    found = invoices_page(session, caller.company_id, today, page, where, sort)
    return PageOut.of(found, InvoiceOut)


@router.get("/{number:path}", responses=error_responses(404))
def show_invoice(session: DbSession, caller: Reader, number: str) -> InvoiceDetailOut:
    """One invoice of the caller's company, with its installments, the payments allocated to
    it, its credit notes and write-offs, and the chase stage it reached last."""
    today = today_in(_company(session, caller).timezone)
    return InvoiceDetailOut.model_validate(
        invoice_detail(session, caller.company_id, number, today)
    )


@router.post("", status_code=201, response_model=InvoiceDetailOut, responses=MONEY_ANSWERS)
def create_invoice(
    session: DbSession, caller: Worker, body: InvoiceIn, once: Idempotent
) -> Response:
    """Create an invoice for a customer of the caller's company. Its number must be new."""
    company = _company(session, caller)

    def act() -> InvoiceDetailOut:
        data = InvoiceData(**body.model_dump())
        invoice = manage.create_invoice(session, company, data, caller.user.id, utcnow())
        return _detail(session, company, invoice.number)

    return once.answer(session, company.id, act)


@router.post(
    "/{number:path}/credit-notes",
    status_code=201,
    response_model=InvoiceDetailOut,
    responses=MONEY_ANSWERS,
)
def credit_invoice(
    session: DbSession, caller: Worker, number: str, body: CreditNoteIn, once: Idempotent
) -> Response:
    """Add a credit note to an invoice: it takes `amount` off what is open. Answers the
    invoice as it stands afterwards."""
    company = _company(session, caller)

    def act() -> InvoiceDetailOut:
        note = (body.number, body.issue_date, body.amount, body.reason)
        manage.credit_invoice(session, company, number, note, caller.user.id, utcnow())
        return _detail(session, company, number)

    return once.answer(session, company.id, act)


def _detail(session: Session, company: Company, number: str) -> InvoiceDetailOut:
    today = today_in(company.timezone)
    return InvoiceDetailOut.model_validate(invoice_detail(session, company.id, number, today))
