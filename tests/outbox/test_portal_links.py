"""The worker gives every message the debtor's signed, expiring portal link, and an email's
unsubscribe leads to the portal's preferences; without COBRO_SECRET_KEY there is no link
(never one the web app would refuse) and the mailbox opt-out stays."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cobro.db import transaction
from cobro.notice.links import MessageLinks, PortalLinkRefused, read_portal_token
from cobro.worker import run_worker
from tests.outbox.test_worker import channels, cycle, day, ledger, noon, the_debtor
from tests.support.smtp import SmtpTestServer

SECRET = "worker and web app share this"
BASE = "https://cobro.example"


def test_messages_carry_a_signed_expiring_portal_link(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine, language="en")
    cycle(own_engine, day(3))
    links = MessageLinks(SECRET, BASE)
    report = run_worker(
        own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(3)), links=links
    )
    assert report.outcomes == {"sent": 2}
    (mail,) = smtp_server.messages
    body = mail.message.get_body(("plain",))
    assert body is not None
    found = re.findall(rf"{BASE}/portal/([A-Za-z0-9_.-]+)", body.get_content())
    assert found
    token = found[0]
    with transaction(own_engine) as session:
        company, customer = the_debtor(session)
        ids = (company.id, customer.id)
    sent_at = noon(day(3))()
    assert read_portal_token(SECRET, token, sent_at) == ids
    assert read_portal_token(SECRET, token, sent_at + timedelta(days=59)) == ids
    with pytest.raises(PortalLinkRefused):  # it expires
        read_portal_token(SECRET, token, sent_at + timedelta(days=60))
    assert mail.message["List-Unsubscribe"] == f"<{BASE}/portal/{token}/preferences>"
    (sms,) = (tmp_path / "texts").rglob("*.txt")
    assert f"{BASE}/portal/{token}" in sms.read_text()


def test_without_a_secret_no_link_and_the_mailbox_opt_out(
    own_engine: Engine, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    ledger(own_engine, language="en")
    cycle(own_engine, day(3))
    links = MessageLinks(None, BASE)
    run_worker(
        own_engine, channels(smtp_server, tmp_path), once=True, clock=noon(day(3)), links=links
    )
    (mail,) = smtp_server.messages
    body = mail.message.get_body(("plain",))
    assert body is not None
    assert "/portal/" not in body.get_content()
    assert mail.message["List-Unsubscribe"].startswith("<mailto:cobros@vendor.example")
