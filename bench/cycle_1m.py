"""The daily cycle over 1M open invoices of 100k customers, on SQLite and PostgreSQL, against a
naive per-invoice ORM loop.

Targets (the cycle issue): every action of the day decided in ≤ 20 s on SQLite and ≤ 30 s on
PostgreSQL, peak memory ≤ 1.5 GiB; a second run for the same day queues nothing.

The data is written with `BulkInsert` (minutes with the ORM): one company, `--customers`
customers with a billing contact each, `--invoices` open invoices due from 120 days before the
day to 10 days after it, a few settled invoices per customer (the history the grades read), and
the chase state of the late items (reached the stage before the one due today, delivered), so
that the first run moves every item to a stage, all eight stages of the default policy included:
the worst case. The SQLite file is cached under bench/.data/ by size; PostgreSQL gets the same
data in the database `cobro_bench` (schema dropped and built again each run).

Each measurement runs in its own process, so each peak RSS is its own. The time of a run
includes the commit. Timed on the 2-core machine, which may be shared: see the load printed.

Usage: python bench/cycle_1m.py [--invoices N] [--customers M] [--no-postgresql]
       [--only sqlite|postgresql|naive]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from _demo_db import ON, peak_rss_mib
from cobro.bulk import BulkInsert, gc_paused, sqlite_cache
from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.db import Base, make_engine, transaction, upgrade
from cobro.invoice.models import Invoice
from cobro.kit.threads import prefetched
from cobro.outbox.models import Action
from cobro.policy.defaults import default_policy
from cobro.policy.models import ChaseStep
from cobro.policy.rules import CustomerKind, Grade, ItemFacts, next_stage
from cobro.policy.service import ensure_default_policy

HERE = Path(__file__).parent
DATA = HERE / ".data"
FORMAT = 3  # bump when the data changes: cached files of another format are not reused
CODE = "bench"
SEED = 7
INVOICES, CUSTOMERS = 1_000_000, 100_000
NAIVE_INVOICES = 10_000
SETTLED_PER_CUSTOMER = 3
PG_URL = os.environ.get(
    "COBRO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/cobro_bench"
)
# targets for 1M invoices; prorated for smaller runs
SQLITE_SECONDS, PG_SECONDS, PEAK_MIB = 20.0, 30.0, 1.5 * 1024
BATCH = 50_000  # invoices per batch written
STAMP = datetime(2026, 11, 1, 9, tzinfo=UTC)  # created_at / updated_at of every bulk row
LATEST_DUE, EARLIEST_DUE = -10, 120  # days past due on ON: 10 days ahead … 120 days late
# (days past due from which, stage reached, its offset): the chase state of a late item, one
# stage before the one due today and delivered, so that the next stage's condition holds
SEEDED = ((90, "final", 60), (60, "demand", 30), (30, "firm", 20))


class Country(NamedTuple):
    code: str
    weight: int
    zones: tuple[str, ...]
    currency: str
    language: str
    phone: str
    city: str
    postal_code: str


US_ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles")
COUNTRIES = (
    Country("ES", 40, ("Europe/Madrid",), "EUR", "es", "+34 6", "Madrid", "28001"),
    Country("DE", 15, ("Europe/Berlin",), "EUR", "de", "+49 15", "Berlin", "10115"),
    Country("FR", 15, ("Europe/Paris",), "EUR", "fr", "+33 6", "Paris", "75001"),
    Country("GB", 10, ("Europe/London",), "GBP", "en", "+44 7", "London", "SW1A 1AA"),
    Country("US", 10, US_ZONES, "USD", "en", "+1 212", "New York", "10001"),
    Country("MX", 10, ("America/Mexico_City",), "MXN", "es", "+52 55", "Ciudad de México", "06000"),
)
CONSUMER_SHARE = 0.3
MXN_PER_EUR = 20

CUSTOMER_COLUMNS = ("id", "company_id", "external_id", "name", "kind", "country", "language",
                    "timezone", "currency", "credit_limit", "terms_id", "tax_id", "collector",
                    "tags", "segment", "grade", "policy_id", "credit_blocked", "created_at",
                    "updated_at")  # fmt: skip
CONTACT_COLUMNS = ("customer_id", "name", "role", "email", "phone", "street", "building_number",
                   "postal_code", "city", "region", "country")  # fmt: skip
INVOICE_COLUMNS = ("id", "company_id", "customer_id", "number", "issue_date", "due_date",
                   "currency", "total", "tax", "terms_id", "discount_until", "discount_amount",
                   "purchase_order", "reference", "payment_reference", "open_amount",
                   "settled_on", "policy_id", "created_at", "updated_at")  # fmt: skip
STEP_COLUMNS = ("invoice_id", "policy_id", "stage", "reached_on", "open_amount", "delivered_on")
COLUMNS = {
    "customer": CUSTOMER_COLUMNS,
    "contact": CONTACT_COLUMNS,
    "invoice": INVOICE_COLUMNS,
    "chase_step": STEP_COLUMNS,
}

Rows = dict[str, list[tuple[Any, ...]]]


# ---------------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Size:
    invoices: int
    customers: int
    settled: int = SETTLED_PER_CUSTOMER  # per customer

    @property
    def key(self) -> str:
        return f"cycle-v{FORMAT}-{self.invoices}-{self.customers}-{self.settled}"


class Generator:
    """The bench's rows, in batches, from one seed. Ids are given here (the database is fresh)."""

    def __init__(self, size: Size, company_id: int, policy_id: int, first_id: int) -> None:
        self.size = size
        self.company_id = company_id
        self.policy_id = policy_id
        self.first_customer = first_id
        self.random = random.Random(SEED)
        self.countries: list[Country] = []
        self.kinds: list[str] = []

    def customers(self) -> Rows:
        rng = self.random
        weights = [country.weight for country in COUNTRIES]
        customers: list[tuple[Any, ...]] = []
        contacts: list[tuple[Any, ...]] = []
        for index in range(self.size.customers):
            customer_id = self.first_customer + index
            country = rng.choices(COUNTRIES, weights)[0]
            kind = "consumer" if rng.random() < CONSUMER_SHARE else "business"
            self.countries.append(country)
            self.kinds.append(kind)
            name = f"Customer {index:06d}" + (" S.A." if kind == "business" else "")
            customers.append(
                (customer_id, self.company_id, f"C{index:07d}", name, kind, country.code,
                 country.language, rng.choice(country.zones), country.currency, None, None,
                 None, None, [], None, None, None, False, STAMP, STAMP)
            )  # fmt: skip
            contacts.append(
                (customer_id, f"Billing {index:06d}", "billing", f"billing{index}@example.com",
                 f"{country.phone}{index:07d}", "Calle Mayor", str(1 + index % 200),
                 country.postal_code, country.city, None, country.code)
            )  # fmt: skip
        return {"customer": customers, "contact": contacts}

    def ledger(self) -> Iterator[Rows]:
        """Open invoices (with the chase state of the late ones), then settled history."""
        rng = self.random
        customers = self.size.customers
        next_id = 1
        batch: Rows = {"invoice": [], "chase_step": []}
        for _ in range(self.size.invoices):
            index = rng.randrange(customers)
            late = rng.randint(LATEST_DUE, EARLIEST_DUE)
            due = ON - timedelta(days=late)
            total = self._amount(index)
            row = self._invoice(next_id, index, due, total, total, None)
            batch["invoice"].append(row)
            for threshold, stage, offset in SEEDED:
                if late >= threshold:
                    reached = due + timedelta(days=offset)
                    batch["chase_step"].append(
                        (next_id, self.policy_id, stage, reached, total, reached)
                    )
                    break
            next_id += 1
            if len(batch["invoice"]) >= BATCH:
                yield batch
                batch = {"invoice": [], "chase_step": []}
        for index in range(customers):
            lateness = rng.choice((0, 0, 3, 10, 25, 60))
            for _ in range(self.size.settled):
                due = ON - timedelta(days=rng.randint(40, 330))
                settled = min(ON, due + timedelta(days=lateness + rng.randint(0, 5)))
                batch["invoice"].append(
                    self._invoice(next_id, index, due, self._amount(index), 0, settled)
                )
                next_id += 1
            if len(batch["invoice"]) >= BATCH:
                yield batch
                batch = {"invoice": [], "chase_step": []}
        yield batch

    def _amount(self, index: int) -> int:
        rng = self.random
        band = rng.random()
        if band < 0.08:  # large: the preventive reminder's threshold is 5,000.00
            units = rng.randint(5_000, 60_000)
        elif band < 0.5:
            units = rng.randint(500, 4_999)
        else:
            units = rng.randint(20, 499)
        cents = units * 100 + rng.randrange(100)
        return cents * MXN_PER_EUR if self.countries[index].currency == "MXN" else cents

    def _invoice(
        self, invoice_id: int, index: int, due: date, total: int, open_amount: int, settled: Any
    ) -> tuple[Any, ...]:
        terms = 30 if self.kinds[index] == "business" else 14
        return (
            invoice_id, self.company_id, self.first_customer + index, f"B{invoice_id:09d}",
            due - timedelta(days=terms), due, self.countries[index].currency, total,
            total * 21 // 121, None, None, 0, None, None, f"RF00BENCH{invoice_id:09d}",
            open_amount, settled, None, STAMP, STAMP,
        )  # fmt: skip


