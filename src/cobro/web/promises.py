"""The promises page: the company's promises to pay (open by default; kept, broken, cancelled
or all), fifty a page, and the kept rates by collector over the last 90 days. Roles that may
`work` also record a promise for a customer (a form at the top) and cancel an open one (a
button on each). Both go through the same services as the JSON API (`cobro.promise`), so the
guardrails and the audit trail are one.

Each move is a form with the CSRF token: on success a redirect back (post, redirect, get); a
refused promise answers 422 with the page, the form as typed and the error next to its field.
`promised` is the worklist's call form's half: a call logged as promised_to_pay with an
amount and a day records the promise with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.covered import default_currency
from cobro.kit.dates import today_in, utcnow
from cobro.kit.money import parse_amount
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.notice.environment import format_money
from cobro.promise import queries, service
from cobro.web.forms import form_errors, optional_day
from cobro.web.templates import language_of, render
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(include_in_schema=False)

Show = Literal["open", "kept", "broken", "cancelled", "all"]
SHOWS: tuple[Show, ...] = ("open", "kept", "broken", "cancelled", "all")
PromiseId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
# lengths and values are checked by the services, so their errors land next to the fields
Text = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50
RATE_DAYS = 90
FIELDS = ("customer", "amount", "currency", "due_on", "invoices", "note")


@router.get("/promises", response_class=HTMLResponse)
def promises_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    show: Annotated[Show, Query()] = "open",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    return _page(request, session, caller, show, offset)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    show: Show,
    offset: int = 0,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    language = language_of(request)
    page = queries.promises_page(
        session,
        company.id,
        PageRequest(PAGE_SIZE, offset),
        status=None if show == "all" else show,
    )
    rows = [
        {
            "row": row,
            "amount": format_money(row.amount, row.currency, language),
            "paid": format_money(row.paid, row.currency, language),
        }
        for row in page.items
    ]
    rates = queries.kept_rates(
        session, company.id, today - timedelta(days=RATE_DAYS), today, "collector"
    )
    return render(
        request,
        "promises/list.html",
        status_code=status_code,
        language=language,
        company=company,
        rows=rows,
        page=page,
        show=show,
        shows=SHOWS,
        rates=rates,
        rate_days=RATE_DAYS,
        today=today,
        latest=today + timedelta(days=company.promise_longest_days),
        errors=errors or {},
        values=values or {},
        may_work=caller.can("work"),
    )


@router.post("/promises", response_class=HTMLResponse)
def record_promise(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    amount: Text = "",
    currency: Text = "",
    due_on: Text = "",
    invoices: Text = "",
    note: Text = "",
) -> Response:
    values = {
        "customer": customer,
        "amount": amount,
        "currency": currency,
        "due_on": due_on,
        "invoices": invoices,
        "note": note,
    }
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    try:
        debtor = get_customer(session, company.id, customer.strip())
        code = currency.strip().upper() or default_currency(session, company, debtor)
        day = optional_day(due_on, "due_on")
        if day is None:
            raise Invalid("say by which day it was promised", field="due_on")
        promise = service.make_promise(
            session,
            company,
            debtor.external_id,
            _minor(amount, code, "amount"),
            code,
            day,
            today,
            "web",
            [number.strip() for number in invoices.split(",") if number.strip()],
            created_by=Actor(caller.user.id, caller.user.email),
            note=note,
            now=utcnow(),
        )
    except (Invalid, NotFound, Conflict) as error:
        return _page(request, session, caller, "open", 0, 422, form_errors(error, FIELDS), values)
    # on hold: the customer drops to the worklist's end now, not at the next rebuild
    refresh_customers(session, company.id, today, [promise.customer_id])
    return RedirectResponse("/promises", 303)


@router.post("/promises/{promise_id}/cancel")
def cancel_promise(session: DbSession, caller: Worker, promise_id: PromiseId) -> Response:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    promise = service.cancel_promise(
        session, company, promise_id, today, actor_id=caller.user.id, now=utcnow()
    )
    refresh_customers(session, company.id, today, [promise.customer_id])  # ranked again
    return RedirectResponse("/promises", 303)


def _minor(text: str, currency: str, field: str) -> int:
    if not text.strip():
        raise Invalid("say how much was promised", field=field)
    try:
        return parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(error.message, field=field) from None


def promised(
    session: Session,
    company: Company,
    external_id: str,
    outcome: str,
    amount: str,
    due_on: str,
    caller: Caller,
) -> dict[str, str] | None:
    """The promise a call logged on the worklist records (amount as typed, in the customer's
    currency); what the confirmation says of it, or None when none was given."""
    if not amount.strip() and not due_on.strip():
        return None
    debtor = get_customer(session, company.id, external_id)
    code = default_currency(session, company, debtor)
    minor = _minor(amount, code, "promise_amount") if amount.strip() else None
    promise = service.promise_from_call(
        session,
        company,
        external_id,
        outcome,
        minor,
        optional_day(due_on, "promise_due_on"),
        today_in(company.timezone),
        currency=code,
        actor=Actor(caller.user.id, caller.user.email),
        now=utcnow(),
    )
    if promise is None:
        return None
    return {
        "amount": format_money(promise.amount, promise.currency, "en"),
        "day": promise.due_on.isoformat(),
    }
