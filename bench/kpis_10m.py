"""Each KPI report over 10M invoices, on SQLite and on PostgreSQL: the receivables KPIs, the
aging, and every report of `cobro.report.catalog.REPORTS` (when it exists) by currency and by
collector, over the three months up to the demo's day and over the same span six months
earlier (the as-of path: reductions dated after its end exist).

The ledger: the demo company built at 1M invoices (`build_demo`, as bench/_demo_db.py does),
then grown to 10M inside the database with set-based INSERT … SELECT: nine copies of its
invoices, installments, payments, allocations, credit notes and write-offs, copy k with new ids
(an offset per table) and numbers (suffix "-Yk"), and every date shifted back k × 365 days, so
the copies are older years of history. What was settled stays settled at its shifted date; what
is still open in the demo is paid in full in the copies (one payment and allocation each, dated
1–30 days after the shifted demo day or up to 44 days after the shifted due date, the later):
old years hold no open items, and the stored open amount and settlement day of every copied
invoice equal the formula as of any date.

Each measurement runs in a fresh process (the build's memory is not the report's): a first run
and the best of RUNS, the rows, and the process's peak RSS. Target (issue: KPIs at scale):
≤ 5 s and ≤ 1 GiB for each.

Usage:
    python bench/kpis_10m.py [DB_FILE]             SQLite (a temporary file when not given)
    python bench/kpis_10m.py --keep DB_FILE        the same, saying the file is kept
    python bench/kpis_10m.py --pg URL              PostgreSQL, e.g.
        postgresql+psycopg://postgres@127.0.0.1:5432/cobro_bench_kpis
    options: --only NAME[,NAME…] (receivables_kpis, service.aging, catalog:NAME…), --runs N,
    --explain (each report's statements of its first run: the plans of those over --slow s),
    --build-only
A given file or database is reused when it already holds the 10M ledger (an interrupted growth
resumes at the next copy), so repeated runs skip the build (≈ 1 min for the demo at 1M, then
a minute or two per copy). After a migration is added, the next run applies it (`upgrade`).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Connection, Engine, make_url

from _demo_db import ON, peak_rss_mib
from cobro.company.models import Company
from cobro.db import current_revision, make_engine, transaction, upgrade
from cobro.demo.service import DemoOptions, build_demo
from cobro.kit.dates import add_months

HERE = Path(__file__).resolve()
BASE_INVOICES = 1_000_000
COPIES = 9  # 1M + 9 copies = 10M
SHIFT_DAYS = 365
RUNS = 3
TARGET_S = 5.0
TARGET_MIB = 1024.0
LONG_S = 30.0  # a first run longer than this is not repeated
CHILD_TIMEOUT_S = 1800
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cobro_bench_kpis"
SQLITE_CACHE_KIB = 262_144  # 256 MiB of page cache while the copies go in
# rates for by-collector runs (units of the company's currency, EUR, per unit), from a day
# before the copied history so that every report date finds one
RATES = {"USD": "0.92", "GBP": "1.17", "MXN": "0.052", "CHF": "1.05", "JPY": "0.0062",
         "SEK": "0.088", "DKK": "0.134", "PLN": "0.23", "CAD": "0.68", "BRL": "0.17"}  # fmt: skip
RATES_FROM = date(2010, 1, 1)


# --------------------------------------------------------------------------------- building


def prepare(url: str) -> int:
    """Migrate, build the demo at 1M when missing, grow it to 10M; the demo company's id."""
    _create_pg_database(url)
    engine = make_engine(url)
    before = current_revision(engine)
    started = time.perf_counter()
    upgrade(url)
    if (after := current_revision(engine)) != before:
        print(f"migrated {before} → {after} in {time.perf_counter() - started:.0f} s", flush=True)
        if before is not None:  # new indexes need their statistics, as the built ones have
            analyze(engine)
    try:
        with transaction(engine) as session:
            company_id = session.scalar(select(Company.id).where(Company.code == "demo"))
        if company_id is None:
            print(f"building the demo at {BASE_INVOICES:,} invoices…", flush=True)
            started = time.perf_counter()
            with transaction(engine) as session:
                summary = build_demo(
                    session, DemoOptions(on=ON, invoices=BASE_INVOICES, replace=True)
                )
                company_id = session.scalar(select(Company.id).where(Company.code == "demo"))
            rows = ", ".join(f"{name} {count:,}" for name, count in summary.rows.items())
            print(f"  built in {time.perf_counter() - started:.0f} s ({rows})", flush=True)
        assert company_id is not None
        grow(engine, company_id)
    finally:
        engine.dispose()
    return company_id


