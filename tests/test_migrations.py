"""Migrations: up from nothing, down to nothing and up again, and the result is the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url

import cobro.models  # noqa: F401  (registers every table on Base.metadata)
from cobro.db import Base, alembic_config, current_revision, make_engine, upgrade

TABLES = {
    "action",
    "allocation",
    "attempt",
    "chase",
    "chase_setting",
    "chase_step",
    "company",
    "contact",
    "credit_note",
    "customer",
    "document",
    "hold",
    "installment",
    "invoice",
    "opt_out",
    "payment",
    "payment_terms",
    "policy",
    "policy_rule",
    "task",
    "template",
    "write_off",
}


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def user_tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_a_new_sqlite_file_migrates_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        assert current_revision(engine) == "0003"
        with engine.connect() as connection:
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
        command.downgrade(alembic_config(url), "base")
        assert current_revision(engine) is None
        with engine.connect() as connection:
            assert user_tables(connection) == set()
        upgrade(url)
        with engine.connect() as connection:
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
    finally:
        engine.dispose()


def test_the_test_database_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        assert differences(connection) == []


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A schema of its own in the PostgreSQL test database, so that migrating it down and up
    leaves the `public` schema the other tests use alone."""
    url = os.environ.get("COBRO_TEST_DATABASE_URL", "")
    if make_url(url or "sqlite://").get_backend_name() != "postgresql":
        pytest.skip("COBRO_TEST_DATABASE_URL does not name a PostgreSQL database")
    schema = f"migrations_{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_postgresql_migrates_down_and_up_again(postgres_schema: str) -> None:
    url = make_url(os.environ["COBRO_TEST_DATABASE_URL"]).update_query_dict(
        {"options": f"-csearch_path={postgres_schema}"}
    )
    rendered = url.render_as_string(hide_password=False)
    engine = make_engine(rendered)
    try:
        upgrade(rendered)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_schema()")).scalar() == postgres_schema
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
        command.downgrade(alembic_config(rendered), "base")
        with engine.connect() as connection:
            assert user_tables(connection) == set()
        upgrade(rendered)
        with engine.connect() as connection:
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
    finally:
        engine.dispose()