def build(url: str, size: Size) -> dict[str, Any]:
    """Migrate the (empty) database at `url` and write the bench's data, in one transaction."""
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
    with transaction(engine) as session:
        company = create_company(session, CODE, "Cobro Bench S.L.", "ES", "EUR", "Europe/Madrid")
        policy = ensure_default_policy(session, company)
        first = _next_id(session, "customer")
        if _next_id(session, "invoice") != 1:
            raise RuntimeError("the bench's database is not empty")
        generator = Generator(size, company.id, policy.id, first)
        connection = session.connection()
        writers = {
            name: BulkInsert(connection, Base.metadata.tables[name], columns)
            for name, columns in COLUMNS.items()
        }
        with sqlite_cache(connection), gc_paused():
            for name, rows in generator.customers().items():
                writers[name].write(rows)
                counts[name] += len(rows)
            for batch in prefetched(generator.ledger()):
                for name, rows in batch.items():
                    writers[name].write(rows)
                    counts[name] += len(rows)
        if connection.dialect.name == "postgresql":
            for name in ("customer", "invoice"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE(MAX(id), 0) + 1, false) FROM {name}"
                    )
                )
    written = time.perf_counter() - started
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # autovacuum analyses a freshly loaded table within a minute or so; do it now
            connection.execute(text("ANALYZE"))
        else:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.commit()
    engine.dispose()
    return {"seconds": written, "rows": counts, "peak_mib": peak_rss_mib()}


