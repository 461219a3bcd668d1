"""The people of one company and their roles, as its administrators manage them: list, add
(a new user gets an initial password shown once; an existing one is only given the role),
change a role, revoke a membership. Built on `cobro.auth.service`, which audits every grant and
revoke. Services change and flush; the caller commits.

A user is found by id only among the company's members: another company's user is a 404, as
if there were none. A company always keeps one administrator: the last one cannot be demoted
or removed (nobody could manage the users afterwards)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.auth.models import Membership, User
from cobro.auth.rules import check_role, normalize_email
from cobro.auth.service import create_user, find_user, grant, revoke
from cobro.errors import Conflict, NotFound
from cobro.kit.pagination import Page, PageRequest, page_of
from cobro.settings.company import company_of

INITIAL_PASSWORD_BYTES = 15  # 20 characters of URL-safe base64


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    name: str
    role: str
    active: bool
    language: str
    last_login_at: datetime | None
    member_since: datetime


@dataclass(frozen=True)
class Added:
    member: Member
    initial_password: str | None  # None: the user existed and keeps their password


def members_page(
    session: Session, company_id: int, page: PageRequest, role: str | None = None
) -> Page[Member]:
    query = (
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == company_id)
        .order_by(User.email, User.id)
        .limit(page.limit + 1)
        .offset(page.offset)
    )
    if role is not None:
        query = query.where(Membership.role == check_role(role))
    rows = [_member(user, membership) for user, membership in session.execute(query)]
    return page_of(rows, page)


def get_member(session: Session, company_id: int, user_id: int) -> Member:
    user, membership = _find(session, company_id, user_id)
    return _member(user, membership)


def add_member(
    session: Session,
    company_id: int,
    email: str,
    name: str,
    role: str,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> Added:
    """Give `email` `role` in the company: a new user when there is none with that email (with
    an initial password, returned once and never stored in clear), else the existing user."""
    company = company_of(session, company_id)
    chosen = check_role(role)
    clean = normalize_email(email)
    user = find_user(session, clean)
    password = None
    if user is None:
        password = secrets.token_urlsafe(INITIAL_PASSWORD_BYTES)
        user = create_user(session, clean, name, password, now, actor_id=actor_id, source=source)
    elif _membership(session, company_id, user.id) is not None:
        raise Conflict(f"{clean} is already a member of this company", field="email")
    grant(session, user, company, chosen, now, actor_id=actor_id, source=source)
    return Added(get_member(session, company_id, user.id), password)


def change_role(
    session: Session,
    company_id: int,
    user_id: int,
    role: str,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> Member:
    chosen = check_role(role)
    user, membership = _find(session, company_id, user_id)
    if membership.role == chosen:
        return _member(user, membership)
    if membership.role == "admin":
        _keep_an_admin(session, company_id, "change the role of")
    grant(
        session, user, company_of(session, company_id), chosen, now, actor_id=actor_id,
        source=source,
    )  # fmt: skip
    return get_member(session, company_id, user_id)


def remove_member(
    session: Session,
    company_id: int,
    user_id: int,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> None:
    """Revoke the membership (the user and their other companies stay)."""
    user, membership = _find(session, company_id, user_id)
    if membership.role == "admin":
        _keep_an_admin(session, company_id, "remove")
    revoke(session, user, company_of(session, company_id), now, actor_id=actor_id, source=source)


def _keep_an_admin(session: Session, company_id: int, doing: str) -> None:
    admins = session.scalar(
        select(func.count(Membership.id)).where(
            Membership.company_id == company_id, Membership.role == "admin"
        )
    )
    if (admins or 0) <= 1:
        raise Conflict(
            f"cannot {doing} the last administrator of the company: make another user an "
            "administrator first",
            field="role",
        )


def _membership(session: Session, company_id: int, user_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.company_id == company_id, Membership.user_id == user_id)
    )


def _find(session: Session, company_id: int, user_id: int) -> tuple[User, Membership]:
    membership = _membership(session, company_id, user_id)
    user = session.get(User, user_id) if membership is not None else None
    if membership is None or user is None:
        raise NotFound(f"no user {user_id} in this company")
    return user, membership


def _member(user: User, membership: Membership) -> Member:
    return Member(
        id=user.id,
        email=user.email,
        name=user.name,
        role=membership.role,
        active=user.active,
        language=user.language,
        last_login_at=user.last_login_at,
        member_since=membership.created_at,
    )
