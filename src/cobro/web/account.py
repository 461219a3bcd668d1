"""The signed-in user's own account: the language they read the app in, and their password.
A page (/account) and the API's /api/me, for browsers and programs alike.

Changing the password ends the user's other sessions (whoever else holds one must sign in
again) but not the one that changed it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from cobro.auth.errors import Forbidden, NotAuthenticated
from cobro.auth.service import change_password, close_sessions_of, set_language
from cobro.endpoint import CALLER_ERRORS, CurrentUser, DbSession
from cobro.errors import CobroError
from cobro.kit.dates import utcnow
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/me", tags=["account"], responses=CALLER_ERRORS)

Language = Literal["en", "es"]


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    language: Language = Field(description="The language of the user's pages and emails")
    company_id: int = Field(description="The company this session or token works in")
    role: str


class MeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language


def _me(caller: CurrentUser) -> MeOut:
    user = caller.user
    language: Language = "es" if user.language == "es" else "en"
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        language=language,
        company_id=caller.company_id,
        role=caller.role,
    )


@api.get("", summary="Who is asking: the user, their company and role")
def read_me(caller: CurrentUser) -> MeOut:
    return _me(caller)


@api.patch("", summary="Change the user's own language")
def update_me(session: DbSession, caller: CurrentUser, change: MeIn) -> MeOut:
    if caller.scopes is not None and "write" not in caller.scopes:
        raise Forbidden("a read-only API token changes nothing, not even a language")
    set_language(session, caller.user, change.language, utcnow(), source="api")
    return _me(caller)


def _source(request: Request) -> str | None:
    return request.client.host if request.client else None


def _page(
    request: Request,
    caller: CurrentUser,
    status_code: int = 200,
    done: str | None = None,
    error: CobroError | None = None,
) -> HTMLResponse:
    return render(
        request,
        "account.html",
        status_code=status_code,
        user=caller.user,
        role=caller.role,
        done=done,
        error=error.message if error else None,
        error_field=error.field if error else None,
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, caller: CurrentUser, done: Literal["language", "password"] | None = None
) -> HTMLResponse:
    return _page(request, caller, done=done)


@router.post("/account/language")
def choose_language(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    language: Annotated[str, Form(max_length=12)],
) -> Response:
    if caller.web_session is None:
        raise Forbidden("a program changes the language with PATCH /api/me")
    set_language(session, caller.user, language, utcnow(), source=_source(request))
    return RedirectResponse("/account?done=language", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
def new_password(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
    again: Annotated[str, Form(max_length=1024)],
) -> Response:
    if caller.web_session is None:
        raise Forbidden("passwords are changed in the browser")
    if new != again:
        mismatch = CobroError("the two new passwords differ", field="again")
        return _page(request, caller, 422, error=mismatch)
    try:
        change_password(session, caller.user, current, new, utcnow(), _source(request))
    except NotAuthenticated:
        wrong = CobroError("the current password is wrong", field="current")
        return _page(request, caller, 422, error=wrong)
    except CobroError as refused:  # the password policy, naming the field
        refused.field = "new"
        return _page(request, caller, 422, error=refused)
    close_sessions_of(session, caller.user, utcnow(), keep=caller.web_session)
    return RedirectResponse("/account?done=password", status_code=303)
