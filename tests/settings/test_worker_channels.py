"""The worker sends a company's email through the SMTP server stored on its settings page, and
every other company's through the worker's own channels (the environment's)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from cobro.channel.registry import ChannelSettings, build_channels, close_channels
from cobro.company.models import Company
from cobro.customer.models import Contact
from cobro.cycle.service import run_cycle
from cobro.db import transaction
from cobro.outbox.models import Action
from cobro.settings.channels import StoredChannels, save_channels
from cobro.worker import run_worker
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.support.smtp import SmtpTestServer

ON = date(2026, 3, 5)


def ledger(engine: Engine, code: str) -> int:
    with transaction(engine) as session:
        company = make_company(session, code)
        customer = make_customer(session, company, f"{code}-C", name="Acme Ibérica S.L.")
        customer.contacts.append(Contact(name="Lucía", email=f"pagos@{code}.example"))
        make_invoice(session, company, customer, 300_00, date(2026, 2, 1), date(2026, 3, 2))
        session.flush()
        run_cycle(session, company, ON)
        return company.id


def noon() -> datetime:
    return datetime(ON.year, ON.month, ON.day, 12, tzinfo=UTC)


def test_stored_smtp_settings_carry_a_companys_email(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    own = ledger(own_engine, "own")
    ledger(own_engine, "env")
    with transaction(own_engine) as session:
        save_channels(
            session,
            own,
            {
                "mail_from": "Cobros Own <cobros@own.example>",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_server.port,
                "smtp_security": "plain",
            },
            noon(),
        )
    defaults = ChannelSettings(mail_dir=tmp_path / "mail", letter_dir=tmp_path / "letters")
    channels = build_channels(defaults)
    stored = StoredChannels(defaults)
    try:
        report = run_worker(own_engine, channels, once=True, clock=noon, stored=stored)
    finally:
        stored.close()
        close_channels(channels)
    assert report.outcomes["sent"] >= 2
    by_smtp = list(smtp_server.messages)
    assert [m.rcpt_tos for m in by_smtp] == [("pagos@own.example",)]
    assert by_smtp[0].mail_from == "cobros@own.example"
    written = list((tmp_path / "mail").rglob("*.eml"))
    assert len(written) == 1
    assert b"pagos@env.example" in written[0].read_bytes()
    with transaction(own_engine) as session:
        emails = session.scalars(select(Action).where(Action.kind == "email")).all()
        assert {a.status for a in emails} == {"sent"}
        assert session.scalars(select(Company.code)).all()
