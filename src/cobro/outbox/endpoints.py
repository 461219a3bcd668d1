"""Outbox endpoints (mounted under /api by `cobro.app`): the caller's company's actions, and
what a person may do to one: retry a failed one, send a queued one now, cancel a queued one
(see `cobro.outbox.manage`; the `work` permission, and an API token's `write` scope). Another
company's action is a 404, never its data; a change its status does not allow is a 409."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query

from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.outbox import manage
from cobro.outbox.schemas import ActionOut, CancelIn

router = APIRouter(prefix="/actions", tags=["outbox"], responses=CALLER_ERRORS)

Status = Literal["queued", "sending", "sent", "failed", "cancelled", "skipped"]
CHANGE_ERRORS = error_responses(404, 409)
# within every database's integer: a larger one is a 422, not a driver's overflow
ActionId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the action's id")]


@router.get("")
def list_actions(
    session: DbSession,
    caller: Reader,
    page: Paging,
    status: Annotated[Status | None, Query(description="only actions in this status")] = None,
    kind: Annotated[
        str | None, Query(max_length=20, description="only this kind: email, sms, letter…")
    ] = None,
    on: Annotated[date | None, Query(description="only the cycle of this day")] = None,
) -> PageOut[ActionOut]:
    """The actions of the caller's company, newest day first, a page at a time."""
    found = manage.list_actions(session, caller.company_id, status, kind, on, page)
    return PageOut.of(found, ActionOut)


@router.post("/{action_id}/retry", responses=CHANGE_ERRORS)
def retry_action(session: DbSession, caller: Worker, action_id: ActionId) -> ActionOut:
    """Put a failed action back in the queue, due now (its attempts are kept)."""
    manage.retry(session, caller.company_id, action_id, utcnow(), caller.user.id)
    return ActionOut.model_validate(manage.action_row(session, caller.company_id, action_id))


@router.post("/{action_id}/send-now", responses=CHANGE_ERRORS)
def send_action_now(session: DbSession, caller: Worker, action_id: ActionId) -> ActionOut:
    """Make a queued action due now, outside the debtor's send window; opt-outs and holds
    still apply (the worker re-checks them)."""
    manage.send_now(session, caller.company_id, action_id, utcnow(), caller.user.id)
    return ActionOut.model_validate(manage.action_row(session, caller.company_id, action_id))


@router.post("/{action_id}/cancel", responses=CHANGE_ERRORS)
def cancel_action(
    session: DbSession,
    caller: Worker,
    action_id: ActionId,
    body: Annotated[CancelIn | None, Body()] = None,
) -> ActionOut:
    """Cancel a queued action: it will never be carried out."""
    reason = body.reason if body is not None else None
    manage.cancel(session, caller.company_id, action_id, utcnow(), caller.user.id, reason)
    return ActionOut.model_validate(manage.action_row(session, caller.company_id, action_id))
