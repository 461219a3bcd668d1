"""Report endpoints (mounted under /api by `cobro.app`): one customer's timeline. Always the
caller's company's customer; another company's is a 404, never its data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cobro.endpoint import CALLER_ERRORS, DbSession, Reader, error_responses
from cobro.report.timeline import KINDS, STORY_LIMIT, Event, customer_story

router = APIRouter(prefix="/customers", tags=["customers"], responses=CALLER_ERRORS)


class EventOut(BaseModel):
    at: datetime
    kind: str
    summary: str
    ref: str | None
    status: str | None
    amount: int | None  # minor units of `currency`
    currency: str | None
    invoice: str | None
    until: date | None
    detail: str | None

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls(
            at=event.at,
            kind=event.kind,
            summary=event.summary,
            ref=event.ref,
            status=event.status,
            amount=event.amount,
            currency=event.currency,
            invoice=event.invoice,
            until=event.until,
            detail=event.detail,
        )


@router.get("/{external_id}/timeline", responses=error_responses(404, 422))
def customer_timeline(
    session: DbSession,
    caller: Reader,
    external_id: str,
    kind: Annotated[
        list[str] | None, Query(description=f"only these kinds: {', '.join(KINDS)}")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = STORY_LIMIT,
) -> list[EventOut]:
    """The customer's story, newest first: every message, payment, credit note, write-off,
    promise, dispute, note, call, task and manual hold."""
    events = customer_story(session, caller.company_id, external_id, kind or KINDS, limit)
    return [EventOut.of(event) for event in events]
