"""Password reset end to end: "Forgot your password?" on the sign-in page, the request, the
worker sending the email through a real SMTP server (aiosmtpd), the link, the new password
twice, every session ended, signing in with the new password. A database of its own: the
worker claims everything due in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cobro.app import create_app
from cobro.audit.models import AuditEvent
from cobro.auth.rules import IP_LIMIT
from cobro.channel.base import Channel
from cobro.channel.files import TextFolderChannel
from cobro.channel.letter import LetterChannel
from cobro.channel.smtp import SmtpChannel
from cobro.config import Settings
from cobro.db import make_engine
from cobro.web.security import CSRF_COOKIE
from cobro.webhook.models import Delivery
from cobro.worker import run_worker
from tests.support.databases import committing_database
from tests.support.smtp import SmtpTestServer
from tests.web.access import PASSWORD, World, build_world, sign_in
from tests.web.conftest import SECRET, client_of

NEW_PASSWORD = "a brand new long passphrase"
BASE = "https://cobro.example.com"
LINK = re.compile(re.escape(BASE) + r"(/password/reset/[A-Za-z0-9_\-]+)")


@pytest.fixture
def own(tmp_path: Path) -> Iterator[tuple[str, TestClient, FastAPI]]:
    with committing_database(tmp_path) as url:
        app = create_app(Settings(database_url=url, company=None, secret_key=SECRET, base_url=BASE))
        with client_of(app) as client:
            yield url, client, app


@pytest.fixture
def smtp() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


def work(url: str, server: SmtpTestServer, tmp: Path) -> None:
    engine = make_engine(url)
    channels: dict[str, Channel] = {
        "email": SmtpChannel(server.url, sender="Cobro <no-reply@cobro.example>"),
        "sms": TextFolderChannel(tmp / "texts", "sms"),
        "whatsapp": TextFolderChannel(tmp / "texts", "whatsapp"),
        "letter": LetterChannel(tmp / "letters", "letter"),
        "registered_letter": LetterChannel(tmp / "letters", "registered_letter"),
    }
    try:
        run_worker(engine, channels, once=True)
    finally:
        engine.dispose()


def ask(client: TestClient, email: str) -> str:
    page = client.get("/password/forgot")
    assert page.status_code == 200
    answer = client.post(
        "/password/forgot", data={"email": email, "csrf_token": client.cookies.get(CSRF_COOKIE, "")}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_forgot_email_link_new_password_sign_in(
    own: tuple[str, TestClient, FastAPI], smtp: SmtpTestServer, tmp_path: Path
) -> None:
    url, client, app = own
    world = build_world(url)
    email = world.a.users["collector"]
    signed_in = client_of(app)  # a session of the user elsewhere, ended by the reset
    assert sign_in(signed_in, email).status_code == 303
    assert signed_in.get("/api/me").status_code == 200
    login = client.get("/login")
    assert 'href="/password/forgot"' in login.text
    answer = ask(client, email)
    assert "If an account has this email address" in answer
    work(url, smtp, tmp_path)
    (mail,) = smtp.messages
    assert mail.rcpt_tos == (email,)
    text = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = LINK.search(text)
    assert match is not None, text
    path = match.group(1)
    with World(url, world.a, world.b).session() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert (delivery.status, delivery.payload) == ("sent", None)  # the link is not kept
    form = client.get(path)
    assert form.status_code == 200
    csrf = client.cookies.get(CSRF_COOKIE, "")
    mismatch = client.post(path, data={"new": NEW_PASSWORD, "again": "other", "csrf_token": csrf})
    assert mismatch.status_code == 422
    assert 'id="reset-error"' in mismatch.text
    weak = client.post(path, data={"new": "short", "again": "short", "csrf_token": csrf})
    assert weak.status_code == 422
    assert "12" in weak.text
    done = client.post(path, data={"new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf_token": csrf})
    assert done.status_code == 200, done.text
    assert "Your password is changed" in done.text
    assert signed_in.get("/api/me").status_code == 401  # every session ended
    assert client.get(path).status_code == 404  # single use
    reused = client.post(
        path, data={"new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf_token": csrf}
    )
    assert reused.status_code == 404
    fresh = client_of(app)
    assert sign_in(fresh, email, PASSWORD).status_code == 401
    assert sign_in(fresh, email, NEW_PASSWORD).status_code == 303
    with World(url, world.a, world.b).session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"user.password_reset_requested", "user.password_reset"} <= actions


def test_an_unknown_email_gets_the_same_answer_and_no_email(
    own: tuple[str, TestClient, FastAPI], smtp: SmtpTestServer, tmp_path: Path
) -> None:
    url, client, _app = own
    world = build_world(url)
    known = ask(client, world.a.users["viewer"])
    unknown = ask(client, "nobody-here@example.com")
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", known) == strip.sub("", unknown)
    work(url, smtp, tmp_path)
    assert [mail.rcpt_tos for mail in smtp.messages] == [(world.a.users["viewer"],)]


def test_requests_are_rate_limited_like_sign_in(own: tuple[str, TestClient, FastAPI]) -> None:
    _url, client, _app = own
    client.get("/password/forgot")
    csrf = client.cookies.get(CSRF_COOKIE, "")
    statuses = [
        client.post(
            "/password/forgot", data={"email": f"x{n}@example.com", "csrf_token": csrf}
        ).status_code
        for n in range(IP_LIMIT + 1)
    ]
    assert statuses == [200] * IP_LIMIT + [429]
    assert sign_in(client, "x@example.com", "whatever").status_code == 429  # one budget


def test_an_account_gets_at_most_three_reset_emails_an_hour(
    own: tuple[str, TestClient, FastAPI], smtp: SmtpTestServer, tmp_path: Path
) -> None:
    url, client, _app = own
    world = build_world(url)
    for _ in range(5):
        ask(client, world.a.users["manager"])
    work(url, smtp, tmp_path)
    assert len(smtp.messages) == 3


def test_a_forged_link_shows_that_it_is_invalid(own: tuple[str, TestClient, FastAPI]) -> None:
    _url, client, _app = own
    page = client.get("/password/reset/not-a-real-token-at-all")
    assert page.status_code == 404
    assert 'id="reset-invalid"' in page.text


def test_the_reset_form_without_its_csrf_token_is_refused(
    own: tuple[str, TestClient, FastAPI],
) -> None:
    _url, client, _app = own
    refused = client.post("/password/forgot", data={"email": "a@example.com"})
    assert refused.status_code == 403
