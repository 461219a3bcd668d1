"""Import endpoints (mounted under /api by `cobro.app`): POST a CSV or Excel file of
customers, invoices or payments as multipart/form-data (field `file`, optionally `mapping`, a
TOML mapping profile as `cobro import --mapping` reads). `dry_run=true` (the default) checks
and counts without writing; `dry_run=false` imports, all-or-nothing unless `partial=true`.
Takes the `configure` permission (admins and managers; an API token's `write` scope).

The body is read by `receive_upload` only after the caller is known and allowed, and only up
to the size limit (COBRO_UPLOAD_MAX_MB): 413 past it, 415 for what is not CSV or .xlsx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, error_responses, require
from cobro.importer.mapping import Kind
from cobro.importer.online import Choices, import_upload
from cobro.importer.schemas import ImportRefusedOut, ImportReportOut
from cobro.importer.upload import Upload, receive_upload, upload_limit
from cobro.kit.dates import utcnow
from cobro.kit.schemas import ErrorOut

router = APIRouter(prefix="/imports", tags=["imports"], responses=CALLER_ERRORS)

Importer = Annotated[Caller, require("configure")]

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (, ; tab or | separated) or Excel .xlsx",
                        },
                        "mapping": {
                            "type": "string",
                            "format": "binary",
                            "description": "Optional TOML mapping profile",
                        },
                    },
                }
            }
        },
    }
}
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {"model": ImportReportOut, "description": "The report of the check or the import"},
    **error_responses(422),
    413: {"model": ErrorOut, "description": "The file is larger than the upload limit"},
    415: {"model": ErrorOut, "description": "Not a CSV or Excel (.xlsx) file"},
}
UPLOAD_ERRORS[422] = {
    "model": ImportRefusedOut | ErrorOut,
    "description": "Bad rows (the report names each: row, column, value, reason; nothing was "
    "written), or a file or option that cannot be used (the error names the field)",
}


async def uploaded(request: Request, caller: Importer, kind: Kind) -> AsyncIterator[Upload]:
    """The file, read only once the caller is allowed and the kind is known (a viewer's
    upload is refused unread), and removed when the endpoint is done with it."""
    del caller, kind  # asked for their checks only
    upload = await receive_upload(request, upload_limit())
    try:
        yield upload
    finally:
        upload.close()


@router.post("/{kind}", openapi_extra=UPLOAD_BODY, responses=UPLOAD_ERRORS)
def import_ledger_file(
    request: Request,
    session: DbSession,
    caller: Importer,
    kind: Kind,
    upload: Annotated[Upload, Depends(uploaded, scope="function")],
    dry_run: Annotated[bool, Query(description="Check and count only; write nothing")] = True,
    partial: Annotated[bool, Query(description="Import the good rows, report the bad")] = False,
    create_customers: Annotated[
        bool, Query(description="Create customers the file names but the ledger lacks")
    ] = False,
    apply_oldest: Annotated[
        bool, Query(description="Apply payments naming no invoice to the oldest open ones")
    ] = False,
    dayfirst: Annotated[bool | None, Query(description="01/02/2026 is 1 February")] = None,
    decimal: Annotated[str | None, Query(max_length=1, description=". or ,")] = None,
    delimiter: Annotated[str | None, Query(max_length=3, description=", ; tab or |")] = None,
    encoding: Annotated[str | None, Query(max_length=40, description="e.g. cp1252")] = None,
    sheet: Annotated[str | None, Query(max_length=100, description="Excel sheet")] = None,
    map: Annotated[
        list[str] | None, Query(max_length=50, description='"Header=field", repeatable')
    ] = None,
) -> Response:
    """Check or import a file; the answer is the report."""
    choices = Choices(
        dry_run=dry_run,
        partial=partial,
        create_customers=create_customers,
        apply_oldest=apply_oldest,
        dayfirst=dayfirst,
        decimal=decimal,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
        maps=tuple(map or ()),
    )
    outcome = import_upload(
        session, caller.company_id, kind, upload, choices, utcnow(), caller.user.id,
        f"api {request.client.host}" if request.client else "api",
    )  # fmt: skip
    report = ImportReportOut.of(outcome)
    if outcome.refusal is not None and not dry_run:
        refused = {"error": {"message": outcome.refusal, "field": "file"}, "report": report}
        return JSONResponse(ImportRefusedOut.model_validate(refused).model_dump(), 422)
    return JSONResponse(report.model_dump())
