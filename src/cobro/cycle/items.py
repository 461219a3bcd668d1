"""The cycle's one big read: every open item of the company with its chase state, in chunks of
whole customers, in customer order.

On PostgreSQL a server-side cursor streams the rows. On SQLite each chunk (a range of customers)
is one query whose rows come back as a single JSON array: SQLite works through the whole chunk
in one step, without the GIL, while the planning thread plans the previous chunk. Row by row,
SQLite hands the GIL back and forth for every row and the two threads could not overlap (a
million rows read in 4 s alone took 13 s beside a busy thread).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from cobro.cycle.repository import as_history, history_query
from cobro.invoice.models import Invoice
from cobro.payment.repository import open_as_of, reduced_after
from cobro.policy.assign import History
from cobro.policy.progress import join_progress

# rows drawn from PostgreSQL's cursor at a time
BATCH = 20_000
# rows planned at a time (about a write batch of each table)
CHUNK = 100_000
# customers per SQLite query: about a chunk of rows on a ledger of ten open items a customer
CUSTOMERS = 10_000
# the positions, in a row, of the open amount and the dates that JSON gives as text
_AMOUNT, _DUE, _STAGE_ON = 3, 2, 8
_ORDER = itemgetter(1, 2, 0)  # customer, due date, invoice


def open_item_chunks(
    session: Session, company_id: int, on: date, horizon: date, customer_ids: Sequence[int]
) -> Iterator[Chunk]:
    """Items open at the end of `on` and due by `horizon` (the earliest stage's reach), with a
    positive open amount, in lists that never split a customer, ordered by customer, due date
    and invoice. Each row: (invoice id, customer id, due date, open amount, currency, invoice
    policy, chase policy, stage, stage day, delivered stage)."""
    connection = session.connection()
    if by_ranges(session):
        # by the customers' index, a range at a time: on `company_id = ?` SQLite would walk
        # the company's index, every invoice of it for every range (`+ 0` takes that away)
        company = Invoice.company_id + 0 == company_id
        query = _query(session, company_id, company, on, horizon)
        return _json_chunks(connection, query, company, on, sorted(customer_ids))
    query = _query(session, company_id, Invoice.company_id == company_id, on, horizon)
    return _chunks(_streamed(connection, query))


def by_ranges(session: Session) -> bool:
    """Whether the chunks are drawn by ranges of customers, each with its customers'
    histories (SQLite: see the module's docstring); else streamed, and graded beforehand."""
    return session.connection().dialect.name == "sqlite"


def _query(
    session: Session, company_id: int, company: ColumnElement[bool], on: date, horizon: date
) -> Select[Any]:
    as_of = reduced_after(session, company_id, on)
    amount = open_as_of(on) if as_of else Invoice.open_amount
    query = select(Invoice.id).where(
        # as of a past day the amount is worked out per row: it is checked on the rows drawn
        true() if as_of else Invoice.open_amount > 0,
        company,
        Invoice.issue_date <= on,
        Invoice.due_date <= horizon,
        or_(Invoice.settled_on.is_(None), Invoice.settled_on > on),
    )
    query, progress = join_progress(
        query, Invoice.id, whole_table=session.connection().dialect.name == "postgresql"
    )
    selected: Select[Any] = query.add_columns(
        Invoice.customer_id,
        Invoice.due_date,
        amount.label("open_amount"),
        Invoice.currency,
        Invoice.policy_id,
        progress.policy_id,
        progress.stage,
        progress.stage_on,
        progress.delivered,
    )
    return selected


@dataclass(frozen=True)
class Chunk:
    """Open item rows of whole customers, as drawn: a list, or (SQLite) the JSON text of one,
    which the planning thread reads so that the drawing thread only waits on the database."""

    drawn: list[Any] | str
    # SQLite: the histories of the chunk's customers (JSON), to grade them before planning
    histories: str | None = None

    def graded(self) -> list[tuple[int, History]]:
        return [as_history(row) for row in json.loads(self.histories or "[]")]

    def rows(self) -> list[Any]:
        if not isinstance(self.drawn, str):
            return self.drawn
        rows = [row for row in json.loads(self.drawn) if row[_AMOUNT] > 0]
        for row in rows:
            row[_DUE] = date.fromisoformat(row[_DUE])
            if row[_STAGE_ON] is not None:
                row[_STAGE_ON] = date.fromisoformat(row[_STAGE_ON])
        rows.sort(key=_ORDER)
        return rows


def _json_chunks(
    connection: Connection,
    query: Select[Any],
    company: ColumnElement[bool],
    on: date,
    customer_ids: list[int],
) -> Iterator[Chunk]:
    for start in range(0, len(customer_ids), CUSTOMERS):
        first = customer_ids[start]
        last = customer_ids[min(start + CUSTOMERS, len(customer_ids)) - 1]
        customers = Invoice.customer_id.between(first, last)
        yield Chunk(
            _as_json(connection, query.where(customers)),
            _as_json(connection, history_query(and_(company, customers), on)),
        )


def _as_json(connection: Connection, query: Any) -> str:
    """The rows of `query` as one JSON array, made in a single step of SQLite's."""
    rows = query.subquery()
    text: str = connection.execute(
        select(func.json_group_array(func.json_array(*rows.c)))
    ).scalar_one()
    return text


def _streamed(connection: Connection, query: Select[Any]) -> Iterator[Any]:
    # plain rows through Core: the ORM's loading layer adds nothing to a tuple of columns
    ordered = query.order_by(Invoice.customer_id, Invoice.due_date, Invoice.id)
    with _whole_result_plan(connection):
        result = connection.execute(ordered, execution_options={"yield_per": BATCH})
    for row in result:
        if row[_AMOUNT] > 0:
            yield row


def _chunks(rows: Iterator[Any], size: int = CHUNK) -> Iterator[Chunk]:
    """The rows in lists of about `size`, never splitting a customer's rows."""
    chunk: list[Any] = []
    for _customer, group in groupby(rows, key=itemgetter(1)):
        chunk.extend(group)
        if len(chunk) >= size:
            yield Chunk(chunk)
            chunk = []
    if chunk:
        yield Chunk(chunk)


@contextmanager
def _whole_result_plan(connection: Connection) -> Iterator[None]:
    """PostgreSQL plans a streamed query (a server-side cursor) for its first 10% of rows: on
    the open items that is an index walk by customer with a nested loop into the steps, 8.4 s
    for 1M items against 2.1 s for the hash join and sort it picks for the whole result. The
    cycle reads the whole result, so ask for that plan (while the cursor is declared only)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    before = connection.exec_driver_sql("SHOW cursor_tuple_fraction").scalar_one()
    connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    yield
    # not on an error: the transaction is aborted then (nothing more runs), and its rollback
    # undoes a SET LOCAL anyway
    connection.exec_driver_sql(f"SET LOCAL cursor_tuple_fraction = {float(before)}")