def _create_pg_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    name = parsed.database or ""
    if name in {"test", "postgres", "template0", "template1", ""}:
        raise SystemExit(f"{url}: refusing to use the database {name!r}; name a bench one")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"created database {name}", flush=True)
    admin.dispose()


class Dialect:
    """The few SQL spellings that differ: date and time stamp arithmetic, GREATEST."""

    def __init__(self, name: str) -> None:
        self.sqlite = name == "sqlite"

    def day(self, column: str, minus: int, plus: str = "0") -> str:
        """The date `column` − `minus` days + `plus` (an SQL integer expression) days."""
        if self.sqlite:
            return f"date({column}, '-{minus} days', ({plus}) || ' days')"
        return f"({column} - {minus} + ({plus}))"

    def literal_day(self, day: date) -> str:
        return f"'{day.isoformat()}'" if self.sqlite else f"DATE '{day.isoformat()}'"

    def stamp(self, column: str, minus: int) -> str:
        """The time stamp `column` − `minus` days (SQLite: text as SQLAlchemy writes it)."""
        if self.sqlite:
            return f"(datetime({column}, '-{minus} days') || substr({column}, 20))"
        return f"({column} - interval '{minus} days')"

    def nine_am(self, day_sql: str) -> str:
        if self.sqlite:
            return f"({day_sql} || ' 09:00:00.000000')"
        return f"(({day_sql}) + time '09:00') AT TIME ZONE 'UTC'"

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})" if self.sqlite else f"GREATEST({a}, {b})"


TABLES = ("invoice", "installment", "payment", "allocation", "credit_note", "write_off")


def grow(engine: Engine, company_id: int) -> None:
    """Add the copies not there yet, one transaction each, then ANALYZE."""
    sql = Dialect(engine.dialect.name)
    with engine.connect() as connection:
        first_number = connection.scalar(
            text("SELECT number FROM invoice WHERE company_id = :c ORDER BY id LIMIT 1"),
            {"c": company_id},
        )
        done = [
            k
            for k in range(1, COPIES + 1)
            if connection.scalar(
                text("SELECT 1 FROM invoice WHERE company_id = :c AND number = :n"),
                {"c": company_id, "n": f"{first_number}-Y{k}"},
            )
        ]
        invoices = int(connection.scalar(text("SELECT COUNT(*) FROM invoice")) or 0)
    if len(done) == COPIES:
        print(f"reusing {invoices:,} invoices", flush=True)
        return
    if done and done != list(range(1, len(done) + 1)):
        raise SystemExit(f"copies {done} found, not a prefix of 1..{COPIES}: rebuild the file")
    with engine.connect() as connection:
        base = _originals(connection)
    print(
        f"growing {invoices:,} invoices to {BASE_INVOICES * (COPIES + 1):,} "
        f"(copies {len(done) + 1}–{COPIES})…",
        flush=True,
    )
    started = time.perf_counter()
    for k in range(len(done) + 1, COPIES + 1):
        copy_started = time.perf_counter()
        with engine.begin() as connection:
            if sql.sqlite:
                connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            counts = _copy(connection, sql, company_id, k, base)
        shown = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        print(f"  copy {k}: {time.perf_counter() - copy_started:.0f} s ({shown})", flush=True)
    analyze(engine)
    print(f"  grown in {time.perf_counter() - started:.0f} s", flush=True)


