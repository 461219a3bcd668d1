"""The database edge: clear errors for unusable files, aware UTC time stamps, all-or-nothing
transactions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError, StatementError
from sqlalchemy.orm import Session

from cobro import db
from cobro.company.models import Company
from cobro.company.service import create_company, list_companies
from cobro.db import (
    current_revision,
    describe_db_error,
    head_revision,
    make_engine,
    transaction,
    upgrade,
)
from cobro.errors import DatabaseUnavailable, Invalid
from cobro.task.models import Task


def test_a_database_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "nowhere"
    with pytest.raises(DatabaseUnavailable, match=f"folder {folder} does not exist"):
        make_engine(f"sqlite:///{folder / 'cobro.db'}")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database at all")
    with pytest.raises(DatabaseUnavailable, match=f"{path} is not a SQLite database"):
        make_engine(f"sqlite:///{path}")


def test_a_folder_is_not_a_database_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="is a folder, not a file"):
        make_engine(f"sqlite:///{tmp_path}")


def test_an_empty_or_new_file_becomes_a_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    for path in (empty, tmp_path / "new.db"):
        url = f"sqlite:///{path}"
        upgrade(url)
        engine = make_engine(url)
        assert current_revision(engine) == head_revision()
        engine.dispose()


def test_sqlite_connections_enforce_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fk.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_naive_datetimes_are_refused(session: Session) -> None:
    company = Company(
        code="acme",
        name="Acme",
        country="ES",
        currency="EUR",
        timezone="UTC",
        created_at=datetime(2026, 1, 1, 12, 0),  # noqa: DTZ001
    )
    session.add(company)
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_time_stamps_read_back_as_the_same_instant_in_aware_utc(session: Session) -> None:
    madrid = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Madrid"))  # 10:00 UTC
    session.add(
        Company(
            code="acme",
            name="Acme",
            country="ES",
            currency="EUR",
            timezone="UTC",
            created_at=madrid,
        )
    )
    session.flush()
    session.expire_all()
    stored = session.scalars(select(Company.created_at)).one()
    assert stored == madrid
    assert stored.utcoffset() is not None
    assert stored.astimezone(UTC).hour == 10
    assert stored.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.fixture
def file_engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'tx.db'}"
    upgrade(url)
    return make_engine(url)


def test_a_transaction_commits_what_succeeds(file_engine: Engine) -> None:
    with transaction(file_engine) as session:
        create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
    with transaction(file_engine) as session:
        assert [c.code for c in list_companies(session)] == ["acme"]


def test_a_transaction_writes_nothing_when_anything_fails(file_engine: Engine) -> None:
    def fail_half_way() -> None:
        with transaction(file_engine) as session:
            create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_half_way()
    with transaction(file_engine) as session:
        assert list_companies(session) == []


def test_a_driver_error_becomes_a_message_naming_the_database_without_password() -> None:
    error = OperationalError(
        "INSERT", {}, sqlite3.OperationalError("attempt to write a readonly database")
    )
    message = describe_db_error(error, "postgresql+psycopg://cobro:secret@db:5432/cobro").message
    assert "secret" not in message
    assert "db:5432/cobro" in message
    assert "readonly database (check the file and folder permissions)" in message


def test_time_stamps_are_utc_whatever_zone_the_connection_uses(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("only PostgreSQL answers in a per-connection time zone")
    session.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
    create_company(session, "acme", "Acme", "ES", "EUR", "UTC")
    session.expire_all()
    stored = session.scalars(select(Company.created_at)).one()
    assert stored.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_text_longer_than_its_column_is_invalid_on_every_database(session: Session) -> None:
    too_long = "company name 'NNNNNNNNNNNNNNNNNNNN'… is 201 characters long, at most 200"
    with pytest.raises(Invalid, match=too_long), session.begin_nested():
        create_company(session, "acme", "N" * 201, "ES", "EUR", "UTC")
    company = create_company(session, "acme", "N" * 200, "ES", "EUR", "UTC")
    company.name = "M" * 201
    with pytest.raises(Invalid, match="at most 200"), session.begin_nested():
        session.flush()


def test_a_nul_character_in_text_is_invalid_on_every_database(session: Session) -> None:
    """PostgreSQL refuses NUL in text (a driver error, a 5xx); SQLite would keep it: both say
    which field instead."""
    with pytest.raises(Invalid, match="NUL character") as refused, session.begin_nested():
        create_company(session, "acme", "Acme\x00 S.L.", "ES", "EUR", "UTC")
    assert refused.value.field == "name"
    task = Task(company_id=create_company(session, "beta", "Beta", "ES", "EUR", "UTC").id,
                kind="review", title="ok", detail="a\x00b", due_on=date(2026, 1, 1))  # fmt: skip
    session.add(task)
    with pytest.raises(Invalid, match="task detail"), session.begin_nested():
        session.flush()


def test_a_writing_unit_of_work_waits_for_another_writer_then_says_why_it_gave_up(
    file_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: `transaction(writes=True)` takes the write lock at BEGIN; while another
    connection holds it, it waits (here 0.3 s instead of ten minutes) and then fails with a
    message, before reading or writing anything."""
    monkeypatch.setattr(db, "WRITER_WAIT_MS", 300)
    database = file_engine.url.database
    assert database is not None
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        busy = pytest.raises(DatabaseUnavailable, match=r"busy for 0 s \(a cycle or an import")
        with busy, transaction(file_engine, writes=True) as session:
            session.execute(text("SELECT 1"))
        other.execute("COMMIT")
        with transaction(file_engine, writes=True) as session:  # free again: no wait
            assert session.scalar(text("SELECT 1")) == 1
    finally:
        other.close()
