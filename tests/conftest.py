"""Test database: a real, migrated database (SQLite file by default, PostgreSQL when
COBRO_TEST_DATABASE_URL says so); each test runs in a transaction that is rolled back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cobro.auth import passwords
from cobro.db import make_engine, upgrade
from tests.support.loopback import loopback_only
from tests.support.passwords import CHEAP_HASHER

# Rich sizes its consoles when cobro.edge is imported: make CLI output wide enough to assert on.
os.environ.setdefault("COLUMNS", "200")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, read in place; skip when absent, except in CI where it must be."""
    path = SHARED_DATA / relative
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI must run the conformance tests")
        pytest.skip(f"{path} not present")
    return path


def reset_database(url: str) -> None:
    """Empty the database completely, then migrate it from nothing."""
    if make_url(url).get_backend_name() == "postgresql":
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("COBRO_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits become savepoints of an outer transaction rolled back at the end."""
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    """Every test hashes passwords with `CHEAP_HASHER` (argon2 is slow on purpose)."""
    saved = passwords.HASHER
    passwords.HASHER = CHEAP_HASHER
    yield
    passwords.HASHER = saved


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    """Names resolve on loopback only: no test asks the network (tests/support/loopback.py)."""
    with loopback_only():
        yield
