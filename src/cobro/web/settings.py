"""The settings pages: the company's details (/settings), its channels and SMTP server
(/settings/channels) and the company layer of its chase settings (/settings/chase). Admins and
managers (`configure`) see and change them; others get the friendly 403 page. The people of
the company are on /settings/users (`cobro.web.members`).

Each form posts, then redirects back with a note (post, redirect, get); a refused value answers
422 with the page as typed and the error next to its field. Secrets are never put back in a
page: the password field is always empty and says whether one is set."""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.channel.base import DeliveryError
from cobro.channel.registry import channel_settings
from cobro.endpoint import Caller, DbSession, require
from cobro.errors import CobroError
from cobro.kit.dates import utcnow
from cobro.settings import channels, chase, company
from cobro.settings.rules import SECRETS
from cobro.web.members import router as members_router
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
Text = Annotated[str, Form(max_length=500)]
DONE = ("company", "channels", "chase", "test")


def _source(request: Request) -> str | None:
    return request.client.host if request.client else None


def _done(done: str | None) -> str | None:
    return done if done in DONE else None


# ---- company ------------------------------------------------------------------------------------


@router.get("/settings", response_class=HTMLResponse)
def company_page(
    request: Request, session: DbSession, caller: Configurer, done: str | None = None
) -> HTMLResponse:
    values = company.company_values(company.company_of(session, caller.company_id))
    return _company(request, caller, values, done=_done(done))


def _company(
    request: Request,
    caller: Caller,
    values: dict[str, Any],
    status_code: int = 200,
    error: CobroError | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "settings/company.html",
        status_code=status_code,
        section="company",
        values=values,
        error=error,
        done=done,
        may_manage=caller.can("manage_users"),
    )


@router.post("/settings/company", response_class=HTMLResponse)
def save_company(
    request: Request,
    session: DbSession,
    caller: Configurer,
    name: Text = "",
    timezone: Text = "",
    language: Text = "",
    email: Text = "",
    phone: Text = "",
    iban: Text = "",
    bic: Text = "",
) -> Response:
    changes = {"name": name, "timezone": timezone, "language": language, "email": email,
               "phone": phone, "iban": iban, "bic": bic}  # fmt: skip
    try:
        company.update_company(
            session, caller.company_id, changes, utcnow(), caller.user.id, _source(request)
        )
    except CobroError as error:
        current = company.company_values(company.company_of(session, caller.company_id))
        return _company(request, caller, {**current, **changes}, 422, error)
    return RedirectResponse("/settings?done=company", status_code=303)


# ---- channels -----------------------------------------------------------------------------------


@router.get("/settings/channels", response_class=HTMLResponse)
def channels_page(
    request: Request, session: DbSession, caller: Configurer, done: str | None = None
) -> HTMLResponse:
    return _channels(request, session, caller, done=_done(done))


def _channels(
    request: Request,
    session: Session,
    caller: Caller,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
    error: CobroError | None = None,
    done: str | None = None,
    test: str | None = None,
) -> HTMLResponse:
    shown = channels.shown_values(channels.channel_row(session, caller.company_id))
    values = {**shown, **(typed or {})}
    for secret in SECRETS:
        values[secret] = shown[secret]  # typed secrets never come back
    return render(
        request,
        "settings/channels.html",
        status_code=status_code,
        section="channels",
        values=values,
        error=error,
        done=done,
        test=test,
        may_manage=caller.can("manage_users"),
        environment_smtp=bool(os.environ.get("COBRO_SMTP_URL")),
    )


