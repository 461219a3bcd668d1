"""The people of the company (/settings/users): admins and managers see who has which role;
admins (`manage_users`) add a person, change a role, revoke a membership. A new user's initial
password is shown on the answer to the form, once, and is in no address, log or audit event."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.auth.rules import ROLES
from cobro.endpoint import Caller, DbSession, require
from cobro.errors import CobroError
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET, PageRequest
from cobro.settings import members
from cobro.settings.members import Added
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
UserManager = Annotated[Caller, require("manage_users")]
UserId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
PAGE_SIZE = 100
DONE = ("role", "removed")


def _source(request: Request) -> str | None:
    return request.client.host if request.client else None


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    offset: int = 0,
    status_code: int = 200,
    error: CobroError | None = None,
    error_user: int | None = None,
    added: Added | None = None,
    typed: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    page = members.members_page(session, caller.company_id, PageRequest(PAGE_SIZE, offset))
    return render(
        request,
        "settings/users.html",
        status_code=status_code,
        section="users",
        page=page,
        roles=ROLES,
        me=caller.user.id,
        may_manage=caller.can("manage_users"),
        error=error,
        error_user=error_user,
        added=added,
        typed=typed or {"email": "", "name": "", "role": "collector"},
        done=done if done in DONE else None,
    )


@router.get("/settings/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    session: DbSession,
    caller: Configurer,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    done: str | None = None,
) -> HTMLResponse:
    return _page(request, session, caller, offset, done=done)


@router.post("/settings/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    session: DbSession,
    caller: UserManager,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    typed = {"email": email, "name": name, "role": role}
    try:
        added = members.add_member(
            session, caller.company_id, email, name, role, utcnow(), caller.user.id,
            _source(request),
        )  # fmt: skip
    except CobroError as error:
        return _page(request, session, caller, status_code=_status(error), error=error, typed=typed)
    # answered here, not redirected: the initial password must not travel in an address
    return _page(request, session, caller, added=added)


def _status(error: CobroError) -> int:
    return error.status if error.status in (404, 409, 422) else 422


@router.post("/settings/users/{user_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    session: DbSession,
    caller: UserManager,
    user_id: UserId,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        members.change_role(
            session, caller.company_id, user_id, role, utcnow(), caller.user.id, _source(request)
        )
    except CobroError as error:
        if error.status == 404:
            raise
        return _page(request, session, caller, status_code=_status(error), error=error,
                     error_user=user_id)  # fmt: skip
    return RedirectResponse("/settings/users?done=role", status_code=303)


@router.post("/settings/users/{user_id}/remove", response_class=HTMLResponse)
def remove_user(
    request: Request, session: DbSession, caller: UserManager, user_id: UserId
) -> Response:
    try:
        members.remove_member(
            session, caller.company_id, user_id, utcnow(), caller.user.id, _source(request)
        )
    except CobroError as error:
        if error.status == 404:
            raise
        return _page(request, session, caller, status_code=_status(error), error=error,
                     error_user=user_id)  # fmt: skip
    return RedirectResponse("/settings/users?done=removed", status_code=303)
