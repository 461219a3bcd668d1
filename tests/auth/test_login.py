"""Sign-in against a migrated database: right and wrong passwords, unknown emails, lockout,
the per-address limit, and the audit events each leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.auth.errors import SIGN_IN_FAILED, NotAuthenticated, TooManyAttempts
from cobro.auth.login import authenticate
from cobro.auth.models import LoginAttempt, User
from cobro.auth.users import unlock
from tests.factories.access import NOW, PASSWORD, make_user
from tests.factories.ledger import make_company

IP = "192.0.2.7"


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def ana(session: Session) -> User:
    return make_user(session, make_company(session), email="ana@example.com")


def fail_times(session: Session, count: int, ip: str = IP) -> None:
    for i in range(count):
        with pytest.raises(NotAuthenticated):
            authenticate(
                session, "ana@example.com", "wrong password!", NOW + timedelta(seconds=i), ip
            )


def test_the_right_password_signs_in_whatever_the_case_of_the_email(
    session: Session, ana: User
) -> None:
    user = authenticate(session, "  ANA@example.com", PASSWORD, NOW, IP)
    assert user.id == ana.id
    assert user.last_login_at == NOW
    assert actions(session)[-1] == "user.login"
    attempt = session.scalars(select(LoginAttempt)).one()
    assert (attempt.source_ip, attempt.email, attempt.succeeded) == (IP, "ana@example.com", True)


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    session: Session, ana: User
) -> None:
    with pytest.raises(NotAuthenticated) as wrong:
        authenticate(session, "ana@example.com", "not the password", NOW, IP)
    with pytest.raises(NotAuthenticated) as unknown:
        authenticate(session, "nobody@example.com", "not the password", NOW, IP)
    assert wrong.value.message == unknown.value.message == SIGN_IN_FAILED
    assert wrong.value.status == 401
    assert ana.failed_logins == 1
    failures = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.login_failed").order_by(AuditEvent.id)
    ).all()
    assert [(e.entity_id, e.after) for e in failures] == [
        (str(ana.id), {"email": "ana@example.com", "reason": "password"}),
        (None, {"email": "nobody@example.com", "reason": "unknown"}),
    ]


def test_an_unknown_email_is_checked_against_a_hash_all_the_same(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cobro.auth import passwords

    calls: list[str] = []
    real = passwords.HASHER.verify

    def verify(password: str, hashed: str) -> bool:
        calls.append(password)
        return real(password, hashed)

    monkeypatch.setattr(passwords.HASHER, "verify", verify)
    with pytest.raises(NotAuthenticated):
        authenticate(session, "nobody@example.com", "some password", NOW, IP)
    assert calls == ["some password"]


def test_five_failures_lock_the_account_even_for_the_right_password(
    session: Session, ana: User
) -> None:
    fail_times(session, 5)
    assert ana.locked_until == NOW + timedelta(seconds=4, minutes=15)
    with pytest.raises(NotAuthenticated):
        authenticate(
            session, "ana@example.com", PASSWORD, NOW + timedelta(minutes=10), "198.51.100.1"
        )
    assert actions(session).count("user.locked") == 1


def test_the_lock_ends_by_itself_and_success_forgets_the_failures(
    session: Session, ana: User
) -> None:
    fail_times(session, 5)
    user = authenticate(session, "ana@example.com", PASSWORD, NOW + timedelta(minutes=20), IP)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_an_administrator_can_unlock_at_once(session: Session, ana: User) -> None:
    fail_times(session, 5)
    unlock(session, ana, NOW + timedelta(minutes=1), source="cli")
    assert authenticate(session, "ana@example.com", PASSWORD, NOW + timedelta(minutes=1), IP)
    assert "user.unlocked" in actions(session)


def test_the_second_lock_lasts_twice_as_long(session: Session, ana: User) -> None:
    fail_times(session, 5)
    later = NOW + timedelta(minutes=20)
    for i in range(5):
        with pytest.raises(NotAuthenticated):
            authenticate(session, "ana@example.com", "wrong password!", later, f"203.0.113.{i}")
    assert ana.locked_until == later + timedelta(minutes=30)


def test_an_inactive_user_cannot_sign_in(session: Session, ana: User) -> None:
    ana.active = False
    with pytest.raises(NotAuthenticated):
        authenticate(session, "ana@example.com", PASSWORD, NOW, IP)


def test_an_address_trying_too_often_is_told_to_wait(session: Session, ana: User) -> None:
    for i in range(10):
        with pytest.raises(NotAuthenticated):
            authenticate(session, f"guess{i}@example.com", "wrong password!", NOW, IP)
    with pytest.raises(TooManyAttempts) as error:
        authenticate(session, "ana@example.com", PASSWORD, NOW + timedelta(seconds=30), IP)
    assert error.value.status == 429
    assert error.value.retry_at == NOW + timedelta(minutes=1)
    # another address is not held up, nor this one a minute later
    assert authenticate(session, "ana@example.com", PASSWORD, NOW, "198.51.100.9")
    assert authenticate(session, "ana@example.com", PASSWORD, NOW + timedelta(minutes=1), IP)


def test_a_stored_hash_with_outdated_parameters_is_upgraded_at_sign_in(
    session: Session, ana: User
) -> None:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    old = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=16, parallelism=1),))
    ana.password_hash = old.hash(PASSWORD)
    stored = ana.password_hash
    authenticate(session, "ana@example.com", PASSWORD, NOW, IP)
    assert ana.password_hash != stored
