"""The pure rules of access: permissions, lockout schedule, rate limit, password policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cobro.auth.rules import (
    IP_LIMIT,
    ROLES,
    check_language,
    check_password,
    check_role,
    check_scopes,
    ip_allowed_from,
    is_locked,
    lock_until,
    normalize_email,
    session_expiry,
    split_token,
    token_can,
)
from cobro.auth.rules import can as may
from cobro.errors import Invalid

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", {"read", "work", "configure", "audit", "manage_users"}),
        ("manager", {"read", "work", "configure"}),
        ("collector", {"read", "work"}),
        ("viewer", {"read"}),
        ("auditor", {"read", "audit"}),
    ],
)
def test_each_role_may_do_exactly_what_the_table_says(role: str, allowed: set[str]) -> None:
    everything = ("read", "work", "configure", "audit", "manage_users")
    assert {p for p in everything if may(role, p)} == allowed


def test_an_unknown_role_may_do_nothing_and_an_unknown_permission_is_a_bug() -> None:
    assert not may("owner", "read")
    with pytest.raises(ValueError, match="unknown permission"):
        may("admin", "fly")


def test_roles_are_checked_and_named_in_the_error() -> None:
    assert check_role(" Admin ") == "admin"
    with pytest.raises(Invalid, match="use one of admin, manager") as error:
        check_role("boss")
    assert error.value.field == "role"
    assert len(ROLES) == 5


def test_a_token_may_do_what_both_its_role_and_its_scopes_allow() -> None:
    assert token_can("admin", ["read"], "read")
    assert not token_can("admin", ["read"], "work")
    assert token_can("collector", ["write"], "work")
    assert not token_can("viewer", ["write"], "work")  # the role does not allow it
    assert not token_can("admin", ["write", "audit"], "manage_users")  # no scope allows it


def test_scopes_are_deduplicated_sorted_and_checked() -> None:
    assert check_scopes(["write", "read", "READ"]) == ["read", "write"]
    with pytest.raises(Invalid, match="scope 'delete'"):
        check_scopes(["read", "delete"])
    with pytest.raises(Invalid, match="at least one scope"):
        check_scopes([])


def test_fewer_than_five_failures_lock_nothing() -> None:
    assert [lock_until(n, NOW) for n in range(5)] == [None] * 5


def test_every_fifth_failure_locks_for_twice_as_long_as_the_last_up_to_a_day() -> None:
    assert lock_until(5, NOW) == NOW + timedelta(minutes=15)
    assert lock_until(6, NOW) is None
    assert lock_until(10, NOW) == NOW + timedelta(minutes=30)
    assert lock_until(15, NOW) == NOW + timedelta(hours=1)
    assert lock_until(50, NOW) == NOW + timedelta(hours=24)
    assert lock_until(5000, NOW) == NOW + timedelta(hours=24)


def test_a_lock_holds_until_its_time_and_not_after() -> None:
    until = NOW + timedelta(minutes=15)
    assert is_locked(until, NOW)
    assert not is_locked(until, until)
    assert not is_locked(None, NOW)


def test_an_address_may_try_ten_times_a_minute() -> None:
    recent = [NOW - timedelta(seconds=5 * i) for i in range(IP_LIMIT - 1)]
    assert ip_allowed_from(recent, NOW) is None
    full = [*recent, NOW - timedelta(seconds=50)]
    assert ip_allowed_from(full, NOW) == NOW + timedelta(seconds=10)


def test_attempts_older_than_a_minute_do_not_count() -> None:
    old = [NOW - timedelta(seconds=61 + i) for i in range(50)]
    assert ip_allowed_from(old, NOW) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12 characters"),
        ("x" * 257, "at most 256 characters"),
        ("ana@example.com", "must not be the email"),
        ("ANA@EXAMPLE.COM", "must not be the email"),
        ("abababababab", "more than three different characters"),
        ("password1234", "too common"),
    ],
)
def test_weak_passwords_are_refused_naming_the_field(password: str, message: str) -> None:
    with pytest.raises(Invalid, match=message) as error:
        check_password(password, "ana@example.com")
    assert error.value.field == "password"


def test_a_long_varied_password_is_fine() -> None:
    check_password("correct horse battery", "ana@example.com")


def test_emails_are_stored_trimmed_and_lower_case() -> None:
    assert normalize_email("  Ana@Example.COM ") == "ana@example.com"
    with pytest.raises(Invalid, match="not an email address") as error:
        normalize_email("ana.example.com")
    assert error.value.field == "email"


def test_languages_are_english_or_spanish() -> None:
    assert check_language("ES") == "es"
    with pytest.raises(Invalid, match="use en or es"):
        check_language("fr")


def test_a_session_slides_with_use_but_never_past_twelve_hours() -> None:
    assert session_expiry(NOW, NOW) == NOW + timedelta(hours=2)
    later = NOW + timedelta(hours=5)
    assert session_expiry(NOW, later) == later + timedelta(hours=2)
    assert session_expiry(NOW, NOW + timedelta(hours=11)) == NOW + timedelta(hours=12)


def test_tokens_are_split_into_prefix_and_secret() -> None:
    assert split_token("cobro_ab12cd34_se_cr-et") == ("ab12cd34", "se_cr-et")
    assert split_token("cobro_ab12cd34_") is None
    assert split_token("bearer_ab12cd34_secret") is None
    assert split_token("garbage") is None
