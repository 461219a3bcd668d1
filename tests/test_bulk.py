"""`cobro.bulk`: rows written around the ORM read back through it exactly as given, on SQLite
and (with COBRO_TEST_DATABASE_URL) PostgreSQL, whose rows go through COPY."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cobro.bulk import BulkInsert, OnConflict, gc_paused, sqlite_cache, table_of
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.kit.threads import prefetched
from tests.factories.ledger import make_company, make_customer

INVOICE = ("company_id", "customer_id", "number", "issue_date", "due_date", "currency",
           "total", "tax", "terms_id", "discount_until", "discount_amount", "purchase_order",
           "reference", "payment_reference", "open_amount", "settled_on", "created_at",
           "updated_at")  # fmt: skip
CUSTOMER = ("company_id", "external_id", "name", "kind", "country", "language", "timezone",
            "currency", "credit_limit", "tags", "created_at", "updated_at")  # fmt: skip
MADRID_SUMMER = timezone(timedelta(hours=2))


def invoice_rows(company_id: int, customer_id: int) -> list[tuple[Any, ...]]:
    noon = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    later = datetime(2026, 6, 1, 18, 0, tzinfo=MADRID_SUMMER)  # stored as 16:00 UTC
    return [
        (company_id, customer_id, f"B-{n}", date(2026, 3, n), date(2026, 4, n), "EUR",
         100_00 * n, 21_00, None, date(2026, 3, 10) if n % 2 else None, 2_00 if n % 2 else 0,
         f"PO-{n}" if n % 2 else None, None, f"RF18B{n:04d}", 100_00 * n if n < 3 else 0,
         None if n < 3 else date(2026, 5, 1), noon, noon if n < 3 else later)
        for n in range(1, 5)
    ]  # fmt: skip


def stored(instance: Any, columns: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(instance, name) for name in columns)


def test_invoices_read_back_through_the_orm_as_given(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    session.flush()
    rows = invoice_rows(company.id, customer.id)
    writer = BulkInsert(session.connection(), table_of(Invoice), INVOICE)
    writer.write(rows[:2])
    writer.write(rows[2:])  # the second batch converts from the cache
    session.expire_all()
    query = select(Invoice).where(Invoice.company_id == company.id).order_by(Invoice.number)
    assert [stored(invoice, INVOICE) for invoice in session.scalars(query)] == rows
    # the time stamps come back as UTC, as the ORM stores them
    last = session.scalars(query).all()[-1]
    assert last.updated_at.utcoffset() == timedelta(0)
    assert last.updated_at.hour == 16


def test_json_and_time_stamps_are_stored_as_the_orm_stores_them(session: Session) -> None:
    company = make_company(session)
    session.flush()
    stamp = datetime(2026, 1, 2, 11, tzinfo=MADRID_SUMMER)
    rows = [
        (company.id, f"J{n}", f"Cliente {n}", "business", "ES", "es", "Europe/Madrid", "EUR",
         None if n else 5_000_00, ["vip", f"zone-{n}"] if n else [], stamp, stamp)
        for n in range(3)
    ]  # fmt: skip
    BulkInsert(session.connection(), table_of(Customer), CUSTOMER).write(rows)
    session.add(Customer(**{**dict(zip(CUSTOMER, rows[1], strict=True)), "external_id": "ORM"}))
    session.flush()
    session.expire_all()
    query = select(Customer).where(Customer.company_id == company.id)
    by_id = {customer.external_id: customer for customer in session.scalars(query)}
    assert [stored(by_id[row[1]], CUSTOMER) for row in rows] == rows
    # byte for byte (SQLite keeps text): the bulk row and the ORM's twin hold the same
    raw = session.connection().exec_driver_sql(
        "SELECT external_id, tags, created_at, updated_at, credit_limit FROM customer"
        f" WHERE company_id = {company.id} AND external_id IN ('J1', 'ORM')"
    )
    twins = {row[0]: row[1:] for row in raw}
    assert twins["J1"] == twins["ORM"]


def test_a_missing_or_unknown_column_is_refused_before_any_row(session: Session) -> None:
    connection = session.connection()
    with pytest.raises(RuntimeError, match=r"missing columns \['company_id'.*unknown \[\]"):
        BulkInsert(connection, table_of(Invoice), INVOICE[1:])
    with pytest.raises(RuntimeError, match=r"unknown \['colour'\]"):
        BulkInsert(connection, table_of(Invoice), (*INVOICE, "colour"))
    # a column whose default only SQLAlchemy applies would be left NULL or fail: refused too
    with pytest.raises(RuntimeError, match=r"missing columns \['tax'\]"):
        BulkInsert(connection, table_of(Invoice), tuple(c for c in INVOICE if c != "tax"))


def test_rows_of_the_wrong_length_are_refused(session: Session) -> None:
    writer = BulkInsert(session.connection(), table_of(Invoice), INVOICE)
    with pytest.raises(ValueError, match="17 values for 18 columns"):
        writer.write([tuple(range(17))])


def test_postgresql_streams_the_rows_with_copy(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; set COBRO_TEST_DATABASE_URL to run it")
    writer = BulkInsert(connection, table_of(Invoice), INVOICE)
    assert writer.copy
    assert writer.sql.startswith("COPY invoice (company_id, customer_id, ")
    assert writer.sql.endswith(") FROM STDIN")
    company = make_company(session)
    customer = make_customer(session, company)
    session.flush()
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(connection, "before_cursor_execute", seen)
    try:
        writer.write(invoice_rows(company.id, customer.id))
    finally:
        event.remove(connection, "before_cursor_execute", seen)
    assert statements == []  # COPY goes to psycopg's cursor, not through an INSERT
    assert session.scalar(select(Invoice.id).where(Invoice.number == "B-4")) is not None


def test_the_sqlite_page_cache_is_restored(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        with sqlite_cache(connection):  # a no-op elsewhere
            return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    with sqlite_cache(connection):
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar_one() == -64 * 1024
    assert connection.exec_driver_sql("PRAGMA cache_size").scalar_one() == before


def test_gc_is_paused_then_restored_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_prefetched_keeps_order_and_raises_the_producers_error() -> None:
    assert list(prefetched(range(1_000), depth=3)) == list(range(1_000))

    def failing() -> Iterator[int]:
        yield 1
        raise LookupError("drawn badly")

    seen: list[int] = []
    with pytest.raises(LookupError, match="drawn badly"):
        seen.extend(prefetched(failing()))
    assert seen == [1]


def test_prefetched_stops_its_thread_when_the_consumer_stops_early() -> None:
    drawn: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            drawn.append(n)
            yield n
            n += 1

    stream = prefetched(endless(), depth=1)
    assert next(stream) == 0
    stream.close()  # joins the thread: it must not stay blocked on the full queue
    assert len(drawn) <= 4


def test_rows_whose_key_is_taken_are_skipped_and_not_counted(session: Session) -> None:
    """On PostgreSQL the first batch goes straight in with COPY; a batch meeting a taken key
    falls back, under a savepoint, to staging and `INSERT … ON CONFLICT DO NOTHING`."""
    company = make_company(session)
    customer = make_customer(session, company)
    session.flush()
    rows = invoice_rows(company.id, customer.id)
    skip = OnConflict(("company_id", "number"))
    first = BulkInsert(session.connection(), table_of(Invoice), INVOICE, skip)
    assert first.write(rows[:2]) == 2
    again = BulkInsert(session.connection(), table_of(Invoice), INVOICE, skip)
    assert again.write(rows) == 2  # B-1 and B-2 were there: B-3 and B-4 are new
    assert again.write(rows) == 0
    numbers = session.scalars(select(Invoice.number).where(Invoice.company_id == company.id))
    assert sorted(numbers) == ["B-1", "B-2", "B-3", "B-4"]


def test_rows_whose_key_is_taken_are_merged_when_asked(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    session.flush()
    rows = invoice_rows(company.id, customer.id)
    merge = OnConflict(("company_id", "number"), ("reference",))
    writer = BulkInsert(session.connection(), table_of(Invoice), INVOICE, merge)
    assert writer.write(rows) == 4
    renamed = [(*row[:12], f"REF-{row[2]}", *row[13:]) for row in rows]
    assert writer.write(renamed) == 4  # merged rows count
    references = session.scalars(select(Invoice.reference).order_by(Invoice.number))
    assert list(references) == ["REF-B-1", "REF-B-2", "REF-B-3", "REF-B-4"]
