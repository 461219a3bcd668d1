"""What the outbox did for a company: a day's actions by status and kind, and the failed ones
with their customer and error (the dashboard's "today's cycle" and "failed messages")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.outbox.models import Action


@dataclass(frozen=True)
class FailedAction:
    id: int
    customer_id: int
    customer: str  # the customer's external id
    name: str
    kind: str
    stage: str
    cycle_on: date
    attempts: int
    error: str


def day_counts(session: Session, company_id: int, on: date) -> dict[tuple[str, str], int]:
    """How many actions of the cycle of `on` are in each (status, kind)."""
    rows = session.execute(
        select(Action.status, Action.kind, func.count())
        .where(Action.company_id == company_id, Action.cycle_on == on)
        .group_by(Action.status, Action.kind)
    )
    return {(status, kind): int(count) for status, kind, count in rows}


def failed_count(session: Session, company_id: int) -> int:
    """Every failed action of the company, whatever its day."""
    query = select(func.count()).where(Action.company_id == company_id, Action.status == "failed")
    return int(session.scalar(query) or 0)


def latest_failed(session: Session, company_id: int, limit: int = 10) -> list[FailedAction]:
    """The company's most recently queued failed actions, newest first."""
    rows = session.execute(
        select(Action, Customer.external_id, Customer.name)
        .join(
            Customer,
            (Customer.id == Action.customer_id) & (Customer.company_id == Action.company_id),
        )
        .where(Action.company_id == company_id, Action.status == "failed")
        .order_by(Action.cycle_on.desc(), Action.id.desc())
        .limit(limit)
    )
    return [
        FailedAction(
            action.id,
            action.customer_id,
            external_id,
            name,
            action.kind,
            action.stage,
            action.cycle_on,
            action.attempts,
            action.last_error or "",
        )
        for action, external_id, name in rows
    ]
