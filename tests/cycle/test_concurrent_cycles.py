"""Two `cobro cycle` processes for the same day, started at the same moment (two cron hosts, a
retry that overlaps a slow run): together they decide exactly what one run decides, nothing
twice, and neither fails. On the suite's database: SQLite by default, PostgreSQL when the suite
runs against it (`make test` does both), where the two transactions truly overlap and the
unique keys (`ON CONFLICT DO NOTHING`) have to hold the line.

The processes are spawned (a fresh interpreter each, nothing inherited but the arguments),
import Cobro, then wait on a barrier so that both start the command at once.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from cobro.company.models import Company
from cobro.customer.models import Contact
from cobro.cycle.service import run_cycle
from cobro.db import make_engine, transaction
from cobro.outbox.models import Action
from cobro.policy.models import ChaseSetting
from cobro.policy.service import ensure_default_policy
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.support.databases import committing_database
from tests.support.decisions import Decisions, decisions

pytestmark = pytest.mark.slow

DAY = date(2026, 3, 12)  # a Thursday
CUSTOMERS = 120
WAIT_S = 120.0
# contact at any hour: every action is queued for the day, none waits on a window
ALWAYS = {"window_start": "00:00", "window_end": "23:59", "weekends": True, "holidays": True}
_spawned = multiprocessing.get_context("spawn")


def build_ledger(engine: Engine, first_cycle: bool, seed: int = 11) -> int:
    """Customers with 1–5 invoices each, due from 95 days before `DAY` to 5 days after it (every
    stage of the default policy, the preventive one included); returns the number of invoices.
    Unless it is the company's `first_cycle`, its default policy has been saved already."""
    rng = random.Random(seed)
    invoices = 0
    with transaction(engine) as session:
        company = make_company(session, "acme")
        if not first_cycle:
            ensure_default_policy(session, company)
        session.add(ChaseSetting(company_id=company.id, scope="company", target="", values=ALWAYS))
        for n in range(CUSTOMERS):
            kind = "consumer" if n % 4 == 0 else "business"
            customer = make_customer(session, company, f"C{n:03d}", name=f"Cliente {n}", kind=kind)
            customer.contacts.append(Contact(name=f"Contable {n}", email=f"c{n}@debtor.example"))
            for i in range(rng.randint(1, 5)):
                due_on = DAY - timedelta(days=rng.randint(-5, 95))
                make_invoice(
                    session,
                    company,
                    customer,
                    rng.randint(50, 9_000) * 100,
                    due_on - timedelta(days=30),
                    due_on,
                    number=f"F-{n:03d}-{i}",
                )
                invoices += 1
    return invoices


def _cycle(url: str, day: str, barrier: Barrier, log: str) -> None:
    """In the spawned child: import Cobro, wait for the other, run `cobro cycle --on DAY`."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ["COBRO_DATABASE_URL"] = url
    os.environ.pop("COBRO_COMPANY", None)
    os.environ["COLUMNS"] = "200"
    from cobro.cli import main  # imported before the barrier: not part of the race

    barrier.wait(WAIT_S)
    sys.argv = ["cobro", "cycle", "--on", day]
    main()


def run_together(url: str, day: date, folder: Path) -> list[tuple[int | None, str]]:
    """Run two cycles for `day` at once; (exit code, output) of each."""
    barrier = _spawned.Barrier(2)
    logs = [folder / f"cycle-{n}.log" for n in range(2)]
    processes = [
        _spawned.Process(target=_cycle, args=(url, day.isoformat(), barrier, str(log)))
        for log in logs
    ]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.join(WAIT_S)
    finally:
        for process in processes:
            if process.exitcode is None:
                process.kill()
                process.join(5)
    return [
        (process.exitcode, log.read_text(errors="replace") if log.exists() else "")
        for process, log in zip(processes, logs, strict=True)
    ]


def reported_created(output: str) -> int:
    found = re.search(r"(\d+) new actions in the outbox", output)
    assert found is not None, output
    return int(found[1])


@dataclass(frozen=True)
class Overlap:
    results: list[tuple[int | None, str]]  # (exit code, output) of each run
    single: int  # the actions one run queues on an identical ledger
    expected: Decisions  # what one run decides there
    found: Decisions  # what the two runs decided together
    third: int  # the actions a third run queued afterwards
    total: int  # the actions in the outbox in the end


def overlap(url: str, folder: Path, first_cycle: bool) -> Overlap:
    """Two cycles at once on `url`, one alone on an identical ledger, then a third run."""
    engine = make_engine(url)
    with committing_database(folder) as reference_url:
        reference = make_engine(reference_url)
        try:
            invoices = build_ledger(engine, first_cycle)
            assert build_ledger(reference, first_cycle) == invoices >= 300
            with transaction(reference) as session:
                single = run_cycle(session, session.scalars(select(Company)).one(), DAY)
            assert single.created > 100  # enough work for the two runs to overlap
            results = run_together(url, DAY, folder)
            found = decisions(engine)
            with transaction(engine) as session:
                third = run_cycle(session, session.scalars(select(Company)).one(), DAY)
                total = session.scalar(select(func.count(Action.id))) or 0
            return Overlap(
                results, single.created, decisions(reference), found, third.created, total
            )
        finally:
            engine.dispose()
            reference.dispose()


@pytest.mark.parametrize("first_cycle", [False, True], ids=["steady", "first-cycle"])
def test_two_cycles_for_the_same_day_at_once_decide_what_one_decides(
    own_url: str, tmp_path: Path, first_cycle: bool
) -> None:
    run = overlap(own_url, tmp_path, first_cycle)
    for code, output in run.results:
        assert code == 0, output
        assert "error" not in output.lower(), output
    assert run.found == run.expected
    # each idempotency key once
    assert len({row[:4] for row in run.found.actions}) == len(run.found.actions)
    assert len({row[:2] for row in run.found.steps}) == len(run.found.steps)
    assert run.third == 0
    assert run.total == run.single


def test_two_cycles_at_once_report_between_them_what_they_queued(
    own_url: str, tmp_path: Path
) -> None:
    run = overlap(own_url, tmp_path, first_cycle=False)
    assert [code for code, _ in run.results] == [0, 0], run.results
    # "N new actions in the outbox": one run says what it queued, the other 0 (or what it did)
    assert sum(reported_created(output) for _, output in run.results) == run.single


@pytest.fixture
def own_url(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own (the runs commit): SQLite, or a schema on PostgreSQL."""
    with committing_database(tmp_path) as url:
        yield url