def _next_id(session: Session, name: str) -> int:
    table = Base.metadata.tables[name]
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


# ------------------------------------------------------------------------- the measurements


def measure_cycle(url: str) -> dict[str, Any]:
    """Run the cycle for ON twice, each in its own transaction (commit included)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        open_items = connection.scalar(
            select(func.count(Invoice.id)).where(Invoice.settled_on.is_(None))
        )
    runs = []
    for label in ("first", "second"):
        started = time.perf_counter()
        with transaction(engine) as session:
            company = session.scalars(select(Company).where(Company.code == CODE)).one()
            report = run_cycle(session, company, ON)
        seconds = time.perf_counter() - started
        run: dict[str, Any] = {
            "run": label,
            "items": report.items,
            "moved": sum(report.moved.values()),
            "created": report.created,
            "deferred": report.deferred,
            "grades_changed": report.grades_changed,
            "by_stage": dict(report.moved),
            "seconds": seconds,
            "peak_mib": peak_rss_mib(),
        }
        runs.append(run)
        print(
            f"    {label} run: {run['items']:,} items looked at, {run['moved']:,} moved, "
            f"{run['created']:,} actions created ({run['deferred']:,} deferred past the day), "
            f"{run['grades_changed']:,} grades changed; {seconds:.2f} s, "
            f"{run['items'] / seconds:,.0f} items/s; peak RSS {run['peak_mib']:,.0f} MiB",
            flush=True,
        )
    print("    stages reached: " + ", ".join(f"{k} {v:,}" for k, v in runs[0]["by_stage"].items()))
    engine.dispose()
    return {"open": int(open_items or 0), "runs": runs}


def measure_naive(url: str) -> dict[str, Any]:
    """What a naive implementation does: for each open invoice, query its customer and its
    chase steps, ask `next_stage`, and write the step and actions through the ORM, one flush
    per invoice. No policy rules, holds, opt-outs, unapplied cash, send windows or contact caps:
    less work than the cycle does, so the ratio is, if anything, flattering to the loop."""
    engine = make_engine(url)
    policy = default_policy()
    items = moved = created = 0
    started = time.perf_counter()
    with transaction(engine) as session:
        company = session.scalars(select(Company).where(Company.code == CODE)).one()
        policy_id = ensure_default_policy(session, company).id
        invoices = session.scalars(
            select(Invoice)
            .where(Invoice.company_id == company.id, Invoice.settled_on.is_(None))
            .order_by(Invoice.id)
        ).all()
        for invoice in invoices:
            items += 1
            customer = session.scalars(
                select(Customer).where(Customer.id == invoice.customer_id)
            ).one()
            steps = session.scalars(
                select(ChaseStep)
                .where(ChaseStep.invoice_id == invoice.id)
                .order_by(ChaseStep.reached_on.desc())
            ).all()
            last = steps[0] if steps else None
            delivered = next((step for step in steps if step.delivered_on), None)
            facts = ItemFacts(
                open_amount=invoice.open_amount,
                currency=invoice.currency,
                kind=CustomerKind(customer.kind),
                grade=Grade(customer.grade) if customer.grade else None,
                tags=frozenset(customer.tags or ()),
                last_delivered=None if delivered is None else delivered.stage,
            )
            current = None if last is None else last.stage
            stage = next_stage(policy, current, (ON - invoice.due_date).days, facts)
            if stage is not None:
                moved += 1
                session.add(
                    ChaseStep(
                        invoice_id=invoice.id,
                        policy_id=policy_id,
                        stage=stage.code,
                        reached_on=ON,
                        open_amount=invoice.open_amount,
                    )
                )
                local = datetime.combine(ON, datetime.min.time(), ZoneInfo(customer.timezone))
                for kind in stage.actions:
                    taken = session.scalar(
                        select(Action.id).where(
                            Action.customer_id == customer.id,
                            Action.stage == stage.code,
                            Action.kind == str(kind),
                            Action.cycle_on == ON,
                        )
                    )
                    if taken is None:
                        created += 1
                        session.add(
                            Action(
                                company_id=company.id,
                                customer_id=customer.id,
                                policy_id=policy_id,
                                stage=stage.code,
                                tone=str(stage.tone),
                                kind=str(kind),
                                cycle_on=ON,
                                status="queued",
                                not_before=(local + timedelta(hours=9)).astimezone(UTC),
                            )
                        )
            session.flush()
    seconds = time.perf_counter() - started
    engine.dispose()
    print(
        f"    naive loop: {items:,} invoices, {moved:,} moved, {created:,} actions created; "
        f"{seconds:.2f} s, {items / seconds:,.0f} items/s; peak RSS {peak_rss_mib():,.0f} MiB",
        flush=True,
    )
    return {"open": items, "moved": moved, "created": created, "seconds": seconds}


# ------------------------------------------------------------------------------- the driver


def _child(role: str, url: str, size: Size) -> dict[str, Any] | None:
    """Run one role of this script in a fresh interpreter; its result, None if it failed."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    try:
        command = [sys.executable, __file__, "--role", role, "--url", url, "--result",
                   str(result), "--invoices", str(size.invoices), "--customers",
                   str(size.customers), "--settled", str(size.settled)]  # fmt: skip
        done = subprocess.run(command, check=False)
        if done.returncode != 0 or result.stat().st_size == 0:
            print(f"  ({role} failed: exit {done.returncode})")
            return None
        data: dict[str, Any] = json.loads(result.read_text())
        return data
    finally:
        result.unlink(missing_ok=True)


