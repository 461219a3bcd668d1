"""Users and their roles per company. Services add and flush; the caller commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.auth.errors import NotAuthenticated
from cobro.auth.events import record_change
from cobro.auth.models import Membership, User
from cobro.auth.passwords import hash_password, verify_password
from cobro.auth.rules import (
    check_language,
    check_password,
    check_role,
    normalize_email,
)
from cobro.company.models import Company
from cobro.errors import Conflict, Invalid, NotFound


def create_user(
    session: Session,
    email: str,
    name: str,
    password: str,
    now: datetime,
    company: Company | None = None,
    role: str | None = None,
    language: str | None = None,
    actor_id: int | None = None,
    source: str | None = None,
) -> User:
    """A new user, and their role in `company` when one is given. Language: the one given,
    else the company's, else English."""
    clean = normalize_email(email)
    check_password(password, clean)
    if not name.strip():
        raise Invalid("name: say who this user is", field="name")
    if find_user(session, clean) is not None:
        raise Conflict(f"a user with email {clean!r} already exists", field="email")
    chosen = language or (company.language if company else None) or "en"
    user = User(
        email=clean,
        name=name.strip(),
        password_hash=hash_password(password),
        language=check_language(chosen),
        active=True,
        created_at=now,
        failed_logins=0,
    )
    session.add(user)
    record_change(
        session,
        "user.created",
        now,
        user,
        actor_id=actor_id,
        company_id=company.id if company else None,
        after={"email": user.email, "name": user.name, "language": user.language},
        source=source,
    )
    if company is not None:
        grant(session, user, company, role or "viewer", now, actor_id=actor_id, source=source)
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_user(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"no user {email.strip().lower()!r} (see `cobro users list`)")
    return user


def list_users(session: Session, company_id: int | None = None) -> list[User]:
    query = select(User).order_by(User.email)
    if company_id is not None:
        query = query.join(Membership, Membership.user_id == User.id).where(
            Membership.company_id == company_id
        )
    return list(session.scalars(query))


def roles_of(session: Session, user: User) -> dict[int, str]:
    """{company id: role} for every company the user belongs to."""
    rows = session.execute(
        select(Membership.company_id, Membership.role).where(Membership.user_id == user.id)
    )
    return {row.company_id: row.role for row in rows}


def role_of(user_id: Any, company_id: Any) -> Any:
    """A query column: the role of `user_id` in `company_id` (columns of the outer query), NULL
    without one; a token or session is read with its role in one query."""
    return (
        select(Membership.role)
        .where(Membership.user_id == user_id, Membership.company_id == company_id)
        .scalar_subquery()
    )


def role_in(session: Session, user_id: int, company_id: int) -> str | None:
    return session.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.company_id == company_id
        )
    )


def _membership(session: Session, user: User, company: Company) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.company_id == company.id)
    )


def grant(
    session: Session,
    user: User,
    company: Company,
    role: str,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> Membership:
    """Give `user` `role` in `company` (changing the role they had there, if any)."""
    chosen = check_role(role)
    membership = _membership(session, user, company)
    before = None if membership is None else {"role": membership.role}
    if membership is None:
        membership = Membership(user_id=user.id, company_id=company.id, role=chosen, created_at=now)
        session.add(membership)
    else:
        membership.role = chosen
    record_change(
        session,
        "membership.granted",
        now,
        membership,
        actor_id=actor_id,
        company_id=company.id,
        source=source,
        before=before,
        after={"user": user.email, "role": chosen},
    )
    return membership


def revoke(
    session: Session,
    user: User,
    company: Company,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> None:
    """Take away the user's role in `company`: their sessions and tokens there stop working
    at their next request (resolve_session and resolve_token check the membership)."""
    membership = _membership(session, user, company)
    if membership is None:
        raise NotFound(f"{user.email} has no role in company {company.code!r}")
    record_change(
        session,
        "membership.revoked",
        now,
        membership,
        actor_id=actor_id,
        company_id=company.id,
        source=source,
        before={"user": user.email, "role": membership.role},
    )
    session.delete(membership)
    session.flush()


def unlock(
    session: Session,
    user: User,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> None:
    """Lift a lockout and forget the failed attempts."""
    before = {
        "failed_logins": user.failed_logins,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
    }
    lift_lockout(user)
    record_change(
        session,
        "user.unlocked",
        now,
        user,
        actor_id=actor_id,
        before=before,
        after={"failed_logins": 0, "locked_until": None},
        source=source,
    )


def lift_lockout(user: User) -> None:
    """Forget the failed sign-ins and end any lock."""
    user.failed_logins = 0
    user.locked_until = None


def set_password(session: Session, user: User, password: str) -> None:
    """Store a new password (policy checked); the caller records why."""
    check_password(password, user.email)
    user.password_hash = hash_password(password)
    session.flush()


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    now: datetime,
    source: str | None = None,
) -> None:
    """The user changes their own password, proving they know the current one."""
    ok, _ = verify_password(current, user.password_hash)
    if not ok:
        raise NotAuthenticated("the current password is wrong")
    set_password(session, user, new)
    record_change(session, "user.password_changed", now, user, actor_id=user.id, source=source)


def set_language(
    session: Session, user: User, language: str, now: datetime, source: str | None = None
) -> None:
    """The language the user reads the app in (their pages, their emails)."""
    chosen = check_language(language)
    if chosen == user.language:
        return
    before = {"language": user.language}
    user.language = chosen
    record_change(
        session,
        "user.language_changed",
        now,
        user,
        actor_id=user.id,
        before=before,
        after={"language": chosen},
        source=source,
    )
