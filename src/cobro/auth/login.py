"""Sign-in: password check, account lockout and a per-address rate limit.

Every outcome is written (a `login_attempt` row, the user's failure count, an audit event)
before `NotAuthenticated` is raised: the edge must COMMIT those writes even though the sign-in
failed, else the lockout never happens. For example:

    try:
        user = authenticate(session, email, password, now, ip)
    except NotAuthenticated:
        session.commit()
        raise
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.auth.errors import NotAuthenticated, TooManyAttempts
from cobro.auth.events import record_change
from cobro.auth.models import LoginAttempt, User
from cobro.auth.passwords import burn_time, verify_password
from cobro.auth.rules import IP_WINDOW, ip_allowed_from, is_locked, lock_until, normalize_email
from cobro.auth.users import find_user, lift_lockout
from cobro.errors import Invalid


def check_address(session: Session, source_ip: str | None, now: datetime) -> str:
    """The address as stored; `TooManyAttempts` when it tried too often in the last minute
    (sign-ins and password-reset requests count alike)."""
    ip = (source_ip or "unknown")[:45]
    recent = session.scalars(
        select(LoginAttempt.at).where(
            LoginAttempt.source_ip == ip, LoginAttempt.at > now - IP_WINDOW
        )
    ).all()
    retry_at = ip_allowed_from(recent, now)
    if retry_at is not None:
        raise TooManyAttempts(retry_at)
    return ip


def clean_email(email: str) -> str:
    """The email as accounts are keyed; a malformed one as typed (it matches no account)."""
    try:
        return normalize_email(email)
    except Invalid:
        return email.strip().lower()[:320]


def authenticate(
    session: Session, email: str, password: str, now: datetime, source_ip: str | None
) -> User:
    """The user whose email and password these are. Raises `TooManyAttempts` (429) when the
    address made too many attempts in the last minute, and `NotAuthenticated` (401, one message
    whatever went wrong) for an unknown email, an inactive or locked account or a wrong
    password; an unknown email takes as long to refuse as a wrong password."""
    ip = check_address(session, source_ip, now)
    clean = clean_email(email)
    user = find_user(session, clean)
    if user is None or not user.active or is_locked(user.locked_until, now):
        burn_time(password)
        reason = "unknown" if user is None else "inactive" if not user.active else "locked"
        _failed(session, clean, user, reason, now, ip)
    matches, rehashed = verify_password(password, user.password_hash)
    if not matches:
        user.failed_logins += 1
        until = lock_until(user.failed_logins, now)
        if until is not None:
            user.locked_until = until
            record_change(
                session,
                "user.locked",
                now,
                user,
                after={"failed_logins": user.failed_logins, "locked_until": until.isoformat()},
                source=ip,
            )
        _failed(session, clean, user, "password", now, ip)
    if rehashed is not None:  # stored with outdated parameters: upgrade it now
        user.password_hash = rehashed
    lift_lockout(user)
    user.last_login_at = now
    session.add(LoginAttempt(at=now, source_ip=ip, email=clean, succeeded=True))
    record_change(session, "user.login", now, user, actor_id=user.id, source=ip)
    return user


def _failed(
    session: Session, email: str, user: User | None, reason: str, now: datetime, ip: str
) -> NoReturn:
    session.add(LoginAttempt(at=now, source_ip=ip, email=email, succeeded=False))
    record_change(
        session, "user.login_failed", now, user, after={"email": email, "reason": reason}, source=ip
    )
    raise NotAuthenticated()