def _sqlite_copy(size: Size, label: str) -> Path | None:
    """A fresh working copy of the cached SQLite file of `size` (built first if missing)."""
    DATA.mkdir(exist_ok=True)
    cached = DATA / f"{size.key}.db"
    if not cached.exists():
        partial = DATA / f"{size.key}.partial.db"
        for leftover in DATA.glob(f"{partial.name}*"):
            leftover.unlink()
        print(f"  building {label} into {cached} …", flush=True)
        built = _child("build", f"sqlite:///{partial}", size)
        if built is None:
            return None
        _print_build(built)
        partial.rename(cached)
    else:
        print(f"  {label}: cached {cached}")
    work = DATA / f"{size.key}.run.db"
    for leftover in DATA.glob(f"{work.name}*"):
        leftover.unlink()
    shutil.copyfile(cached, work)
    return work


def _print_build(built: dict[str, Any]) -> None:
    rows = built["rows"]
    print(
        f"    built in {built['seconds']:.1f} s ({sum(rows.values()):,} rows: "
        + ", ".join(f"{name} {count:,}" for name, count in rows.items())
        + f"); peak RSS {built['peak_mib']:,.0f} MiB",
        flush=True,
    )


def _postgresql_ready(url: str) -> str | None:
    """Create the bench's database when missing and empty its schema; None when ready, else
    why PostgreSQL is skipped."""
    parsed = make_url(url)
    if "bench" not in (parsed.database or ""):
        return f"{parsed.database!r} does not look like a bench database: not touching it"
    admin = create_engine(
        parsed.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            )
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        admin.dispose()
    bench = create_engine(url, isolation_level="AUTOCOMMIT")
    with bench.connect() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    bench.dispose()
    return None