def analyze(engine: Engine) -> None:
    started = time.perf_counter()
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        with engine.connect() as connection:  # fold the WAL back into the file
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    print(f"  ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)


def _originals(connection: Connection) -> dict[str, int]:
    """The highest id of the demo's own rows in each table (the copies' ids are above): rows
    whose number or external id has no copy suffix, and rows of those invoices."""
    invoice = int(
        connection.scalar(text("SELECT MAX(id) FROM invoice WHERE number NOT LIKE '%-Y%'")) or 0
    )
    found = {"invoice": invoice}
    where = {
        "payment": "external_id NOT LIKE '%-Y%' AND external_id NOT LIKE 'BENCH-%'",
        "credit_note": "number NOT LIKE '%-Y%'",
    }
    for name in TABLES[1:]:
        condition = where.get(name, f"invoice_id <= {invoice}")
        found[name] = int(
            connection.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {name} WHERE {condition}"))
            or 0
        )
    return found


def _copy(
    connection: Connection, sql: Dialect, company_id: int, k: int, base: dict[str, int]
) -> dict[str, int]:
    """Copy k of the demo's ledger rows (ids ≤ `base`), `k` × 365 days earlier."""
    n = k * SHIFT_DAYS
    off = {
        name: int(connection.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {name}")) or 0)
        for name in TABLES
    }
    invoice_off = off["invoice"]
    suffix = f"'-Y{k}'"
    # what the demo still has open: paid in full in the copy, on this day
    pay_day = sql.greatest(
        sql.day(sql.literal_day(ON), n, "1 + i.id % 30"), sql.day("i.due_date", n, "i.id % 45")
    )
    statements = {
        "invoice": f"""
            INSERT INTO invoice (id, company_id, customer_id, number, issue_date, due_date,
                currency, total, tax, terms_id, discount_until, discount_amount, purchase_order,
                reference, payment_reference, open_amount, settled_on, policy_id, kind,
                created_at, updated_at)
            SELECT i.id + {invoice_off}, i.company_id, i.customer_id, i.number || {suffix},
                {sql.day("i.issue_date", n)}, {sql.day("i.due_date", n)}, i.currency, i.total,
                i.tax, i.terms_id, {sql.day("i.discount_until", n)}, i.discount_amount,
                i.purchase_order, i.reference, i.payment_reference, 0,
                CASE WHEN i.open_amount > 0 THEN {pay_day}
                     ELSE {sql.day("i.settled_on", n)} END,
                i.policy_id, i.kind, {sql.stamp("i.created_at", n)},
                CASE WHEN i.open_amount > 0 THEN {sql.nine_am(pay_day)}
                     ELSE {sql.stamp("i.updated_at", n)} END
            FROM invoice i WHERE i.company_id = :c AND i.id <= {base["invoice"]}""",
        "installment": f"""
            INSERT INTO installment (id, invoice_id, sequence, due_date, amount)
            SELECT s.id + {off["installment"]}, s.invoice_id + {invoice_off}, s.sequence,
                {sql.day("s.due_date", n)}, s.amount
            FROM installment s WHERE s.id <= {base["installment"]}""",
        "payment": f"""
            INSERT INTO payment (id, company_id, customer_id, external_id, received_on,
                currency, amount, unapplied, method, reference, payer_name, returned_on,
                return_reason, created_at)
            SELECT p.id + {off["payment"]}, p.company_id, p.customer_id,
                p.external_id || {suffix}, {sql.day("p.received_on", n)}, p.currency, p.amount,
                p.unapplied, p.method, p.reference, p.payer_name,
                {sql.day("p.returned_on", n)}, p.return_reason, {sql.stamp("p.created_at", n)}
            FROM payment p WHERE p.company_id = :c AND p.id <= {base["payment"]}""",
        "allocation": f"""
            INSERT INTO allocation (id, payment_id, invoice_id, amount, applied_on, created_at)
            SELECT a.id + {off["allocation"]}, a.payment_id + {off["payment"]},
                a.invoice_id + {invoice_off}, a.amount, {sql.day("a.applied_on", n)},
                {sql.stamp("a.created_at", n)}
            FROM allocation a WHERE a.id <= {base["allocation"]}""",
        "credit_note": f"""
            INSERT INTO credit_note (id, company_id, invoice_id, number, issue_date, currency,
                amount, reason, created_at)
            SELECT c.id + {off["credit_note"]}, c.company_id, c.invoice_id + {invoice_off},
                c.number || {suffix}, {sql.day("c.issue_date", n)}, c.currency, c.amount,
                c.reason, {sql.stamp("c.created_at", n)}
            FROM credit_note c WHERE c.company_id = :c AND c.id <= {base["credit_note"]}""",
        "write_off": f"""
            INSERT INTO write_off (id, invoice_id, written_off_on, amount, reason, created_at,
                reason_code, approved_by)
            SELECT w.id + {off["write_off"]}, w.invoice_id + {invoice_off},
                {sql.day("w.written_off_on", n)}, w.amount, w.reason,
                {sql.stamp("w.created_at", n)}, w.reason_code, w.approved_by
            FROM write_off w WHERE w.id <= {base["write_off"]}""",
    }
    counts = {}
    for name, statement in statements.items():
        counts[name] = connection.execute(text(statement), {"c": company_id}).rowcount
    # the settling payments and their allocations, ids after this copy's own
    payment_off = off["payment"] + base["payment"]
    allocation_off = off["allocation"] + base["allocation"]
    settling = f"FROM invoice i WHERE i.company_id = :c AND i.id <= {base['invoice']} " \
               "AND i.open_amount > 0"  # fmt: skip
    counts["payment"] += connection.execute(
        text(f"""
            INSERT INTO payment (id, company_id, customer_id, external_id, received_on,
                currency, amount, unapplied, method, reference, payer_name, created_at)
            SELECT {payment_off} + i.id, i.company_id, i.customer_id,
                'BENCH-Y{k}-' || i.id, {pay_day}, i.currency, i.open_amount, 0, 'transfer',
                i.payment_reference, NULL, {sql.nine_am(pay_day)}
            {settling}"""),
        {"c": company_id},
    ).rowcount
    counts["allocation"] += connection.execute(
        text(f"""
            INSERT INTO allocation (id, payment_id, invoice_id, amount, applied_on, created_at)
            SELECT {allocation_off} + i.id, {payment_off} + i.id, i.id + {invoice_off},
                i.open_amount, {pay_day}, {sql.nine_am(pay_day)}
            {settling}"""),
        {"c": company_id},
    ).rowcount
    if not sql.sqlite:  # ids were given here: move the sequences past them
        for name in TABLES:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE(MAX(id), 0) + 1, false) FROM {name}"
            )
    return counts


