"""Build the demo company in the caller's transaction (the edge commits).

The company and its payment terms go through their services; the many ledger rows are written
in bulk with ids given in Python (no round trip per row); on PostgreSQL the id sequences are
then moved past them so later inserts do not collide.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

import cobro.models  # noqa: F401  (every table on Base.metadata, for deleting a company)
from cobro.bulk import BulkInsert, gc_paused, sqlite_cache
from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.customer.models import Contact, Customer
from cobro.db import Base
from cobro.demo.customers import CONSUMER_TERMS, NINE_AM, TERMS_CODES, draw_customers
from cobro.demo.generator import COLUMNS, HISTORY_MONTHS, Ledger, default_invoices, history
from cobro.demo.rates import demo_rates
from cobro.errors import Conflict, Invalid
from cobro.invoice.models import Invoice
from cobro.kit.threads import prefetched
from cobro.terms.rules import Terms, parse_terms
from cobro.terms.service import ensure_terms

COMPANY_NAME = "Cobro Demo S.L."
COMPANY_COUNTRY, COMPANY_CURRENCY, COMPANY_TIMEZONE = "ES", "EUR", "Europe/Madrid"


@dataclass(frozen=True)
class DemoOptions:
    on: date
    seed: int = 42
    customers: int = 2_000
    invoices: int | None = None  # None: 20 per customer
    company: str = "demo"
    replace: bool = False


@dataclass(frozen=True)
class DemoSummary:
    company: str
    on: date
    rows: dict[str, int]  # table name -> rows written
    open_by_currency: dict[str, int]


def demo_exists(session: Session, code: str) -> bool:
    return session.scalar(select(Company.id).where(Company.code == code)) is not None


def build_demo(
    session: Session, options: DemoOptions, progress: Callable[[int], None] | None = None
) -> DemoSummary:
    """Create the demo company and its ledger. `progress` hears how many invoices each
    written batch brought."""
    if options.customers < 1:
        raise Invalid("the demo needs at least one customer")
    invoices = default_invoices(options.customers) if options.invoices is None else options.invoices
    if invoices < 1:
        raise Invalid("the demo needs at least one invoice")
    existing = session.scalar(select(Company.id).where(Company.code == options.company))
    if existing is not None:
        if not options.replace:
            raise Conflict(
                f"company {options.company!r} already exists: use --replace to delete its data "
                "and build the demo again, or --company to build it under another code"
            )
        delete_company_data(session, existing)
    first, _last = history(options.on)
    company = create_company(
        session, options.company, COMPANY_NAME, COMPANY_COUNTRY, COMPANY_CURRENCY, COMPANY_TIMEZONE
    )
    company.created_at = datetime.combine(first - timedelta(days=1), NINE_AM)  # reproducible
    terms = _terms(session, company.id)
    session.flush()
    connection = session.connection()
    first_ids = {name: _next_id(session, Base.metadata.tables[name]) for name in _ID_TABLES}
    drawn = draw_customers(
        random.Random(f"{options.seed}:customers"),
        options.customers,
        invoices,
        first,
        datetime.combine(options.on, NINE_AM),
        HISTORY_MONTHS,
        COMPANY_COUNTRY,
        first_ids["customer"],
        first_ids["contact"],
        company.id,
        {code: terms_id for code, (terms_id, _) in terms.items()},
    )
    # a few thousand rows: the ORM's own types (JSON tags, time stamps) are worth their cost
    connection.execute(insert(Customer), drawn.customers)
    connection.execute(insert(Contact), drawn.contacts)
    ledger = Ledger(
        random.Random(f"{options.seed}:ledger"),
        drawn.profiles,
        invoices,
        options.on,
        company.id,
        company.code,
        terms,
        first_ids,
    )
    writers = {
        name: BulkInsert(connection, Base.metadata.tables[name], columns)
        for name, columns in COLUMNS.items()
    }
    with sqlite_cache(connection), gc_paused():
        for batch in prefetched(ledger):
            for name, rows in batch.rows.items():
                writers[name].write(rows)
            if progress is not None:
                progress(batch.invoices)
    _advance_sequences(session)
    rates = demo_rates(session, company.id, first, options.on, options.seed)
    written = {"customer": len(drawn.customers), "contact": len(drawn.contacts),
               **ledger.counts, "fx_rate": rates}  # fmt: skip
    return DemoSummary(company.code, options.on, written, open_by_currency(session, company.id))


def open_by_currency(session: Session, company_id: int) -> dict[str, int]:
    query = (
        select(Invoice.currency, func.sum(Invoice.open_amount))
        .where(Invoice.company_id == company_id, Invoice.open_amount > 0)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )
    return {currency: int(amount) for currency, amount in session.execute(query)}


def _terms(session: Session, company_id: int) -> dict[str, tuple[int, Terms]]:
    codes = dict.fromkeys((*TERMS_CODES, *(code for code, _ in CONSUMER_TERMS)))
    return {code: (ensure_terms(session, company_id, code).id, parse_terms(code)) for code in codes}


_ID_TABLES = ("customer", "contact", *COLUMNS)


def _next_id(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def _advance_sequences(session: Session) -> None:
    """PostgreSQL hands out ids from sequences, which did not see the ids given here."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in _ID_TABLES:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE(MAX(id), 0) + 1, false) FROM {name}"
            )
        )


def delete_company_data(session: Session, company_id: int) -> None:
    """Delete the company and every row that belongs to it, children first, in the caller's
    transaction. A row belongs to it through a `company_id` column or a chain of foreign keys
    leading to one, so tables added later are covered without a change here. Append-only
    tables (the audit trail) are kept: they outlive what they record."""
    for table in reversed(Base.metadata.sorted_tables):
        if table.name == Company.__tablename__ or table.info.get("append_only"):
            continue
        condition = _owned(table, company_id)
        if condition is not None:
            session.execute(delete(table).where(condition))
    session.execute(delete(Company).where(Company.id == company_id))
    stale = session.identity_map.get(identity_key(Company, company_id))
    if stale is not None:
        session.expunge(stale)


def _owned(table: Table, company_id: int) -> ColumnElement[bool] | None:
    if "company_id" in table.c:
        return table.c.company_id == company_id
    # through a key that is always set: a row with an empty optional key (a dispute item not
    # credited yet) would escape the deletion and block its parents'
    for key in sorted(
        table.foreign_keys, key=lambda fk: (bool(fk.parent.nullable), fk.parent.name)
    ):
        parent = key.column.table
        if parent.name == Company.__tablename__:
            return key.parent == company_id
        assert isinstance(parent, Table)
        condition = _owned(parent, company_id)
        if condition is not None:
            return key.parent.in_(select(key.column).where(condition))
    return None