@dataclass
class Line:
    figure: str
    target: str
    measured: str
    ratio: float | None  # measured ÷ target; None when there is no target

    @property
    def ok(self) -> bool:
        return self.ratio is None or self.ratio <= 1


def _cycle_lines(name: str, result: dict[str, Any], seconds_target: float) -> list[Line]:
    first, second = result["runs"]
    peak = max(run["peak_mib"] for run in result["runs"])
    return [
        Line(
            f"{name}: first run, s",
            f"≤ {seconds_target:.1f}",
            f"{first['seconds']:.2f}",
            first["seconds"] / seconds_target,
        ),
        Line(f"{name}: second run, s", "—", f"{second['seconds']:.2f}", None),
        Line(
            f"{name}: second run, actions",
            "0",
            f"{second['created']:,}",
            None if second["created"] == 0 else float("inf"),
        ),
        Line(f"{name}: peak RSS, MiB", f"≤ {PEAK_MIB:,.0f}", f"{peak:,.0f}", peak / PEAK_MIB),
    ]


def _print_table(lines: list[Line]) -> None:
    widths = [max(len(getattr(line, name)) for line in lines) for name in ("figure", "target")]
    widths = [max(widths[0], len("figure")), max(widths[1], len("target"))]
    print(f"  {'figure':<{widths[0]}}  {'target':>{widths[1]}}  {'measured':>10}  ratio")
    for line in lines:
        ratio = "—" if line.ratio is None else f"{line.ratio:.2f}"
        flag = "" if line.ok else "  MISSED"
        print(
            f"  {line.figure:<{widths[0]}}  {line.target:>{widths[1]}}  {line.measured:>10}  "
            f"{ratio}{flag}"
        )


def _remove(path: Path) -> None:
    """A SQLite file and its -wal and -shm companions."""
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()


def _sqlite(size: Size, scale: float) -> tuple[list[Line], dict[str, Any] | None]:
    print("SQLite:")
    work = _sqlite_copy(size, f"{size.invoices:,} invoices")
    result = None if work is None else _child("cycle", f"sqlite:///{work}", size)
    if work is not None:
        _remove(work)
    if result is None:
        return [_failed("SQLite")], None
    return _cycle_lines("SQLite", result, SQLITE_SECONDS * scale), result