# ------------------------------------------------------------------------------- measuring


def periods() -> list[tuple[str, date, date]]:
    """The three months up to the demo's day, and the same span six months earlier."""
    past_end = add_months(ON, -6)
    return [
        ("last 3 months", add_months(ON, -3) + timedelta(days=1), ON),
        ("6 months earlier", add_months(past_end, -3) + timedelta(days=1), past_end),
    ]


def catalog() -> dict[str, Any] | None:
    try:
        from cobro.report.catalog import REPORTS
    except ImportError:
        return None
    return dict(REPORTS)


DIRECT = ("receivables_kpis", "service.aging")  # the functions; catalog entries: "catalog:NAME"


def builder(name: str, by: str) -> Callable[[Any, int, date, date], int]:
    """A callable (session, company id, start, end) → rows of the report named `name`."""
    if name == "receivables_kpis":
        from cobro.report.kpis import receivables_kpis

        return lambda session, company_id, start, end: len(
            receivables_kpis(session, company_id, start, end)
        )
    if name == "service.aging":
        from cobro.report.service import aging

        return lambda session, company_id, start, end: len(aging(session, company_id, end).lines)
    from cobro.report.slices import By

    reports = catalog()
    assert reports is not None
    assert name.startswith("catalog:")
    report = reports[name.removeprefix("catalog:")]
    return lambda session, company_id, start, end: len(
        report(session, company_id, start, end, By(by)).rows
    )


