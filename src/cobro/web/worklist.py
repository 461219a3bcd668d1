"""The worklist page: the company's ranked customers with the reason in words (filter by
collector and stage, pages), and on each row the quick moves for roles that may `work`: log a
call outcome, add a note, pause, send now.

Each move is a small form posted by htmx (no page reload): the answer replaces the form with a
confirmation, or with the form again and the error next to its field (answered 200, since htmx
swaps only successful answers). Without JavaScript the same forms post normally: a redirect back
on success (post, redirect, get), the form on a page of its own (422) on an error. The customer
page's note form posts here too (`back=customer`)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import DbSession, Reader, Worker
from cobro.errors import Conflict, Invalid
from cobro.kit.dates import local_time, today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.note import service as notes
from cobro.note.rules import BODY_MAX, OUTCOMES
from cobro.notice.environment import format_money
from cobro.web.forms import optional_day
from cobro.web.i18n import translator
from cobro.web.promises import promised
from cobro.web.templates import language_of, render
from cobro.worklist import repository
from cobro.worklist.endpoints import fresh_ranking
from cobro.worklist.rules import describe, reasons
from cobro.worklist.service import PAUSE_LONGEST, pause, send_now, stage_codes, worklist
from cobro.worklist.snapshot import ranked_at, refresh_customers

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
KEY = re.compile(r"^[a-z0-9-]{1,40}$")
ExternalId = Annotated[str, Path(max_length=100)]
Text = Annotated[str, Form()]  # lengths are checked by the rules, so errors land next to fields
Key = Annotated[str, Form(max_length=40)]
Back = Annotated[str, Form(max_length=20)]


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


@router.get("/worklist", response_class=HTMLResponse)
def worklist_page(
    request: Request,
    session: DbSession,
    caller: Reader,
    collector: Annotated[str, Query(max_length=100)] = "",
    stage: Annotated[str, Query(max_length=40)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    company = _company(session, caller.company_id)
    on = today_in(company.timezone)
    fresh_ranking(request, session, company.id, on)
    page = worklist(session, company.id, on, PageRequest(PAGE_SIZE, offset), collector, stage)
    language = language_of(request)
    gettext = translator(language)

    def money(amount: int, currency: str) -> str:
        return format_money(amount, currency, language)

    rows = [
        {
            "row": row,
            "key": f"r{row.customer_id}-{row.currency.lower()}",
            "amount": money(row.overdue, row.currency),
            "reason": describe(reasons(row, on), money, gettext, date.isoformat),
        }
        for row in page.items
    ]
    query = urlencode([(k, v) for k, v in (("collector", collector), ("stage", stage)) if v])
    return render(
        request,
        "worklist/index.html",
        language=language,
        company=company,
        on=on,
        ranked_at=_local_time(ranked_at(session, company.id), company.timezone),
        rows=rows,
        page=page,
        collector=collector,
        stage=stage,
        collectors=repository.collectors(session, company.id),
        stages=stage_codes(session, company),
        href="/worklist?" + (query + "&" if query else ""),
        may_work=caller.can("work"),
        **_form_limits(),
    )


def _local_time(at: datetime | None, zone: str) -> str | None:
    return None if at is None else local_time(at, zone, "%H:%M")


def _form_limits() -> dict[str, Any]:
    return {"outcomes": OUTCOMES, "body_max": BODY_MAX, "pause_longest": PAUSE_LONGEST}


def _answer(
    request: Request,
    move: str,
    external_id: str,
    key: str,
    back: str,
    done: dict[str, Any] | None = None,
    error: Invalid | Conflict | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """The answer to a move: the confirmation or the form with its error (htmx), else a
    redirect back or the form on a page of its own."""
    fragment = request.headers.get("hx-request") == "true"
    if error is None and not fragment:
        where = f"/customers/{external_id}" if back == "customer" else "/worklist"
        return RedirectResponse(where, status_code=303)
    errors = {(error.field or "form"): error.message} if error else {}
    return render(
        request,
        "worklist/answer.html",
        status_code=200 if fragment or error is None else 422,
        fragment=fragment,
        move=move,
        external_id=external_id,
        key=key if KEY.match(key) else "quick",
        back=back,
        done=done,
        errors=errors,
        values=values or {},
        **_form_limits(),
    )


@router.post("/worklist/{external_id}/call")
def log_call(
    request: Request,
    session: DbSession,
    caller: Worker,
    external_id: ExternalId,
    outcome: Text = "",
    body: Text = "",
    follow_up_on: Text = "",
    promise_amount: Text = "",
    promise_due_on: Text = "",
    key: Key = "",
    back: Back = "",
) -> Response:
    values = {"outcome": outcome, "body": body, "follow_up_on": follow_up_on}
    values |= {"promise_amount": promise_amount, "promise_due_on": promise_due_on}
    company = _company(session, caller.company_id)
    try:
        # the call and its promise are written together or not at all (the page answers an
        # error with 200 for htmx, so the request's own transaction would keep half of it)
        with session.begin_nested():
            logged = notes.log_call(
                session,
                company.id,
                external_id,
                caller.user.id,
                outcome,
                body,
                today_in(company.timezone),
                utcnow(),
                follow_up=optional_day(follow_up_on, "follow_up_on"),
            )
            promise = promised(
                session, company, external_id, outcome, promise_amount, promise_due_on, caller
            )
    except (Invalid, Conflict) as error:
        return _answer(request, "call", external_id, key, back, error=error, values=values)
    # the call closed its call tasks: the rank drops now, not at the next rebuild
    customer = get_customer(session, company.id, external_id)
    refresh_customers(session, company.id, today_in(company.timezone), [customer.id])
    task = logged.follow_up
    done = {
        "outcome": outcome.strip().lower(),
        "closed": len(logged.closed_tasks),
        "follow_up": task.due_on.isoformat() if task else None,
        "promise": promise,
    }
    return _answer(request, "call", external_id, key, back, done=done)


@router.post("/worklist/{external_id}/note")
def add_note(
    request: Request,
    session: DbSession,
    caller: Worker,
    external_id: ExternalId,
    body: Text = "",
    key: Key = "",
    back: Back = "",
) -> Response:
    try:
        notes.add_note(session, caller.company_id, external_id, caller.user.id, body, utcnow())
    except (Invalid, Conflict) as error:
        return _answer(request, "note", external_id, key, back, error=error, values={"body": body})
    return _answer(request, "note", external_id, key, back, done={})


@router.post("/worklist/{external_id}/pause")
def pause_customer(
    request: Request,
    session: DbSession,
    caller: Worker,
    external_id: ExternalId,
    days: Text = "",
    reason: Text = "",
    key: Key = "",
    back: Back = "",
) -> Response:
    values = {"days": days, "reason": reason}
    company = _company(session, caller.company_id)
    try:
        hold = pause(
            session,
            company,
            external_id,
            _whole(days, "days"),
            reason,
            today_in(company.timezone),
            utcnow(),
            caller.user.id,
            caller.user.email,
        )
    except (Invalid, Conflict) as error:
        return _answer(request, "pause", external_id, key, back, error=error, values=values)
    done = {"until": str(hold.ends_on)}
    return _answer(request, "pause", external_id, key, back, done=done)


@router.post("/worklist/{external_id}/send-now")
def send_customer_now(
    request: Request,
    session: DbSession,
    caller: Worker,
    external_id: ExternalId,
    key: Key = "",
    back: Back = "",
) -> Response:
    try:
        moved = send_now(session, caller.company_id, external_id, utcnow(), caller.user.id)
    except (Invalid, Conflict) as error:
        return _answer(request, "send", external_id, key, back, error=error)
    return _answer(request, "send", external_id, key, back, done={"count": len(moved)})


def _whole(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Invalid("give a whole number of days", field=field) from None