def _postgresql(size: Size, scale: float, wanted: bool) -> list[Line]:
    print("PostgreSQL:")
    skipped = "not asked for" if not wanted else _postgresql_ready(PG_URL)
    if skipped is not None:
        print(f"  PostgreSQL skipped: {skipped}")
        return []
    where = make_url(PG_URL).render_as_string(hide_password=True)
    print(f"  building into {where} …", flush=True)
    built = _child("build", PG_URL, size)
    if built is None:
        return [_failed("PostgreSQL")]
    _print_build(built)
    result = _child("cycle", PG_URL, size)
    if result is None:
        return [_failed("PostgreSQL")]
    return _cycle_lines("PostgreSQL", result, PG_SECONDS * scale)


def _failed(name: str) -> Line:
    return Line(f"{name}: cycle", "runs", "failed", float("inf"))


def _naive(size: Size, cycle: dict[str, Any] | None) -> list[Line]:
    """The naive loop on a small file, and the cycle on a copy of the same file."""
    small = Size(NAIVE_INVOICES, max(1, size.customers * NAIVE_INVOICES // size.invoices))
    small = Size(small.invoices, small.customers, size.settled)
    print(f"naive per-invoice ORM loop ({small.invoices:,} invoices, SQLite):")
    work = _sqlite_copy(small, f"{small.invoices:,} invoices")
    if work is None:
        return []
    naive = _child("naive", f"sqlite:///{work}", small)
    _remove(work)
    shutil.copyfile(DATA / f"{small.key}.db", work)
    print("  the cycle on the same data:")
    same = _child("cycle", f"sqlite:///{work}", small)
    _remove(work)
    if naive is None:
        return []
    naive_item = naive["seconds"] / naive["open"]
    lines = [Line("naive loop: ms per invoice", "—", f"{naive_item * 1e3:.3f}", None)]
    if cycle is not None:
        per_item = cycle["runs"][0]["seconds"] / cycle["open"]
        lines.append(Line("cycle (SQLite): ms per invoice", "—", f"{per_item * 1e3:.4f}", None))
        lines.append(Line("naive ÷ cycle, per invoice", "—", f"{naive_item / per_item:.0f}×", None))
    if same is not None:
        same_item = same["runs"][0]["seconds"] / same["open"]
        lines.append(
            Line(
                f"naive ÷ cycle, same {small.invoices // 1000}k data",
                "—",
                f"{naive_item / same_item:.0f}×",
                None,
            )
        )
    return lines


def drive(size: Size, parts: set[str]) -> int:
    scale = size.invoices / INVOICES
    print(
        f"cycle bench: {size.invoices:,} open invoices, {size.customers:,} customers "
        f"(+{size.settled} settled invoices each), day {ON}; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    lines, cycle = _sqlite(size, scale) if "sqlite" in parts else ([], None)
    lines += _postgresql(size, scale, "postgresql" in parts)
    if "naive" in parts:
        lines += _naive(size, cycle)
    prorated = "" if scale == 1 else f" (time targets prorated to {size.invoices:,} invoices)"
    print(f"summary{prorated}:")
    _print_table(lines)
    if any(line.ratio == float("inf") for line in lines):
        print("FAILED: a run failed, or a second run for the same day created actions")
        return 1
    if scale >= 1 and not all(line.ok for line in lines):
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--invoices", type=int, default=INVOICES, help="open invoices")
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--settled", type=int, default=SETTLED_PER_CUSTOMER,
                        help="settled invoices per customer (history for the grades)")  # fmt: skip
    parser.add_argument("--no-postgresql", action="store_true", help="leave PostgreSQL out")
    parser.add_argument(
        "--only", choices=("sqlite", "postgresql", "naive"), help="run this part alone"
    )
    parser.add_argument("--role", choices=("build", "cycle", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = Size(args.invoices, args.customers, args.settled)
    if size.invoices < 1 or size.customers < 1 or size.settled < 0:
        parser.error("sizes must be positive")
    if args.role is None:
        parts = {args.only} if args.only else {"sqlite", "postgresql", "naive"}
        if args.no_postgresql:
            parts.discard("postgresql")
        return drive(size, parts)
    roles = {"build": lambda: build(args.url, size), "cycle": lambda: measure_cycle(args.url),
             "naive": lambda: measure_naive(args.url)}  # fmt: skip
    result = roles[args.role]()
    Path(args.result).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
