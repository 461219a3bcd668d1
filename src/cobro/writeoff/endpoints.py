"""Write-off endpoints (mounted under /api by `cobro.app`).

- `POST /invoices/{number}/write-offs` (`work`): write off some or all of what is open, for a
  reason. Within the caller's role's limit it is made at once (201, the invoice); above it, it
  waits for approval (202, the request). It lives here, not in `cobro.invoice.endpoints`,
  because the invoice domain sits below the approval rules and may not import them.
- `GET /write-offs/requests` (`read`), `POST /write-offs/requests/{id}/approve|reject`
  (`work`, and a role whose own limit covers the amount; never the person who asked) and
  `…/cancel` (the person who asked).
- `GET /write-offs/settings` (`read`) and `PUT` (`configure`): the company's limits.

Every POST that moves money needs an `Idempotency-Key`. Another company's invoice or request
is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Paging,
    Reader,
    Worker,
    error_responses,
    require,
)
from cobro.idempotency.http import REPLAYED, REPLAYED_HEADER_DOC, Idempotent, IdempotentRequest
from cobro.idempotency.service import Answer, claim, remember
from cobro.invoice.models import WriteOff
from cobro.invoice.queries import invoice_detail
from cobro.invoice.schemas import InvoiceDetailOut
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.writeoff import queries, service
from cobro.writeoff.schemas import (
    DecisionIn,
    RequestOut,
    RequestStatus,
    SettingsIn,
    SettingsOut,
    WriteOffIn,
)
from cobro.writeoff.settings import change_write_off_settings, write_off_settings

router = APIRouter(responses=CALLER_ERRORS)
Configurer = Annotated[Caller, require("configure")]
RequestId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the request's id")]

WRITE_OFF_ANSWERS = {
    **error_responses(404, 409),
    201: {
        "description": "Written off at once, within the caller's limit: the invoice as it "
        "stands afterwards (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
    202: {
        "model": RequestOut,
        "description": "Above the caller's limit: a write-off request waiting for someone "
        "whose limit covers it to approve it (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
}


def _company(session: Session, caller: Caller) -> Company:
    return session.get_one(Company, caller.company_id)


def _by(caller: Caller) -> tuple[int | None, str]:
    return caller.user.id, caller.user.email


@router.post(
    "/invoices/{number:path}/write-offs",
    tags=["invoices"],
    status_code=201,
    response_model=InvoiceDetailOut,
    responses=WRITE_OFF_ANSWERS,
)
def write_off_invoice(
    session: DbSession, caller: Worker, number: str, body: WriteOffIn, once: Idempotent
) -> Response:
    """Write off some (`amount`) or all of what is open on an invoice, with a reason code and
    the reason in words. Up to the caller's role's limit (admin: any; manager and collector:
    the company's write-off settings) it is made at once: **201** with the invoice as it stands
    afterwards. Above it nothing is written yet: **202** with a pending write-off request that
    another person whose limit covers the amount approves (`/write-offs/requests/{id}/approve`)
    or rejects."""
    company = _company(session, caller)

    def act() -> tuple[int, BaseModel]:
        made = service.request_write_off(
            session,
            company,
            number,
            body.amount,
            body.reason_code,
            body.reason,
            body.written_off_on,
            _by(caller),
            caller.role,
            utcnow(),
        )
        if isinstance(made, WriteOff):
            today = today_in(company.timezone)
            detail = invoice_detail(session, company.id, number, today)
            return 201, InvoiceDetailOut.model_validate(detail)
        return 202, RequestOut.model_validate(queries.request_row(session, company.id, made.id))

    return _answer_once(session, company.id, once, act)


def _answer_once(
    session: Session,
    company_id: int,
    once: IdempotentRequest,
    act: Callable[[], tuple[int, BaseModel]],
) -> Response:
    """`IdempotentRequest.answer` for an answer whose status `act` decides (201 made, 202
    waiting): the stored answer to the key, or `act()`'s, kept with the key."""
    stored = claim(session, company_id, once.request)
    if stored is not None:
        return Response(
            stored.body,
            status_code=stored.status,
            media_type="application/json",
            headers={REPLAYED: "true"},
        )
    status, body = act()
    response = JSONResponse(jsonable_encoder(body), status_code=status)
    remember(session, company_id, once.request.key, Answer(status, bytes(response.body).decode()))
    return response


@router.get("/write-offs/requests", tags=["write-offs"])
def list_requests(
    session: DbSession,
    caller: Reader,
    page: Paging,
    status: Annotated[RequestStatus | None, Query(description="only in this status")] = None,
) -> PageOut[RequestOut]:
    """The company's write-off requests, newest first."""
    found = queries.requests_page(session, caller.company_id, page, status)
    return PageOut.of(found, RequestOut)


@router.post(
    "/write-offs/requests/{request_id}/approve",
    tags=["write-offs"],
    response_model=RequestOut,
    responses={
        **error_responses(404, 409),
        200: {"description": "Approved and written off", "headers": REPLAYED_HEADER_DOC},
    },
)
def approve_request(
    session: DbSession, caller: Worker, request_id: RequestId, once: Idempotent
) -> Response:
    """Approve a request: the write-off is made today (all that is open now, when the request
    named no amount). Needs a role whose own limit covers the amount, and another person than
    the one who asked (403 otherwise). A request for more than is open now (a payment came in
    meanwhile) is a 409, and nothing is written: reject it and ask again."""
    company = _company(session, caller)

    def act() -> RequestOut:
        today = today_in(company.timezone)
        service.approve(session, company, request_id, today, _by(caller), caller.role, utcnow())
        return RequestOut.model_validate(queries.request_row(session, company.id, request_id))

    return once.answer(session, company.id, act, 200)


@router.post(
    "/write-offs/requests/{request_id}/reject",
    tags=["write-offs"],
    responses=error_responses(404, 409),
)
def reject_request(
    session: DbSession, caller: Worker, request_id: RequestId, body: DecisionIn | None = None
) -> RequestOut:
    """Refuse a request (with a note, optional): the invoice is chased as before. Who may
    approve it may reject it."""
    company = _company(session, caller)
    note = body.note if body else None
    service.reject(session, company, request_id, _by(caller), caller.role, note, utcnow())
    return RequestOut.model_validate(queries.request_row(session, company.id, request_id))


@router.post(
    "/write-offs/requests/{request_id}/cancel",
    tags=["write-offs"],
    responses=error_responses(404, 409),
)
def cancel_request(session: DbSession, caller: Worker, request_id: RequestId) -> RequestOut:
    """Take back one's own request."""
    company = _company(session, caller)
    service.cancel(session, company, request_id, _by(caller), utcnow())
    return RequestOut.model_validate(queries.request_row(session, company.id, request_id))


@router.get("/write-offs/settings", tags=["write-offs"])
def get_settings(session: DbSession, caller: Reader) -> SettingsOut:
    """The company's write-off limits (minor units of its currency)."""
    return SettingsOut.model_validate(write_off_settings(_company(session, caller)))


@router.put("/write-offs/settings", tags=["write-offs"])
def put_settings(session: DbSession, caller: Configurer, body: SettingsIn) -> SettingsOut:
    """Change the limits given (the others stay): the small balance the cycle writes off by
    itself (0: never), what a collector and a manager write off alone (the manager's `null`:
    any amount)."""
    company = _company(session, caller)
    after = change_write_off_settings(session, company, body.changes(), _by(caller), utcnow())
    return SettingsOut.model_validate(after)
