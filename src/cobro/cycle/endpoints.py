"""Cycle endpoint (mounted under /api by `cobro.app`): run the caller's company's cycle for a
day, as a dry run (any role that may `work`: nothing is written) or for real (`configure`:
admins and managers), and answer the report.

The run has a transaction of its own, as `cobro cycle` has: a real one is a writer
(`transaction(writes=True)`: on SQLite it waits for another cycle instead of failing half-way;
on PostgreSQL the outbox's unique keys make two runs of one day queue each action once), a dry
one is rolled back whatever happens. The request's own transaction is committed first: the
sign-in check may have written to it (the session's expiry slides), and on SQLite the cycle's
writer would wait for that lock held by its own request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.auth.errors import Forbidden
from cobro.company.models import Company
from cobro.cycle.outcome import CycleOutcome, run_and_describe
from cobro.cycle.schemas import CycleOut, CycleRunIn
from cobro.db import describe_db_error, transaction
from cobro.endpoint import (
    CALLER_ERRORS,
    Caller,
    DbSession,
    Worker,
    database_of,
    error_responses,
)
from cobro.errors import Conflict
from cobro.kit.dates import today_in, utcnow

router = APIRouter(prefix="/cycle", tags=["cycle"], responses=CALLER_ERRORS)
RUN_ERRORS = error_responses(409)

# how far from today a run may be asked for: a year ahead for a dry run (what a policy change
# does next month), three years back (the CLI's longest backfill); real runs never ahead
MAX_AHEAD = timedelta(days=366)
MAX_BEHIND = timedelta(days=3 * 366)


@router.post("/run", responses=RUN_ERRORS)
def run(request: Request, session: DbSession, caller: Worker, body: CycleRunIn) -> CycleOut:
    """Run the cycle for `on` (default: today, company time). A dry run writes nothing and
    says what a real run would queue; a real run (admins and managers) queues it (audited).
    Running a day again queues nothing new."""
    return CycleOut.of(run_for(request, session, caller, body.dry_run, body.on))


def run_for(
    request: Request, session: Session, caller: Caller, dry_run: bool, on: date | None
) -> CycleOutcome:
    """The edge of every run from the web: who may, which day, which transaction."""
    if not dry_run and not caller.can("configure"):
        raise Forbidden("only admins and managers run the cycle for real; try a dry run")
    company = session.get_one(Company, caller.company_id)
    day = check_day(on, today_in(company.timezone), dry_run)
    with cycle_transaction(request, session, dry_run) as own:
        company = own.get_one(Company, caller.company_id)
        outcome = run_and_describe(own, company, day, dry_run)
        if not dry_run:
            record(
                own,
                "cycle.run",
                at=utcnow(),
                entity_type="cycle",
                entity_id=day.isoformat(),
                actor_id=caller.user.id,
                company_id=company.id,
                after={
                    "on": day.isoformat(),
                    "moved": outcome.moved,
                    "created": outcome.report.created,
                },
                source="web" if caller.scopes is None else "api",
            )
    return outcome


def check_day(on: date | None, today: date, dry_run: bool) -> date:
    """The day to run for; a day the cycle cannot run for (now) is a Conflict naming `on`."""
    day = on or today
    if day < today - MAX_BEHIND:
        raise Conflict(f"{day} is more than {MAX_BEHIND.days} days ago", field="on")
    if not dry_run and day > today:
        raise Conflict(
            f"{day} is after today ({today}): a real run is for today or a day missed; "
            "a dry run shows a day ahead",
            field="on",
        )
    if day > today + MAX_AHEAD:
        raise Conflict(f"{day} is more than {MAX_AHEAD.days} days ahead", field="on")
    return day


@contextmanager
def cycle_transaction(request: Request, session: Session, dry_run: bool) -> Iterator[Session]:
    """The run's own transaction, after the request's own is committed (the module says why)."""
    session.commit()
    database = database_of(request)
    try:
        engine = database.engine()
        if dry_run:
            with Session(engine) as own:
                try:
                    yield own
                finally:
                    own.rollback()
        else:
            with transaction(engine, writes=True) as own:
                yield own
    except SQLAlchemyError as exc:
        raise describe_db_error(exc, database.url) from exc


def tomorrow_of(company: Company) -> date:
    """The day after today in the company's time zone (the policy page's dry run)."""
    return today_in(company.timezone) + timedelta(days=1)
