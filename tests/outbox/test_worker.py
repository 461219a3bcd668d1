"""The worker against a real database of its own and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobro.channel.base import Channel
from cobro.channel.files import EmlFolderChannel, TextFolderChannel
from cobro.channel.letter import LetterChannel
from cobro.channel.smtp import SmtpChannel
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.cycle.service import run_cycle
from cobro.db import transaction
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action, Attempt, Document
from cobro.policy.holds import place_hold
from cobro.policy.progress import progress_of
from cobro.task.models import Task
from cobro.worker import run_worker
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment
from tests.support.smtp import SmtpTestServer

DUE = date(2026, 3, 2)  # Monday


def day(offset: int) -> date:
    return DUE + timedelta(days=offset)


def noon(on: date) -> Callable[[], datetime]:
    """A clock standing at noon UTC of `on` (inside the Madrid send window)."""
    return lambda: datetime(on.year, on.month, on.day, 12, tzinfo=UTC)


def ledger(engine: Engine, language: str = "es", email: str = "pagos@acme.example") -> None:
    with transaction(engine) as session:
        company = make_company(session, "acme")
        company.email = "cobros@vendor.example"
        company.iban = "ES9121000418450200051332"
        customer = make_customer(
            session, company, "ACME", name="Acme Ibérica S.L.", language=language
        )
        customer.contacts.append(
            Contact(
                name="Lucía Pérez",
                email=email,
                phone="+34600111222",
                street="Calle Mayor",
                building_number="1",
                postal_code="28013",
                city="Madrid",
                country="ES",
            )
        )
        make_invoice(session, company, customer, 1234_56, date(2026, 1, 31), DUE, number="F-1")
        make_invoice(session, company, customer, 300_00, date(2026, 2, 1), day(-7), number="F-2")


def cycle(engine: Engine, on: date) -> int:
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        return run_cycle(session, company, on).created


def the_debtor(session: Session) -> tuple[Company, Customer]:
    """The ledger's one company and its one customer."""
    return session.scalars(select(Company)).one(), session.scalars(select(Customer)).one()


def channels(server: SmtpTestServer, tmp: Path) -> dict[str, Channel]:
    return {
        "email": SmtpChannel(server.url, sender="Vendor <cobros@vendor.example>"),
        "sms": TextFolderChannel(tmp / "texts", "sms"),
        "whatsapp": TextFolderChannel(tmp / "texts", "whatsapp"),
        "letter": LetterChannel(tmp / "letters", "letter"),
        "registered_letter": LetterChannel(tmp / "letters", "registered_letter"),
    }


def test_a_reminder_reaches_the_smtp_server_in_the_debtor_s_language(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine)
    assert cycle(own_engine, day(3)) == 2  # reminder-2 for F-2 (email and SMS), F-1 rides along
    report = run_worker(own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(3)))
    assert report.outcomes == {"sent": 2}
    (mail,) = smtp_server.messages
    assert mail.rcpt_tos == ("pagos@acme.example",)
    message = mail.message
    assert message["Content-Language"] == "es"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    # one message listing every item at its stage
    assert "F-1" in text
    assert "F-2" in text
    assert "1.234,56" in text
    assert message["Message-ID"].endswith("@vendor.example>")
    with transaction(own_engine) as session:
        email = session.scalars(select(Action).where(Action.kind == "email")).one()
        assert (email.status, email.provider_id) == ("sent", message["Message-ID"])
        document = session.scalars(select(Document).where(Document.action_id == email.id)).one()
        assert document.sha256 == sha256(document.content).hexdigest()
        assert message["Message-ID"].encode() in document.content
        ids = session.scalars(select(Invoice.id)).all()
        delivered = {i: p.delivered for i, p in progress_of(session, ids).items()}
        assert set(delivered.values()) == {"reminder-1", "reminder-2"}


def test_an_item_paid_after_the_cycle_is_not_asked_for_and_all_paid_cancels(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine)
    cycle(own_engine, day(3))
    with transaction(own_engine) as session:
        company, customer = the_debtor(session)
        make_payment(session, company, customer, 1534_56, day(3), invoices=("F-1", "F-2"))
    report = run_worker(own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(3)))
    assert report.outcomes == {"cancelled": 2}
    assert smtp_server.messages == []


def test_a_held_item_is_left_out_of_the_message(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine)
    cycle(own_engine, day(3))
    with transaction(own_engine) as session:
        company, customer = the_debtor(session)
        f1 = session.scalars(select(Invoice).where(Invoice.number == "F-1")).one()
        place_hold(session, company, customer, "dispute", "price", day(3), invoice=f1)
    run_worker(own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(3)))
    (mail,) = smtp_server.messages
    body = mail.message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "F-2" in text
    assert "F-1" not in text


