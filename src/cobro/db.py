"""Engine, declarative base, transactions and migrations.

The edge (CLI command, request, job) owns the transaction through `transaction()`; services only
add and flush. SQLite is the embedded default, PostgreSQL the production database: same code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Integer, MetaData, String, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapper, Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from cobro.errors import DatabaseUnavailable, Invalid

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def _check_lengths(mapper: Mapper[Any], _connection: Connection, row: Any) -> None:
    """Text longer than its column, or holding a NUL character, is refused on every backend:
    PostgreSQL would fail with a driver error, SQLite would store it (so a file that imports on
    one would fail on the other)."""
    for key, limit in _text_limits(mapper):
        value = getattr(row, key)
        if not isinstance(value, str):
            continue
        if limit is not None and len(value) > limit:
            raise Invalid(
                f"{row.__tablename__.replace('_', ' ')} {key.replace('_', ' ')} "
                f"{value[:20]!r}… is {len(value)} characters long, at most {limit}",
                field=key,
            )
        if "\x00" in value:  # PostgreSQL refuses NUL in text; SQLite would keep it
            raise Invalid(
                f"{row.__tablename__.replace('_', ' ')} {key.replace('_', ' ')}: "
                "a NUL character (U+0000) is not allowed in text",
                field=key,
            )


@cache
def _text_limits(mapper: Mapper[Any]) -> tuple[tuple[str, int | None], ...]:
    """The text columns and their lengths (None: any length)."""
    kinds = ((attribute.key, attribute.columns[0].type) for attribute in mapper.column_attrs)
    return tuple((key, kind.length or None) for key, kind in kinds if isinstance(kind, String))


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC time stamps on every backend (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC time is required")
        return value.astimezone(UTC)  # SQLite stores the wall time and drops the offset

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)  # PostgreSQL answers in the connection's time zone


# execution option: begin the SQLite transaction IMMEDIATE
WRITES = "cobro_writes"
BUSY_MS = 10_000  # how long SQLite waits for a lock another connection holds
WRITER_WAIT_MS = 600_000  # how long a unit of work that writes waits for another to finish


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed.database)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "connect", _postgresql_settings)
    return engine


def _postgresql_settings(dbapi_connection: Any, _record: object) -> None:
    # No JIT: a report over 10M invoices spent ~0.9 s of its 1.3 s compiling plans that
    # run once (bench/kpis_10m.py); Cobro's statements are short or run once, never long
    # enough to repay the compilation.
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL: take it over
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE (see `transaction(writes=True)`) takes the write lock now, waiting for it up
    # to the busy timeout; a deferred BEGIN that reads and then writes fails at once, in WAL
    # mode, when another writer committed in between ("database is locked")
    if not connection.get_execution_options().get(WRITES, False):
        connection.exec_driver_sql("BEGIN")
        return
    # a long writer (a cycle of a million items takes about 20 s) is waited for longer than
    # the usual 10 s; past that the error says what was waited for
    connection.exec_driver_sql(f"PRAGMA busy_timeout={WRITER_WAIT_MS}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        raise DatabaseUnavailable(
            f"another process kept the database busy for {WRITER_WAIT_MS // 1000} s "
            f"(a cycle or an import still running?): {exc.orig}"
        ) from None
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_MS}")


def _check_sqlite_file(database: str | None) -> None:
    """Say clearly when the file cannot be used, before SQLite says 'unable to open database'."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists():
        if path.is_dir():
            raise DatabaseUnavailable(f"database file {path} is a folder, not a file")
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise DatabaseUnavailable(f"cannot read database file {path}: {exc.strerror}") from None
        if header and header != b"SQLite format 3\x00":
            raise DatabaseUnavailable(f"{path} is not a SQLite database file")
    elif not folder.is_dir():
        raise DatabaseUnavailable(f"cannot create database {path}: folder {folder} does not exist")


@contextmanager
def transaction(engine: Engine, writes: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (nothing half-written).

    `writes`: the work reads and then writes, and may meet another writer (two cycles at
    once): on SQLite it then waits for the other to finish instead of failing. No effect on
    PostgreSQL, whose row locks and unique keys sort that out."""
    bind = engine.execution_options(**{WRITES: True}) if writes else engine
    session = Session(bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def describe_db_error(exc: SQLAlchemyError, url: str) -> DatabaseUnavailable:
    """Turn a driver error into a message that says which database and what went wrong."""
    where = make_url(url).render_as_string(hide_password=True)
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    if isinstance(exc, OperationalError) and "readonly" in detail:
        detail += " (check the file and folder permissions)"
    if "no such table" in detail or "UndefinedTable" in type(getattr(exc, "orig", exc)).__name__:
        detail += " (the schema is missing or old: run `cobro db upgrade`)"
    return DatabaseUnavailable(f"database {where}: {detail}")


def migrations_dir() -> Path:
    return Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The newest migration: what `upgrade` brings a database to."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None  # the package always ships its migrations
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class days_between(FunctionElement[int]):  # noqa: N801  (used like a SQL function)
    """Whole days from the date `earlier` to the date `later`, in SQL on either database."""

    type = Integer()
    inherit_cache = True

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


class no_index(FunctionElement[Any]):  # noqa: N801  (used like a SQL function)
    """A column the planner must not reach through an index: `+column` on SQLite (its way of
    saying so), the column itself elsewhere. With statistics, SQLite walks a whole 10M-row
    table in an index's order to save a sort, where a narrow range of another index does."""

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(no_index)
def _no_index(element: no_index, compiler: Any, **kw: Any) -> str:
    return "".join(compiler.process(arg, **kw) for arg in element.clauses)


@compiles(no_index, "sqlite")
def _no_index_sqlite(element: no_index, compiler: Any, **kw: Any) -> str:
    return "+" + "".join(compiler.process(arg, **kw) for arg in element.clauses)
