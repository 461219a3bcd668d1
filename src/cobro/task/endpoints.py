"""Task endpoints (mounted under /api by `cobro.app`): the caller's company's tasks, filtered
by kind, status, assignee and due day; creating one, completing or cancelling one with its
outcome, and reassigning one need the `work` permission (a token's `write` scope). Another
company's task, customer or invoice is a 404; changing a closed task a 409."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from cobro.endpoint import CALLER_ERRORS, DbSession, Paging, Reader, Worker, error_responses
from cobro.kit.dates import utcnow
from cobro.kit.pagination import MAX_OFFSET
from cobro.kit.schemas import PageOut
from cobro.task import manage

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=CALLER_ERRORS)

TaskId = Annotated[int, Path(ge=1, le=MAX_OFFSET, description="the task's id")]
Kind = Literal["call", "follow_up", "failed_message", "escalation", "review"]
Status = Literal["open", "done", "cancelled"]
# a character Python does not strip (\x1c-\x1f are spaces to str.strip, not to regex engines)
VISIBLE = r"[^\s\x1c-\x1f]"


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    detail: str | None
    customer: str | None = Field(description="the customer's external id")
    customer_name: str | None
    invoice: str | None = Field(description="the invoice's number, when the task is about one")
    assignee: str | None
    due_on: date
    not_before: datetime | None
    status: str
    outcome: str | None
    action_id: int | None = Field(description="the outbox action that raised it, if one did")
    created_at: datetime
    closed_at: datetime | None


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind = "follow_up"
    title: str = Field(min_length=1, max_length=300, pattern=VISIBLE)
    due_on: date
    detail: str | None = Field(default=None, max_length=5000)
    customer: str | None = Field(default=None, min_length=1, max_length=100)
    invoice: str | None = Field(default=None, min_length=1, max_length=60)
    assignee: str | None = Field(default=None, max_length=100)


class TaskChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["done", "cancelled"] | None = Field(
        default=None, description="close the task: done (completed) or cancelled"
    )
    outcome: str | None = Field(default=None, max_length=300, description="with status")
    assignee: str | None = Field(
        default=None, max_length=100, description="reassign (null: to nobody)"
    )


@router.get("")
def list_tasks(
    session: DbSession,
    caller: Reader,
    page: Paging,
    kind: Annotated[Kind | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    due: Annotated[date | None, Query(description="only tasks due on or before this day")] = None,
) -> PageOut[TaskOut]:
    """The company's tasks, soonest due first."""
    where = manage.TaskFilter(kind, status, assignee, due)
    return PageOut.of(manage.tasks_page(session, caller.company_id, page, where), TaskOut)


@router.post("", status_code=201, responses=error_responses(404))
def create_task(session: DbSession, caller: Worker, body: TaskIn) -> TaskOut:
    """A task for a person: a call, a follow-up, a review…, of a customer or an invoice."""
    task = manage.create(
        session,
        caller.company_id,
        kind=body.kind,
        title=body.title,
        due_on=body.due_on,
        detail=body.detail,
        customer=body.customer,
        invoice=body.invoice,
        assignee=body.assignee,
        actor_id=caller.user.id,
        now=utcnow(),
    )
    return TaskOut.model_validate(manage.task_row(session, caller.company_id, task.id))


@router.patch("/{task_id}", responses=error_responses(404, 409))
def change_task(session: DbSession, caller: Worker, task_id: TaskId, body: TaskChange) -> TaskOut:
    """Complete or cancel an open task with its outcome, or reassign it."""
    manage.change(
        session,
        caller.company_id,
        task_id,
        status=body.status,
        outcome=body.outcome,
        assignee=body.assignee,
        reassign="assignee" in body.model_fields_set,
        actor_id=caller.user.id,
        now=utcnow(),
    )
    return TaskOut.model_validate(manage.task_row(session, caller.company_id, task_id))
