"""The outbox page: the company's actions by status (queued, sent, failed, all), with a
person's moves on each row — Retry a failed one, Send now or Cancel a queued one — for roles
that may `work`; viewers and auditors see the table only. Each button is a form with the CSRF
token, answered with a redirect back to the tab it came from (post, redirect, get)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cobro.channel.registry import CHANNEL_NAMES
from cobro.company.models import Company
from cobro.endpoint import CurrentUser, DbSession, Worker
from cobro.errors import Invalid
from cobro.kit.dates import TO_THE_MINUTE, local_time, utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.outbox import manage
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)

TABS = ("queued", "sent", "failed", "cancelled")
Tab = Literal["queued", "sending", "sent", "failed", "cancelled", "skipped"]
ActionId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
PAGE_SIZE = 50


Back = Annotated[str | None, Form(max_length=20)]


def _back_to(tab: str | None) -> Response:
    """The answer to every move: back to the tab the button was on (post, redirect, get)."""
    return RedirectResponse(f"/outbox?status={tab}" if tab in TABS else "/outbox", 303)


@router.get("/outbox", response_class=HTMLResponse)
def outbox_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    status: Annotated[Tab | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    on: Annotated[str | None, Query(max_length=10, description="the cycle's day")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    filters = {"status": status or "", "kind": kind or "", "on": on or ""}
    page = manage.list_actions(
        session,
        caller.company_id,
        status,
        kind=kind or None,
        on=_day(on),
        page=PageRequest(PAGE_SIZE, offset),
    )
    rows = [
        {
            "row": row,
            "not_before": local_time(row.not_before, company.timezone, TO_THE_MINUTE),
        }
        for row in page.items
    ]
    return render(
        request,
        "outbox/list.html",
        company=company,
        rows=rows,
        page=page,
        status=status,
        tabs=TABS,
        kinds=CHANNEL_NAMES,
        filters=filters,
        query=urlencode({name: value for name, value in filters.items() if value}),
        may_work=caller.can("work"),
    )


def _day(on: str | None) -> date | None:
    """The day filter as the form sends it: empty is no filter; anything else a date."""
    if not on:
        return None
    try:
        return date.fromisoformat(on)
    except ValueError:
        raise Invalid(f"day {on!r}: use YYYY-MM-DD", field="on") from None


@router.post("/outbox/{action_id}/retry")
def retry(session: DbSession, caller: Worker, action_id: ActionId, back: Back = None) -> Response:
    manage.retry(session, caller.company_id, action_id, utcnow(), caller.user.id)
    return _back_to(back)


@router.post("/outbox/{action_id}/send-now")
def send_now(
    session: DbSession, caller: Worker, action_id: ActionId, back: Back = None
) -> Response:
    manage.send_now(session, caller.company_id, action_id, utcnow(), caller.user.id)
    return _back_to(back)


@router.post("/outbox/{action_id}/cancel")
def cancel(
    session: DbSession,
    caller: Worker,
    action_id: ActionId,
    back: Back = None,
    reason: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    manage.cancel(session, caller.company_id, action_id, utcnow(), caller.user.id, reason or None)
    return _back_to(back)
