"""`cobro users …`, `cobro tokens …` and `cobro audit list` end to end on a migrated SQLite
file: output, exit codes, one-line errors."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from cobro.auth.models import ApiToken, User
from cobro.auth.tokens import resolve_token
from cobro.cli import app
from cobro.db import make_engine, transaction
from cobro.kit.dates import utcnow
from tests.factories.access import PASSWORD
from tests.factories.ledger import make_company
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, _company):
        make_company(session, "beta")
    return url


def add(email: str, role: str = "collector", company: str = "acme") -> str:
    return ok(
        "users", "add", email, "--name", "Ana", "--role", role, "-c", company, "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip


def test_a_user_is_added_with_a_prompted_password(db_url: str) -> None:
    output = ok(
        "users", "add", "Ana@Example.com", "--name", "Ana", "--role", "admin", "-c", "acme",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert "User ana@example.com added: admin in acme." in output
    assert PASSWORD not in output
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            user = session.scalars(select(User)).one()
            assert user.password_hash.startswith("$argon2id$")
    finally:
        engine.dispose()


def test_users_are_listed_granted_revoked_and_unlocked(db_url: str) -> None:
    add("ana@example.com")
    assert "ana@example.com is now viewer in beta." in ok(
        "users", "grant", "ana@example.com", "-c", "beta", "--role", "viewer"
    )
    listing = ok("users", "list")
    assert "acme:collector, beta:viewer" in listing
    assert "1 users." in listing
    assert "no role in acme any more" in ok("users", "revoke", "ana@example.com", "-c", "acme")
    assert "0 users." in ok("users", "list", "-c", "acme")
    assert "is unlocked" in ok("users", "unlock", "ANA@example.com")
    audit = ok("audit", "list")
    for action in ("user.created", "membership.granted", "membership.revoked", "user.unlocked"):
        assert action in audit
    assert "cli" in audit
    assert "membership.revoked" in ok("audit", "list", "-c", "acme", "--since", "2020-01-01")
    assert "0 events." in ok("audit", "list", "--since", "2999-01-01")


def test_mistakes_are_one_line_errors(db_url: str) -> None:
    add("ana@example.com")
    assert "several companies" in refused(
        "users", "add", "bo@example.com", "--name", "Bo", "--role", "admin", "--password-stdin"
    )
    again = refused(
        "users", "add", "ANA@example.com", "--name", "A", "--role", "admin", "-c", "acme",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert "a user with email 'ana@example.com' already exists" in again
    assert "role 'boss'" in refused(
        "users", "grant", "ana@example.com", "--role", "boss", "-c", "acme"
    )
    assert "no user 'bob@example.com'" in refused("users", "unlock", "bob@example.com")
    assert "no API token 'abc'" in refused("tokens", "revoke", "abc")
    weak = refused(
        "users", "add", "bo@example.com", "--name", "Bo", "--role", "viewer", "-c", "acme",
        "--password-stdin", stdin="short\n",
    )  # fmt: skip
    assert "password: use at least 12 characters" in weak


def test_a_token_is_printed_once_listed_without_its_secret_and_revoked(db_url: str) -> None:
    add("ana@example.com")
    created = ok(
        "tokens", "create", "ana@example.com", "-c", "acme", "--name", "ERP",
        "--scope", "read", "--scope", "write",
    )  # fmt: skip
    plain = next(word for word in created.split() if word.startswith("cobro_"))
    assert "not shown again" in created
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            token = resolve_token(session, plain, utcnow())
            assert token is not None
            assert token.scopes == ["read", "write"]
            prefix = token.prefix
        listing = ok("tokens", "list")
        assert prefix in listing
        assert plain.split("_", 2)[2] not in listing
        assert "active" in listing
        assert f"Token {prefix} (ERP) is revoked." in ok("tokens", "revoke", prefix)
        assert "revoked" in ok("tokens", "list", "-c", "acme")
        with transaction(engine) as session:
            assert resolve_token(session, plain, utcnow()) is None
            assert session.scalars(select(ApiToken)).one().revoked_at is not None
    finally:
        engine.dispose()
    assert "token.created" in ok("audit", "list")
