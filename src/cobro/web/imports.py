"""The imports page: upload a CSV or Excel file of customers, invoices or payments, check it
(nothing written), then import it; the report names every bad row and column, and downloads as
CSV. Admins and managers (`configure`); others get the friendly 403 page.

The form posts with htmx (its X-CSRF-Token header spares the CSRF check a read of the body,
so the upload streams straight to the size check) and only the result below the form is
replaced: the chosen file stays chosen, so "Check" then "Import" needs no second pick. Without
JavaScript the form posts as usual (its hidden token) and the whole page comes back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from cobro.endpoint import Caller, DbSession, require
from cobro.errors import CobroError, Invalid
from cobro.importer.mapping import KINDS, Kind
from cobro.importer.online import Choices, Outcome, import_upload, problems_csv
from cobro.importer.report import Problem
from cobro.importer.upload import Upload, describe, receive_upload, upload_limit
from cobro.kit.dates import utcnow
from cobro.web.templates import render

router = APIRouter(include_in_schema=False)

Importer = Annotated[Caller, require("configure")]
SHOWN_PROBLEMS = 500  # rows of the table on the page; the CSV has up to DOWNLOADED
DOWNLOADED = 10_000


class _Refused:
    """An error shown next to its field, with the status the page answers."""

    def __init__(self, error: CobroError) -> None:
        self.message = error.message
        self.field = error.field or "file"
        self.status = error.status


async def _upload(request: Request, caller: Importer) -> AsyncIterator[Upload | _Refused]:
    """The file, read only once the caller may import; a refusal to show on the form."""
    del caller
    try:
        upload = await receive_upload(request, upload_limit())
    except CobroError as error:
        yield _Refused(error)
        return
    try:
        yield upload
    finally:
        upload.close()


def _form(request: Request, **context: Any) -> dict[str, Any]:
    """What every rendering of the page needs."""
    values: dict[str, Any] = {
        "kinds": KINDS,
        "kind": "invoices",
        "limit": describe(upload_limit()),
        "outcome": None,
        "refused": None,
        "chosen": dict.fromkeys(_CHOICES, ""),
        "shown": [],
        "fragment": request.headers.get("hx-request") == "true",
        "problems_json": "",
    }
    values.update(context)
    return values


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, caller: Importer) -> HTMLResponse:
    del caller
    return render(request, "imports/page.html", **_form(request))


@router.post("/imports", response_class=HTMLResponse)
def run_import(
    request: Request,
    session: DbSession,
    caller: Importer,
    upload: Annotated[Upload | _Refused, Depends(_upload, scope="function")],
) -> HTMLResponse:
    fields = upload.fields if isinstance(upload, Upload) else {}
    kind = fields.get("kind", "invoices")
    chosen = {name: fields.get(name, "") for name in _CHOICES}
    if isinstance(upload, _Refused):
        return _answer(request, upload.status, kind=kind, chosen=chosen, refused=upload)
    try:
        checked_kind = _kind(kind)
        choices = _choices(fields)
        outcome = import_upload(
            session, caller.company_id, checked_kind, upload, choices, utcnow(), caller.user.id,
            request.client.host if request.client else None,
        )  # fmt: skip
    except CobroError as error:
        return _answer(request, error.status, kind=kind, chosen=chosen, refused=_Refused(error))
    status = 422 if outcome.refusal is not None and not choices.dry_run else 200
    problems = [vars(p) for p in outcome.report.problems[:DOWNLOADED]]
    return _answer(
        request,
        status,
        kind=kind,
        chosen=chosen,
        outcome=outcome,
        shown=outcome.report.problems[:SHOWN_PROBLEMS],
        problems_json=json.dumps(problems, ensure_ascii=False),
    )


def _answer(request: Request, status: int, **context: Any) -> HTMLResponse:
    values = _form(request, **context)
    page = "imports/result.html" if values["fragment"] else "imports/page.html"
    return render(request, page, status_code=status, **values)


_CHOICES = ("dry_run", "partial", "create_customers", "apply_oldest", "dayfirst", "decimal",
            "delimiter", "encoding", "sheet", "maps")  # fmt: skip


def _kind(kind: str) -> Kind:
    for known in KINDS:
        if kind == known:
            return known
    raise Invalid(f"choose what the file holds: {', '.join(KINDS)}", "kind")


def _choices(fields: dict[str, str]) -> Choices:
    def on(name: str) -> bool:
        return fields.get(name, "") in ("1", "on", "true")

    def text(name: str) -> str | None:
        return fields.get(name, "").strip() or None

    maps = tuple(line.strip() for line in fields.get("maps", "").splitlines() if line.strip())
    return Choices(
        dry_run=fields.get("action", "check") != "import",
        partial=on("partial"),
        create_customers=on("create_customers"),
        apply_oldest=on("apply_oldest"),
        dayfirst=True if on("dayfirst") else None,
        decimal=text("decimal"),
        delimiter=text("delimiter"),
        encoding=text("encoding"),
        sheet=text("sheet"),
        maps=maps,
    )


@router.post("/imports/errors.csv")
def download_errors(
    caller: Importer,
    problems: Annotated[str, Form(max_length=8_000_000)],
    file: Annotated[str, Form(max_length=300)] = "import",
) -> Response:
    """The report on the page, as a CSV file: the page posts back what it shows (there is no
    table of past imports to read it from)."""
    del caller
    try:
        rows = json.loads(problems)
        found = [Problem(int(r["row"]), str(r["column"]), str(r["value"]), str(r["reason"]))
                 for r in rows[:DOWNLOADED]]  # fmt: skip
    except (ValueError, KeyError, TypeError):
        raise Invalid("the error report could not be read back", "problems") from None
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in file.rsplit(".", 1)[0])
    return Response(
        problems_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{stem[:80] or "import"}.errors.csv"'
        },
    )


__all__ = ["Outcome", "router"]
