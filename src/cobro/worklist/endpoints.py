"""The worklist API (mounted under /api by `cobro.app`): the ranked rows with their reasons
(`read`), and the quick moves on a customer (`work`): pause it for some days, send its queued
messages now. Notes and calls are `cobro.note.endpoints`. Always the caller's company: another
company's customer is a 404."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Paging,
    Reader,
    Worker,
    database_of,
    error_responses,
    require,
)
from cobro.kit.dates import today_in, utcnow
from cobro.kit.schemas import PageOut
from cobro.notice.environment import format_money
from cobro.worklist.assign import assign_collectors, external_ids
from cobro.worklist.rules import Facts, describe, priority, reasons
from cobro.worklist.schemas import PauseIn, PauseOut, SendNowOut, WorklistItemOut
from cobro.worklist.service import pause, send_now, worklist
from cobro.worklist.snapshot import needs_rebuild, rebuild

router = APIRouter(prefix="/worklist", tags=["worklist"], responses=CALLER_ERRORS)

ExternalId = Annotated[str, Path(max_length=100, description="the customer's external id")]


def _company(session: Session, company_id: int) -> Company:
    return session.get_one(Company, company_id)


def item_out(row: Facts, on: date) -> WorklistItemOut:
    text = describe(reasons(row, on), lambda amount, cur: format_money(amount, cur, "en"))
    return WorklistItemOut(
        customer=row.external_id,
        customer_name=row.name,
        currency=row.currency,
        overdue=row.overdue,
        held=row.held,
        days_overdue=row.days_overdue(on),
        items=row.items,
        grade=row.grade,
        collector=row.collector,
        stage=row.stage,
        call_tasks=row.call_tasks,
        failed_messages=row.failed_messages,
        queued_actions=row.queued,
        hold=row.hold,
        hold_until=row.hold_until,
        promise_broken_on=row.promise_broken_on,
        last_call_outcome=row.last_call[0] if row.last_call else None,
        last_call_on=row.last_call[1] if row.last_call else None,
        on_hold=row.on_hold,
        priority=priority(row),
        reason=text,
    )


def fresh_ranking(request: Request, session: Session, company_id: int, on: date) -> None:
    """Rebuild the company's kept ranking when it is stale (`worklist.snapshot`), in a
    transaction of its own that writes (on SQLite it takes the lock first and waits its turn);
    the request's own transaction is committed first, so that it holds no lock meanwhile."""
    now = utcnow()
    if not needs_rebuild(session, company_id, on, now):
        return
    session.commit()
    with database_of(request).unit_of_work(writes=True) as own:
        rebuild(own, company_id, on, now)


@router.get("")
def list_worklist(
    request: Request,
    session: DbSession,
    caller: Reader,
    page: Paging,
    collector: Annotated[
        str | None, Query(max_length=100, description="only this collector's customers")
    ] = None,
    stage: Annotated[
        str | None, Query(max_length=40, description="only customers with an item at this stage")
    ] = None,
) -> PageOut[WorklistItemOut]:
    """The customers with overdue items, most urgent first (customers on hold last), each with
    the reason in words."""
    on = today_in(_company(session, caller.company_id).timezone)
    fresh_ranking(request, session, caller.company_id, on)
    found = worklist(session, caller.company_id, on, page, collector, stage)
    return PageOut(
        items=[item_out(row, on) for row in found.items],
        limit=found.limit,
        offset=found.offset,
        next_offset=found.next_offset,
    )


@router.post("/{external_id}/pause", status_code=201, responses=error_responses(404))
def pause_customer(
    session: DbSession, caller: Worker, external_id: ExternalId, body: PauseIn
) -> PauseOut:
    """Pause the whole customer for `days` days from today: a manual hold with the reason."""
    company = _company(session, caller.company_id)
    hold = pause(
        session,
        company,
        external_id,
        body.days,
        body.reason,
        today_in(company.timezone),
        utcnow(),
        caller.user.id,
        caller.user.email,
    )
    return PauseOut(
        hold_id=hold.id,
        customer=external_id,
        kind=hold.kind,
        reason=hold.reason,
        starts_on=hold.starts_on,
        ends_on=hold.ends_on,
    )


@router.post("/{external_id}/send-now", responses=error_responses(404, 409))
def send_customer_now(session: DbSession, caller: Worker, external_id: ExternalId) -> SendNowOut:
    """Make every queued message of the customer due now (opt-outs and holds still apply)."""
    moved = send_now(session, caller.company_id, external_id, utcnow(), caller.user.id)
    return SendNowOut(customer=external_id, actions=moved)


class AssignIn(BaseModel):
    """How many customers each collector can work: {"Ana Ruiz": 40, "Luis": 25}."""

    collectors: dict[str, int]
    dry_run: bool = False


class AssignOut(BaseModel):
    changes: dict[str, str]  # customer external id -> its new collector
    kept: int
    unplaced: list[str]  # most urgent first
    load: dict[str, int]


@router.post("/assign", responses=error_responses(422))
def assign_worklist(
    session: DbSession, caller: Annotated[Caller, require("configure")], body: AssignIn
) -> AssignOut:
    """Give each collector the most urgent customers they can work (managers and admins): a
    customer keeps its collector while they have room, the others go to whoever has most room
    left; customers on hold are left out. `dry_run` shows the split without saving it."""
    company = _company(session, caller.company_id)
    done = assign_collectors(
        session,
        company.id,
        today_in(company.timezone),
        body.collectors,
        body.dry_run,
        Actor(caller.user.id, caller.user.email),
    )
    ids = list(done.changes) + list(done.unplaced)
    names = dict(zip(ids, external_ids(session, company.id, ids), strict=True))
    return AssignOut(
        changes={names[c]: who for c, who in done.changes.items()},
        kept=done.kept,
        unplaced=[names[c] for c in done.unplaced],
        load=done.load,
    )
