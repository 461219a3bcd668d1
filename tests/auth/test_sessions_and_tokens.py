"""Web sessions (hashed token, sliding expiry with a maximum, sign-out) and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.auth.errors import Forbidden
from cobro.auth.models import User, WebSession
from cobro.auth.passwords import digest
from cobro.auth.sessions import close_session, open_session, resolve_session, switch_company
from cobro.auth.tokens import create_token, list_tokens, resolve_token, revoke_token
from cobro.auth.users import grant, revoke, roles_of
from cobro.company.models import Company
from cobro.errors import Invalid, NotFound
from tests.factories.access import NOW, make_user
from tests.factories.ledger import make_company


@pytest.fixture
def acme(session: Session) -> Company:
    return make_company(session)


@pytest.fixture
def ana(session: Session, acme: Company) -> User:
    return make_user(session, acme)


def test_a_session_is_stored_by_the_hash_of_its_token(
    session: Session, ana: User, acme: Company
) -> None:
    token, web = open_session(session, ana, acme.id, NOW)
    assert len(token) >= 43  # 32 random bytes
    assert web.id == digest(token) != token
    assert len(web.csrf_secret) == 64
    assert resolve_session(session, token, NOW) is web
    assert resolve_session(session, "not-a-token", NOW) is None
    assert resolve_session(session, None, NOW) is None


def test_a_session_needs_a_role_in_its_company(session: Session, ana: User) -> None:
    other = make_company(session)
    with pytest.raises(Forbidden):
        open_session(session, ana, other.id, NOW)


def test_a_session_in_use_slides_and_an_idle_one_expires(
    session: Session, ana: User, acme: Company
) -> None:
    token, web = open_session(session, ana, acme.id, NOW)
    assert web.expires_at == NOW + timedelta(hours=2)
    later = NOW + timedelta(hours=1, minutes=30)
    assert resolve_session(session, token, later) is web
    assert (web.last_seen_at, web.expires_at) == (later, later + timedelta(hours=2))
    assert resolve_session(session, token, later + timedelta(hours=2)) is None


def test_no_session_outlives_twelve_hours_however_busy(
    session: Session, ana: User, acme: Company
) -> None:
    token, _ = open_session(session, ana, acme.id, NOW)
    for hour in range(1, 12):
        assert resolve_session(session, token, NOW + timedelta(hours=hour)) is not None
    assert resolve_session(session, token, NOW + timedelta(hours=12)) is None


def test_a_closed_session_is_gone_and_closing_is_audited(
    session: Session, ana: User, acme: Company
) -> None:
    token, web = open_session(session, ana, acme.id, NOW)
    close_session(session, token, NOW, source="192.0.2.7")
    close_session(session, token, NOW)  # twice: nothing more
    assert web.revoked_at == NOW
    assert resolve_session(session, token, NOW) is None
    closed = session.scalars(select(AuditEvent).where(AuditEvent.action == "session.closed")).all()
    assert [(e.actor_id, e.company_id, e.source) for e in closed] == [
        (ana.id, acme.id, "192.0.2.7")
    ]


def test_losing_the_role_or_the_account_ends_the_session(
    session: Session, ana: User, acme: Company
) -> None:
    token, _ = open_session(session, ana, acme.id, NOW)
    ana.active = False
    assert resolve_session(session, token, NOW) is None
    ana.active = True
    revoke(session, ana, acme, NOW)
    assert resolve_session(session, token, NOW) is None


def test_a_session_switches_only_to_a_company_of_the_user(
    session: Session, ana: User, acme: Company
) -> None:
    other = make_company(session)
    token, web = open_session(session, ana, acme.id, NOW)
    with pytest.raises(Forbidden):
        switch_company(session, web, other.id, NOW)
    grant(session, ana, other, "viewer", NOW)
    switch_company(session, web, other.id, NOW)
    assert resolve_session(session, token, NOW) is web
    assert roles_of(session, ana) == {acme.id: "collector", other.id: "viewer"}
    assert session.get(WebSession, web.id) is web


def test_a_token_resolves_with_its_secret_only(session: Session, ana: User, acme: Company) -> None:
    plain, token = create_token(session, ana, acme, "ERP sync", ["write", "read"], NOW)
    assert plain.startswith(f"cobro_{token.prefix}_")
    assert token.scopes == ["read", "write"]
    assert plain.split("_", 2)[2] not in (token.secret_hash, token.prefix)
    found = resolve_token(session, plain, NOW + timedelta(minutes=5))
    assert found is token
    assert token.last_used_at == NOW + timedelta(minutes=5)
    assert resolve_token(session, plain[:-1] + ("A" if plain[-1] != "A" else "B"), NOW) is None
    assert resolve_token(session, f"cobro_{token.prefix}_", NOW) is None
    assert resolve_token(session, "cobro_00000000_secret", NOW) is None
    assert resolve_token(session, None, NOW) is None


def test_a_revoked_or_expired_token_is_refused(session: Session, ana: User, acme: Company) -> None:
    plain, token = create_token(
        session, ana, acme, "report", ["read"], NOW, expires_at=NOW + timedelta(days=30)
    )
    assert resolve_token(session, plain, NOW + timedelta(days=29)) is token
    assert resolve_token(session, plain, NOW + timedelta(days=30)) is None
    kept, other = create_token(session, ana, acme, "backup", ["read"], NOW)
    revoke_token(session, other.prefix, NOW)
    assert resolve_token(session, kept, NOW) is None
    events = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert events.count("token.created") == 2
    assert events.count("token.revoked") == 1
    assert [t.name for t in list_tokens(session, acme.id)] == ["report", "backup"]


def test_a_token_of_a_user_who_lost_the_role_is_refused(
    session: Session, ana: User, acme: Company
) -> None:
    plain, _ = create_token(session, ana, acme, "sync", ["read"], NOW)
    revoke(session, ana, acme, NOW)
    assert resolve_token(session, plain, NOW) is None


def test_tokens_are_refused_without_a_role_a_name_or_a_future_expiry(
    session: Session, ana: User, acme: Company
) -> None:
    with pytest.raises(Forbidden):
        create_token(session, ana, make_company(session), "x", ["read"], NOW)
    with pytest.raises(Invalid, match="name"):
        create_token(session, ana, acme, " ", ["read"], NOW)
    with pytest.raises(Invalid, match="expired already"):
        create_token(session, ana, acme, "x", ["read"], NOW, expires_at=NOW)
    with pytest.raises(NotFound):
        revoke_token(session, "nope", NOW)
