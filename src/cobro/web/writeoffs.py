"""The write-offs page: requests waiting for approval (Approve and Reject for those whose role
may: a limit that covers the amount, and not the person who asked; Cancel for who asked), the
latest write-offs with their reason code and who made or approved them, and for managers and
admins the company's limits. Everything goes through the same services as the JSON API
(`cobro.writeoff.service`), so the rules and the audit trail are one.

Each move is a form with the CSRF token: on success a redirect back here (post, redirect,
get); a refused one answers the page with the error (409, 403, 422 as the API would)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import Caller, CurrentUser, DbSession, Worker, require
from cobro.errors import CobroError, Invalid
from cobro.kit.dates import today_in, utcnow
from cobro.kit.money import parse_amount, to_decimal
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.notice.environment import format_money
from cobro.web.forms import form_errors
from cobro.web.templates import language_of, render
from cobro.writeoff import queries, rules, service
from cobro.writeoff.queries import RequestRow
from cobro.writeoff.settings import FIELDS, change_write_off_settings, write_off_settings

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
RequestId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
Text = Annotated[str, Form(max_length=40)]
Note = Annotated[str, Form(max_length=500)]
PAGE_SIZE = 50
HERE = "/write-offs"


@router.get(HERE, response_class=HTMLResponse)
def writeoffs_page(
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
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    page = queries.requests_page(session, company.id, PageRequest(PAGE_SIZE, offset), "pending")
    language = language_of(request)
    rows = [
        {
            "row": row,
            "may_decide": _may_decide(caller, company, row),
            "mine": rules.same_person(caller.user.email, row.requested_by),
        }
        for row in page.items
    ]
    return render(
        request,
        "writeoffs/list.html",
        status_code=status_code,
        company=company,
        today=today_in(company.timezone),
        rows=rows,
        page=page,
        recent=queries.recent_write_offs(session, company.id),
        money=lambda amount, currency: format_money(amount, currency, language),
        errors=errors or {},
        values=values or _settings_values(company),
        may_configure=caller.can("configure"),
        may_work=caller.can("work"),
    )


def _may_decide(caller: Caller, company: Company, row: RequestRow) -> bool:
    if not caller.can("work"):
        return False
    return rules.may_approve(
        caller.role,
        row.amount_now,
        service.limits_of(company),
        approver=caller.user.email,
        requester=row.requested_by,
    )


def _settings_values(company: Company) -> dict[str, str]:
    now = write_off_settings(company)
    values = {}
    for name in FIELDS:
        amount = getattr(now, name)
        values[name] = "" if amount is None else str(to_decimal(amount, company.currency))
    return values


def _refused(request: Request, session: Session, caller: Caller, error: CobroError) -> HTMLResponse:
    # the services check everything before they write: a refused move has changed nothing
    errors = {"decision": error.message}
    return _page(request, session, caller, 0, error.status, errors)


@router.post(HERE + "/requests/{request_id}/approve", response_class=HTMLResponse)
def approve(
    request: Request, session: DbSession, caller: Worker, request_id: RequestId
) -> Response:
    company = session.get_one(Company, caller.company_id)
    by = (caller.user.id, caller.user.email)
    try:
        on = today_in(company.timezone)
        service.approve(session, company, request_id, on, by, caller.role, utcnow())
    except CobroError as error:
        return _refused(request, session, caller, error)
    return RedirectResponse(HERE, 303)


@router.post(HERE + "/requests/{request_id}/reject", response_class=HTMLResponse)
def reject(
    request: Request, session: DbSession, caller: Worker, request_id: RequestId, note: Note = ""
) -> Response:
    company = session.get_one(Company, caller.company_id)
    by = (caller.user.id, caller.user.email)
    try:
        service.reject(session, company, request_id, by, caller.role, note or None, utcnow())
    except CobroError as error:
        return _refused(request, session, caller, error)
    return RedirectResponse(HERE, 303)


@router.post(HERE + "/requests/{request_id}/cancel", response_class=HTMLResponse)
def cancel(request: Request, session: DbSession, caller: Worker, request_id: RequestId) -> Response:
    company = session.get_one(Company, caller.company_id)
    try:
        service.cancel(session, company, request_id, (caller.user.id, caller.user.email), utcnow())
    except CobroError as error:
        return _refused(request, session, caller, error)
    return RedirectResponse(HERE, 303)


@router.post(HERE + "/settings", response_class=HTMLResponse)
def change_settings(
    request: Request,
    session: DbSession,
    caller: Configurer,
    small_balance_limit: Text = "0",
    collector_write_off_limit: Text = "0",
    manager_write_off_limit: Text = "",
) -> Response:
    values = {
        "small_balance_limit": small_balance_limit,
        "collector_write_off_limit": collector_write_off_limit,
        "manager_write_off_limit": manager_write_off_limit,
    }
    company = session.get_one(Company, caller.company_id)
    try:
        changes = {name: _amount(name, text, company.currency) for name, text in values.items()}
        by = (caller.user.id, caller.user.email)
        change_write_off_settings(session, company, changes, by, utcnow())
    except CobroError as error:
        return _page(request, session, caller, 0, 422, form_errors(error, FIELDS), values)
    return RedirectResponse(HERE, 303)


def _amount(name: str, text: str, currency: str) -> int | None:
    """An amount typed in currency units; empty is none for the manager (any amount), zero
    for the others."""
    if not text.strip():
        return None if name == "manager_write_off_limit" else 0
    try:
        return parse_amount(text, currency)
    except Invalid as error:
        raise Invalid(error.message, field=name) from None
