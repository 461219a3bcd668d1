"""Writing a million rows: the driver's own bulk path, with the ORM's types still in charge.

`connection.execute(insert(table), dicts)` spends about 15 µs a row in Python (building
parameters, running each value's type processor): longer than SQLite takes to store the row.
Measured on 1M invoice rows into SQLite (2 cores): an ORM-typed Core insert with dicts runs
~30k rows/s, the driver's `executemany` on tuples ~130k rows/s. So `BulkInsert` hands the driver
tuples, after converting the values with SQLAlchemy's own bind processors for the dialect
(the stored format is exactly what the ORM writes and reads back); converted values are
reused, since the dates and time stamps of a ledger repeat. On PostgreSQL even `executemany`
runs one INSERT per row (~20k rows/s); `COPY … FROM STDIN` streams them, 8× faster, in the same
transaction.

Also here: the other levers of a big write (no cyclic GC, a bigger SQLite page cache, producing
the next batch in a thread while the database stores the previous one).
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import ColumnClause, Insert, Table, insert, literal_column, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect

from cobro.db import Base

if TYPE_CHECKING:  # imported by SQLAlchemy when PostgreSQL is used; ~9 MiB that SQLite spares
    import psycopg

T = TypeVar("T")

SQLITE_CACHE_KIB = 64 * 1024  # index pages of a million-row insert stay in memory: 2× faster
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
CACHE_LIMIT = 100_000  # converted values kept per column: a ledger's dates fit many times over
ID_SLICE = 20_000  # ids per `IN (…)` list: under SQLite's bound-variable limit, and few statements


def slices(items: Sequence[T], size: int = ID_SLICE) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size` (an `IN (…)` list or a write at a time)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Converted(dict[Any, Any]):
    """A column's converted values by original value; a miss runs the bind processor. None
    maps to None (NULL needs no conversion), so a whole column converts at C speed through
    `map(cache.__getitem__, values)`."""

    def __init__(self, processor: Callable[[Any], Any]) -> None:
        super().__init__({None: None})
        self.processor = processor

    def __missing__(self, value: Any) -> Any:
        if len(self) >= CACHE_LIMIT:  # unique values (amounts, stamps to the µs): stay bounded
            self.clear()
            self[None] = None
        converted = self[value] = self.processor(value)
        return converted

    def convert(self, values: tuple[Any, ...]) -> list[Any]:
        try:
            return list(map(self.__getitem__, values))
        except TypeError:  # an unhashable value (a dict or list for a JSON column)
            return [None if v is None else self.processor(v) for v in values]


class BulkInsert:
    """INSERT of fixed `columns` of `table`, fed with rows of plain Python values in that
    order (dates, aware datetimes, ints, strings, dicts and lists for JSON; None for NULL).

    Column defaults applied by SQLAlchemy (`default=`) are not: this path goes around it, so a
    column that has one must be named. The rows go straight to the driver, in the caller's
    transaction; the ORM's identity map does not see them.
    """

    def __init__(
        self,
        connection: Connection,
        table: Table,
        columns: Sequence[str],
        on_conflict: OnConflict | None = None,
    ) -> None:
        self.connection = connection
        self.table = table
        self.columns = tuple(columns)
        self.on_conflict = on_conflict
        _check_columns(table, self.columns)
        dialect = connection.dialect
        # COPY needs psycopg 3's copy API; other PostgreSQL drivers take the INSERT below
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self.positional = True
        self.merge_sql: str | None = None
        self.direct_sql: str | None = None  # COPY into the table itself, keys permitting
        self.many: _ManyRows | None = None
        if self.copy:
            preparer = dialect.identifier_preparer
            names = ", ".join(preparer.quote(name) for name in self.columns)
            target = preparer.format_table(table)
            if on_conflict is not None:
                # COPY cannot skip or merge conflicting rows: stream into a private temporary
                # table, then move the rows over with one INSERT … SELECT … ON CONFLICT
                staging = preparer.quote(f"bulk_{table.name}")
                connection.exec_driver_sql(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
                    f"SELECT {names} FROM {target} WITH NO DATA"
                )
                self.merge_sql = _merge_sql(connection, table, self.columns, staging, on_conflict)
                if not on_conflict.update:
                    self.direct_sql = f"COPY {target} ({names}) FROM STDIN"
                target = staging
            self.sql = f"COPY {target} ({names}) FROM STDIN"
            order: Sequence[str] = self.columns
        else:
            statement = insert(table) if on_conflict is None else on_conflict.apply(dialect, table)
            compiled = statement.compile(dialect=dialect, column_keys=list(self.columns))
            self.sql = compiled.string
            self.positional = compiled.positional
            bound = list(compiled.positiontup or ()) if self.positional else list(compiled.params)
            if sorted(bound) != sorted(self.columns):  # the check above should have said why
                raise RuntimeError(f"bulk insert into {table.name}: the statement binds {bound}")
            # a positional driver (SQLite's "?") takes the values in the statement's order
            order = bound if self.positional else self.columns
            if dialect.name == "sqlite" and self.positional:
                self.many = _ManyRows(connection, self.sql, len(self.columns))
        self.order = [self.columns.index(name) for name in order]
        self.identity = self.order == list(range(len(self.columns)))
        self.converters: dict[int, _Converted] = {}
        for source in self.order:
            kind = table.c[self.columns[source]].type.dialect_impl(dialect)
            processor = kind.bind_processor(dialect)
            if processor is not None:
                self.converters[source] = _Converted(processor)

    def write(self, rows: Sequence[Sequence[Any]]) -> int:
        """Insert `rows`, each in the order of `columns`; the number of rows written (with an
        `OnConflict`, the rows skipped do not count; the rows merged do)."""
        if not rows:
            return 0
        params = self._prepare(rows)
        if self.copy:
            if self.direct_sql is not None and self._copy_direct(params):
                return len(params)
            self._copy(self.sql, params)
            if self.merge_sql is None:
                return len(params)
            merged = self.connection.exec_driver_sql(self.merge_sql).rowcount
            self.connection.exec_driver_sql(f"TRUNCATE {self.sql.split()[1]}")
            return merged
        if self.many is not None:
            return self.many.write(params)
        if self.positional:
            return self.connection.exec_driver_sql(self.sql, params).rowcount
        names = [self.columns[source] for source in self.order]
        return self.connection.exec_driver_sql(
            self.sql, [dict(zip(names, row, strict=True)) for row in params]
        ).rowcount

    def _prepare(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """The rows as the driver takes them: converted, in the statement's column order. Done
        a column at a time (transposing is C code; a Python loop per row cost more than the
        conversions themselves)."""
        if not self.converters and self.identity:
            return list(rows)
        by_column = list(zip(*rows, strict=True))
        if len(by_column) != len(self.columns):
            raise ValueError(
                f"bulk insert into {self.table.name}: rows of {len(by_column)} values "
                f"for {len(self.columns)} columns"
            )
        converted = [
            self.converters[source].convert(by_column[source])
            if source in self.converters
            else by_column[source]
            for source in self.order
        ]
        return list(zip(*converted, strict=True))

    def _copy(self, sql: str, rows: list[Any]) -> None:
        raw = cast("psycopg.Connection[Any]", self.connection.connection.dbapi_connection)
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def _copy_direct(self, rows: list[Any]) -> bool:
        """COPY straight into the table when no row's key is taken (the usual case: a day's
        first cycle): a third cheaper than staging and merging. Under a savepoint: when a key
        is taken after all (another run of the day, at the same moment), nothing of it stays
        and the caller merges. False then, and from then on for this writer."""
        assert self.direct_sql is not None
        try:
            with self.connection.begin_nested():
                self._copy(self.direct_sql, rows)
        except Exception as exc:  # psycopg's own error: the COPY goes around SQLAlchemy
            if getattr(exc, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            self.direct_sql = None
            return False
        return True


class _ManyRows:
    """SQLite: many rows per INSERT (`VALUES (…), (…), …`, up to the variable limit) rather
    than `executemany`. As fast alone, and the GIL is released for thousands of rows at a time
    instead of for each row: with a busy Python thread beside it (the cycle plans in one),
    `executemany` waits for the GIL after every row and ran 9× slower, this 2.5×."""

    def __init__(self, connection: Connection, sql: str, width: int) -> None:
        raw = cast(sqlite3.Connection, connection.connection.dbapi_connection)
        self.raw: sqlite3.Connection = raw
        group = "(" + ", ".join("?" * width) + ")"
        if sql.count(group) != 1:
            raise RuntimeError(f"bulk insert: no single VALUES {group} in {sql!r}")
        head, tail = sql.split(group)
        self.head: str = head
        self.tail: str = tail
        self.group: str = group
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.per: int = max(1, min(limit, 32766) // width)
        self.full: str = self._sql(self.per)

    def _sql(self, count: int) -> str:
        return self.head + ", ".join([self.group] * count) + self.tail

    def write(self, rows: list[Any]) -> int:
        written = 0
        for start in range(0, len(rows), self.per):
            part = rows[start : start + self.per]
            sql = self.full if len(part) == self.per else self._sql(len(part))
            written += self.raw.execute(sql, list(chain.from_iterable(part))).rowcount
        return written


@dataclass(frozen=True)
class OnConflict:
    """What to do with a row whose `keys` are already taken: skip it (`update` empty), or
    overwrite the `update` columns with the new row's values. Both databases say it the same way
    (`ON CONFLICT (…) DO NOTHING | DO UPDATE SET … = excluded.…`)."""

    keys: tuple[str, ...]
    update: tuple[str, ...] = ()

    def apply(self, dialect: Dialect, table: Table) -> Insert:
        keys = list(self.keys)
        if dialect.name == "postgresql":
            pg = postgresql.insert(table)
            if not self.update:
                return pg.on_conflict_do_nothing(index_elements=keys)
            values = {name: pg.excluded[name] for name in self.update}
            return pg.on_conflict_do_update(index_elements=keys, set_=values)
        lite = sqlite.insert(table)
        if not self.update:
            return lite.on_conflict_do_nothing(index_elements=keys)
        values = {name: lite.excluded[name] for name in self.update}
        return lite.on_conflict_do_update(index_elements=keys, set_=values)


def _merge_sql(
    connection: Connection,
    table: Table,
    columns: tuple[str, ...],
    staging: str,
    on_conflict: OnConflict,
) -> str:
    names: list[ColumnClause[Any]] = [literal_column(name) for name in columns]
    source = select(*names).select_from(text(staging))
    statement = on_conflict.apply(connection.dialect, table)
    merged = statement.from_select(list(columns), source)
    return str(merged.compile(dialect=connection.dialect))


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, typed as one (SQLAlchemy types `__table__` as any FROM clause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _check_columns(table: Table, columns: tuple[str, ...]) -> None:
    """A programming error, found before any row: the models changed and a caller did not."""
    unknown = [name for name in columns if name not in table.c]
    duplicated = sorted({name for name in columns if columns.count(name) > 1})
    missing = [
        column.name
        for column in table.columns
        if column.name not in columns
        and column is not table.autoincrement_column
        # a NOT NULL column the database cannot fill, or a default only SQLAlchemy applies
        and ((not column.nullable and column.server_default is None) or column.default is not None)
    ]
    if unknown or duplicated or missing:
        raise RuntimeError(
            f"bulk insert into {table.name}: missing columns {missing}, unknown {unknown}, "
            f"named twice {duplicated}"
        )


@contextmanager
def sqlite_cache(connection: Connection) -> Iterator[None]:
    """A larger page cache while a big write goes in: with SQLite's default 2 MiB every index
    insert of a million rows reads pages again. Restored afterwards; other databases: no-op."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={before}")


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during a big write. The rows are tuples without cycles,
    but with millions of them alive (rows queued, keys of rows seen) each full collection walks
    them all: a fifth of the time, measured on the import and on the demo. Collection resumes,
    as it was, at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