def set_rates(url: str, company_id: int) -> str | None:
    """FX rates for every demo currency but the company's; None, or why the by-collector runs
    are skipped."""
    try:
        from cobro.fx import service as fx
    except ImportError:
        return "no cobro.fx.service: by-collector runs skipped"
    if not hasattr(fx, "set_rate"):
        return "no cobro.fx.service.set_rate: by-collector runs skipped"
    from cobro.audit.actor import Actor
    from cobro.fx.models import FxRate

    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            reporting = session.get_one(Company, company_id).currency
            currencies = session.scalars(
                text("SELECT DISTINCT currency FROM invoice WHERE company_id = :c"),
                {"c": company_id},
            ).all()
            have = set(
                session.scalars(
                    select(FxRate.currency).where(
                        FxRate.company_id == company_id, FxRate.day <= RATES_FROM
                    )
                ).all()
            )
            values = {
                "session": session, "company_id": company_id, "on": RATES_FROM,
                "day": RATES_FROM, "source": "bench", "actor": Actor(name="bench"),
            }  # fmt: skip
            parameters = inspect.signature(fx.set_rate).parameters
            for currency in sorted(set(currencies) - {reporting} - have):
                rate = Decimal(RATES.get(currency, "1"))
                given = {**values, "currency": currency, "rate": rate}
                missing = [
                    p for p in parameters.values() if p.name not in given and p.default is p.empty
                ]
                if missing:
                    return f"set_rate wants {[p.name for p in missing]}: by-collector skipped"
                fx.set_rate(**{p: given[p] for p in parameters if p in given})
                print(f"set FX rate 1 {currency} = {rate} {reporting} from {RATES_FROM}")
    except Exception as exc:  # the FX tables may not be migrated yet
        return f"FX rates could not be set ({type(exc).__name__}: {exc}): by-collector skipped"
    finally:
        engine.dispose()
    return None


def measure_child(args: argparse.Namespace) -> None:
    """In a fresh process: run one report RUNS times, print one JSON line of figures."""
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    run = builder(args.report, args.by)
    engine = make_engine(args.url)
    log: list[tuple[float, str, Any]] = []
    if args.explain:
        _log_statements(engine, log)
    base_mib = peak_rss_mib()
    times: list[float] = []
    rows = 0
    with transaction(engine) as session:
        session.scalar(select(Company.id).limit(1))  # connect first: not part of the time
        base_mib = peak_rss_mib()
        for attempt in range(args.runs):
            started = time.perf_counter()
            rows = run(session, args.company, start, end)
            times.append(time.perf_counter() - started)
            if attempt == 0:
                first_log = list(log)
                if times[0] > LONG_S:
                    break
        peak = peak_rss_mib()
        plans = _explain(session.connection(), first_log, args.slow) if args.explain else []
    engine.dispose()
    print(json.dumps({"times": times, "rows": rows, "peak": peak, "base": base_mib,
                      "statements": len(first_log) if args.explain else None,
                      "plans": plans}))  # fmt: skip


def _log_statements(engine: Engine, log: list[tuple[float, str, Any]]) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # the fetch is outside this span: the rows' transfer shows in the report's total only
        log.append((time.perf_counter() - conn.info["bench_started"], statement, parameters))


def _explain(connection: Connection, log: list[tuple[float, str, Any]], slow: float) -> list[Any]:
    plans = []
    sqlite = connection.dialect.name == "sqlite"
    for seconds, statement, parameters in log:
        if seconds < slow or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
        started = time.perf_counter()
        result = connection.exec_driver_sql(prefix + statement, parameters)
        if sqlite:
            plan = [f"{'  ' * _depth(row)}{row[3]}" for row in _with_depth(list(result.all()))]
        else:
            plan = [row[0] for row in result.all()]
        plans.append({"seconds": seconds, "statement": statement, "parameters": repr(parameters),
                      "plan": plan, "explain_s": time.perf_counter() - started})  # fmt: skip
    return plans


def _with_depth(rows: list[Any]) -> list[Any]:
    depth: dict[int, int] = {0: -1}
    shaped = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        shaped.append((node, parent, depth[node], detail))
    return shaped


def _depth(row: Any) -> int:
    return int(row[2])


