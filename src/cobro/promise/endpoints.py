"""Promise endpoints (mounted under /api by `cobro.app`): the caller's company's promises to
pay, one with its invoices, and the kept rates; recording one (with a required
`Idempotency-Key`: a retried request makes one promise) and cancelling one need the `work`
permission (a token's `write` scope). Another company's promise, customer or invoice is a
404; an invoice already under an open promise, or cancelling one that ended, a 409."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.idempotency.http import REPLAYED_HEADER_DOC, Idempotent
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.promise import queries, service
from cobro.promise.schemas import KeptRateOut, PromiseIn, PromiseOut, PromiseStatsOut, Status

router = APIRouter(prefix="/promises", tags=["promises"], responses=CALLER_ERRORS)

PromiseId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the promise's id")]
STATS_DAYS = 90
MADE = {
    **error_responses(404, 409),
    201: {
        "description": "Created (or the stored answer, replayed)",
        "headers": REPLAYED_HEADER_DOC,
    },
}


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


@router.get("")
def list_promises(
    session: DbSession,
    caller: Reader,
    page: Paging,
    status: Annotated[Status | None, Query(description="only promises in this state")] = None,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=100, description="external id")
    ] = None,
) -> PageOut[PromiseOut]:
    """The company's promises to pay, newest first."""
    found = queries.promises_page(
        session, caller.company_id, page, status=status, customer=customer
    )
    return PageOut.of(found, PromiseOut)


# before /{promise_id}: "stats" is no id
@router.get("/stats")
def promise_stats(
    session: DbSession,
    caller: Reader,
    by: Annotated[Literal["customer", "collector"], Query()] = "customer",
    start: Annotated[date | None, Query(description=f"default: {STATS_DAYS} days ago")] = None,
    end: Annotated[date | None, Query(description="default: today")] = None,
) -> PromiseStatsOut:
    """Promises made from `start` to `end` by customer or collector: kept, broken, open,
    cancelled, and the kept rate (kept ÷ ended)."""
    last = end or today_in(_company(session, caller.company_id).timezone)
    first = start or last - timedelta(days=STATS_DAYS)
    tallies = queries.kept_rates(session, caller.company_id, first, last, by)
    rows = [
        KeptRateOut(
            key=t.key,
            made=t.made,
            kept=t.kept,
            broken=t.broken,
            open=t.open,
            cancelled=t.cancelled,
            kept_rate=t.rate,
        )
        for t in tallies
    ]
    return PromiseStatsOut(by=by, start=first, end=last, rows=rows)


@router.get("/{promise_id}", responses=error_responses(404))
def show_promise(session: DbSession, caller: Reader, promise_id: PromiseId) -> PromiseOut:
    """One promise of the company, with the invoices it covers."""
    return PromiseOut.model_validate(queries.promise_row(session, caller.company_id, promise_id))


@router.post("", status_code=201, response_model=PromiseOut, responses=MADE)
def make_promise(session: DbSession, caller: Worker, body: PromiseIn, once: Idempotent) -> Response:
    """Record a promise to pay: the chase of the invoices named (none: the customer's whole
    balance) waits until its day plus the company's grace days."""
    company = _company(session, caller.company_id)

    def act() -> PromiseOut:
        promise = service.make_promise(
            session,
            company,
            body.customer,
            body.amount,
            body.currency,
            body.due_on,
            today_in(company.timezone),
            "api",
            body.invoices,
            created_by=Actor(caller.user.id, caller.user.email),
            note=body.note,
            now=utcnow(),
        )
        return PromiseOut.model_validate(queries.promise_row(session, company.id, promise.id))

    return once.answer(session, company.id, act)


@router.post("/{promise_id}/cancel", responses=error_responses(404, 409))
def cancel_promise(session: DbSession, caller: Worker, promise_id: PromiseId) -> PromiseOut:
    """Call off an open promise today: the chase resumes at the next cycle."""
    company = _company(session, caller.company_id)
    service.cancel_promise(
        session,
        company,
        promise_id,
        today_in(company.timezone),
        actor_id=caller.user.id,
        now=utcnow(),
    )
    return PromiseOut.model_validate(queries.promise_row(session, company.id, promise_id))
