"""The tasks page: the company's tasks by status (open, done, cancelled, all), soonest due
first, fifty a page. Roles that may `work` also finish (Done) or call off (Cancel) an open task
and add one (a form at the top). All through the same service as the JSON API
(`cobro.task.manage`), so the rules and the audit trail are one.

Each move is a form with the CSRF token: on success a redirect back to the tab it came from
(post, redirect, get); a refused new task answers 422 with the page, the form as typed and the
error next to its field."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.task import manage
from cobro.task.models import TASK_KINDS
from cobro.web.forms import form_errors, optional_day
from cobro.web.templates import render
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(include_in_schema=False)

Tab = Literal["open", "done", "cancelled", "all"]
TABS: tuple[Tab, ...] = ("open", "done", "cancelled", "all")
TaskId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Back = Annotated[str | None, Form(max_length=20)]
# lengths and values are checked by the service, so its errors land next to the fields
Text = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50
FIELDS = ("customer", "kind", "due_on", "title")


def _tab(back: str | None) -> Tab:
    for tab in TABS:
        if back == tab:
            return tab
    return "open"


def _back_to(back: str | None) -> Response:
    """Back to the tab the button or form was on (post, redirect, get)."""
    tab = _tab(back)
    return RedirectResponse("/tasks" if tab == "open" else f"/tasks?status={tab}", 303)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    status: Annotated[Tab, Query()] = "open",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    return _page(request, session, caller, status, offset)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    tab: Tab,
    offset: int = 0,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    where = manage.TaskFilter(status=None if tab == "all" else tab)
    page = manage.tasks_page(session, company.id, PageRequest(PAGE_SIZE, offset), where)
    return render(
        request,
        "tasks/list.html",
        status_code=status_code,
        company=company,
        rows=page.items,
        page=page,
        tab=tab,
        tabs=TABS,
        kinds=TASK_KINDS,
        today=today,
        errors=errors or {},
        values=values or {"kind": "follow_up", "due_on": today.isoformat()},
        may_work=caller.can("work"),
    )


@router.post("/tasks", response_class=HTMLResponse)
def create_task(
    request: Request,
    session: DbSession,
    caller: Worker,
    customer: Text = "",
    kind: Text = "",
    due_on: Text = "",
    title: Text = "",
    back: Back = None,
) -> Response:
    values = {"customer": customer, "kind": kind, "due_on": due_on, "title": title}
    try:
        due = optional_day(due_on, "due_on")
        if due is None:
            raise Invalid("a task needs the day it is due", field="due_on")
        manage.create(
            session,
            caller.company_id,
            kind=kind,
            title=title,
            due_on=due,
            detail=None,
            customer=customer.strip() or None,
            invoice=None,
            assignee=None,
            actor_id=caller.user.id,
            now=utcnow(),
        )
    except (Invalid, NotFound, Conflict) as error:
        errors = form_errors(error, FIELDS)
        return _page(request, session, caller, _tab(back), 0, 422, errors, values)
    return _back_to(back)


def _close(session: Session, caller: Caller, task_id: int, status: str) -> None:
    task = manage.change(
        session,
        caller.company_id,
        task_id,
        status=status,
        outcome=None,
        assignee=None,
        reassign=False,
        actor_id=caller.user.id,
        now=utcnow(),
    )
    if task.customer_id is not None:  # an open call task weighs on the rank: drop it now
        company = session.get_one(Company, caller.company_id)
        on = today_in(company.timezone)
        refresh_customers(session, company.id, on, [task.customer_id])


@router.post("/tasks/{task_id}/done")
def finish_task(session: DbSession, caller: Worker, task_id: TaskId, back: Back = None) -> Response:
    _close(session, caller, task_id, "done")
    return _back_to(back)


@router.post("/tasks/{task_id}/cancel")
def cancel_task(session: DbSession, caller: Worker, task_id: TaskId, back: Back = None) -> Response:
    _close(session, caller, task_id, "cancelled")
    return _back_to(back)
