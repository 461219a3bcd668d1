"""The HTML pages: sign-in and sign-out, and the signed-in home page, the dashboard (the
worklist and customer pages come later in issue 4).

Sign-in answers a refused attempt with the form again (401, or 429 when the address tried too
often) and one message whatever went wrong. Returning normally, not raising, is what makes the
request's unit of work COMMIT the failed attempt, the failure count and the audit event that
`authenticate` wrote: else the lockout would never happen (see cobro.auth.login)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from babel.core import Locale
from babel.numbers import format_percent
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cobro.auth.errors import Forbidden, NotAuthenticated, TooManyAttempts
from cobro.auth.service import (
    authenticate,
    close_session,
    open_session,
    resolve_session,
    roles_of,
    switch_company,
)
from cobro.company.service import companies_by_id
from cobro.endpoint import SESSION_COOKIE, CurrentUser, DbSession, session_token_of
from cobro.kit.dates import today_in, utcnow
from cobro.kit.money import to_decimal
from cobro.notice.environment import format_money
from cobro.report.dashboard import Dashboard, dashboard
from cobro.report.rules import Bucket
from cobro.web.i18n import Gettext, translator
from cobro.web.security import CSRF_COOKIE
from cobro.web.templates import language_of, render

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site, never another site (`//evil`,
    `https://evil`, `/\\evil`); "/" otherwise."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ord(char) < 32 or char == "\\" for char in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession, caller: CurrentUser) -> HTMLResponse:
    roles = roles_of(session, caller.user)
    companies = companies_by_id(session, roles)
    current = next(company for company in companies if company.id == caller.company_id)
    language = language_of(request)
    board = dashboard(session, current, today_in(current.timezone))
    return render(
        request,
        "home.html",
        language=language,
        board=board,
        figures=_figures(board, language),
        chart=_chart(board, translator(language)),
        user=caller.user,
        role=caller.role,
        company=current,
        others=[(c.id, c.name, c.code, roles[c.id]) for c in companies if c.id != current.id],
        browser=caller.web_session is not None,
    )


BUCKET_LABELS = {
    Bucket.CURRENT: "Not yet due",
    Bucket.DAYS_1_30: "1–30 days",
    Bucket.DAYS_31_60: "31–60 days",
    Bucket.DAYS_61_90: "61–90 days",
    Bucket.OVER_90: "Over 90 days",
}


def _figures(board: Dashboard, language: str) -> list[dict[str, Any]]:
    """Each currency's figures as text in the page's language."""
    # the language's percent pattern ("#,##0%", "#,##0\u00a0%") with one decimal
    percent = Locale.parse(language).percent_formats[None].pattern.replace("0", "0.0", 1)
    return [
        {
            "currency": figures.currency,
            "open": format_money(figures.open, figures.currency, language),
            "overdue": format_money(figures.overdue, figures.currency, language),
            "share": format_percent(float(figures.overdue_share), percent, locale=language),
            "buckets": [
                (label, format_money(figures.buckets[bucket], figures.currency, language))
                for bucket, label in BUCKET_LABELS.items()
            ],
        }
        for figures in board.currencies
    ]


def _chart(board: Dashboard, gettext: Gettext) -> dict[str, Any]:
    """The aging chart's data for static/dashboard.js: one stacked bar per currency (currencies
    are never stacked together), one segment per bucket, in major units."""
    return {
        "labels": [figures.currency for figures in board.currencies],
        "datasets": [
            {
                "label": gettext(label),
                "data": [
                    float(to_decimal(figures.buckets[bucket], figures.currency))
                    for figures in board.currencies
                ],
            }
            for bucket, label in BUCKET_LABELS.items()
        ],
    }


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: DbSession, next: str | None = None) -> Response:
    if resolve_session(session, session_token_of(request), utcnow()) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), email="", error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    now = utcnow()
    source = request.client.host if request.client else None
    try:
        user = authenticate(session, email, password, now, source)
    except (NotAuthenticated, TooManyAttempts) as refused:
        # returned, not raised: the unit of work commits what authenticate recorded
        return _login_again(request, refused.status, next, email, refused.message)
    companies = companies_by_id(session, roles_of(session, user))
    if not companies:
        message = "this account has no role in any company yet: ask an administrator"
        return _login_again(request, Forbidden.status, next, email, message)
    token, _ = open_session(session, user, companies[0].id, now)
    response = RedirectResponse(safe_next(next), status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/"
    )
    # a new CSRF token for the signed-in browser: the next page gets one from the middleware
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    return response


def _login_again(request: Request, status: int, next: str, email: str, error: str) -> Response:
    """The sign-in form again, with what was typed (not the password) and why it failed."""
    return render(
        request, "login.html", status_code=status, next=safe_next(next), email=email, error=error
    )


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    """Sign a browser out. A request with an Authorization header is a program's, which the
    CSRF check lets through: it is refused, and the cookie left alone."""
    if "authorization" in request.headers:
        raise Forbidden("signing out is for browsers; a program revokes its API token instead")
    source = request.client.host if request.client else None
    close_session(session, session_token_of(request), utcnow(), source)
    response = RedirectResponse("/login", status_code=303)
    secure = request.url.scheme == "https"
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    return response


@router.post("/company")
def choose_company(
    session: DbSession, caller: CurrentUser, company_id: Annotated[int, Form()]
) -> Response:
    """Work in another of the user's companies (a browser's session; not for API tokens)."""
    if caller.web_session is None:
        raise Forbidden("an API token works in its own company only")
    switch_company(session, caller.web_session, company_id, utcnow())
    return RedirectResponse("/", status_code=303)