@router.post("/settings/channels", response_class=HTMLResponse)
def save_channels(
    request: Request,
    session: DbSession,
    caller: Configurer,
    mail_from: Text = "",
    smtp_host: Text = "",
    smtp_port: Annotated[str, Form(max_length=10)] = "",
    smtp_security: Annotated[str, Form(max_length=10)] = "",
    smtp_username: Text = "",
    smtp_password: Text = "",
    clear_smtp_password: Annotated[str, Form(max_length=5)] = "",
    sms_gateway_url: Text = "",
    whatsapp_gateway_url: Text = "",
    gateway_token: Text = "",
    clear_gateway_token: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    typed: dict[str, Any] = {
        "mail_from": mail_from,
        "smtp_host": smtp_host,
        "smtp_port": smtp_port,
        "smtp_security": smtp_security,
        "smtp_username": smtp_username,
        "sms_gateway_url": sms_gateway_url,
        "whatsapp_gateway_url": whatsapp_gateway_url,
    }
    # an empty secret field keeps the stored secret; the box beside it clears it
    given = {
        "smtp_password": "" if clear_smtp_password else (smtp_password or None),
        "gateway_token": "" if clear_gateway_token else (gateway_token or None),
    }
    try:
        channels.save_channels(
            session,
            caller.company_id,
            {**typed, **given},
            utcnow(),
            caller.user.id,
            _source(request),
        )
    except CobroError as error:
        return _channels(request, session, caller, typed, 422, error)
    return RedirectResponse("/settings/channels?done=channels", status_code=303)


@router.post("/settings/channels/test", response_class=HTMLResponse)
def send_test_email(
    request: Request,
    session: DbSession,
    caller: Configurer,
    to: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    try:
        channels.send_test_email(
            session,
            caller.company_id,
            to,
            channel_settings(os.environ),
            utcnow(),
            caller.user.id,
            _source(request),
        )
    except CobroError as error:
        error.field = "to"
        return _channels(request, session, caller, status_code=422, error=error)
    except DeliveryError as failure:
        refused = CobroError(failure.reason, "to")
        return _channels(request, session, caller, status_code=422, error=refused)
    return _channels(request, session, caller, done="test", test=to)


# ---- chase settings -----------------------------------------------------------------------------


@router.get("/settings/chase", response_class=HTMLResponse)
def chase_page(
    request: Request, session: DbSession, caller: Configurer, done: str | None = None
) -> HTMLResponse:
    return _chase(request, session, caller, done=_done(done))


def _chase(
    request: Request,
    session: Session,
    caller: Caller,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
    error: CobroError | None = None,
    done: str | None = None,
) -> HTMLResponse:
    shown = chase.chase_values(chase.company_chase(session, caller.company_id))
    values = {name: "" if value is None else value for name, value in shown["values"].items()}
    values.update(typed or {})
    return render(
        request,
        "settings/chase.html",
        status_code=status_code,
        section="chase",
        values=values,
        applies=shown["applies"],
        profile=shown["profile"],
        clamped=shown["clamped"],
        error=error,
        done=done,
        may_manage=caller.can("manage_users"),
    )


_SWITCHES = {"": None, "yes": True, "no": False}


@router.post("/settings/chase", response_class=HTMLResponse)
def save_chase(
    request: Request,
    session: DbSession,
    caller: Configurer,
    window_start: Annotated[str, Form(max_length=5)] = "",
    window_end: Annotated[str, Form(max_length=5)] = "",
    weekends: Annotated[str, Form(max_length=3)] = "",
    holidays: Annotated[str, Form(max_length=3)] = "",
    max_messages: Annotated[str, Form(max_length=6)] = "",
    period_days: Annotated[str, Form(max_length=6)] = "",
    max_calls: Annotated[str, Form(max_length=6)] = "",
    call_period_days: Annotated[str, Form(max_length=6)] = "",
    quiet_after_conversation_days: Annotated[str, Form(max_length=6)] = "",
    min_days_between_stages: Annotated[str, Form(max_length=6)] = "",
    regulation: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    typed = {"window_start": window_start, "window_end": window_end, "weekends": weekends,
             "holidays": holidays, "max_messages": max_messages, "period_days": period_days,
             "max_calls": max_calls, "call_period_days": call_period_days,
             "quiet_after_conversation_days": quiet_after_conversation_days,
             "min_days_between_stages": min_days_between_stages,
             "regulation": regulation}  # fmt: skip
    try:
        chase.update_chase(
            session, caller.company_id, _chase_values(typed), utcnow(), caller.user.id,
            _source(request),
        )  # fmt: skip
    except CobroError as error:
        error.field = (error.field or "").rpartition(".")[2] or None
        return _chase(request, session, caller, typed, 422, error)
    return RedirectResponse("/settings/chase?done=chase", status_code=303)


def _chase_values(typed: dict[str, str]) -> dict[str, object]:
    """Form text as the settings' types: empty inherits; numbers stay text when they are not
    numbers, so that the check names the field."""
    values: dict[str, object] = {}
    for name, text in typed.items():
        clean = text.strip()
        if name in ("weekends", "holidays"):
            values[name] = _SWITCHES.get(clean, clean)
        elif name in ("window_start", "window_end", "regulation"):
            values[name] = clean or None
        else:
            values[name] = int(clean) if clean.isdigit() else (clean or None)
    return values


router.include_router(members_router)  # /settings/users, in a module of its own
