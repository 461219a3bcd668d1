"""Crash safety with real processes (issue #3).

The cycle and the worker are killed with SIGKILL at random points, trial after trial, then run
to completion: the decisions are exactly those of a run that was never interrupted, and every
due message reaches the SMTP server once by Message-ID, none lost. A worker killed between
sending and recording leaves its claim to run out, and the next worker sends that message again
with the same Message-ID (ADR 0004): those raw duplicates are allowed, and counted.
With the SMTP server down for a while, messages wait, are retried, and go out once it is back.

The killed processes are forked from a server that has already imported `cobro.cli`
(multiprocessing's forkserver): each is a process of its own running the `cobro` command, killed
like any other, but it starts in milliseconds instead of the seconds an interpreter takes to
import Cobro, so the random kill points fall in the work (transactions, sends) rather than in the
imports. Each command's last run is the installed `cobro` script itself.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cobro.channel.base import Channel
from cobro.channel.files import TextFolderChannel
from cobro.channel.smtp import SmtpChannel
from cobro.cli import main as cobro_main
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.cycle.service import run_cycle
from cobro.db import make_engine, transaction
from cobro.kit.dates import utcnow
from cobro.outbox.claim import claim, due
from cobro.outbox.models import Action, Attempt, Document
from cobro.payment.service import check_ledger
from cobro.policy.models import ChaseSetting
from cobro.task.models import Task
from cobro.worker import run_worker
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.support.databases import committing_database
from tests.support.decisions import decisions
from tests.support.smtp import SmtpTestServer

pytestmark = pytest.mark.slow

# Thursday, Monday, Friday: each day moves some items a stage on
DAYS = (date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 13))
CUSTOMERS = 40
CYCLE_TRIALS_PER_DAY = 9
WORKER_TRIALS = 25
LEASE_S = 1
BATCH = 5
WAIT_S = 60.0  # no process of this file may take longer
# contact at any hour, any day: what is due never waits for the time the suite runs at
ALWAYS = {
    "window_start": "00:00",
    "window_end": "23:59",
    "weekends": True,
    "holidays": True,
    "max_messages": 50,
}
SENDER = "Vendor <cobros@vendor.example>"
COBRO = Path(sys.executable).with_name("cobro")


# ---- the ledger -------------------------------------------------------------------------------


def build_ledger(engine: Engine, customers: int = CUSTOMERS, seed: int = 7) -> None:
    """Customers with a billing contact and 1–3 invoices each, due at or before the first day,
    so the first cycle puts them at every stage up to the firm reminder (email, SMS, call)."""
    rng = random.Random(seed)
    with transaction(engine) as session:
        company = make_company(session, "acme")
        company.email = "cobros@vendor.example"
        session.add(ChaseSetting(company_id=company.id, scope="company", target="", values=ALWAYS))
        for n in range(customers):
            customer = make_customer(session, company, f"C{n:03d}", name=f"Cliente {n}")
            customer.contacts.append(
                Contact(name=f"Contable {n}", email=address(n), phone=f"+3460011{n:04d}")
            )
            for i in range(rng.randint(1, 3)):
                due_on = DAYS[0] - timedelta(days=rng.choice((0, 3, 10, 20, 25)))
                make_invoice(
                    session,
                    company,
                    customer,
                    rng.randint(50, 4_000) * 100,
                    due_on - timedelta(days=30),
                    due_on,
                    number=f"F-{n:03d}-{i}",
                )


def address(n: int) -> str:
    return f"c{n:03d}@debtor.example"


def ledger_breaks(engine: Engine) -> list[Any]:
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        return list(check_ledger(session, company.id))


# ---- processes --------------------------------------------------------------------------------

_forked = multiprocessing.get_context("forkserver")


def _cobro(argv: list[str], env: dict[str, str], log: str) -> None:
    """In the child: the `cobro` command, as the installed script runs it; output to `log`."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.update(env)
    sys.argv = ["cobro", *argv]
    cobro_main()


