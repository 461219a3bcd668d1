"""Password reset by a single-use token valid for an hour.

Sending the token (a link in an email through the outbox) is not done yet: `request_reset`
returns it to the caller, which must never show it to the person asking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.auth.events import record_change
from cobro.auth.models import PasswordReset, User
from cobro.auth.passwords import digest, new_secret
from cobro.auth.rules import RESET_VALID
from cobro.auth.sessions import close_sessions_of
from cobro.auth.users import find_user, lift_lockout, set_password
from cobro.errors import Invalid

INVALID_RESET = "this password reset link is invalid, used or expired: ask for a new one"


def request_reset(
    session: Session, email: str, now: datetime, source: str | None = None
) -> str | None:
    """A reset token for the user with this email; None when there is no such (active) user.
    The web layer answers the same in both cases, so nobody learns who has an account."""
    user = find_user(session, email)
    if user is None or not user.active:
        return None
    token, token_hash = new_secret()
    reset = PasswordReset(
        user_id=user.id, token_hash=token_hash, created_at=now, expires_at=now + RESET_VALID
    )
    session.add(reset)
    record_change(session, "user.password_reset_requested", now, user, source=source)
    return token


def reset_password(
    session: Session, token: str, new_password: str, now: datetime, source: str | None = None
) -> User:
    """Set a new password with a reset token: the token and every other of the user's reset
    tokens are used up, the lockout lifted, and every open web session closed."""
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(token)))
    if reset is None or reset.used_at is not None or now >= reset.expires_at:
        raise Invalid(INVALID_RESET, field="token")
    user = session.get(User, reset.user_id)
    if user is None or not user.active:
        raise Invalid(INVALID_RESET, field="token")
    set_password(session, user, new_password)
    pending = session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ).all()
    for each in pending:
        each.used_at = now
    lift_lockout(user)
    closed = close_sessions_of(session, user, now)
    record_change(
        session,
        "user.password_reset",
        now,
        user,
        actor_id=user.id,
        after={"sessions_closed": closed},
        source=source,
    )
    return user
