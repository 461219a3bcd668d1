"""Users and roles, password changes, and the single-use, expiring password reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.auth.errors import NotAuthenticated
from cobro.auth.login import authenticate
from cobro.auth.models import Membership
from cobro.auth.reset import request_reset, reset_password
from cobro.auth.sessions import open_session, resolve_session
from cobro.auth.users import change_password, create_user, grant, list_users, revoke
from cobro.errors import Conflict, Invalid, NotFound
from tests.factories.access import NOW, PASSWORD, make_user
from tests.factories.ledger import make_company

NEW = "a brand new passphrase"


def test_emails_are_unique_whatever_their_case(session: Session) -> None:
    make_user(session, None, email="Ana@Example.com")
    with pytest.raises(Conflict, match="already exists"):
        make_user(session, None, email="ANA@example.COM")


def test_a_user_speaks_the_company_language_unless_told_otherwise(session: Session) -> None:
    company = make_company(session)
    company.language = "es"
    assert make_user(session, company).language == "es"
    assert make_user(session, None).language == "en"
    user = create_user(session, "bo@example.com", "Bo", PASSWORD, NOW, company, "viewer", "en")
    assert user.language == "en"


def test_a_weak_password_or_a_bad_role_is_refused(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(Invalid, match="12 characters"):
        make_user(session, company, password="short")
    with pytest.raises(Invalid, match="role 'boss'"):
        make_user(session, company, role="boss")


def test_the_database_refuses_an_unknown_role_and_a_second_membership(session: Session) -> None:
    company = make_company(session)
    user = make_user(session, company)
    other = make_company(session)
    twice = Membership(user_id=user.id, company_id=company.id, role="admin", created_at=NOW)
    unknown = Membership(user_id=user.id, company_id=other.id, role="owner", created_at=NOW)
    for row in (twice, unknown):
        savepoint = session.begin_nested()
        session.add(row)
        with pytest.raises(IntegrityError):
            session.flush()
        savepoint.rollback()


def test_grant_changes_a_role_and_revoke_takes_it_away_both_audited(session: Session) -> None:
    company = make_company(session)
    user = make_user(session, company, role="viewer")
    grant(session, user, company, "manager", NOW)
    assert [u.email for u in list_users(session, company.id)] == [user.email]
    revoke(session, user, company, NOW)
    assert list_users(session, company.id) == []
    with pytest.raises(NotFound):
        revoke(session, user, company, NOW)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "membership").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.before, e.after) for e in events] == [
        ("membership.granted", None, {"user": user.email, "role": "viewer"}),
        ("membership.granted", {"role": "viewer"}, {"user": user.email, "role": "manager"}),
        ("membership.revoked", {"user": user.email, "role": "manager"}, None),
    ]


def test_a_user_changes_their_password_knowing_the_current_one(session: Session) -> None:
    user = make_user(session, None, email="ana@example.com")
    with pytest.raises(NotAuthenticated):
        change_password(session, user, "not the password", NEW, NOW)
    change_password(session, user, PASSWORD, NEW, NOW)
    assert authenticate(session, "ana@example.com", NEW, NOW, "192.0.2.1") is user


def test_a_reset_token_works_once_closes_sessions_and_lifts_the_lock(session: Session) -> None:
    company = make_company(session)
    user = make_user(session, company, email="ana@example.com")
    cookie, _ = open_session(session, user, company.id, NOW)
    user.failed_logins = 5
    user.locked_until = NOW + timedelta(minutes=15)
    token = request_reset(session, "ANA@example.com", NOW)
    assert token is not None
    reset_password(session, token, NEW, NOW + timedelta(minutes=59))
    assert user.failed_logins == 0
    assert user.locked_until is None
    assert resolve_session(session, cookie, NOW + timedelta(minutes=59)) is None
    assert authenticate(session, "ana@example.com", NEW, NOW + timedelta(hours=1), "192.0.2.1")
    with pytest.raises(Invalid, match="invalid, used or expired") as error:
        reset_password(session, token, "yet another passphrase", NOW + timedelta(minutes=59))
    assert error.value.field == "token"
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "user.password_reset" in actions


def test_a_reset_token_expires_after_an_hour(session: Session) -> None:
    make_user(session, None, email="ana@example.com")
    token = request_reset(session, "ana@example.com", NOW)
    assert token is not None
    with pytest.raises(Invalid, match="expired"):
        reset_password(session, token, NEW, NOW + timedelta(hours=1))


def test_a_new_password_must_follow_the_policy(session: Session) -> None:
    make_user(session, None, email="ana@example.com")
    token = request_reset(session, "ana@example.com", NOW)
    assert token is not None
    with pytest.raises(Invalid, match="12 characters"):
        reset_password(session, token, "short", NOW)
    reset_password(session, token, NEW, NOW)  # the refusal did not use the token up


def test_a_reset_for_an_unknown_email_is_none_and_writes_nothing(session: Session) -> None:
    assert request_reset(session, "nobody@example.com", NOW) is None
    with pytest.raises(Invalid):
        reset_password(session, "made-up-token", NEW, NOW)