class Processes:
    """Runs `cobro` commands in processes of their own; none outlives the test."""

    def __init__(self, log: Path, env: dict[str, str]) -> None:
        self.env = env
        self.log = log
        self.started: list[BaseProcess] = []

    def start(self, argv: list[str]) -> BaseProcess:
        process = _forked.Process(target=_cobro, args=(argv, self.env, str(self.log)))
        process.start()
        self.started.append(process)
        return process

    def run(self, argv: list[str], mark: Callable[[], bool] = lambda: True) -> tuple[float, float]:
        """Run to completion, forked; return when `mark` first held, and how long it took."""
        began = time.monotonic()
        process = self.start(argv)
        while not mark() and process.exitcode is None and time.monotonic() - began < WAIT_S:
            time.sleep(0.002)
        marked = time.monotonic() - began
        process.join(WAIT_S)
        self._check(process, argv)
        return marked, time.monotonic() - began

    def kill(
        self,
        argv: list[str],
        after: float,
        once: Callable[[], bool] = lambda: True,
        within: float = WAIT_S,
    ) -> bool:
        """Start, and SIGKILL `after` seconds past the moment `once` holds (or `within` seconds
        have passed); False if it finished first."""
        process = self.start(argv)
        began = time.monotonic()
        while not once() and process.exitcode is None and time.monotonic() - began < within:
            time.sleep(0.001)
        process.join(after)
        if process.exitcode is not None:
            self._check(process, argv)
            return False
        process.kill()
        process.join(WAIT_S)
        if process.exitcode is None:
            pytest.fail(f"cobro {' '.join(argv)} outlived SIGKILL for {WAIT_S}s")
        if process.exitcode == -signal.SIGKILL:
            return True
        self._check(process, argv)  # finished between the join and the kill
        return False

    def run_installed(self, argv: list[str]) -> str:
        """Run the installed `cobro` script to completion (a fresh interpreter); its output."""
        result = subprocess.run(
            [str(COBRO), *argv],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=WAIT_S,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def close(self) -> None:
        for process in self.started:
            if process.exitcode is None:
                process.kill()
                process.join(5)

    def _check(self, process: BaseProcess, argv: list[str]) -> None:
        if process.exitcode is None:
            process.kill()
            pytest.fail(f"cobro {' '.join(argv)} did not finish in {WAIT_S}s")
        if process.exitcode != 0:
            output = self.log.read_text(errors="replace")[-4000:]
            pytest.fail(f"cobro {' '.join(argv)} exited {process.exitcode}:\n{output}")


@contextmanager
def processes(log: Path, env: dict[str, str]) -> Iterator[Processes]:
    running = Processes(log, env)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def forkserver() -> Iterator[None]:
    """A fork server that has imported Cobro, stopped when this module is done."""
    _forked.set_forkserver_preload(["cobro.cli", __name__])
    multiprocessing.forkserver.ensure_running()  # started now, not in the first timed run
    yield
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    stop: Callable[[], None] | None = getattr(server, "_stop", None)
    if stop is not None:
        stop()


# ---- the worker's results ---------------------------------------------------------------------


def wait_out_leases(engine: Engine, *, unless_due: bool) -> float:
    """Sleep just past the lease of every killed worker's claim (unless something else is due
    now); return how long it slept."""
    with transaction(engine) as session:
        now = utcnow()
        if unless_due and session.scalar(
            select(func.count(Action.id)).where(Action.status == "queued", due(now))
        ):
            return 0.0
        until = session.scalar(
            select(func.max(Action.claimed_until)).where(Action.status == "sending")
        )
    if until is None:
        return 0.0
    pause = max(0.0, (until - utcnow()).total_seconds()) + 0.05
    time.sleep(pause)
    return pause


def left_to_do(engine: Engine) -> int:
    with transaction(engine) as session:
        return (
            session.scalar(
                select(func.count(Action.id)).where(Action.status.in_(("queued", "sending")))
            )
            or 0
        )


def outcomes(engine: Engine) -> list[tuple[Any, ...]]:
    """Each action's final status and what it delivered, keyed without row ids."""
    with transaction(engine) as session:
        rows = session.execute(
            select(
                Customer.external_id, Action.stage, Action.kind, Action.cycle_on, Action.status
            ).join(Customer, Customer.id == Action.customer_id)
        )
        tasks = session.execute(
            select(Customer.external_id, Task.kind, Task.title).join(
                Customer, Customer.id == Task.customer_id
            )
        )
        return sorted(tuple(row) for row in rows) + sorted(("task", *row) for row in tasks)


def has_received(server: SmtpTestServer, count: int) -> Callable[[], bool]:
    return lambda: len(server.messages) >= count


def assert_each_delivered_once(engine: Engine, server: SmtpTestServer, mail_dir: Path) -> None:
    received = server.by_message_id()
    with transaction(engine) as session:
        actions = session.scalars(select(Action)).all()
        assert [a.key for a in actions if a.status in ("queued", "sending")] == []
        emails = [a for a in actions if a.kind == "email"]
        assert emails
        assert {a.status for a in emails} == {"sent"}
        sent_ids = [a.provider_id for a in emails]
        # one Message-ID per action, each received, and nothing received that no action sent
        assert len(set(sent_ids)) == len(emails)
        assert set(received) == set(sent_ids)
        customers = {c.id: c.external_id for c in session.scalars(select(Customer))}
        for action in emails:
            assert action.provider_id is not None
            mail = received[action.provider_id]
            number = int(customers[action.customer_id][1:])
            assert mail.rcpt_tos == (address(number),)
        # the SMS went to files named after their action: a resend overwrote, not added
        texts = [a for a in actions if a.kind == "sms"]
        assert {a.status for a in texts} <= {"sent"}
        assert {p.name for p in mail_dir.glob("sms-*.txt")} == {f"sms-{a.key}.txt" for a in texts}
        # one document kept per message that went out, one task per call
        documents = Counter(session.scalars(select(Document.action_id)))
        assert documents == Counter(a.id for a in actions if a.kind in ("email", "sms"))
        calls = [a for a in actions if a.kind == "call_task"]
        assert calls
        tasks = Counter(session.scalars(select(Task.action_id).where(Task.kind == "call")))
        assert tasks == Counter(a.id for a in calls if a.status == "sent")


# ---- the tests --------------------------------------------------------------------------------


@dataclass
class Tally:
    cycle_trials: int = 0
    cycle_killed: int = 0
    worker_trials: int = 0
    worker_killed: int = 0
    progressed: int = 0  # worker trials that sent or recorded something before the kill
    slept: float = 0.0  # waiting out the leases of killed workers


@pytest.mark.usefixtures("forkserver")
def test_killing_the_cycle_and_the_worker_at_random_points_loses_and_doubles_nothing(
    own_url: str, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    mail_dir = tmp_path / "mail"
    env = {
        "COBRO_DATABASE_URL": own_url,
        "COBRO_SMTP_URL": smtp_server.url,
        "COBRO_MAIL_FROM": SENDER,
        "COBRO_MAIL_DIR": str(mail_dir),
        "COBRO_LETTER_DIR": str(tmp_path / "letters"),
    }
    began = time.monotonic()
    with (
        committing_database(tmp_path) as reference_url,
        SmtpTestServer() as reference_server,
        processes(tmp_path / "trials.log", env) as trials,
        processes(
            tmp_path / "clean.log",
            {
                **env,
                "COBRO_DATABASE_URL": reference_url,
                "COBRO_SMTP_URL": reference_server.url,
                "COBRO_MAIL_DIR": str(tmp_path / "reference-mail"),
            },
        ) as clean,
    ):
        engine = make_engine(own_url)
        reference = make_engine(reference_url)
        try:
            build_ledger(engine)
            build_ledger(reference)
            rng = random.Random(20260305)
            tally = Tally()

            kill_the_cycle(trials, clean, rng, tally)
            found = decisions(engine)
            assert found == decisions(reference)
            assert len({row[:4] for row in found.actions}) == len(found.actions)
            assert len({row[:2] for row in found.steps}) == len(found.steps)
            assert ledger_breaks(engine) == []

            kill_the_worker(trials, clean, engine, smtp_server, reference_server, rng, tally)
            assert_each_delivered_once(engine, smtp_server, mail_dir)
            assert outcomes(engine) == outcomes(reference)
            assert ledger_breaks(engine) == []
        finally:
            engine.dispose()
            reference.dispose()
    assert tally.cycle_trials + tally.worker_trials >= 50
    # a killed worker leaves at most the round it was in unrecorded, and a later worker resends
    # that once: never more than a batch of duplicates per kill
    duplicates = len(smtp_server.messages) - len(smtp_server.by_message_id())
    assert duplicates <= BATCH * tally.worker_killed
    print(
        f"\ncrash safety: {tally.cycle_trials} cycle trials ({tally.cycle_killed} killed), "
        f"{tally.worker_trials} worker trials ({tally.worker_killed} killed, {tally.progressed} "
        f"made progress, {tally.slept:.1f}s waiting out leases); "
        f"{len(smtp_server.by_message_id())} emails delivered, {duplicates} raw duplicates; "
        f"{time.monotonic() - began:.1f}s"
    )


def kill_the_cycle(trials: Processes, clean: Processes, rng: random.Random, tally: Tally) -> None:
    """Each day: a clean run on the reference database to time it, then cycles killed at random
    points of that time, then one run through (the last day's by the installed script)."""
    clean.run(["cycle", "--on", DAYS[0].isoformat(), "--dry-run"])  # caches warm for the timing
    for n, day in enumerate(DAYS):
        argv = ["cycle", "--on", day.isoformat()]
        _, took = clean.run(argv)
        for _ in range(CYCLE_TRIALS_PER_DAY):
            # a trial that outruns its kill runs the day through; the next ones rerun it
            tally.cycle_killed += trials.kill(argv, after=rng.uniform(0.0, 0.9 * took))
            tally.cycle_trials += 1
        if n == len(DAYS) - 1:
            trials.run_installed(argv)
        else:
            trials.run(argv)
    assert tally.cycle_killed >= tally.cycle_trials // 3, "the kills came too late to test much"


def kill_the_worker(
    trials: Processes,
    clean: Processes,
    engine: Engine,
    server: SmtpTestServer,
    reference_server: SmtpTestServer,
    rng: random.Random,
    tally: Tally,
) -> None:
    """A clean run on the reference database, timed to its first message out; then workers
    killed before their first message or just after their n-th; then one run through, by the
    installed script, once every lease has run out."""
    worker = ["worker", "--once", "--batch", str(BATCH), "--lease", str(LEASE_S)]
    first, took = clean.run(worker, lambda: bool(reference_server.messages))
    assert len(reference_server.messages) == len(reference_server.by_message_id())
    _, idle = clean.run(worker)  # starting, finding nothing due, stopping
    # the time a round of sends takes, bounded so that a slow moment of the machine during this
    # run cannot let the trials get through all the work
    per_round = min((took - first) / len(reference_server.messages) * BATCH, 0.1)
    for _ in range(WORKER_TRIALS):
        tally.slept += wait_out_leases(engine, unless_due=True)
        before = left_to_do(engine), len(server.messages)
        if rng.random() < 0.3:
            # starting, claiming, composing: at a random moment, at the latest on the first send
            killed = trials.kill(
                worker,
                after=0.0,
                once=has_received(server, before[1] + 1),
                within=rng.uniform(idle / 2, first),
            )
        else:
            # before the n-th message is recorded, or later in the round: more sends, the
            # recording, the next claim
            n = before[1] + rng.randint(1, 3)
            killed = trials.kill(
                worker, after=rng.uniform(0.0, per_round), once=has_received(server, n)
            )
        tally.worker_trials += 1
        tally.worker_killed += killed
        tally.progressed += (left_to_do(engine), len(server.messages)) != before
    assert tally.worker_killed >= WORKER_TRIALS // 2, "the kills came too late to test much"
    wait_out_leases(engine, unless_due=False)
    trials.run_installed(worker)


def noon(on: date) -> datetime:
    return datetime(on.year, on.month, on.day, 12, tzinfo=UTC)


def test_messages_wait_while_the_smtp_server_is_down_and_go_out_once_it_is_back(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    build_ledger(own_engine, customers=8)
    day = DAYS[0]
    with transaction(own_engine) as session:
        company = session.scalars(select(Company)).one()
        run_cycle(session, company, day)
    email = SmtpChannel(smtp_server.url, sender=SENDER)
    channels: dict[str, Channel] = {"email": email, "sms": TextFolderChannel(tmp_path, "sms")}
    try:
        smtp_server.stop()
        at = noon(day)
        down = run_worker(own_engine, channels, once=True, clock=lambda: at)
        emails = down.by_channel[("email", "retry")]
        assert emails > 0
        assert down.by_channel[("email", "sent")] == 0
        with transaction(own_engine) as session:
            waiting = emails_of(session)
            assert len(waiting) == emails
            for action in waiting:
                assert (action.status, action.attempts) == ("queued", 1)
                assert action.not_before == at + timedelta(minutes=1)
                assert action.claimed_by is None
                assert f"{smtp_server.host}:{smtp_server.port}" in (action.last_error or "")
            retries = session.scalars(select(Attempt).where(Attempt.outcome == "retry")).all()
            assert sorted(r.action_id for r in retries) == sorted(a.id for a in waiting)

        # still down a minute later: tried again, and the wait doubles
        at += timedelta(minutes=1)
        again = run_worker(own_engine, channels, once=True, clock=lambda: at)
        assert again.by_channel == {("email", "retry"): emails}
        with transaction(own_engine) as session:
            for action in emails_of(session):
                assert (action.status, action.attempts) == ("queued", 2)
                assert action.not_before == at + timedelta(minutes=2)

        # back up: nothing goes out before the wait is over, then everything, once
        smtp_server.start()
        early = run_worker(own_engine, channels, once=True, clock=lambda: at)
        assert early.rounds == 0
        at += timedelta(minutes=2, seconds=1)
        back = run_worker(own_engine, channels, once=True, clock=lambda: at)
        assert back.by_channel == {("email", "sent"): emails}
        assert len(smtp_server.messages) == emails
        with transaction(own_engine) as session:
            sent = emails_of(session)
            assert {a.status for a in sent} == {"sent"}
            assert set(smtp_server.by_message_id()) == {a.provider_id for a in sent}
    finally:
        email.close()


def emails_of(session: Session) -> list[Action]:
    return list(session.scalars(select(Action).where(Action.kind == "email")).all())


def test_a_claim_takes_its_batch_and_no_more_and_skips_what_another_worker_holds(
    own_engine: Engine,
) -> None:
    """On PostgreSQL, `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` once claimed the whole
    outbox for a batch of 5: the semi-join rescanned the subquery for every row it updated."""
    build_ledger(own_engine, customers=12)
    with transaction(own_engine) as session:
        run_cycle(session, session.scalars(select(Company)).one(), DAYS[0])
    now = utcnow()
    postgresql = own_engine.dialect.name == "postgresql"
    with transaction(own_engine) as session:
        assert (session.scalar(select(func.count(Action.id)).where(due(now))) or 0) > 3 * BATCH
        one = claim(session, "one", now, BATCH)
        if postgresql:  # while "one" still holds its rows, "two" skips them, not waits
            with transaction(own_engine) as other:
                two = claim(other, "two", now, BATCH)
    if not postgresql:  # SQLite has one writer at a time: "two" claims once "one" committed
        with transaction(own_engine) as session:
            two = claim(session, "two", now, BATCH)
    assert len(one) == len(two) == BATCH
    assert not set(one) & set(two)
    with transaction(own_engine) as session:
        holders = session.scalars(select(Action.claimed_by).where(Action.status == "sending"))
        assert Counter(holders) == {"one": BATCH, "two": BATCH}
