"""The rates page: every rate series the interest calculator reads (its name, source, first
and last day, how many periods were imported into the database); `?series=X` shows one series
period by period (its days, rate, shipped or imported, source). Roles that may `configure`
(managers, admins) also upload a rate file there (CSV, or JSON like the shipped series when
its name ends in .json) through the same service as `cobro rates import` and
`POST /api/rates/import` (`cobro.interest.service.import_rate_text`): all or nothing, audited.

The upload is a multipart form with the CSRF token. An import that stores periods redirects
(303) to `/rates?added=N&known=K`, which shows the result in one line (post, redirect, get);
"check only" (dry run) and a file that adds nothing answer 200 with the page, the line and the
periods the file would add. A refused file answers 422 with the page and every problem (row,
field, message); a file that cannot be read at all, the error next to the file field."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from cobro.endpoint import Caller, CurrentUser, DbSession, require
from cobro.errors import Invalid
from cobro.interest.law import published
from cobro.interest.models import SERIES_MAX
from cobro.interest.ratefile import RateFileInvalid
from cobro.interest.service import (
    Importer,
    ImportResult,
    import_rate_text,
    list_series,
    series_periods,
)
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)

Configurer = Annotated[Caller, require("configure")]
MAX_FILE = 1024 * 1024  # a rate file is a few hundred rows: far less than this
Count = Annotated[int | None, Query(ge=0, le=MAX_OFFSET)]


@router.get("/rates", response_class=HTMLResponse)
def rates_page(
    request: Request,
    session: DbSession,
    caller: CurrentUser,
    series: Annotated[str, Query(max_length=SERIES_MAX)] = "",
    added: Count = None,
    known: Count = None,
) -> HTMLResponse:
    done = None if added is None else {"added": added, "known": known or 0, "dry_run": False}
    return _page(request, session, caller, series.strip(), done=done)


def _page(
    request: Request,
    session: Session,
    caller: Caller,
    series: str = "",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page; `context`: done (the one-line result: added, known, dry_run), would_add (the
    periods a check found), problems (a refused file's), errors (field -> message), dry_run
    (the box as ticked)."""
    periods = series_periods(session, series) if series else []  # unknown: a 404
    values: dict[str, Any] = {
        "done": None,
        "would_add": [],
        "problems": [],
        "errors": {},
        "dry_run": False,
    }
    values.update(context)
    return render(
        request,
        "rates/list.html",
        status_code=status_code,
        views=list_series(session),
        series=series,
        shown=published(series) if series else None,
        periods=periods,
        may_configure=caller.can("configure"),
        **values,
    )


@router.post("/rates/import", response_class=HTMLResponse)
def import_rates_page(
    request: Request,
    session: DbSession,
    caller: Configurer,
    file: Annotated[UploadFile | None, File()] = None,
    dry_run: Annotated[str, Form(max_length=10)] = "",
    series: Annotated[str, Form(max_length=SERIES_MAX)] = "",
) -> Response:
    checking = dry_run in ("1", "on", "true")
    where = series.strip()
    by = Importer(caller.user.id, caller.company_id, "web")
    try:
        name, text = _read(file)
        result = import_rate_text(
            session, name, text, by, utcnow(), dry_run=checking, as_json=_is_json(name)
        )
    except RateFileInvalid as refused:
        session.rollback()
        return _page(
            request,
            session,
            caller,
            where,
            422,
            problems=refused.problems,
            errors={"form": refused.message.splitlines()[0]},
            dry_run=checking,
        )
    except Invalid as error:
        session.rollback()
        field = "file" if error.field in (None, "file", "header") else "form"
        return _page(
            request, session, caller, where, 422, errors={field: error.message}, dry_run=checking
        )
    if checking or not result.added:
        return _page(
            request,
            session,
            caller,
            where,
            done=_done(result, checking),
            would_add=result.added,
            dry_run=checking,
        )
    query: dict[str, str | int] = {"added": len(result.added), "known": result.already_known}
    return RedirectResponse(
        "/rates?" + urlencode(query | ({"series": where} if where else {})), 303
    )


def _done(result: ImportResult, dry_run: bool) -> dict[str, Any]:
    return {"added": len(result.added), "known": result.already_known, "dry_run": dry_run}


def _read(file: UploadFile | None) -> tuple[str, str]:
    """The uploaded file's name and text (UTF-8), or why it cannot be read."""
    if file is None or not file.filename:
        raise Invalid("choose a rate file (CSV, or JSON like the shipped series)", "file")
    content = file.file.read(MAX_FILE + 1)
    if len(content) > MAX_FILE:
        raise Invalid(f"{file.filename}: a rate file is at most 1 MB", "file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(f"{file.filename}: not UTF-8 text (save it as CSV UTF-8)", "file") from None
    return file.filename[:100], text


def _is_json(name: str) -> bool:
    return name.lower().endswith(".json")
