"""Dispute endpoints (mounted under /api by `cobro.app`): the caller's company's disputes,
filtered and paged; one with its invoices and evidence; opening one, resolving one (with a
required `Idempotency-Key`: a credit moves money) and attaching evidence need the `work`
permission (a token's `write` scope). Another company's dispute or file is a 404.

Evidence is a multipart upload in the field `file`: a PDF, PNG, JPEG or plain-text file by its
bytes, 5 MiB at most; anything else is a 422 naming `file`, and nothing is stored."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.dispute import rules, service
from cobro.dispute.queries import DisputeFilter, dispute_detail, disputes_page
from cobro.dispute.resolve import resolve_dispute
from cobro.dispute.schemas import DisputeIn, DisputeOut, EvidenceOut, ResolveIn, Status
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Paging,
    Reader,
    Worker,
    error_responses,
)
from cobro.errors import Invalid
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut

router = APIRouter(prefix="/disputes", tags=["disputes"], responses=CALLER_ERRORS)

DisputeId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the dispute's id")]
EvidenceId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the evidence file's id")]
RESOLVE_ANSWERS = {
    **error_responses(404, 409),
    200: {
        "description": "Resolved (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
}


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


def _actor(caller: Caller) -> Actor:
    return Actor(id=caller.user.id, name=caller.user.email[:100])


def _out(session: Session, company: Company, dispute_id: int) -> DisputeOut:
    row = dispute_detail(session, company.id, dispute_id, today_in(company.timezone))
    return DisputeOut.model_validate(row)


@router.get("")
def list_disputes(
    session: DbSession,
    caller: Reader,
    page: Paging,
    status: Annotated[Status | None, Query()] = None,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=100, description="external id")
    ] = None,
    owner: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    overdue: Annotated[bool | None, Query(description="open past their due date (or not)")] = None,
) -> PageOut[DisputeOut]:
    """The company's disputes, newest first (their evidence in each one's own answer)."""
    company = _company(session, caller.company_id)
    where = DisputeFilter(status, customer, owner, overdue)
    found = disputes_page(session, company.id, page, today_in(company.timezone), where)
    return PageOut.of(found, DisputeOut)


@router.post("", status_code=201, responses=error_responses(404, 409))
def open_dispute(session: DbSession, caller: Worker, body: DisputeIn) -> DisputeOut:
    """Open a dispute of invoices of one customer, each whole or in part: the disputed
    amounts are held (the rest is still chased), a review task goes to the owner."""
    company = _company(session, caller.company_id)
    dispute = service.open_dispute(
        session,
        company,
        body.customer,
        [service.ItemIn(item.invoice, item.amount) for item in body.items],
        body.reason,
        body.description,
        body.opened_on or today_in(company.timezone),
        "api",
        owner=body.owner,
        due_on=body.due_on,
        by=_actor(caller),
    )
    return _out(session, company, dispute.id)


@router.get("/{dispute_id}", responses=error_responses(404))
def show_dispute(session: DbSession, caller: Reader, dispute_id: DisputeId) -> DisputeOut:
    """One dispute with its invoices and the evidence files attached."""
    return _out(session, _company(session, caller.company_id), dispute_id)


@router.post("/{dispute_id}/resolve", response_model=DisputeOut, responses=RESOLVE_ANSWERS)
def resolve(
    session: DbSession, caller: Worker, dispute_id: DisputeId, body: ResolveIn, once: Idempotent
) -> Response:
    """End an open dispute: `credit` (a credit note per invoice for what it disputes),
    `partial` (credit notes for `credits`), `reject` (the chase resumes) or `withdraw`."""
    company = _company(session, caller.company_id)

    def act() -> DisputeOut:
        credits: dict[str, int] = {}
        for credit in body.credits:
            if credit.invoice in credits:
                raise Invalid(f"invoice {credit.invoice} is named twice", field="credits")
            credits[credit.invoice] = credit.amount
        resolve_dispute(
            session,
            company,
            dispute_id,
            body.outcome,
            body.on or today_in(company.timezone),
            credits=credits or None,
            note=body.note,
            by=_actor(caller),
            now=utcnow(),
        )
        return _out(session, company, dispute_id)

    return once.answer(session, company.id, act, 200)


@router.post("/{dispute_id}/evidence", status_code=201, responses=error_responses(404, 409))
def add_evidence(
    session: DbSession,
    caller: Worker,
    dispute_id: DisputeId,
    file: Annotated[UploadFile, File(description="a PDF, PNG, JPEG or text file, 5 MiB at most")],
) -> EvidenceOut:
    """Attach a file to an open dispute (10 at most)."""
    company = _company(session, caller.company_id)
    # one byte past the limit is enough to say it is too large: the rest is never read
    content = file.file.read(rules.MAX_FILE_BYTES + 1)
    try:
        row = service.add_evidence(
            session,
            company,
            dispute_id,
            file.filename or "",
            content,
            by=_actor(caller),
        )
    except Invalid as error:
        raise Invalid(error.message, field="file") from None
    return EvidenceOut.model_validate(row)


@router.get(
    "/{dispute_id}/evidence/{evidence_id}",
    response_class=Response,
    responses={**error_responses(404), 200: {"description": "The file as uploaded"}},
)
def download_evidence(
    session: DbSession, caller: Reader, dispute_id: DisputeId, evidence_id: EvidenceId
) -> Response:
    """One evidence file, as an attachment (never shown inline)."""
    row = service.get_evidence(
        session, _company(session, caller.company_id), dispute_id, evidence_id
    )
    return evidence_response(row.content, row.content_type, row.filename)


def evidence_response(content: bytes, content_type: str, filename: str) -> Response:
    """A download: the type the bytes were judged to be, and the sanitised name."""
    disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(content, media_type=content_type, headers={"Content-Disposition": disposition})
