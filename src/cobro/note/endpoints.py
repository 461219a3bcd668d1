"""Notes and calls (mounted under /api by `cobro.app`): read with the `read` permission, written
with `work` (collectors, managers, admins; an API token's `write` scope). Always the caller's
company's customers: another company's customer is a 404, never its data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.kit.dates import today_in, utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.note import service
from cobro.note.schemas import CallIn, CallOut, NoteIn, NoteOut, Outcome
from cobro.promise.service import promise_from_call
from cobro.worklist.snapshot import refresh_customers

router = APIRouter(tags=["notes"], responses=CALLER_ERRORS)

ExternalId = Annotated[str, Path(max_length=100, description="the customer's external id")]
FOUND = error_responses(404)


@router.get("/customers/{external_id}/notes", responses=FOUND)
def customer_notes(
    session: DbSession, caller: Reader, page: Paging, external_id: ExternalId
) -> PageOut[NoteOut]:
    """The customer's notes and calls, newest first."""
    found = service.list_notes(session, caller.company_id, page, customer=external_id)
    return PageOut.of(found, NoteOut)


@router.post("/customers/{external_id}/notes", status_code=201, responses=FOUND)
def add_note(session: DbSession, caller: Worker, external_id: ExternalId, body: NoteIn) -> NoteOut:
    """Write a note on the customer (and one of its invoices, by number)."""
    row = service.add_note(
        session, caller.company_id, external_id, caller.user.id, body.body, utcnow(), body.invoice
    )
    return NoteOut.model_validate(row)


@router.post("/customers/{external_id}/calls", status_code=201, responses=FOUND)
def log_call(session: DbSession, caller: Worker, external_id: ExternalId, body: CallIn) -> CallOut:
    """Log a call with its outcome: closes the customer's open call tasks; no_answer,
    left_message and call_back open a follow-up call task. promised_to_pay with
    `promise_amount` and `promise_due_on` records the promise too (its hold stops the chase)."""
    company = session.get_one(Company, caller.company_id)
    promise = promise_from_call(
        session,
        company,
        external_id,
        body.outcome,
        body.promise_amount,
        body.promise_due_on,
        today_in(company.timezone),
        currency=body.promise_currency,
        invoice=body.invoice,
        actor=Actor(caller.user.id, caller.user.email),
        now=utcnow(),
    )
    logged = service.log_call(
        session,
        caller.company_id,
        external_id,
        caller.user.id,
        body.outcome,
        body.body,
        today_in(company.timezone),
        utcnow(),
        body.invoice,
        body.follow_up_on,
    )
    # the call closed its call tasks: the worklist's rank drops now, not at the next rebuild
    customer = get_customer(session, company.id, external_id)
    refresh_customers(session, company.id, today_in(company.timezone), [customer.id])
    task = logged.follow_up
    return CallOut(
        note=NoteOut.model_validate(logged.note),
        closed_tasks=list(logged.closed_tasks),
        follow_up_task=task.id if task else None,
        follow_up_on=task.due_on if task else None,
        promise_id=promise.id if promise else None,
    )


@router.get("/notes", responses=FOUND)
def list_notes(
    session: DbSession,
    caller: Reader,
    page: Paging,
    customer: Annotated[
        str | None, Query(max_length=100, description="only this customer's (external id)")
    ] = None,
    kind: Annotated[str | None, Query(pattern="^(note|call)$", description="note or call")] = None,
    outcome: Annotated[Outcome | None, Query(description="only calls with this outcome")] = None,
    author: Annotated[
        int | None, Query(ge=1, le=MAX_OFFSET, description="only this author's (user id)")
    ] = None,
) -> PageOut[NoteOut]:
    """The company's notes and calls, newest first, a page at a time."""
    found = service.list_notes(
        session,
        caller.company_id,
        page,
        customer=customer,
        kind=kind,
        outcome=outcome,
        author_id=author,
    )
    return PageOut.of(found, NoteOut)
