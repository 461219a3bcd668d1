"""Keeping the worklist's ranking (`WorklistRow`) fresh enough, cheaply.

Ranking a company means summing every overdue item it has (`repository.ranking`): a second
or two on PostgreSQL with 1M invoices, far too slow for each page a collector opens. So the
ranking is kept, per company, and:

- rebuilt whole when a page is asked for and what is kept was counted for another day or more
  than `MAX_AGE` ago (payments imported, the cycle's new stages, the worker's failures show
  within that time); `rebuild` does it, in a transaction of its own (the edge's job);
- refreshed for one customer at once when a person changes what weighs on their rank (a call
  logged, a pause, a payment or a hold through the app): `refresh_customers`, in the same
  transaction as the change, so the collector sees their move on the next page.

Both first lock the company's `WorklistBuild` row, so two builders of one company take turns
(the second finds the work done) and a customer's refresh never interleaves with a rebuild."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from cobro.bulk import OnConflict
from cobro.worklist.models import WorklistBuild, WorklistRow
from cobro.worklist.repository import ranking

MAX_AGE = timedelta(minutes=5)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)  # before any build: stale


def is_fresh(build: WorklistBuild | None, on: date, now: datetime) -> bool:
    return build is not None and build.built_for == on and build.built_at > now - MAX_AGE


def needs_rebuild(session: Session, company_id: int, on: date, now: datetime) -> bool:
    return not is_fresh(session.get(WorklistBuild, company_id), on, now)


def ranked_at(session: Session, company_id: int) -> datetime | None:
    """When the company's kept ranking was counted (the page says so)."""
    build = session.get(WorklistBuild, company_id)
    return None if build is None or build.built_at == NEVER else build.built_at


def rebuild(session: Session, company_id: int, on: date, now: datetime) -> int | None:
    """Rank the company again unless another builder just did; how many rows (None: it was
    done meanwhile)."""
    build = _locked(session, company_id)
    if is_fresh(build, on, now):
        return None
    session.execute(delete(WorklistRow).where(WorklistRow.company_id == company_id))
    _insert(session, company_id, on, None)
    build.built_for = on
    build.built_at = now
    session.flush()
    return _count(session, company_id)


def refresh_customers(
    session: Session, company_id: int, on: date, customer_ids: Sequence[int]
) -> None:
    """Rank these customers again now (what a person just did shows at once). Nothing to do
    when the company's ranking is for another day: the next page rebuilds it whole."""
    build = _locked(session, company_id)
    if build.built_for != on or not customer_ids:
        return
    session.execute(
        delete(WorklistRow).where(
            WorklistRow.company_id == company_id, WorklistRow.customer_id.in_(customer_ids)
        )
    )
    _insert(session, company_id, on, customer_ids)
    session.flush()


def _insert(
    session: Session, company_id: int, on: date, customer_ids: Sequence[int] | None
) -> None:
    query = ranking(company_id, on, customer_ids)
    names = list(query.selected_columns.keys())  # the columns of WorklistRow, by name
    session.execute(insert(WorklistRow).from_select(names, query))


def _count(session: Session, company_id: int) -> int:
    """The company's rows (psycopg reports no row count for this INSERT … SELECT)."""
    found = session.scalar(
        select(func.count()).select_from(WorklistRow).where(WorklistRow.company_id == company_id)
    )
    return int(found or 0)


def _locked(session: Session, company_id: int) -> WorklistBuild:
    """The company's build row, locked for this transaction (made when missing)."""
    dialect = session.get_bind().dialect
    table = WorklistBuild.__table__
    session.execute(
        OnConflict(("company_id",)).apply(dialect, table),  # type: ignore[arg-type]
        {"company_id": company_id, "built_for": date(2000, 1, 1), "built_at": NEVER},
    )
    return session.scalars(
        select(WorklistBuild)
        .where(WorklistBuild.company_id == company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