def test_a_temporary_refusal_is_retried_and_delivered_once_the_server_accepts(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine)
    cycle(own_engine, day(3))
    smtp_server.refuse("rcpt", 451, "try again later")
    first = run_worker(own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(3)))
    assert first.by_channel[("email", "retry")] == 1
    smtp_server.accept()
    later = noon(day(3))() + timedelta(minutes=2)
    again = run_worker(own_engine, channels(smtp_server, tmp_path), once=True, clock=lambda: later)
    assert again.by_channel[("email", "sent")] == 1
    assert len(smtp_server.by_message_id()) == 1
    with transaction(own_engine) as session:
        outcomes = sorted(session.scalars(select(Attempt.outcome)))
        assert outcomes.count("retry") == 1


def test_a_permanent_refusal_fails_the_action_and_raises_a_task(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine)
    cycle(own_engine, day(3))
    smtp_server.refuse("rcpt", 550, "no such mailbox")
    report = run_worker(own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(3)))
    assert report.by_channel[("email", "failed")] == 1
    with transaction(own_engine) as session:
        task = session.scalars(select(Task).where(Task.kind == "failed_message")).one()
        assert "550" in (task.detail or "")
        # a bounced reminder is not delivered: the demand will wait for a person
        email = session.scalars(select(Action).where(Action.kind == "email")).one()
        assert email.status == "failed"


def test_a_customer_without_an_email_address_fails_with_a_task_and_the_rest_go_out(
    own_engine: Engine, tmp_path: Path
) -> None:
    ledger(own_engine)
    with transaction(own_engine) as session:
        company = session.scalars(select(Company)).one()
        other = make_customer(session, company, "NOMAIL")
        make_invoice(session, company, other, 99_00, date(2026, 1, 31), DUE, number="F-9")
    cycle(own_engine, day(3))
    folder: dict[str, Channel] = {
        "email": EmlFolderChannel(tmp_path / "mail"),
        "sms": TextFolderChannel(tmp_path / "mail", "sms"),
    }
    report = run_worker(own_engine, folder, once=True, clock=noon(day(3)))
    assert report.outcomes["failed"] == 1
    assert report.outcomes["sent"] == 2
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    with transaction(own_engine) as session:
        task = session.scalars(select(Task)).one()
        assert "no email address" in (task.detail or "")


def test_a_call_task_is_raised_for_the_collector_at_the_firm_stage(
    own_engine: Engine, tmp_path: Path
) -> None:
    ledger(own_engine)
    cycle(own_engine, day(22))  # a Tuesday: day 20 is a Sunday, when nobody is called
    folder: dict[str, Channel] = {"email": EmlFolderChannel(tmp_path / "mail")}
    run_worker(own_engine, folder, once=True, clock=noon(day(22)))
    with transaction(own_engine) as session:
        task = session.scalars(select(Task).where(Task.kind == "call")).one()
        assert "Acme" in task.title
        assert task.due_on == day(22)


def test_nothing_is_sent_before_the_send_window(own_engine: Engine, tmp_path: Path) -> None:
    ledger(own_engine)
    cycle(own_engine, day(3))
    early = datetime(2026, 3, 5, 6, tzinfo=UTC)  # 07:00 in Madrid: before 09:00
    folder: dict[str, Channel] = {"email": EmlFolderChannel(tmp_path / "mail")}
    report = run_worker(own_engine, folder, once=True, clock=lambda: early)
    assert report.rounds == 0


def test_the_demand_letter_follows_a_delivered_reminder_into_the_day_s_print_file(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine)
    cycle(own_engine, day(22))  # firm reminder (Tuesday)
    run_worker(own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(22)))
    cycle(own_engine, day(31))  # demand: letter, call and interest (Thursday)
    report = run_worker(
        own_engine,
        channels(smtp_server, tmp_path),
        once=True,
        clock=noon(day(31)),
        letter_dir=tmp_path / "letters",
    )
    assert report.by_channel[("letter", "sent")] == 1
    assert report.outcomes["skipped"] == 1  # interest: the company has chosen no law
    (print_file,) = report.print_files
    assert print_file.read_bytes().startswith(b"%PDF")
    with transaction(own_engine) as session:
        letter = session.scalars(select(Action).where(Action.kind == "letter")).one()
        document = session.scalars(select(Document).where(Document.action_id == letter.id)).one()
        assert document.media_type == "application/pdf"
        assert document.sha256 == sha256(document.content).hexdigest()
