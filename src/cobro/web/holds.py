"""The holds page: the company's holds (in force today, or all), newest first, fifty a page.
Roles that may `work` also place a hold on a customer (a form at the top) and release a hold
(a button on each one still to come or in force). Both go through the same service as the JSON
API (`cobro.policy.hold_manage`), so the rules and the audit trail are one.

Each move is a form with the CSRF token: on success a redirect back to the tab it came from
(post, redirect, get); a refused hold answers 422 with the page, the form as typed and the
error next to its field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.policy import hold_manage
from cobro.policy.hold_manage import HoldRow
from cobro.policy.models import HOLD_KINDS
from cobro.web.forms import form_errors, optional_day
from cobro.web.templates import render
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(include_in_schema=False)

Show = Literal["in_force", "all"]
HoldId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Back = Annotated[str | None, Form(max_length=20)]
# lengths and values are checked by the service, so its errors land next to the fields
Text = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50
FIELDS = ("customer", "kind", "reason", "ends_on")


def _back_to(show: str | None) -> Response:
    """Back to the tab the button or form was on (post, redirect, get)."""
    return RedirectResponse("/holds?show=all" if show == "all" else "/holds", 303)


@router.get("/holds", response_class=HTMLResponse)
def holds_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    show: Annotated[Show, Query()] = "in_force",
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
    page = hold_manage.holds_page(
        session,
        company.id,
        PageRequest(PAGE_SIZE, offset),
        on=today,
        active=True if show == "in_force" else None,
    )
    rows = [{"row": row, "releasable": _releasable(row, today)} for row in page.items]
    return render(
        request,
        "holds/list.html",
        status_code=status_code,
        company=company,
        rows=rows,
        page=page,
        show=show,
        kinds=HOLD_KINDS,
        today=today,
        fields=FIELDS,
        errors=errors or {},
        values=values or {"kind": "manual"},
        may_work=caller.can("work"),
    )


def _releasable(row: HoldRow, today: date) -> bool:
    """Whether a Release button makes sense: a hold not yet released that has not run out
    (one that starts later may be called off before it begins)."""
    return row.released_on is None and (row.ends_on is None or row.ends_on >= today)


@router.post("/holds", response_class=HTMLResponse)
def place_hold(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    kind: Text = "",
    reason: Text = "",
    ends_on: Text = "",
    back: Back = None,
) -> Response:
    values = {"customer": customer, "kind": kind, "reason": reason, "ends_on": ends_on}
    company = session.get_one(Company, caller.company_id)
    try:
        hold = hold_manage.place(
            session,
            company,
            customer=customer.strip(),
            invoice=None,
            kind=kind,
            reason=reason,
            starts_on=today_in(company.timezone),
            until=optional_day(ends_on, "ends_on"),
            actor_id=caller.user.id,
            actor=caller.user.email,
            now=utcnow(),
        )
    except (Invalid, NotFound, Conflict) as error:
        show: Show = "all" if back == "all" else "in_force"
        return _page(request, session, caller, show, 0, 422, form_errors(error, FIELDS), values)
    # on hold: the customer drops to the worklist's end now, not at the next rebuild
    refresh_customers(session, company.id, today_in(company.timezone), [hold.customer_id])
    return _back_to(back)


@router.post("/holds/{hold_id}/release")
def release_hold(
    session: DbSession, caller: Worker, hold_id: HoldId, back: Back = None
) -> Response:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    hold = hold_manage.release(
        session, company, hold_id, on=today, actor_id=caller.user.id, now=utcnow()
    )
    refresh_customers(session, company.id, today, [hold.customer_id])  # ranked again at once
    return _back_to(back)
