"""The weekly management report: on the company's report day each admin and manager gets one
email with the headline figures and the PDF, once per week however often it is asked for;
collectors and people switched off get none; the worker queues and sends it."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.channel.base import Channel
from cobro.channel.smtp import SmtpChannel
from cobro.cli import app as cli_app
from cobro.company.models import Company
from cobro.db import make_engine, transaction
from cobro.errors import Invalid
from cobro.report.models import ReportMailing
from cobro.report.weekly import (
    _queue_one,
    iso_week,
    parse_weekday,
    queue_due_weekly_reports,
    queue_weekly_report,
    set_report_day,
)
from cobro.webhook.models import Delivery
from cobro.worker import run_worker
from tests.factories.access import make_user
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused
from tests.support.smtp import SmtpTestServer

MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


def people(session: Session, company: Company) -> dict[str, str]:
    """An admin, a manager (Spanish), a collector and a manager who left."""
    found = {role: make_user(session, company, role).email for role in ("admin", "manager")}
    found["collector"] = make_user(session, company, "collector").email
    gone = make_user(session, company, "manager")
    gone.active = False
    spanish = make_user(session, company, "manager", email="jefa@example.com")
    spanish.language = "es"
    found["spanish"] = spanish.email
    customer = make_customer(session, company)
    make_invoice(session, company, customer, 1000_00, date(2026, 10, 1), date(2026, 10, 31))
    session.flush()
    return found


def deliveries(session: Session, company: Company) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery).where(Delivery.company_id == company.id).order_by(Delivery.id)
        )
    )


def test_admins_and_managers_get_it_once_a_week(session: Session, company: Company) -> None:
    who = people(session, company)
    mailing = queue_weekly_report(session, company, MONDAY, NOW)
    assert sorted(mailing.queued) == sorted([who["admin"], who["manager"], who["spanish"]])
    assert mailing.week == "2026-W48"
    sent = deliveries(session, company)
    assert {d.event for d in sent} == {"report.weekly"}
    english = next(d for d in sent if d.target == who["admin"])
    assert english.subject == f"Weekly receivables report — {company.name}, week 2026-W48"
    assert english.payload is not None
    assert "EUR: open 1,000.00, 100.00 % overdue" in english.payload
    assert "2026-09-01 – 2026-11-22" in english.payload  # three months up to yesterday
    assert english.attachment is not None
    assert english.attachment.startswith(b"%PDF")
    assert english.attachment_name == f"cobro-report-{company.code}-2026-W48.pdf"
    spanish = next(d for d in sent if d.target == who["spanish"])
    assert spanish.subject is not None
    assert spanish.subject.startswith("Informe semanal de cobros")
    # asked for again in the same week: nothing new; the next week: again
    assert queue_weekly_report(session, company, MONDAY + timedelta(days=3), NOW).queued == ()
    assert len(queue_weekly_report(session, company, MONDAY + timedelta(days=7), NOW).queued) == 3


def test_a_week_another_process_claimed_is_not_queued_twice(
    session: Session, company: Company
) -> None:
    who = people(session, company)
    admin = session.scalars(
        select(ReportMailing.user_id).where(ReportMailing.company_id == company.id)
    ).first()
    assert admin is None
    user_id = make_user(session, company, "admin").id
    session.add(ReportMailing(company_id=company.id, week="2026-W48", user_id=user_id,
                              created_at=NOW))  # fmt: skip
    session.flush()
    recipient = (user_id, "late@example.com", "en")
    assert not _queue_one(session, company, "2026-W48", recipient, b"%PDF", [], NOW)
    assert who["admin"] not in [d.target for d in deliveries(session, company)]


def test_only_on_the_report_day_and_never_when_off(session: Session, company: Company) -> None:
    people(session, company)
    tuesday = NOW + timedelta(days=1)
    assert [m.queued for m in queue_due_weekly_reports(session, tuesday, company.id)] == []
    set_report_day(session, company, 1, NOW)  # Tuesday
    [mailing] = queue_due_weekly_reports(session, tuesday, company.id)
    assert len(mailing.queued) == 3
    set_report_day(session, company, None, NOW)
    assert queue_due_weekly_reports(session, tuesday + timedelta(days=7), company.id) == []
    with pytest.raises(Invalid):
        set_report_day(session, company, 7, NOW)
    assert (parse_weekday("Friday"), parse_weekday("off"), iso_week(date(2027, 1, 1))) == (
        4, None, "2026-W53",
    )  # fmt: skip
    with pytest.raises(ValueError, match="weekday"):
        parse_weekday("someday")


@pytest.fixture
def smtp() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


def test_the_worker_queues_and_sends_it_with_the_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpTestServer
) -> None:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        make_user(session, company, "manager", email="boss@example.com")
        make_user(session, company, "collector", email="ana@example.com")
    engine = make_engine(url)
    channels: dict[str, Channel] = {"email": SmtpChannel(smtp.url, sender="cobro@example.com")}
    try:
        for _ in range(2):  # a second worker run the same day sends nothing more
            run_worker(engine, channels, once=True, clock=lambda: NOW)
        with transaction(engine) as session:
            [delivery] = session.scalars(select(Delivery)).all()
            assert (delivery.status, delivery.attachment) == ("sent", None)  # not kept
    finally:
        engine.dispose()
    [mail] = smtp.messages
    assert mail.rcpt_tos == ("boss@example.com",)
    message = email.message_from_bytes(mail.raw, policy=default)
    assert isinstance(message, EmailMessage)
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "cobro-report-acme-2026-W48.pdf"
    assert attached.get_content().startswith(b"%PDF")


def test_the_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        make_user(session, company, "admin", email="boss@example.com")
    assert "queued for boss@example.com" in cli_ok(
        cli_app, "report", "weekly", "--on", "2026-11-25"
    )
    assert "already has it" in cli_ok(cli_app, "report", "weekly", "--on", "2026-11-26")
    assert "friday" in cli_ok(cli_app, "report", "weekly-day", "friday")
    assert "weekday" in cli_refused(cli_app, "report", "weekly-day", "someday")
