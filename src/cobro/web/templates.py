"""Jinja2 for the HTML pages: autoescaped, templates in cobro/web/templates/, each page given
the request's language (`gettext`/`_`), its CSRF token, the static files' addresses and
`when(at)`: a time on the signed-in user's company's clock ("2026-03-02 09:15 CET")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from cobro.kit.dates import local_time
from cobro.web.i18n import LANGUAGES, negotiate, translator

STATIC = Path(__file__).parent / "static"

environment = Environment(
    loader=PackageLoader("cobro.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def language_of(request: Request) -> str:
    """The signed-in user's language (set by `cobro.endpoint.current_user`), else the
    browser's."""
    chosen = getattr(request.state, "language", None)
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language"))


def render(
    request: Request,
    name: str,
    status_code: int = 200,
    language: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """`language`: the page's language when the page knows it (the debtor portal: the
    customer's); else the browser's Accept-Language."""
    language = language or language_of(request)
    gettext = translator(language)
    zone = getattr(request.state, "timezone", None) or "UTC"  # the signed-in user's company
    page = environment.get_template(name).render(
        request=request,
        lang=language,
        gettext=gettext,
        _=gettext,
        csrf_token=getattr(request.state, "csrf_token", ""),
        when=lambda at: local_time(at, zone),
        **context,
    )
    return HTMLResponse(page, status_code=status_code, headers={"Content-Language": language})
