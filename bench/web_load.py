"""The web app under load, on PostgreSQL with 100k customers and 1M invoices.

Targets (the web app issue): the worklist and the customer pages answer with p95 ≤ 150 ms under
20 concurrent signed-in users; the API's list endpoints serve ≥ 300 requests/s on 2 cores, the
load coming from a second process on loopback.

The data is cycle_1m.py's (one company, `--customers`, `--invoices` open items of every age,
the settled history the grades read), then one collection cycle, so that the worklist has
stages, actions and tasks to rank. It is built once into the database `cobro_bench_web` and
kept (`--rebuild` builds it again). The server is `cobro serve` in its own process(es)
(`--workers`); the load comes from another process (`_http_load`, lean enough that it leaves
the two cores to the server and the database): `--users` signed-in browsers that each ask for
a page, wait for it, think about a second, and ask for the next, for `--seconds`; then
`--connections` API clients with a token, as fast as answers come, on each of the API's
lists in turn (customers, invoices, payments, actions, worklist: pages of 50 anywhere in the
first 5,000 rows), then on the five mixed. Each user has its own web session (made in the
database, not through /login: the sign-in rate limit is for people).

Usage: python bench/web_load.py [--users 20] [--seconds 30] [--connections 16] [--workers 3]
       [--invoices N] [--customers M] [--rebuild] [--url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from _demo_db import ON
from _http_load import Load, Pick, Timings, run
from cobro.auth.service import create_token, create_user, find_user, grant, open_session
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.db import make_engine, transaction
from cobro.kit.dates import utcnow
from cycle_1m import CODE, Size, _postgresql_ready, build

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cobro_bench_web"
USER = "bench-collector@example.com"
PORT = 8765
P95_TARGET_MS = 150.0
API_TARGET = 300.0


# ------------------------------------------------------------------------------- the data


def ready(url: str, size: Size) -> bool:
    """The bench's data is there, at this size (built by an earlier run)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            customers = connection.scalar(select(func.count(Customer.id)))
            return customers == size.customers
    except (OperationalError, ProgrammingError):
        return False
    finally:
        engine.dispose()


def prepare(url: str, size: Size) -> None:
    problem = _postgresql_ready(url)
    if problem:
        raise SystemExit(f"PostgreSQL is not usable: {problem}")
    print(f"  building {size.customers:,} customers, {size.invoices:,} open invoices …")
    built = build(url, size)
    print(f"    built in {built['seconds']:.0f} s")
    engine = make_engine(url)
    started = time.perf_counter()
    with transaction(engine, writes=True) as session:
        company = session.scalars(select(Company).where(Company.code == CODE)).one()
        report = run_cycle(session, company, ON)
    print(f"    cycle of {ON}: {report.created:,} actions in {time.perf_counter() - started:.0f} s")
    # as autovacuum would within minutes: the planner's statistics of the new rows, and the
    # visibility map that lets an index-only scan skip the table
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


@dataclass
class Callers:
    cookies: list[str]
    token: str
    customer_ids: list[str]


def callers(url: str, users: int) -> Callers:
    """A collector with `users` fresh web sessions and an API token; some customers to open."""
    engine = make_engine(url)
    now = utcnow()
    with transaction(engine) as session:
        company = session.scalars(select(Company).where(Company.code == CODE)).one()
        user = find_user(session, USER)
        if user is None:
            user = create_user(session, USER, "Bench Collector", "bench password 123", now)
            grant(session, user, company, "collector", now)
        cookies = [open_session(session, user, company.id, now)[0] for _ in range(users)]
        token, _ = create_token(
            session, user, company, "bench", ["read"], now, now + timedelta(hours=1)
        )
        external_ids = session.scalars(
            select(Customer.external_id).where(Customer.company_id == company.id)
        ).all()
    engine.dispose()
    return Callers(cookies, token, random.Random(7).sample(list(external_ids), 2_000))


# ----------------------------------------------------------------------------- the server


