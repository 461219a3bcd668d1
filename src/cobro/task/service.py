"""Raising and listing tasks. Services add and flush; the caller commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.task.models import TASK_KINDS, Task


def raise_task(
    session: Session,
    *,
    company_id: int,
    customer: Customer | None,
    kind: str,
    title: str,
    due_on: date,
    detail: str | None = None,
    not_before: datetime | None = None,
    action_id: int | None = None,
    invoice_id: int | None = None,
) -> Task:
    if kind not in TASK_KINDS:
        raise Invalid(f"task kind {kind!r}: use one of {', '.join(TASK_KINDS)}", field="kind")
    task = Task(
        company_id=company_id,
        customer_id=None if customer is None else customer.id,
        invoice_id=invoice_id,
        action_id=action_id,
        kind=kind,
        title=title[:300],
        detail=detail,
        assignee=None if customer is None else customer.collector,
        due_on=due_on,
        not_before=not_before,
    )
    session.add(task)
    session.flush()
    return task


def open_tasks(session: Session, company_id: int, kind: str | None = None) -> list[Task]:
    query = select(Task).where(Task.company_id == company_id, Task.status == "open")
    if kind is not None:
        query = query.where(Task.kind == kind)
    return list(session.scalars(query.order_by(Task.due_on, Task.id)))


def open_task_count(session: Session, company_id: int) -> int:
    query = select(func.count()).where(Task.company_id == company_id, Task.status == "open")
    return int(session.scalar(query) or 0)