def measure(url: str, company_id: int, options: argparse.Namespace) -> bool:
    names = list(DIRECT)
    reports = catalog()
    if reports is None:
        print("(no cobro.report.catalog yet: only receivables_kpis and service.aging)")
    else:
        names += [f"catalog:{name}" for name in reports]
    if options.only:
        names = [name for name in names if name in options.only.split(",")]
    note = set_rates(url, company_id) if reports else None
    if note:
        print(f"({note})")
    passed = True
    print(
        f"{'report':30} {'by':9} {'period':17} {'first s':>8} {'best s':>8} {'rows':>8} "
        f"{'peak MiB':>9} {'base':>5}  result",
        flush=True,
    )
    for name in names:
        slicings = ["currency"] + ([] if note else ["collector"])
        if name in DIRECT:
            slicings = [""]
        for by in slicings:
            for label, start, end in periods():
                figures = _run_child(url, company_id, name, by, start, end, options)
                passed = _print(name, by, label, figures) and passed
    return passed


def _run_child(
    url: str, company_id: int, name: str, by: str, start: date, end: date,
    options: argparse.Namespace,
) -> dict[str, Any] | str:  # fmt: skip
    command = [sys.executable, str(HERE), "--child", url, "--company", str(company_id),
               "--report", name, "--by", by or "currency", "--start", start.isoformat(),
               "--end", end.isoformat(), "--runs", str(options.runs),
               "--slow", str(options.slow)]  # fmt: skip
    command += ["--explain"] if options.explain else []
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return f"no answer in {CHILD_TIMEOUT_S} s"
    if done.returncode != 0:
        tail = " / ".join(line.strip() for line in done.stderr.strip().splitlines()[-3:])
        return f"failed: {tail or '?'}"
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _print(name: str, by: str, label: str, figures: dict[str, Any] | str) -> bool:
    if isinstance(figures, str):
        print(f"{name:30} {by or '-':9} {label:17} {figures}  FAIL", flush=True)
        return False
    times = figures["times"]
    ok = times[0] <= TARGET_S and figures["peak"] <= TARGET_MIB
    best = f"{min(times):8.2f}" if len(times) > 1 else "       -"
    print(
        f"{name:30} {by or '-':9} {label:17} {times[0]:8.2f} {best} {figures['rows']:8,} "
        f"{figures['peak']:9.0f} {figures['base']:5.0f}  {'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    for plan in figures.get("plans") or []:
        print(f"    -- {plan['seconds']:.2f} s ({figures['statements']} statements in run 1):")
        print("       " + " ".join(plan["statement"].split()))
        print(f"       parameters {plan['parameters']}")
        for line in plan["plan"]:
            print(f"       | {line}")
    return bool(ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, help="SQLite file (reused when it exists)")
    parser.add_argument("--keep", type=Path, help="SQLite file, kept (reused when it exists)")
    parser.add_argument(
        "--pg", nargs="?", const=PG_URL, help=f"PostgreSQL URL, created when missing ({PG_URL})"
    )
    parser.add_argument("--only", help="comma-separated report names")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--explain", action="store_true", help="plans of the slow statements")
    parser.add_argument("--slow", type=float, default=1.0, help="--explain: from these seconds")
    parser.add_argument("--build-only", action="store_true")
    # one measurement, in a fresh process (used by the above)
    parser.add_argument("--child", metavar="URL", dest="url", help=argparse.SUPPRESS)
    parser.add_argument("--company", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    parser.add_argument("--by", help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    parser.add_argument("--end", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.url:
        measure_child(options)
        return 0

    def run(url: str) -> int:
        started = time.perf_counter()
        company_id = prepare(url)
        print(f"ready in {time.perf_counter() - started:.0f} s: {url}", flush=True)
        if options.build_only:
            return 0
        return 0 if measure(url, company_id, options) else 1

    if options.pg:
        return run(options.pg)
    path = options.keep or options.file
    if path is not None:
        return run(f"sqlite:///{path.resolve()}")
    with tempfile.TemporaryDirectory(prefix="cobro-bench-") as folder:
        print("(a temporary SQLite file: pass a path to keep the 10M ledger for later runs)")
        return run(f"sqlite:///{Path(folder) / 'kpis_10m.db'}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
