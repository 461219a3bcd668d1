""" "Forgot your password?": a reset token for an email, rate-limited like sign-in.

Each request counts as a sign-in attempt of its address (a `login_attempt` row, never a
successful one), so one address gets at most `IP_LIMIT` sign-ins and reset requests together a
minute; and one account gets at most `RESETS_PER_HOUR` reset emails an hour, so nobody can fill
a mailbox with them. Whatever happens, the caller answers the same, whether the email has an
account or not (`TooManyAttempts` is about the address, not the email)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.auth.login import check_address, clean_email
from cobro.auth.models import LoginAttempt, PasswordReset, User
from cobro.auth.passwords import digest
from cobro.auth.reset import request_reset
from cobro.auth.users import find_user

RESETS_PER_HOUR = 3


@dataclass(frozen=True)
class ResetRequested:
    user: User
    token: str  # for the email only: never shown to whoever asked


def forgot_password(
    session: Session, email: str, now: datetime, source_ip: str | None
) -> ResetRequested | None:
    """A reset token to email to the account of `email`; None when there is no active account,
    or it had enough reset emails this hour. Raises `TooManyAttempts` for a busy address."""
    ip = check_address(session, source_ip, now)
    clean = clean_email(email)
    session.add(LoginAttempt(at=now, source_ip=ip, email=clean, succeeded=False))
    user = find_user(session, clean)
    if user is None or not user.active or _resets_this_hour(session, user, now) >= RESETS_PER_HOUR:
        return None
    token = request_reset(session, clean, now, source=ip)
    return None if token is None else ResetRequested(user, token)


def _resets_this_hour(session: Session, user: User, now: datetime) -> int:
    count = session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1)
        )
    )
    return int(count or 0)


def reset_is_open(session: Session, token: str, now: datetime) -> bool:
    """Whether a reset link still works (unused, unexpired): the form is shown only then. The
    reset itself checks again (`reset.reset_password`)."""
    found = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == digest(token[:200]))
    )
    return found is not None and found.used_at is None and now < found.expires_at
