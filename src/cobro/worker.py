"""`cobro worker`: carry out what the cycle queued, exactly once per action.

Each round is three short transactions: claim a batch (committed, so other workers skip it),
prepare it (re-check against the ledger, compose, or carry out actions that need no channel),
then — after sending, outside any transaction — record every outcome. A crash anywhere leaves
each action either untouched, done and recorded, or claimed under a lease that runs out; see
`cobro.outbox.claim` for why a message resent after a crash is still delivered once.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from threading import Event

import typer
from rich import box
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from cobro.channel.base import Channel, DeliveryError, Receipt
from cobro.channel.letter import gather_print_file
from cobro.channel.registry import (
    ChannelSettings,
    build_channels,
    channel_settings,
    close_channels,
)
from cobro.config import load_settings
from cobro.db import describe_db_error, make_engine, transaction
from cobro.edge import CompanyOption, company_of, console, fail, unit_of_work
from cobro.errors import CobroError
from cobro.kit.dates import utcnow
from cobro.notice.links import MessageLinks
from cobro.outbox.claim import DEFAULT_LEASE, claim, waiting
from cobro.outbox.service import MAX_ATTEMPTS, Job, Outcome, Preparer, backoff, record_round
from cobro.report.weekly import queue_due_weekly_reports
from cobro.scoring.daily import score_due_companies
from cobro.settings.channels import StoredChannels
from cobro.webhook.deliver import Sender, deliver_round
from cobro.webhook.models import Delivery

LETTERS = ("letter", "registered_letter")


@dataclass
class WorkerReport:
    outcomes: Counter[str] = field(default_factory=Counter)  # sent, retry, failed, cancelled…
    by_channel: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, outcome)
    rounds: int = 0
    print_files: list[Path] = field(default_factory=list)
    waiting: int = 0  # queued for later when the worker stopped
    next_at: datetime | None = None
    weekly_reports: int = 0  # weekly management reports queued (report day)
    weekly_errors: list[str] = field(default_factory=list)
    scored: int = 0  # companies scored (once a day each)


WEEKLY_CHECK = timedelta(hours=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker(
    engine: Engine,
    channels: Mapping[str, Channel],
    *,
    once: bool = False,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
    poll: float = 5.0,
    clock: Callable[[], datetime] = utcnow,
    worker: str | None = None,
    company_id: int | None = None,
    letter_dir: Path | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    links: MessageLinks | None = None,
    stored: StoredChannels | None = None,
) -> WorkerReport:
    """Work until stopped; with `once`, until nothing is due now (for cron). `stored`: the
    channels of companies that set their own on the settings page (else `channels`)."""
    name = worker or worker_name()
    report = WorkerReport()
    letter_days: set[tuple[str, str]] = set()
    sender = Sender(channels.get("email"))  # webhooks and account emails (cobro.webhook)
    next_weekly = clock()  # the weekly reports are looked at once at the start, then hourly
    while not should_stop():
        if clock() >= next_weekly:
            _weekly_reports(engine, clock(), company_id, report)
            if not once:  # a cron setup schedules `cobro model score` itself, as the cycle
                _daily_scores(engine, clock(), company_id, report)
            next_weekly = clock() + WEEKLY_CHECK
        with transaction(engine) as session:
            ids = claim(session, name, clock(), batch, lease, company_id)
            hooks = claim(session, name, clock(), batch, lease, company_id, table=Delivery)
        for channel, outcome in deliver_round(
            engine, sender, hooks, name, clock, backoff, MAX_ATTEMPTS
        ):
            report.outcomes[outcome] += 1
            report.by_channel[(channel, outcome)] += 1
        if not ids and hooks:
            continue
        if not ids:
            # a print file is rebuilt once the day's letters are out, not after every round
            _gather_letters(letter_days, letter_dir, report)
            if once:
                break
            time.sleep(poll)
            continue
        report.rounds += 1
        with transaction(engine) as session:
            prepared = Preparer(session, name, clock(), links).prepare(ids)
            routes = stored.for_actions(session, ids) if stored is not None else {}
        report.outcomes.update(prepared.outcomes)
        results = [(job, _send(routes.get(job.action_id, channels), job)) for job in prepared.jobs]
        # reads, then writes: on SQLite, wait for another writer rather than fail and resend
        with transaction(engine, writes=True) as session:
            recorded = record_round(session, results, name, clock())
        for (job, _result), outcome in zip(results, recorded, strict=True):
            report.outcomes[outcome] += 1
            report.by_channel[(job.composed.message.channel, outcome)] += 1
        letter_days |= _letter_days(results)
    sender.close()
    _gather_letters(letter_days, letter_dir, report)
    with transaction(engine) as session:
        report.waiting, report.next_at = waiting(session, clock(), company_id)
    return report


def _weekly_reports(
    engine: Engine, now: datetime, company_id: int | None, report: WorkerReport
) -> None:
    """Queue the weekly reports due today. A report that cannot be built (a missing FX
    rate, a database error) is noted and tried again next hour: it never stops the worker
    from sending the outbox."""
    try:
        with transaction(engine, writes=True) as session:
            mailings = queue_due_weekly_reports(session, now, company_id)
        report.weekly_reports += sum(len(mailing.queued) for mailing in mailings)
    except (CobroError, SQLAlchemyError) as error:
        report.weekly_errors.append(str(error))


def _daily_scores(
    engine: Engine, now: datetime, company_id: int | None, report: WorkerReport
) -> None:
    """Score each company once a day (grades, pay days, payment runs, cash forecast), after
    retraining its model when the one in use is over a month old. Like the weekly reports, a
    failure is noted and tried again next hour, never a reason to stop sending."""
    try:
        with transaction(engine, writes=True) as session:
            done = score_due_companies(session, now, company_id)
        report.scored += len(done)
    except (CobroError, SQLAlchemyError) as error:
        report.weekly_errors.append(f"scoring: {error}")


def _send(channels: Mapping[str, Channel], job: Job) -> Receipt | DeliveryError:
    message = job.composed.message
    try:
        return channels[message.channel].send(message)
    except DeliveryError as error:
        return error


def _letter_days(results: list[Outcome]) -> set[tuple[str, str]]:
    """(day, kind) of every letter that went out in a round."""
    return {
        (message.on, message.channel)
        for job, result in results
        if isinstance(result, Receipt)
        and (message := job.composed.message).channel in LETTERS
        and message.on is not None
    }


def _gather_letters(
    days: set[tuple[str, str]], letter_dir: Path | None, report: WorkerReport
) -> None:
    """Rebuild the print file of each (day, kind) that got letters, then forget them."""
    if letter_dir is not None:
        for on, kind in sorted(days):
            path = gather_print_file(letter_dir, on, kind)
            if path is not None and path not in report.print_files:
                report.print_files.append(path)
    days.clear()


def worker_command(
    once: bool = typer.Option(
        False, "--once", help="Send what is due now, then stop (for cron or a systemd timer)."
    ),
    batch: int = typer.Option(50, "--batch", min=1, max=1000, help="Actions claimed per round."),
    poll: float = typer.Option(5.0, "--poll", min=0.1, help="Seconds to wait when idle."),
    lease: float = typer.Option(
        300.0,
        "--lease",
        min=1.0,
        help="Seconds a claim holds before another worker may take the action up again.",
    ),
    company: str | None = CompanyOption,
) -> None:
    """Send and carry out the actions the cycle queued, once each, retrying what fails for a
    passing reason. Channels come from COBRO_SMTP_URL, COBRO_SMS_GATEWAY_URL… (see the user
    guide); without COBRO_SMTP_URL emails are written as .eml files to COBRO_MAIL_DIR."""
    url = load_settings().database_url
    links = message_links()
    try:
        settings = channel_settings(os.environ)
        with unit_of_work() as session:
            company_id = None if company is None else company_of(session, company).id
    except CobroError as exc:
        fail(exc.message)
    channels = build_channels(settings)
    stored = StoredChannels(settings)
    engine = make_engine(url)
    stop = Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        report = run_worker(
            engine,
            channels,
            once=once,
            batch=batch,
            poll=poll,
            lease=timedelta(seconds=lease),
            company_id=company_id,
            letter_dir=settings.letter_dir,
            should_stop=stop.is_set,
            stored=stored,
            links=links,
        )
    except CobroError as exc:
        fail(exc.message)
    except SQLAlchemyError as exc:
        fail(describe_db_error(exc, url).message)
    finally:
        close_channels(channels)
        stored.close()
        engine.dispose()
    print_worker_report(report, settings)


def message_links() -> MessageLinks:
    """Each message's portal link, signed with the web app's key: without COBRO_SECRET_KEY
    the app could not check them, so messages go without one (said once, here)."""
    settings = load_settings()
    if settings.secret_key is None:
        console.print("COBRO_SECRET_KEY is not set: messages go without a portal link.")
    return MessageLinks(settings.secret_key, settings.base_url)


def print_worker_report(report: WorkerReport, settings: ChannelSettings) -> None:
    table = Table(title="Worker", box=box.SIMPLE_HEAD)
    table.add_column("channel")
    outcomes = sorted({outcome for _channel, outcome in report.by_channel})
    for outcome in outcomes:
        table.add_column(outcome, justify="right")
    for channel in sorted({channel for channel, _outcome in report.by_channel}):
        table.add_row(channel, *(str(report.by_channel[(channel, o)] or "") for o in outcomes))
    if report.by_channel:
        console.print(table)
    done = ", ".join(f"{count} {outcome}" for outcome, count in sorted(report.outcomes.items()))
    console.print(f"Outbox: {done or 'nothing was due'}.")
    if not settings.smtp_url and report.by_channel[("email", "sent")]:
        console.print(f"Emails were written to {settings.mail_dir}/ (set COBRO_SMTP_URL to send).")
    for path in report.print_files:
        console.print(f"Print file for the post: {path}")
    if report.weekly_reports:
        console.print(f"Weekly management report queued for {report.weekly_reports} people.")
    if report.scored:
        console.print(f"Scored {report.scored} compan{'y' if report.scored == 1 else 'ies'}.")
    for error in report.weekly_errors:
        console.print(f"The weekly report could not be built: {error}")
    if report.waiting and report.next_at is not None:
        console.print(
            f"{report.waiting} actions wait for their send window or a retry; the first is due "
            f"at {report.next_at:%Y-%m-%d %H:%M} UTC (run the worker again then, or keep it "
            "running)."
        )
