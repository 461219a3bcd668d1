"""Legal case and agency placement endpoints (mounted under /api by `cobro.app`). Reading
cases and placements needs `read`; opening, moving, placing, recalling and syncing need `work`
(a token's `write` scope), and so do the case file and the agency export: both carry the
debtor's personal data out of Cobro. Syncing the agency's payments moves money: it needs an
`Idempotency-Key`. Another company's case or placement is a 404.

The payment file is the request body as `text/csv`, or a multipart upload in the field `file`;
5 MiB at most, UTF-8."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Paging, Reader, Worker, error_responses
from cobro.errors import Invalid
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.legal import cases, placements
from cobro.legal.agency_export import export_placement
from cobro.legal.casefile import case_file
from cobro.legal.schemas import (
    CaseIn,
    CaseOut,
    MoveIn,
    PlacementIn,
    PlacementOut,
    Stage,
    Status,
    SyncOut,
)

legal_router = APIRouter(prefix="/legal", tags=["legal"], responses=CALLER_ERRORS)
agency_router = APIRouter(prefix="/agency", tags=["agency"], responses=CALLER_ERRORS)

CaseId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the legal case's id")]
PlacementId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the placement's id")]
Customer = Annotated[str | None, Query(min_length=1, max_length=100, description="external id")]
MAX_FILE = 5 * 1024 * 1024
SYNC_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}
SYNC_ANSWERS = {
    **error_responses(404, 409),
    200: {"description": "Synced (or the stored answer, replayed)", "headers": REPLAYED_HEADER_DOC},
}


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


def _actor(caller: Caller) -> Actor:
    return Actor(id=caller.user.id, name=caller.user.email[:100])


def _case(session: Session, company_id: int, case_id: int) -> CaseOut:
    return CaseOut.model_validate(cases.case_detail(session, company_id, case_id))


def _placement(session: Session, company_id: int, placement_id: int) -> PlacementOut:
    row = placements.placement_detail(session, company_id, placement_id)
    return PlacementOut.model_validate(row)


# ---- legal cases ---------------------------------------------------------------------------


@legal_router.get("/cases")
def list_cases(
    session: DbSession,
    caller: Reader,
    page: Paging,
    stage: Annotated[Stage | None, Query()] = None,
    customer: Customer = None,
) -> PageOut[CaseOut]:
    """The company's legal cases, newest first (their steps in each one's own answer)."""
    found = cases.cases_page(session, caller.company_id, page, stage, customer)
    return PageOut.of(found, CaseOut)


@legal_router.post("/cases", status_code=201, responses=error_responses(404, 409))
def open_case(session: DbSession, caller: Worker, body: CaseIn) -> CaseOut:
    """Open the customer's legal case at the pre-legal demand, claiming what is open."""
    company = _company(session, caller.company_id)
    details = cases.CaseIn(body.court, body.case_number, body.lawyer, body.guarantees, body.note)
    case = cases.open_case(
        session,
        company,
        body.customer,
        body.opened_on or today_in(company.timezone),
        details,
        _actor(caller),
        utcnow(),
    )
    return _case(session, company.id, case.id)


@legal_router.get("/cases/{case_id}", responses=error_responses(404))
def show_case(session: DbSession, caller: Reader, case_id: CaseId) -> CaseOut:
    """One case with every stage it reached."""
    return _case(session, caller.company_id, case_id)


@legal_router.post("/cases/{case_id}/move", responses=error_responses(404, 409))
def move_case(session: DbSession, caller: Worker, case_id: CaseId, body: MoveIn) -> CaseOut:
    """Move the case to its next stage, or close it (a closed case moves no further)."""
    company = _company(session, caller.company_id)
    on = body.on or today_in(company.timezone)
    cases.move_case(session, company, case_id, body.stage, on, body.note, _actor(caller), utcnow())
    return _case(session, company.id, case_id)


