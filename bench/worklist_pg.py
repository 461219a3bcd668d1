"""The worklist on PostgreSQL with 100,000 customers and 1,000,000 invoices (a third open, most
of those overdue), some holds, call tasks and failed actions: the time of ranking the whole
company (what `worklist.snapshot` keeps, rebuilt at most every few minutes), of refreshing one
customer (after a call or a payment), and of the first page, a later page and a collector's
filter read from the kept ranking, each repeated.

Target (issue #4): a page p95 ≤ 150 ms. Usage:
    python bench/worklist_pg.py [postgresql+psycopg://postgres@127.0.0.1:5432/cobro_bench_worklist]
The database (its name must say "bench") is emptied and built (a minute), unless it already
holds the bench company. bench/web_load.py measures the pages themselves, under 20 users."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, delete, select, text

from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.db import make_engine, transaction, upgrade
from cobro.kit.pagination import PageRequest
from cobro.worklist.models import WorklistBuild, WorklistRow
from cobro.worklist.service import worklist
from cobro.worklist.snapshot import rebuild, refresh_customers

ON = date(2026, 11, 24)
CUSTOMERS = 100_000
INVOICES = 1_000_000
RUNS = 20

FILL = [
    """INSERT INTO customer (company_id, external_id, name, kind, country, language, timezone,
       currency, collector, tags, grade, created_at, updated_at, credit_blocked)
       SELECT :company, 'C' || n, 'Customer ' || n, 'business', 'ES', 'es', 'Europe/Madrid',
       'EUR', 'Collector ' || (n % 12), '[]', (ARRAY['A','B','C','D',NULL])[1 + n % 5],
       now(), now(), false FROM generate_series(1, :customers) n""",
    # invoice n: customer n % customers; due over the last 400 days; two thirds settled
    """INSERT INTO invoice (company_id, customer_id, number, issue_date, due_date, currency,
       total, tax, discount_amount, payment_reference, open_amount, settled_on, created_at,
       updated_at)
       SELECT :company, c.first + (n % :customers), 'F' || n,
       CAST(:on AS date) - 430 + (n % 400), CAST(:on AS date) - 400 + (n % 400), 'EUR',
       10000 + (n::bigint * 7919) % 500000, 0, 0, 'RF00' || n,
       CASE WHEN n % 3 = 0 THEN 10000 + (n::bigint * 7919) % 500000 ELSE 0 END,
       CASE WHEN n % 3 = 0 THEN NULL ELSE CAST(:on AS date) - 400 + (n % 400) END, now(), now()
       FROM generate_series(1, :invoices) n,
       (SELECT min(id) AS first FROM customer WHERE company_id = :company) c""",
    """INSERT INTO hold (company_id, customer_id, kind, reason, starts_on, created_at)
       SELECT :company, id, 'dispute', 'bench', CAST(:on AS date) - 10, now() FROM customer
       WHERE company_id = :company AND id % 50 = 0""",
    """INSERT INTO task (company_id, customer_id, kind, title, due_on, status, created_at)
       SELECT :company, id, 'call', 'call', CAST(:on AS date), 'open', now() FROM customer
       WHERE company_id = :company AND id % 7 = 0""",
    """INSERT INTO action (company_id, customer_id, policy_id, stage, tone, kind, cycle_on,
       status, not_before, attempts, created_at)
       SELECT :company, id, 0, 'firm', 'firm', 'email', CAST(:on AS date), 'failed', now(), 3, now()
       FROM customer WHERE company_id = :company AND id % 40 = 0""",
]


URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cobro_bench_worklist"


def build(url: str) -> int:
    if "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit(f"{url}: not a bench database (its name must say 'bench')")
    _create_database(url)
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        found = session.scalar(select(Company.id).where(Company.code == "bench-worklist"))
    if found is not None:
        engine.dispose()
        return found
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    started = time.perf_counter()
    with transaction(engine) as session:
        company = create_company(session, "bench-worklist", "Bench", "ES", "EUR", "Europe/Madrid")
        values = {"company": company.id, "customers": CUSTOMERS, "invoices": INVOICES, "on": ON}
        for statement in FILL:
            session.execute(text(statement), values)
        company_id = company.id
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(f"built in {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return company_id


def _create_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def measure_ranking(url: str, company_id: int) -> None:
    """The cost kept out of the pages: the whole ranking, and one customer's refresh."""
    engine = make_engine(url)
    with transaction(engine) as session:  # an earlier run's ranking: forget it
        session.execute(delete(WorklistBuild).where(WorklistBuild.company_id == company_id))
    times = []
    rows: int | None = 0
    for attempt in range(3):
        with transaction(engine) as session:
            started = time.perf_counter()
            rows = rebuild(session, company_id, ON, datetime.now(UTC) + timedelta(hours=attempt))
            times.append(time.perf_counter() - started)
    print(f"rank the company ({rows} rows), with commit: {min(times) * 1000:,.0f} ms best of 3")
    with transaction(engine) as session:
        customers = session.scalars(
            select(WorklistRow.customer_id).where(WorklistRow.company_id == company_id).limit(50)
        ).all()
        started = time.perf_counter()
        for customer_id in customers:
            refresh_customers(session, company_id, ON, [customer_id])
        each = (time.perf_counter() - started) * 1000 / max(len(customers), 1)
    print(f"refresh one customer: {each:.1f} ms on average over {len(customers)}")
    engine.dispose()


def measure(url: str, company_id: int) -> bool:
    engine = make_engine(url)
    cases = [
        ("first page", PageRequest(25, 0), None),
        ("page 40", PageRequest(25, 1000), None),
        ("one collector", PageRequest(25, 0), "Collector 3"),
    ]
    fast = True
    with transaction(engine) as session:
        for label, page, collector in cases:
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                rows = worklist(session, company_id, ON, page, collector)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            fast = fast and p95 <= 150
            print(
                f"{label:14} rows {len(rows.items):3}  median {statistics.median(times):6.1f} ms"
                f"  p95 {p95:6.1f} ms"
            )
    engine.dispose()
    return fast


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else URL
    company = build(url)
    measure_ranking(url, company)
    sys.exit(0 if measure(url, company) else 1)
