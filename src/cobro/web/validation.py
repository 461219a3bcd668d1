"""The validation notices page (US consumer debts, Regulation F): the company's notices, newest
sent first, fifty a page, each with its customer, the day it was sent, the end of its validation
period (marked while still open), the total, its disputes (in time or late, collection stopped
or not, verification sent or not) and a link to the letter as sent. Roles that may `work` also
send a notice (a form at the top), record a dispute of a notice (a form on each one) and record
that verification was sent (a button on each dispute without one). All go through the same
services as the JSON API and the CLI (`cobro.validation.service`).

Each move is a form with the CSRF token: on success a redirect back to the list (post,
redirect, get); a refused one answers 422 with the page, the form as typed and the error (next
to its field for a new notice, above the list naming the notice or dispute otherwise). Another
company's notice or dispute is a 404, as in the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.dates import today_in
from cobro.kit.money import parse_amount
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.notice.environment import format_money
from cobro.validation import service
from cobro.validation.endpoints import notices_page
from cobro.validation.models import ValidationDispute
from cobro.validation.rules import ITEMIZATION_KINDS, ITEMIZATION_LABELS, Itemization
from cobro.validation.service import notice_reference
from cobro.web.forms import form_errors, optional_day
from cobro.web.templates import language_of, render
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(include_in_schema=False)

NoticeId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
DisputeId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
# lengths and values are checked by the services, so their errors land next to the fields
Text = Annotated[str, Form(max_length=500)]
Note = Annotated[str, Form(max_length=300)]
PAGE_SIZE = 50
NOTICE_FIELDS = (
    "customer",
    "sent_on",
    "itemization_kind",
    "itemization_on",
    "owed",
    "interest",
    "fees",
    "payments",
    "creditor",
)
AMOUNTS = ("owed", "interest", "fees", "payments")


def _back() -> Response:
    return RedirectResponse("/validation", 303)


@router.get("/validation", response_class=HTMLResponse)
def validation_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    return _page(request, session, caller, offset)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    offset: int = 0,
    status_code: int = 200,
    problems: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The page; `problems`: errors (field -> message: the new notice's fields, "dispute" or
    "verified"), values (the new notice's form as typed), notice_id and dispute (the dispute
    refused and its form as typed), dispute_id (the verification refused)."""
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    page = notices_page(session, company.id, PageRequest(PAGE_SIZE, offset))
    language = language_of(request)
    problems = problems or {}
    rows = [
        {
            "row": row,
            "reference": notice_reference(row.notice),
            "open": row.notice.ends_on >= today,
            "disputes": [_dispute_item(d) for d in row.disputes],
        }
        for row in page.items
    ]

    def money(amount: int, currency: str) -> str:
        return format_money(amount, currency, language)

    return render(
        request,
        "validation/list.html",
        status_code=status_code,
        language=language,
        company=company,
        rows=rows,
        page=page,
        today=today,
        money=money,
        kinds=[(kind, ITEMIZATION_LABELS[kind]) for kind in ITEMIZATION_KINDS],
        errors=problems.get("errors", {}),
        values=problems.get("values") or {"sent_on": today.isoformat()},
        notice_id=problems.get("notice_id"),
        dispute_typed=problems.get("dispute") or {},
        dispute_id=problems.get("dispute_id"),
        may_work=caller.can("work"),
    )


def _dispute_item(dispute: ValidationDispute) -> dict[str, Any]:
    """A dispute as the page shows it: its state in a word ("verified", "held" or "not_held")."""
    if dispute.verification_sent_on is not None:
        state = "verified"
    elif dispute.hold_id is not None:
        state = "held"
    else:
        state = "not_held"
    return {"dispute": dispute, "state": state}


def _day(text: str, field: str) -> date:
    day = optional_day(text, field)
    if day is None:
        raise Invalid("give the day as YYYY-MM-DD", field=field)
    return day


def _amount(text: str, currency: str, field: str, required: bool = False) -> int | None:
    """An amount typed in `currency`, in minor units; empty is None (or refused if required)."""
    if not text.strip():
        if required:
            raise Invalid("give an amount", field=field)
        return None
    try:
        return parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(error.message, field=field) from None


@router.post("/validation/notices", response_class=HTMLResponse)
def send_notice(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    sent_on: Text = "",
    itemization_kind: Text = "",
    itemization_on: Text = "",
    owed: Text = "",
    interest: Text = "",
    fees: Text = "",
    payments: Text = "",
    creditor: Text = "",
) -> Response:
    """Record a validation notice sent to a US consumer; the letter is rendered and stored."""
    values = {
        "customer": customer,
        "sent_on": sent_on,
        "itemization_kind": itemization_kind,
        "itemization_on": itemization_on,
        "owed": owed,
        "interest": interest,
        "fees": fees,
        "payments": payments,
        "creditor": creditor,
    }
    company = session.get_one(Company, caller.company_id)
    try:
        target = get_customer(session, company.id, customer.strip())
        amounts = [
            _amount(values[name], target.currency, name, required=name == "owed") or 0
            for name in AMOUNTS
        ]
        itemization = Itemization.of(
            itemization_kind.strip().lower(), _day(itemization_on, "itemization_on"), *amounts
        )
        day = _day(sent_on, "sent_on")
        service.send_notice(session, company, target, day, itemization, creditor.strip() or None)
    except (Invalid, NotFound) as error:
        session.rollback()
        problems = {"errors": form_errors(error, NOTICE_FIELDS), "values": values}
        return _page(request, session, caller, 0, 422, problems)
    return _back()


@router.post("/validation/notices/{notice_id}/disputes", response_class=HTMLResponse)
def record_dispute(
    request: Request,
    session: DbSession,
    caller: Worker,
    notice_id: NoticeId,
    received_on: Text = "",
    amount: Text = "",
    honour_late: Text = "",
    note: Note = "",
) -> Response:
    """Record a dispute of a notice; another company's (or no) notice is a 404."""
    company = session.get_one(Company, caller.company_id)
    notice = service.get_notice(session, company, notice_id)
    currency, customer_id = notice.currency, notice.customer_id
    try:
        outcome = service.record_dispute(
            session,
            company,
            notice.id,
            _day(received_on, "received_on"),
            amount=_amount(amount, currency, "amount"),
            honour=bool(honour_late.strip()),
            note=note.strip() or None,
        )
    except Invalid as error:
        session.rollback()
        typed = {"received_on": received_on, "amount": amount, "honour_late": honour_late}
        problems = {
            "errors": {"dispute": error.message},
            "notice_id": notice_id,
            "dispute": typed | {"note": note},
        }
        return _page(request, session, caller, 0, 422, problems)
    if outcome.holds:  # collection stopped: the customer drops down the worklist now
        refresh_customers(session, company.id, today_in(company.timezone), [customer_id])
    return _back()


@router.post("/validation/disputes/{dispute_id}/verified", response_class=HTMLResponse)
def verification_sent(
    request: Request, session: DbSession, caller: Worker, dispute_id: DisputeId
) -> Response:
    """Record that verification was sent today: the dispute's holds end, collection resumes.
    Another company's (or no) dispute is a 404."""
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    try:
        dispute = service.verification_sent(session, company, dispute_id, today)
    except (Invalid, Conflict) as error:
        session.rollback()
        problems = {"errors": {"verified": error.message}, "dispute_id": dispute_id}
        return _page(request, session, caller, 0, 422, problems)
    notice = service.get_notice(session, company, dispute.notice_id)
    refresh_customers(session, company.id, today, [notice.customer_id])  # ranked again at once
    return _back()
