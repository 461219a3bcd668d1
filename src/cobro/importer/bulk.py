"""Bulk inserts for files of a million rows.

`session.execute(insert(Model), dicts)` spends about 15 µs a row in Python (building parameters,
running each value's type processor): with a million invoices that is longer than SQLite takes
to store them. Here SQLAlchemy still compiles the statement for the session's dialect and its
column types still convert the values (their own bind processors, so SQLite stores exactly what
the ORM would), but the rows go to the driver's `executemany` as plain tuples, and converted
values are reused: the dates of a ledger repeat.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from cobro.db import Base

SQLITE_CACHE_KIB = 64 * 1024


class BulkInsert:
    """INSERT of fixed columns of a model's table, fed with tuples in that column order."""

    def __init__(self, session: Session, model: type[Base], columns: Sequence[str]) -> None:
        self.session = session
        self.columns = tuple(columns)
        table = cast(Table, model.__table__)
        dialect = session.connection().dialect
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        self.sql = compiled.string
        self.positional = compiled.positional
        # a positional driver (SQLite's "?") takes the values in the statement's order
        order = compiled.positiontup if compiled.positional else None
        self.order = [self.columns.index(name) for name in order or self.columns]
        self.identity = self.order == list(range(len(self.columns)))
        self.converters: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = []
        for position, source in enumerate(self.order):
            column = table.c[self.columns[source]]
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.converters.append((position, processor, {}))

    def execute(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.converters or not self.identity:
            rows = [self._convert(row) for row in rows]
        params: list[Any] = rows
        if not self.positional:
            names = [self.columns[source] for source in self.order]
            params = [dict(zip(names, row, strict=True)) for row in rows]
        self.session.connection().exec_driver_sql(self.sql, params)

    def _convert(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row) if self.identity else [row[source] for source in self.order]
        for position, processor, done in self.converters:
            value = values[position]
            if value is not None:
                converted = done.get(value)
                if converted is None:
                    converted = done[value] = processor(value)
                values[position] = converted
        return tuple(values)


@contextmanager
def sqlite_cache(session: Session) -> Iterator[None]:
    """A larger page cache while a big file goes in: SQLite's default 2 MiB makes every index
    insert of a million rows read pages again. Restored afterwards; other databases: no-op."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is imported. The importer keeps a dictionary
    entry per row (numbers seen, invoices stored) and holds no reference cycles; the collector
    would walk those millions of entries again and again (a fifth of the time of a big file).
    Collection resumes, as it was, when the import ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
