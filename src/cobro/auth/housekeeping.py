"""Forgetting what sign-in no longer needs: old sign-in attempts (the rate limit looks back a
minute; the audit trail, not this table, is the record of sign-ins), sessions that ended long
ago, and spent password-reset tokens. Without it these tables only grow: one row per request
that signs in, one per browser, forever.

Run by `cobro prune` (`cobro.housekeeping`): schedule it daily, beside `cobro cycle`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Delete, delete, or_
from sqlalchemy.orm import Session

from cobro.auth.models import LoginAttempt, PasswordReset, WebSession

KEEP_ATTEMPTS = timedelta(days=7)  # long enough to look into an attack after the fact
KEEP_ENDED_SESSIONS = timedelta(days=30)
KEEP_SPENT_RESETS = timedelta(days=7)


@dataclass(frozen=True)
class Pruned:
    attempts: int
    sessions: int
    resets: int


def prune_access(session: Session, now: datetime) -> Pruned:
    """Delete what is past keeping; how many rows of each."""
    ended = now - KEEP_ENDED_SESSIONS
    spent = now - KEEP_SPENT_RESETS
    return Pruned(
        attempts=_deleted(
            session, delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS)
        ),
        sessions=_deleted(
            session,
            delete(WebSession).where(
                or_(WebSession.expires_at < ended, WebSession.revoked_at < ended)
            ),
        ),
        resets=_deleted(
            session,
            delete(PasswordReset).where(
                or_(PasswordReset.expires_at < spent, PasswordReset.used_at < spent)
            ),
        ),
    )


def _deleted(session: Session, statement: Delete) -> int:
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # a DELETE answers a cursor's row count
    return result.rowcount or 0
