"""SEPA direct-debit endpoints (mounted under /api by `cobro.app`): mandates (list, add,
revoke), the batches written with their pain.008 file, writing the batch for a collection date
(with a required `Idempotency-Key`: it records the debits as payments), and reading a bank's
pain.002 status report, whose rejects undo collections. Reading needs `read`; mandates and
status reports `work`; writing a batch `configure`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from cobro.banking import debits, mandates, returns
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Reader,
    Worker,
    error_responses,
    require,
)
from cobro.errors import Invalid
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET

router = APIRouter(prefix="/sepa", tags=["sepa"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
BatchId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the batch's id")]
Reference = Annotated[str, Path(min_length=1, max_length=35, description="mandate reference")]
MAX_REPORT = 5 * 1024 * 1024


class MandateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer: str = Field(description="the customer's external id")
    reference: str
    signed_on: date
    scheme: str
    iban: str
    bic: str | None
    debtor_name: str
    state: str = Field(description="active, revoked or expired")
    next_sequence: str = Field(description="FRST, RCUR or OOFF: the next collection's type")
    last_collected_on: date | None
    ended_reason: str | None


class MandateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: str = Field(min_length=1, max_length=100)
    reference: str = Field(min_length=1, max_length=35)
    signed_on: date
    scheme: Literal["CORE", "B2B"] = "CORE"
    iban: str = Field(min_length=5, max_length=42)
    bic: str | None = Field(default=None, max_length=11)
    debtor_name: str | None = Field(default=None, max_length=140)
    one_off: bool = False


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200)


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: str
    version: str
    collection_date: date
    count: int
    total: int = Field(description="minor units")
    currency: str
    sha256: str = Field(description="of the file as written")
    created_by: str | None
    created_at: datetime


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection_date: date
    version: Literal["pain.008.001.02", "pain.008.001.08"] = "pain.008.001.08"


class ExportOut(BaseModel):
    batches: list[BatchOut]
    waiting: list[dict[str, str]] = Field(description="invoices not collected, with why")


class StatusOut(BaseModel):
    message_id: str = Field(description="the batch the report is about")
    rejected: list[str] = Field(description="end-to-end ids undone")
    already: list[str]
    unknown: list[str] = Field(description="not Cobro's collections")


@router.get("/mandates")
def list_mandates(session: DbSession, caller: Reader) -> list[MandateOut]:
    company = session.get_one(Company, caller.company_id)
    rows = mandates.mandate_rows(session, company, today_in(company.timezone))
    return [
        MandateOut.model_validate({**_fields(row.mandate), "customer": row.customer})
        for row in rows
    ]


def _fields(mandate: object) -> dict[str, object]:
    return {name: getattr(mandate, name) for name in MandateOut.model_fields if name != "customer"}


@router.post("/mandates", status_code=201, responses=error_responses(404, 409))
def add_mandate(session: DbSession, caller: Worker, body: MandateIn) -> MandateOut:
    """Record a mandate a customer signed; its IBAN is checked (schwifty)."""
    company = session.get_one(Company, caller.company_id)
    data = mandates.MandateIn(**body.model_dump())
    mandate = mandates.add_mandate(
        session,
        company,
        data,
        today_in(company.timezone),
        (caller.user.id, caller.user.email),
        utcnow(),
    )
    return MandateOut.model_validate({**_fields(mandate), "customer": body.customer})


@router.post("/mandates/{reference}/revoke", responses=error_responses(404, 409))
def revoke_mandate(
    session: DbSession, caller: Worker, reference: Reference, body: RevokeIn
) -> MandateOut:
    company = session.get_one(Company, caller.company_id)
    mandate = mandates.revoke_mandate(
        session, company, reference, body.reason, (caller.user.id, caller.user.email), utcnow()
    )
    customer = session.get_one(Customer, mandate.customer_id)
    return MandateOut.model_validate({**_fields(mandate), "customer": customer.external_id})


@router.get("/batches")
def list_batches(session: DbSession, caller: Reader) -> list[BatchOut]:
    company = session.get_one(Company, caller.company_id)
    return [BatchOut.model_validate(row) for row in debits.list_batches(session, company)]


@router.get("/batches/{batch_id}/file", responses=error_responses(404))
def batch_file(session: DbSession, caller: Reader, batch_id: BatchId) -> Response:
    """The pain.008 file as written (send it to the bank; the same bytes every time)."""
    batch = debits.get_batch(session, session.get_one(Company, caller.company_id), batch_id)
    return Response(
        batch.document,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{batch.message_id}.xml"'},
    )


@router.post(
    "/batches",
    status_code=201,
    response_model=ExportOut,
    responses={**error_responses(409), 201: {"headers": REPLAYED_HEADER_DOC}},
)
def export_batches(
    session: DbSession, caller: Configurer, body: ExportIn, once: Idempotent
) -> Response:
    """Write the direct debits due on `collection_date` (one file per scheme); the invoices
    count as paid on that date."""
    company = session.get_one(Company, caller.company_id)

    def act() -> ExportOut:
        today = today_in(company.timezone)
        plan = debits.plan_batch(session, company, body.collection_date, today)
        batches = debits.export_batches(
            session,
            company,
            body.collection_date,
            body.version,
            today,
            (caller.user.id, caller.user.email),
            utcnow(),
        )
        return ExportOut(
            batches=[BatchOut.model_validate(batch) for batch in batches],
            waiting=[{"invoice": number, "why": why} for number, why in plan.waiting],
        )

    return once.answer(session, company.id, act)


@router.post("/status-reports")
def status_report(
    session: DbSession,
    caller: Worker,
    file: Annotated[UploadFile, File(description="pain.002 status report")],
) -> StatusOut:
    """Read a bank's pain.002: each rejected debit is undone (open again, with a task)."""
    company = session.get_one(Company, caller.company_id)
    data = file.file.read(MAX_REPORT + 1)
    if len(data) > MAX_REPORT:
        raise Invalid("the report is larger than 5 MB", field="file")
    outcome = returns.apply_status_report(
        session, company, data, today_in(company.timezone), utcnow()
    )
    return StatusOut(
        message_id=outcome.message_id,
        rejected=outcome.rejected,
        already=outcome.already,
        unknown=outcome.unknown,
    )
