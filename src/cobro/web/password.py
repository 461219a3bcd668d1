"""Password reset by email, for a person who cannot sign in: "Forgot your password?" on the
sign-in page leads to /password/forgot (an email address; the answer is the same whether it
has an account or not), which queues an email with a link through the worker's deliveries
(SMTP, retried like any message); the link, /password/reset/<token>, works once, for an hour,
and asks for the new password twice. Setting it ends every session of the user. Requests are
rate-limited with sign-ins (`cobro.auth.forgot`); everything is audited (`cobro.auth.reset`).

The link starts with the configured COBRO_BASE_URL, never with the Host the request named: a
forged Host header must not send someone's reset link to an attacker's site."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from cobro.auth.errors import TooManyAttempts
from cobro.auth.forgot import ResetRequested, forgot_password, reset_is_open
from cobro.auth.reset import reset_password
from cobro.endpoint import DbSession
from cobro.errors import CobroError, Invalid
from cobro.kit.dates import utcnow
from cobro.web.i18n import translator
from cobro.web.templates import render
from cobro.webhook.account_mail import queue_email

router = APIRouter(include_in_schema=False)

Token = Annotated[str, Path(min_length=10, max_length=200)]
Secret = Annotated[str, Form(max_length=1024)]
SUBJECT = "Reset your Cobro password"
BODY = (
    "Someone, probably you, asked to reset the password of your Cobro account.\n\n"
    "Open this link to choose a new one (it works once, for one hour):\n\n{link}\n\n"
    "If you did not ask for it, ignore this email: your password stays as it is."
)


def _source(request: Request) -> str | None:
    return request.client.host if request.client else None


def _base_url(request: Request) -> str:
    configured = getattr(request.app.state, "base_url", None)
    return str(configured or "http://127.0.0.1:8000").rstrip("/")


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> HTMLResponse:
    return render(request, "password/forgot.html", email="", error=None, sent=False)


@router.post("/password/forgot", response_class=HTMLResponse)
def forgot(
    request: Request, session: DbSession, email: Annotated[str, Form(max_length=320)] = ""
) -> HTMLResponse:
    now = utcnow()
    try:
        requested = forgot_password(session, email, now, _source(request))
    except TooManyAttempts as busy:
        # returned, not raised: the unit of work commits the attempts counted so far
        return render(
            request, "password/forgot.html", 429, email=email, error=busy.message, sent=False
        )
    if requested is not None:
        _queue_link(session, request, requested)
    return render(request, "password/forgot.html", email="", error=None, sent=True)


def _queue_link(session: Session, request: Request, requested: ResetRequested) -> None:
    gettext = translator(requested.user.language)
    link = f"{_base_url(request)}/password/reset/{requested.token}"
    queue_email(
        session,
        to=requested.user.email,
        subject=gettext(SUBJECT),
        text=gettext(BODY).format(link=link),
        event="account.password_reset",
        now=utcnow(),
    )


@router.get("/password/reset/{token}", response_class=HTMLResponse)
def reset_form(request: Request, session: DbSession, token: Token) -> HTMLResponse:
    if not reset_is_open(session, token, utcnow()):
        return render(request, "password/reset.html", 404, token=None, error=None, field=None)
    return render(request, "password/reset.html", token=token, error=None, field=None)


@router.post("/password/reset/{token}", response_class=HTMLResponse)
def reset(
    request: Request, session: DbSession, token: Token, new: Secret = "", again: Secret = ""
) -> Response:
    if new != again:
        return _again(request, token, CobroError("the two new passwords differ", field="again"))
    try:
        reset_password(session, token, new, utcnow(), source=_source(request))
    except Invalid as refused:
        if refused.field == "token":
            return render(request, "password/reset.html", 404, token=None, error=None, field=None)
        refused.field = "new"  # the password policy's reason, next to the field
        return _again(request, token, refused)
    return render(request, "password/done.html")


def _again(request: Request, token: str, error: CobroError) -> HTMLResponse:
    return render(
        request, "password/reset.html", 422, token=token, error=error.message, field=error.field
    )