@legal_router.get(
    "/cases/{case_id}/file",
    response_class=Response,
    responses={**error_responses(404), 200: {"content": {"application/zip": {}}}},
)
def download_case_file(session: DbSession, caller: Worker, case_id: CaseId) -> Response:
    """The case file: a ZIP of the statement, invoice copies, every message sent with its hash
    and delivery record, the interest computed, contacts, notes and the case, with a manifest
    of every file's SHA-256."""
    company = _company(session, caller.company_id)
    data = case_file(session, company, case_id, today_in(company.timezone))
    headers = {
        "Content-Disposition": f'attachment; filename="case-{case_id}.zip"',
        "Cache-Control": "private, no-store",
    }
    return Response(data, media_type="application/zip", headers=headers)


# ---- agency placements ---------------------------------------------------------------------


@agency_router.get("/placements")
def list_placements(
    session: DbSession,
    caller: Reader,
    page: Paging,
    status: Annotated[Status | None, Query()] = None,
    customer: Customer = None,
) -> PageOut[PlacementOut]:
    """The company's placements, newest first, each with its invoices."""
    found = placements.placements_page(session, caller.company_id, page, status, customer)
    return PageOut.of(found, PlacementOut)


@agency_router.post("/placements", status_code=201, responses=error_responses(404, 409))
def place(session: DbSession, caller: Worker, body: PlacementIn) -> PlacementOut:
    """Place the customer's invoices (none named: all open ones) with an agency: no reminder
    goes out about them until they are recalled or paid."""
    company = _company(session, caller.company_id)
    placement = placements.place(
        session,
        company,
        body.customer,
        body.agency,
        body.placed_on or today_in(company.timezone),
        body.invoices,
        body.reference,
        body.commission,
        body.note,
        _actor(caller),
        utcnow(),
    )
    return _placement(session, company.id, placement.id)


@agency_router.post("/placements/{placement_id}/recall", responses=error_responses(404, 409))
def recall(session: DbSession, caller: Worker, placement_id: PlacementId) -> PlacementOut:
    """Take the invoices back today: the next cycle chases them again."""
    company = _company(session, caller.company_id)
    on = today_in(company.timezone)
    placements.recall(session, company, placement_id, on, _actor(caller), utcnow())
    return _placement(session, company.id, placement_id)


@agency_router.get(
    "/placements/{placement_id}/export",
    response_class=Response,
    responses={
        **error_responses(404),
        200: {"content": {"text/csv": {}, "application/json": {}}},
    },
)
def export(
    session: DbSession,
    caller: Worker,
    placement_id: PlacementId,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
) -> Response:
    """Everything the agency needs: the debtor, how to reach them, and each invoice placed
    with its amounts, payment reference, stage and last message."""
    company = _company(session, caller.company_id)
    text = export_placement(session, company, placement_id, format, today_in(company.timezone))
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    headers = {
        "Content-Disposition": f'attachment; filename="placement-{placement_id}.{format}"',
        "Cache-Control": "private, no-store",
    }
    return Response(text, media_type=media, headers=headers)


async def payment_file(request: Request) -> str:
    """The agency's CSV: the body itself, or the upload in the field `file`."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("upload the agency's CSV in the field `file`", field="file")
        data = await upload.read(MAX_FILE + 1)
    else:
        data = await request.body()
    if len(data) > MAX_FILE:
        raise Invalid("the file is larger than 5 MB", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text", field="file") from None


@agency_router.post(
    "/placements/{placement_id}/payments",
    response_model=SyncOut,
    openapi_extra=SYNC_BODY,
    responses=SYNC_ANSWERS,
)
def sync_payments(
    session: DbSession,
    caller: Worker,
    placement_id: PlacementId,
    once: Idempotent,
    text: Annotated[str, Depends(payment_file)],
) -> Response:
    """Record the payments the agency collected (columns reference, invoice, date, amount,
    currency), each applied to the placed invoice it names, else oldest first. All or nothing:
    a bad row is a 422 naming it. Rows recorded before add nothing; all invoices paid closes
    the placement."""
    company = _company(session, caller.company_id)

    def act() -> SyncOut:
        on = today_in(company.timezone)
        result = placements.sync_payments(
            session, company, placement_id, text, on, _actor(caller), utcnow()
        )
        return SyncOut(
            recorded=result.recorded,
            already=result.already,
            amount=result.amount,
            closed=result.closed,
            placement=_placement(session, company.id, placement_id),
        )

    return once.answer(session, company.id, act, 200)
