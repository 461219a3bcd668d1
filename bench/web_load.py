"""The web app under load, on PostgreSQL with 100k customers and 1M invoices.

Targets (the web app issue): the worklist and the customer pages answer with p95 ≤ 150 ms under
20 concurrent signed-in users; the API's list endpoints serve ≥ 300 requests/s on 2 cores, the
load coming from a second process on loopback.

The data is cycle_1m.py's (one company, `--customers`, `--invoices` open items of every age,
the settled history the grades read), then one collection cycle, so that the worklist has
stages, actions and tasks to rank. It is built once into the database `cobro_bench_web` and
kept (`--rebuild` builds it again). The server is `cobro serve` in its own process(es)
(`--workers`); this process is the load: `--users` signed-in browsers that each ask for a page,
wait for it, and ask for the next, for `--seconds`; then `--connections` API clients with a
token, as fast as answers come. Each user has its own web session (made in the database, not
through /login: the sign-in rate limit is for people).

Usage: python bench/web_load.py [--users 20] [--seconds 30] [--connections 16] [--workers 2]
       [--invoices N] [--customers M] [--rebuild] [--url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from _demo_db import ON
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


@dataclass
class Timings:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        self.seconds.setdefault(kind, []).append(seconds)
        if not ok:
            self.failures[kind] = self.failures.get(kind, 0) + 1


Request = Callable[[httpx.AsyncClient, random.Random], Awaitable[tuple[str, bool]]]


async def _loop(
    client: httpx.AsyncClient,
    ask: Request,
    timings: Timings,
    until: float,
    seed: int,
    think: float,
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, think))  # users do not all start on the same tick
    while time.monotonic() < until:
        started = time.perf_counter()
        kind, ok = await ask(client, rng)
        timings.add(kind, time.perf_counter() - started, ok)
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


def page_request(ids: list[str]) -> Request:
    async def ask(client: httpx.AsyncClient, rng: random.Random) -> tuple[str, bool]:
        if rng.random() < 0.5:
            response = await client.get("/worklist", params={"offset": rng.choice((0, 0, 50))})
            return "worklist", response.status_code == 200
        response = await client.get(f"/customers/{rng.choice(ids)}")
        return "customer", response.status_code == 200

    return ask


def api_request(ids: list[str]) -> Request:
    async def ask(client: httpx.AsyncClient, rng: random.Random) -> tuple[str, bool]:
        offset = rng.randrange(0, 5_000)
        kind = rng.choice(("customers", "invoices", "worklist"))
        response = await client.get(f"/api/{kind}", params={"limit": 50, "offset": offset})
        return f"api/{kind}", response.status_code == 200

    return ask


async def drive(
    base: str,
    clients: list[dict[str, dict[str, str]]],
    ask: Request,
    seconds: float,
    think: float = 0.0,
) -> Timings:
    timings = Timings()
    until = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    sessions = [
        httpx.AsyncClient(base_url=base, timeout=30, limits=limits, **options)  # type: ignore[arg-type]
        for options in clients
    ]
    try:
        await asyncio.gather(
            *(_loop(c, ask, timings, until, seed, think) for seed, c in enumerate(sessions))
        )
    finally:
        for client in sessions:
            await client.aclose()
    return timings


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
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    size = Size(args.invoices, args.customers)
    print(f"web load on {args.url} (load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)")
    if args.rebuild or not ready(args.url, size):
        prepare(args.url, size)
    found = callers(args.url, args.users)
    with server(args.url, args.workers) as base:
        browsers = [{"cookies": {"cobro_session": cookie}} for cookie in found.cookies]
        # the morning's first page ranks the company (worklist.snapshot); then every process
        # of the server warms up
        httpx.get(f"{base}/worklist", cookies=browsers[0]["cookies"], timeout=120)
        asyncio.run(drive(base, browsers[:4], page_request(found.customer_ids), 3))
        pages = asyncio.run(
            drive(base, browsers, page_request(found.customer_ids), args.seconds, args.think)
        )
        title = (
            f"{args.users} users, a page every {args.think:g} s or so each, {args.seconds:.0f} s"
        )
        page_p95 = _report(title, pages, args.seconds)
        programs = [{"headers": {"Authorization": f"Bearer {found.token}"}}] * args.connections
        api = asyncio.run(drive(base, programs, api_request(found.customer_ids), args.seconds))
        _report(f"{args.connections} API clients, {args.seconds:.0f} s", api, args.seconds)
    rate = sum(len(values) for values in api.seconds.values()) / args.seconds
    failures = sum(pages.failures.values()) + sum(api.failures.values())
    worst = max(page_p95.values())
    print(
        f"  pages p95 {worst:.0f} ms (target ≤ {P95_TARGET_MS:.0f}); API {rate:.0f} requests/s "
        f"(target ≥ {API_TARGET:.0f}); failures {failures}"
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
