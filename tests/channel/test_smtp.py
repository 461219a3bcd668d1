from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest

from cobro.channel.base import Attachment, PermanentFailure, TransientFailure
from cobro.channel.email import message_id
from cobro.channel.smtp import SmtpChannel, parse_smtp_url
from cobro.errors import Invalid
from tests.channel import messages
from tests.support.smtp import SmtpTestServer, Stage, Tls


@pytest.fixture
def channel(smtp_server: SmtpTestServer) -> Iterator[SmtpChannel]:
    channel = SmtpChannel(smtp_server.url, domain="acme.example")
    yield channel
    channel.close()


def test_the_server_receives_the_message_as_built(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    channel.send(messages.email(unsubscribe_url="https://pay.acme.example/u/1"))

    [received] = smtp_server.messages
    assert received.mail_from == "billing@acme.example"
    assert received.rcpt_tos == ("ana@example.com",)
    mail = received.message
    assert mail["Subject"] == "Invoice 2024-001 is overdue"
    assert mail["Content-Language"] == "es"
    assert mail["List-Unsubscribe"] == "<https://pay.acme.example/u/1>"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content() == "Dear Ana,\nInvoice 2024-001 is 10 days overdue.\n"
    assert "<p>Dear Ana,</p>" in html.get_content()


def test_the_receipt_holds_the_exact_bytes_the_server_received(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    # A line starting with a dot is escaped by SMTP on the way: the stored bytes must not be.
    message = messages.email(
        text="Total:\n.50 EUR fee\n.\n",
        attachments=(Attachment("statement.pdf", "application/pdf", b"%PDF-1.7\n\x00\x01"),),
    )

    receipt = channel.send(message)

    [received] = smtp_server.messages
    assert receipt.document == received.raw
    assert receipt.media_type == "message/rfc822"
    assert receipt.provider_id == received.message_id
    assert receipt.provider_id.endswith("@acme.example>")
    [attachment] = received.message.iter_attachments()
    assert attachment.get_content() == b"%PDF-1.7\n\x00\x01"


def test_a_resend_of_the_same_action_carries_the_same_message_id(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    channel.send(messages.email(key="action-1"))
    channel.send(messages.email(key="action-1"))
    channel.send(messages.email(key="action-2"))

    assert len(smtp_server.messages) == 3
    assert len(smtp_server.by_message_id()) == 2


def test_one_connection_carries_many_messages(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    for number in range(50):
        channel.send(messages.email(key=f"action-{number}"))

    assert len(smtp_server.messages) == 50
    assert smtp_server.connections == 1


def test_the_channel_reconnects_when_the_server_dropped_the_connection(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    channel.send(messages.email(key="before"))
    smtp_server.drop_connections()

    channel.send(messages.email(key="after"))

    ids = [received.message_id for received in smtp_server.messages]
    assert ids == [message_id("before", "acme.example"), message_id("after", "acme.example")]
    assert smtp_server.connections == 2


def test_a_connection_idle_for_too_long_is_replaced_before_sending(
    smtp_server: SmtpTestServer, channel: SmtpChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cobro.channel.smtp.MAX_IDLE_S", 0.0)

    for number in range(3):
        channel.send(messages.email(key=f"action-{number}"))

    assert len(smtp_server.messages) == 3
    assert smtp_server.connections == 3


def test_a_stopped_server_is_a_transient_failure_and_delivery_resumes_when_it_is_back(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    channel.send(messages.email(key="first"))
    smtp_server.stop()

    with pytest.raises(TransientFailure) as failure:
        channel.send(messages.email(key="second"))
    assert f"127.0.0.1:{smtp_server.port}" in failure.value.reason

    smtp_server.start()
    channel.send(messages.email(key="second"))
    assert len(smtp_server.messages) == 2


def test_a_server_that_never_answers_is_a_transient_failure_after_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections into the backlog, never says a word
        port = silent.getsockname()[1]
        channel = SmtpChannel(f"smtp://127.0.0.1:{port}", timeout=0.2)

        with pytest.raises(TransientFailure, match=r"did not answer in 0\.2 s"):
            channel.send(messages.email())


@pytest.mark.parametrize(
    ("stage", "code", "failure"),
    [
        ("rcpt", 451, TransientFailure),
        ("rcpt", 550, PermanentFailure),
        ("mail", 452, TransientFailure),
        ("mail", 553, PermanentFailure),
        ("data", 451, TransientFailure),
        ("data", 554, PermanentFailure),
    ],
)
def test_the_server_code_class_decides_transient_or_permanent(
    smtp_server: SmtpTestServer,
    channel: SmtpChannel,
    stage: Stage,
    code: int,
    failure: type[Exception],
) -> None:
    smtp_server.refuse(stage, code, "scripted answer")

    with pytest.raises(failure) as raised:
        channel.send(messages.email())

    assert f"{code} scripted answer" in str(raised.value)
    assert smtp_server.messages == []


def test_a_refused_recipient_is_named_in_the_reason(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    smtp_server.refuse("rcpt", 550, "5.1.1 mailbox unavailable")

    with pytest.raises(PermanentFailure) as failure:
        channel.send(messages.email())

    assert failure.value.reason == (
        "recipients refused: ana@example.com (550 5.1.1 mailbox unavailable)"
    )


def test_all_recipients_refused_with_one_only_for_now_is_worth_a_retry(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    smtp_server.refuse("rcpt", 550, "no such user", address="ana@example.com")
    smtp_server.refuse("rcpt", 451, "greylisted", address="bob@example.com")

    with pytest.raises(TransientFailure, match=r"bob@example\.com \(451 greylisted\)"):
        channel.send(messages.email(to=("ana@example.com", "bob@example.com")))


def test_a_message_refused_for_some_recipients_only_counts_as_sent(
    smtp_server: SmtpTestServer, channel: SmtpChannel, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.refuse("rcpt", 550, "no such user", address="gone@example.com")

    with caplog.at_level(logging.WARNING, logger="cobro.channel.smtp"):
        channel.send(messages.email(to=("ana@example.com", "gone@example.com")))

    [received] = smtp_server.messages
    assert received.rcpt_tos == ("ana@example.com",)
    assert "gone@example.com" in caplog.text


def test_the_channel_recovers_after_a_refusal(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    smtp_server.refuse("data", 451)
    with pytest.raises(TransientFailure):
        channel.send(messages.email())

    smtp_server.accept()
    channel.send(messages.email())

    assert len(smtp_server.messages) == 1


def test_an_invalid_address_fails_before_anything_is_sent(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    with pytest.raises(PermanentFailure, match="'ana@'"):
        channel.send(messages.email(to=("ana@",)))

    assert smtp_server.connections == 0


def test_close_ends_the_connection_and_a_later_send_opens_a_new_one(
    smtp_server: SmtpTestServer, channel: SmtpChannel
) -> None:
    channel.send(messages.email())
    channel.close()
    channel.close()  # twice is harmless

    channel.send(messages.email())

    assert smtp_server.connections == 2


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_tls_and_login_are_used_when_the_url_asks_for_them(tls: Tls) -> None:
    with SmtpTestServer(tls=tls, credentials=("mailer", "s3cret pass")) as server:
        url = server.url.replace("s3cret pass", "s3cret%20pass")
        channel = SmtpChannel(url, ssl_context=server.client_ssl_context())

        channel.send(messages.email())
        channel.send(messages.email(key="second"))
        channel.close()

        assert [(m.tls, m.login) for m in server.messages] == [(True, "mailer")] * 2
        assert server.connections == 1


def test_a_wrong_password_is_a_permanent_failure_that_points_at_the_configuration() -> None:
    with SmtpTestServer(tls="starttls", credentials=("mailer", "right")) as server:
        url = server.url.replace(":right@", ":wrong@")
        channel = SmtpChannel(url, ssl_context=server.client_ssl_context())

        with pytest.raises(PermanentFailure) as failure:
            channel.send(messages.email())

        assert "535" in failure.value.reason
        assert "configuration problem" in failure.value.reason
        assert "wrong" not in failure.value.reason


def test_an_untrusted_certificate_is_refused() -> None:
    with SmtpTestServer(tls="ssl") as server:
        channel = SmtpChannel(server.url)  # the system's CAs do not know the test certificate

        with pytest.raises(TransientFailure, match="CERTIFICATE_VERIFY_FAILED"):
            channel.send(messages.email())

        assert server.messages == []


def test_asking_for_starttls_from_a_server_without_it_is_a_configuration_problem(
    smtp_server: SmtpTestServer,
) -> None:
    channel = SmtpChannel(smtp_server.url + "?starttls=1")

    with pytest.raises(PermanentFailure, match=r"STARTTLS.*configuration problem"):
        channel.send(messages.email())


@pytest.mark.parametrize(
    ("url", "host", "port", "security", "username", "password"),
    [
        ("smtp://mail.example", "mail.example", 25, "plain", None, None),
        ("smtp://u:p@mail.example:2525", "mail.example", 2525, "plain", "u", "p"),
        ("smtp://mail.example?starttls=1", "mail.example", 587, "starttls", None, None),
        ("smtp://mail.example:25?starttls=true", "mail.example", 25, "starttls", None, None),
        ("smtps://u%40x:p%3Aw@mail.example", "mail.example", 465, "ssl", "u@x", "p:w"),
    ],
)
def test_smtp_urls_are_understood(
    url: str, host: str, port: int, security: str, username: str | None, password: str | None
) -> None:
    settings = parse_smtp_url(url)

    assert (settings.host, settings.port, settings.security) == (host, port, security)
    assert (settings.username, settings.password) == (username, password)


def test_a_timeout_can_be_given_in_the_url() -> None:
    assert parse_smtp_url("smtp://mail.example?timeout=5").timeout == 5.0


@pytest.mark.parametrize(
    "url",
    ["http://u:hunter2@mail.example", "smtp://", "smtp://u:hunter2@mail.example:port", "mail"],
)
def test_a_bad_smtp_url_is_invalid_without_repeating_the_password(url: str) -> None:
    with pytest.raises(Invalid) as error:
        parse_smtp_url(url)

    assert "hunter2" not in error.value.message


def test_the_password_is_not_shown_in_the_settings_repr() -> None:
    assert "hunter2" not in repr(parse_smtp_url("smtp://u:hunter2@mail.example"))
