"""What a person does to tasks through the API: list them (filtered), create one, complete or
cancel one with its outcome, reassign one. Always within one company (another company's task,
customer or invoice is NotFound); each change an audit event. Services flush; the caller
commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.service import get_invoice
from cobro.kit.pagination import Page, PageRequest, paginate_rows
from cobro.task.models import Task
from cobro.task.service import raise_task

TASK_STATUSES = ("open", "done", "cancelled")


@dataclass(frozen=True)
class TaskRow:
    id: int
    kind: str
    title: str
    detail: str | None
    customer: str | None  # external id
    customer_name: str | None
    assignee: str | None
    due_on: date
    not_before: datetime | None
    status: str
    outcome: str | None
    action_id: int | None
    created_at: datetime
    closed_at: datetime | None
    invoice: str | None = None  # number, when the task is about one invoice


@dataclass(frozen=True)
class TaskFilter:
    kind: str | None = None
    status: str | None = None
    assignee: str | None = None
    due: date | None = None  # due on or before


def tasks_page(
    session: Session, company_id: int, page: PageRequest, where: TaskFilter | None = None
) -> Page[TaskRow]:
    """The company's tasks, soonest due first."""
    where = where or TaskFilter()
    query = _rows(company_id)
    if where.kind is not None:
        query = query.where(Task.kind == where.kind)
    if where.status is not None:
        query = query.where(Task.status == where.status)
    if where.assignee is not None:
        query = query.where(Task.assignee == where.assignee)
    if where.due is not None:
        query = query.where(Task.due_on <= where.due)
    return paginate_rows(session, query.order_by(Task.due_on, Task.id), page, _row)


def task_row(session: Session, company_id: int, task_id: int) -> TaskRow:
    found = session.execute(_rows(company_id).where(Task.id == task_id)).first()
    if found is None:
        raise NotFound(f"no task {task_id}", field="task_id")
    return _row(*found)


def _rows(company_id: int) -> Select[Task, str, str, str]:
    return (
        select(Task, Customer.external_id, Customer.name, Invoice.number)
        .outerjoin(Customer, Customer.id == Task.customer_id)
        .outerjoin(Invoice, Invoice.id == Task.invoice_id)
        .where(Task.company_id == company_id)
    )


def _row(task: Task, customer: str | None, name: str | None, invoice: str | None) -> TaskRow:
    return TaskRow(
        task.id,
        task.kind,
        task.title,
        task.detail,
        customer,
        name,
        task.assignee,
        task.due_on,
        task.not_before,
        task.status,
        task.outcome,
        task.action_id,
        task.created_at,
        task.closed_at,
        invoice,
    )


def create(
    session: Session,
    company_id: int,
    *,
    kind: str,
    title: str,
    due_on: date,
    detail: str | None,
    customer: str | None,
    invoice: str | None,
    assignee: str | None,
    actor_id: int,
    now: datetime,
) -> Task:
    if not title.strip():
        raise Invalid("a task needs a title", field="title")
    owner = None if customer is None else get_customer(session, company_id, customer)
    item = None if invoice is None else get_invoice(session, company_id, invoice)
    if item is not None:
        if owner is None:
            owner = session.get_one(Customer, item.customer_id)
        elif item.customer_id != owner.id:
            raise Invalid(f"invoice {invoice} is not one of {customer}'s", field="invoice")
    task = raise_task(
        session,
        company_id=company_id,
        customer=owner,
        kind=kind,
        title=title.strip(),
        due_on=due_on,
        detail=detail,
        invoice_id=None if item is None else item.id,
    )
    if assignee is not None:
        task.assignee = assignee.strip() or None
    _audit(session, "task.created", task, actor_id, now, None, _state(task))
    return task


def change(
    session: Session,
    company_id: int,
    task_id: int,
    *,
    status: str | None,
    outcome: str | None,
    assignee: str | None,
    reassign: bool,
    actor_id: int,
    now: datetime,
) -> Task:
    """Complete ("done") or cancel an open task with its outcome, and/or reassign it (`reassign`
    with `assignee` None: to nobody)."""
    task = session.scalar(select(Task).where(Task.id == task_id, Task.company_id == company_id))
    if task is None:
        raise NotFound(f"no task {task_id}", field="task_id")
    if task.status != "open":
        raise Conflict(f"task {task_id} is {task.status}: only an open task changes")
    before = _state(task)
    if status is not None:
        if status not in ("done", "cancelled"):
            raise Invalid("status: use done or cancelled", field="status")
        task.status = status
        task.outcome = (outcome or "").strip()[:300] or None
        task.closed_at = now
    elif outcome is not None:
        raise Invalid("an outcome goes with closing the task (status done or cancelled)", "outcome")
    if reassign:
        task.assignee = (assignee or "").strip()[:100] or None
    session.flush()
    _audit(session, "task.changed", task, actor_id, now, before, _state(task))
    return task


def _state(task: Task) -> dict[str, str | None]:
    return {"status": task.status, "outcome": task.outcome, "assignee": task.assignee}


def _audit(
    session: Session,
    action: str,
    task: Task,
    actor_id: int,
    now: datetime,
    before: dict[str, str | None] | None,
    after: dict[str, str | None],
) -> None:
    record(
        session,
        action,
        at=now,
        entity_type="task",
        entity_id=task.id,
        actor_id=actor_id,
        company_id=task.company_id,
        before=before,
        after=after,
    )
