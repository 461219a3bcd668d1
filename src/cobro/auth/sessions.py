"""Server-side web sessions. The browser holds a random token (in a secure, HttpOnly,
SameSite cookie: the web layer's part); the table holds its SHA-256 only."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.auth.errors import Forbidden
from cobro.auth.events import record_change
from cobro.auth.models import User, WebSession
from cobro.auth.passwords import digest, new_secret
from cobro.auth.rules import SESSION_TOUCH, session_expiry
from cobro.auth.users import role_in, role_of
from cobro.company.models import Company


def open_session(
    session: Session, user: User, company_id: int, now: datetime
) -> tuple[str, WebSession]:
    """A new session of `user` working in `company_id` (where they must have a role):
    (the token to put in the cookie, shown nowhere else; the row)."""
    _check_role(session, user.id, company_id)
    token, token_hash = new_secret()
    web_session = WebSession(
        id=token_hash,
        user_id=user.id,
        company_id=company_id,
        created_at=now,
        last_seen_at=now,
        expires_at=session_expiry(now, now),
        csrf_secret=secrets.token_hex(32),
    )
    session.add(web_session)
    session.flush()
    return token, web_session


def resolve_session(session: Session, token: str | None, now: datetime) -> WebSession | None:
    """The live session of a cookie's token, its expiry slid forward; None when the token is
    unknown, the session expired, was closed, or its user lost their role or was deactivated."""
    found = session_access(session, token, now)
    return found[0] if found else None


def session_access(
    session: Session, token: str | None, now: datetime
) -> tuple[WebSession, str, Company] | None:
    """The live session of a cookie's token, its user's role in the session's company and that
    company, read in one query (every page asks); None as `resolve_session` says."""
    if not token:
        return None
    found = session.execute(
        select(WebSession, role_of(WebSession.user_id, WebSession.company_id), Company)
        .join(Company, Company.id == WebSession.company_id)
        .where(WebSession.id == digest(token))
    ).first()
    if found is None:
        return None
    web_session, role, company = found
    if web_session.revoked_at is not None or now >= web_session.expires_at:
        return None
    if not web_session.user.active or role is None:
        return None
    if now - web_session.last_seen_at >= SESSION_TOUCH:
        web_session.last_seen_at = now
        web_session.expires_at = session_expiry(web_session.created_at, now)
        session.flush()
    return web_session, role, company


def close_session(
    session: Session, token: str | None, now: datetime, source: str | None = None
) -> None:
    """Sign out: the token stops working. Unknown or already closed: nothing to do."""
    web_session = _not_closed(session, token)
    if web_session is None:
        return
    web_session.revoked_at = now
    record_change(
        session,
        "session.closed",
        now,
        web_session.user,
        actor_id=web_session.user_id,
        company_id=web_session.company_id,
        source=source,
    )


def close_sessions_of(
    session: Session, user: User, now: datetime, keep: WebSession | None = None
) -> int:
    """Close every open session of `user` but `keep` (after a password reset or change: a
    thief's session ends too); how many there were."""
    query = select(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(WebSession.id != keep.id)
    open_ones = session.scalars(query).all()
    for web_session in open_ones:
        web_session.revoked_at = now
    session.flush()
    return len(open_ones)


def switch_company(
    session: Session, web_session: WebSession, company_id: int, now: datetime
) -> WebSession:
    """Work in another of the user's companies within the same session."""
    _check_role(session, web_session.user_id, company_id)
    web_session.company_id = company_id
    web_session.last_seen_at = now
    session.flush()
    return web_session


def _not_closed(session: Session, token: str | None) -> WebSession | None:
    """The session of a cookie's token; None when there is no token, or it is unknown or closed."""
    if not token:
        return None
    web_session = session.get(WebSession, digest(token))
    if web_session is None or web_session.revoked_at is not None:
        return None
    return web_session


def _check_role(session: Session, user_id: int, company_id: int) -> None:
    if role_in(session, user_id, company_id) is None:
        raise Forbidden("this user has no role in that company")
