"""The cycle's SQL: a handful of set-based reads over the company, and bulk writes. Never a
query per invoice or per customer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from cobro.bulk import BulkInsert, OnConflict, slices, sqlite_cache, table_of
from cobro.customer.models import Customer
from cobro.db import days_between
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.policy.assign import History
from cobro.policy.contact import ContactEvent
from cobro.policy.models import ChaseSetting, ChaseStep
from cobro.policy.rules import CHANNELS
from cobro.task.models import Task

# write this many rows of a table at a time: the bigger the batch, the more of it in index order
WRITE_BATCH = 100_000
# how far back the contact caps look (the longest rolling window they use)
CONTACT_LOOKBACK_DAYS = 31


class CustomerRow(NamedTuple):
    """The customer facts the cycle uses (a tuple: made for every customer on every run)."""

    id: int
    kind: str
    grade: str | None
    tags: frozenset[str]
    segment: str | None
    country: str
    timezone: str
    policy_id: int | None
    # graded by the collection ranking's model (`cobro model score`): the cycle keeps that
    # grade rather than grading from the history by its rules
    by_model: bool = False
    runs: dict[str, Any] | None = None  # the payment runs learnt (`policy.runs`)


def customers(session: Session, company_id: int) -> dict[int, CustomerRow]:
    rows = session.execute(
        select(
            Customer.id,
            Customer.kind,
            Customer.grade,
            Customer.tags,
            Customer.segment,
            Customer.country,
            Customer.timezone,
            Customer.policy_id,
            Customer.grade_by,
            Customer.payment_runs,
        ).where(Customer.company_id == company_id)
    )
    none: frozenset[str] = frozenset()
    return {
        id_: CustomerRow(
            id_, kind, grade, frozenset(tags) if tags else none, segment, country, zone, policy,
            by == "model", runs,
        )
        for id_, kind, grade, tags, segment, country, zone, policy, by, runs in rows
    }  # fmt: skip


def histories(session: Session, company_id: int, on: date) -> dict[int, History]:
    """Per customer with any invoice: settled in the last year, how late (amount-weighted),
    and the oldest item still overdue. One GROUP BY over the company's invoices."""
    rows = session.execute(history_query(Invoice.company_id == company_id, on))
    return dict(as_history(row) for row in rows)


def history_query(company: ColumnElement[bool], on: date) -> Select[int, Any, Any, Any, Any]:
    """(customer id, settled, amount × days late, amount settled, oldest overdue days) per
    customer of the invoices `company` selects; `as_history` reads a row."""
    year_ago = on - timedelta(days=365)
    settled = and_(Invoice.settled_on.is_not(None), Invoice.settled_on.between(year_ago, on))
    late = days_between(Invoice.settled_on, Invoice.due_date)
    overdue = days_between(on, Invoice.due_date)
    return (
        select(
            Invoice.customer_id,
            func.sum(case((settled, 1), else_=0)),
            func.sum(case((and_(settled, late > 0), Invoice.total * late), else_=0)),
            func.sum(case((settled, Invoice.total), else_=0)),
            func.max(
                case(
                    (and_(Invoice.settled_on.is_(None), Invoice.due_date < on), overdue),
                    else_=0,
                )
            ),
        )
        .where(
            company,
            Invoice.issue_date <= on,
            or_(Invoice.settled_on.is_(None), Invoice.settled_on >= year_ago),
        )
        .group_by(Invoice.customer_id)
    )


def as_history(row: Sequence[Any]) -> tuple[int, History]:
    customer_id, count, weighted, total, oldest = row
    average = int(weighted) // int(total) if total else 0
    return customer_id, History(int(count), average, int(oldest or 0))


def save_grades(
    session: Session, changes: Mapping[int, str | None], now: datetime, by: str = "rules"
) -> None:
    """The grades and who gave them (`by`: the cycle's rules, or the collection ranking's
    model). One UPDATE per grade and slice of ids: the grades take five values, while an UPDATE
    per customer (an executemany) cost 1.8 s for 100k customers on PostgreSQL."""
    by_grade: dict[str | None, list[int]] = defaultdict(list)
    for customer_id, grade in changes.items():
        by_grade[grade].append(customer_id)
    for grade, ids in by_grade.items():
        ids.sort()
        for part in slices(ids):
            session.execute(
                update(Customer)
                .where(Customer.id.in_(part))
                .values(grade=grade, grade_by=by, updated_at=now)
                .execution_options(synchronize_session=False)
            )


