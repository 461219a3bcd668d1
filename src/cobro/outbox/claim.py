"""Claiming outbox rows for one worker, safely among many.

One UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) … RETURNING (on PostgreSQL
`id = ANY(ARRAY(SELECT …))`, so that the batch is picked once): there the rows another worker is
claiming are skipped, not waited for; SQLite has one writer at a time, so the UPDATE's own WHERE
is enough there (SQLAlchemy leaves the locking clause out for it).

A claim is a lease: a worker that dies after claiming (kill -9, a lost machine) leaves rows in
`sending` until `claimed_until`, after which any worker takes them up again. A message sent just
before the crash then goes out a second time with the same Message-ID, which receivers use to
drop the duplicate: the only way to be exactly-once with a remote server that has no
transactions in common with us.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ARRAY, ColumnElement, Integer, and_, any_, func, or_, select, update
from sqlalchemy.orm import Session

from cobro.outbox.models import Action
from cobro.webhook.models import Delivery

# what a worker claims: outbox actions, and deliveries (webhooks, account emails) the same way
Leased = type[Action] | type[Delivery]

DEFAULT_LEASE = timedelta(minutes=5)


def due(now: datetime, table: Leased = Action) -> ColumnElement[bool]:
    return or_(
        and_(table.status == "queued", table.not_before <= now),
        and_(table.status == "sending", table.claimed_until < now),
    )


def claim(
    session: Session,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta = DEFAULT_LEASE,
    company_id: int | None = None,
    table: Leased = Action,
) -> list[int]:
    """Take up to `limit` due actions (or rows of `table`) for `worker`, oldest first; return
    their ids."""
    candidates = (
        select(table.id)
        .where(due(now, table))
        .order_by(table.not_before, table.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if company_id is not None:
        candidates = candidates.where(table.company_id == company_id)
    picked = candidates.scalar_subquery()
    if session.get_bind().dialect.name == "postgresql":
        # Not `IN (subquery)`: PostgreSQL plans that as a semi-join that rescans the subquery for
        # every outer row, and each rescan's SKIP LOCKED … LIMIT takes the next rows (those this
        # statement already updated are invisible to it), so a batch of 5 claimed the whole
        # outbox. ARRAY(subquery) is an InitPlan, run exactly once.
        chosen = table.id == any_(func.array(picked, type_=ARRAY(Integer)))
    else:
        chosen = table.id.in_(picked)
    claimed = session.execute(
        update(table)
        .where(chosen, due(now, table))
        .values(
            status="sending",
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=table.attempts + 1,
        )
        .returning(table.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars())


def waiting(
    session: Session, now: datetime, company_id: int | None = None
) -> tuple[int, datetime | None]:
    """How many queued actions wait for a later moment (send window, retry), and the first."""
    query = select(func.count(Action.id), func.min(Action.not_before)).where(
        Action.status == "queued", Action.not_before > now
    )
    if company_id is not None:
        query = query.where(Action.company_id == company_id)
    count, first = session.execute(query).one()
    return int(count or 0), first