@contextmanager
def server(url: str, workers: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{PORT}"
    environment = {**os.environ, "COBRO_DATABASE_URL": url, "COBRO_SECRET_KEY": "bench" * 8}
    command = [os.path.join(os.path.dirname(sys.executable), "cobro"), "serve", "--port",
               str(PORT), "--workers", str(workers), "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise SystemExit("the server did not start within 60 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


# ------------------------------------------------------------------------------- the load

API_LISTS = ("customers", "invoices", "payments", "actions", "worklist")


def pages(ids: list[str]) -> Pick:
    """A collector's day: the worklist (its first pages) or a customer's page, half and half."""

    def pick(rng: random.Random) -> tuple[str, str]:
        if rng.random() < 0.5:
            return "worklist", f"/worklist?offset={rng.choice((0, 0, 50))}"
        return "customer", f"/customers/{rng.choice(ids)}"

    return pick


def api_list(kinds: tuple[str, ...]) -> Pick:
    """A program reading pages of 50 of one of `kinds` of list, anywhere in its first 5,000."""

    def pick(rng: random.Random) -> tuple[str, str]:
        kind = rng.choice(kinds)
        return f"api/{kind}", f"/api/{kind}?limit=50&offset={rng.randrange(0, 5_000)}"

    return pick


def _report(title: str, timings: Timings, seconds: float) -> dict[str, float]:
    print(f"  {title}")
    figures: dict[str, float] = {}
    for kind, values in sorted(timings.seconds.items()):
        ms = sorted(value * 1000 for value in values)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        figures[kind] = p95
        print(
            f"    {kind:<14} {len(ms):>6} requests  {len(ms) / seconds:7.1f}/s  "
            f"p50 {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:7.1f} ms"
            f"  failures {timings.failures.get(kind, 0)}"
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=URL)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds a user waits between pages, on average"
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    size = Size(args.invoices, args.customers)
    print(f"web load on {args.url} (load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)")
    if args.rebuild or not ready(args.url, size):
        prepare(args.url, size)
    found = callers(args.url, args.users)
    browsers = [f"Cookie: cobro_session={cookie}" for cookie in found.cookies]
    program = [f"Authorization: Bearer {found.token}"]
    with server(args.url, args.workers) as base:
        # the morning's first page ranks the company (worklist.snapshot); then every process
        # of the server warms up
        httpx.get(f"{base}/worklist", cookies={"cobro_session": found.cookies[0]}, timeout=120)
        run(Load("127.0.0.1", PORT, browsers, 4, 3, pages(found.customer_ids)))
        page_load = Load("127.0.0.1", PORT, browsers, args.users, args.seconds,
                         pages(found.customer_ids), args.think)  # fmt: skip
        page_timings = run(page_load)
        title = f"{args.users} users, a page every {args.think:g} s or so each"
        page_p95 = _report(f"{title}, {args.seconds:.0f} s", page_timings, args.seconds)
        failures = sum(page_timings.failures.values())
        rates: dict[str, float] = {}
        for kinds in [(kind,) for kind in API_LISTS] + [API_LISTS]:
            load = Load("127.0.0.1", PORT, program, args.connections, args.seconds,
                        api_list(kinds))  # fmt: skip
            timings = run(load)
            name = kinds[0] if len(kinds) == 1 else "the five mixed"
            _report(f"{args.connections} API clients, {name}, {args.seconds:.0f} s", timings,
                    args.seconds)  # fmt: skip
            rates[name] = sum(len(v) for v in timings.seconds.values()) / args.seconds
            failures += sum(timings.failures.values())
    worst = max(page_p95.values())
    print(f"  pages p95 {worst:.0f} ms (target ≤ {P95_TARGET_MS:.0f})")
    for name, rate in rates.items():
        verdict = "met" if rate >= API_TARGET else "NOT met"
        print(f"  API {name}: {rate:.0f} requests/s (target ≥ {API_TARGET:.0f}: {verdict})")
    print(f"  failures {failures}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