def recent_contacts(session: Session, company_id: int, on: date) -> dict[int, list[ContactEvent]]:
    """Messages queued or sent, and calls made, in the weeks before `on`: the contact caps'
    history. A queued message counts at its planned time: it is going out."""
    since = on - timedelta(days=CONTACT_LOOKBACK_DAYS)
    events: dict[int, list[ContactEvent]] = defaultdict(list)
    messages = session.execute(
        select(Action.customer_id, Action.kind, Action.sent_at, Action.not_before).where(
            Action.company_id == company_id,
            Action.cycle_on >= since,
            Action.cycle_on < on,
            Action.kind.in_([str(kind) for kind in CHANNELS]),
            Action.status.in_(("queued", "sending", "sent")),
        )
    )
    for customer_id, kind, sent_at, not_before in messages:
        events[customer_id].append(ContactEvent(at=sent_at or not_before, channel=kind))
    calls = session.execute(
        select(Task.customer_id, Task.closed_at, Task.outcome).where(
            Task.company_id == company_id,
            Task.kind == "call",
            Task.status == "done",
            Task.closed_at.is_not(None),
            Task.due_on >= since,
        )
    )
    for called, closed_at, outcome in calls:
        if called is not None and closed_at is not None:
            conversation = (outcome or "").startswith("conversation")
            events[called].append(ContactEvent(closed_at, "call", conversation))
    return events


def setting_layers(session: Session, company_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    rows = session.execute(
        select(ChaseSetting.scope, ChaseSetting.target, ChaseSetting.values).where(
            ChaseSetting.company_id == company_id
        )
    )
    return {(scope, target): dict(values) for scope, target, values in rows}


@dataclass
class Pending:
    """Rows planned for the writer: chase steps and actions."""

    steps: list[tuple[Any, ...]] = field(default_factory=list)
    actions: list[tuple[Any, ...]] = field(default_factory=list)


class Writer:
    """The cycle's writes, batched: steps (skipped when already there) and actions (skipped
    when their idempotency key is taken). Used as a context manager: what is pending is written
    at the end of the block.

    On SQLite the writes get a larger page cache (the indexes they go into stay in memory),
    from the first write on: the reads before it are faster with the default one (a bigger
    cache only costs the open items' and histories' random reads, ~2 s each on 1M items)."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.connection = connection
        self.cache = ExitStack()
        self.cached = False
        self.steps = BulkInsert(
            connection,
            table_of(ChaseStep),
            ("invoice_id", "policy_id", "stage", "reached_on", "open_amount"),
            OnConflict(("invoice_id", "policy_id", "stage")),
        )
        self.actions = BulkInsert(
            connection,
            table_of(Action),
            (
                "company_id",
                "customer_id",
                "policy_id",
                "stage",
                "tone",
                "kind",
                "cycle_on",
                "status",
                "not_before",
                "attempts",
                "last_error",
                "created_at",
            ),
            OnConflict(("customer_id", "stage", "kind", "cycle_on")),
        )
        self.pending: dict[str, list[tuple[Any, ...]]] = {"steps": [], "actions": []}
        # rows written: fewer than planned where another run wrote the same keys meanwhile
        self.written: dict[str, int] = dict.fromkeys(self.pending, 0)

    def take(self, planned: Pending) -> None:
        """Add planned rows; write a table's rows once a batch of them has piled up."""
        for name in self.pending:
            rows = self.pending[name]
            rows.extend(getattr(planned, name))
            if len(rows) >= WRITE_BATCH // 2:
                self._write(name)

    def _write(self, name: str) -> None:
        target: BulkInsert = getattr(self, name)
        rows = self.pending[name]
        if not rows:
            return
        if not self.cached:
            self.cache.enter_context(sqlite_cache(self.connection))
            self.cached = True
        if name != "actions":
            # steps come grouped by customer, so their invoices are all over the
            # table: in invoice order each index page and looked-up invoice is visited once
            # per batch (2.5× faster on a million SQLite rows). Only the rows' ids differ.
            rows.sort(key=itemgetter(0))
        self.written[name] += target.write(rows)
        self.pending[name] = []

    def flush(self) -> None:
        for name in self.pending:
            self._write(name)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        with self.cache:  # the page cache back as it was, whatever happens
            if kind is None:
                self.flush()
