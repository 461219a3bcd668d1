from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from cobro.channel.base import Attachment, PermanentFailure
from cobro.channel.email import build_email, email_bytes, envelope, message_id
from tests.channel import messages


def parsed(mail: EmailMessage) -> EmailMessage:
    """The email as a receiver reads it back from the bytes we would send."""
    # Stored the way mail stores keep messages: LF line ends.
    data = email_bytes(mail).replace(b"\r\n", b"\n")
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_email_carries_sender_recipients_subject_and_language() -> None:
    mail = parsed(build_email(messages.email(), domain="acme.example"))

    assert mail["From"] == "Acme Billing <billing@acme.example>"
    assert mail["To"] == "Ana Debtor <ana@example.com>"
    assert mail["Subject"] == "Invoice 2024-001 is overdue"
    assert mail["Content-Language"] == "es"
    assert envelope(build_email(messages.email())) == ("billing@acme.example", ["ana@example.com"])


def test_the_default_sender_is_used_when_the_message_has_none() -> None:
    mail = build_email(messages.email(sender=None), "Cobro <noreply@cobro.example>")

    assert mail["From"] == "Cobro <noreply@cobro.example>"


def test_text_and_html_are_alternatives_of_one_message() -> None:
    mail = parsed(build_email(messages.email()))

    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content() == "Dear Ana,\nInvoice 2024-001 is 10 days overdue.\n"
    assert "<p>Invoice 2024-001 is 10 days overdue.</p>" in html.get_content()


def test_a_text_only_message_is_a_single_plain_part() -> None:
    mail = parsed(build_email(messages.email(html=None)))

    assert mail.get_content_type() == "text/plain"


def test_the_same_key_always_gives_the_same_message_id() -> None:
    first = build_email(messages.email(key="action-7"), domain="acme.example")
    again = build_email(messages.email(key="action-7", subject="changed"), domain="acme.example")
    other = build_email(messages.email(key="action-8"), domain="acme.example")

    assert first["Message-ID"] == again["Message-ID"] == message_id("action-7", "acme.example")
    assert first["Message-ID"] != other["Message-ID"]
    assert str(first["Message-ID"]).endswith("@acme.example>")


def test_the_message_id_does_not_reveal_the_key() -> None:
    assert "secret-tenant" not in message_id("secret-tenant:invoice:42", "acme.example")


def test_the_date_is_the_sending_time_in_utc() -> None:
    now = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

    mail = parsed(build_email(messages.email(), now=now))

    assert mail["Date"].datetime == now
    assert mail["Date"] == "Fri, 14 Mar 2025 09:30:00 +0000"


def test_unsubscribe_headers_allow_one_click_opt_out() -> None:
    url = "https://pay.acme.example/unsubscribe/abc123"

    mail = parsed(build_email(messages.email(unsubscribe_url=url)))

    assert mail["List-Unsubscribe"] == f"<{url}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_there_are_no_unsubscribe_headers_without_an_unsubscribe_url() -> None:
    mail = parsed(build_email(messages.email(unsubscribe_url=None)))

    assert "List-Unsubscribe" not in mail
    assert "List-Unsubscribe-Post" not in mail


def test_reply_to_and_extra_headers_are_added() -> None:
    message = messages.email(
        reply_to="Collections <collect@acme.example>", headers={"X-Cobro-Stage": "due+10"}
    )

    mail = parsed(build_email(message))

    assert mail["Reply-To"] == "Collections <collect@acme.example>"
    assert mail["X-Cobro-Stage"] == "due+10"


@pytest.mark.parametrize("name", ["Message-ID", "from", "Content-Type", "MIME-Version"])
def test_extra_headers_cannot_replace_what_the_channel_sets(name: str) -> None:
    with pytest.raises(PermanentFailure, match=name):
        build_email(messages.email(headers={name: "x"}))


def test_attachments_round_trip_byte_for_byte() -> None:
    statement = b"%PDF-1.7\n" + bytes(range(256)) * 20
    invoice = b"%PDF-1.4\ninvoice copy\x00\xff"
    message = messages.email(
        attachments=(
            Attachment("statement-of-account.pdf", "application/pdf", statement),
            Attachment("invoice-2024-001.pdf", "application/pdf", invoice),
        )
    )

    mail = parsed(build_email(message))

    assert mail.get_content_type() == "multipart/mixed"
    files = {part.get_filename(): part for part in mail.iter_attachments()}
    assert set(files) == {"statement-of-account.pdf", "invoice-2024-001.pdf"}
    assert files["statement-of-account.pdf"].get_content() == statement
    assert files["invoice-2024-001.pdf"].get_content() == invoice
    assert files["invoice-2024-001.pdf"].get_content_type() == "application/pdf"
    body = mail.get_body(("plain",))
    assert body is not None
    assert "10 days overdue" in body.get_content()


@pytest.mark.parametrize(
    "address",
    [
        "ana",
        "ana@",
        "@example.com",
        "ana@@example.com",
        "ana example@example.com",
        "ana@exa mple.com",
        "ana@-example.com",
        "ana@example..com",
        ".ana@example.com",
        "Ana <ana@example.com",
        "ana@example.com, bob@example.com",
        "",
    ],
)
def test_an_invalid_recipient_is_a_permanent_failure_naming_it(address: str) -> None:
    with pytest.raises(PermanentFailure) as failure:
        build_email(messages.email(to=(address,)))

    assert repr(address) in failure.value.reason
    assert failure.value.permanent


def test_an_invalid_sender_is_a_permanent_failure() -> None:
    with pytest.raises(PermanentFailure, match="not-an-address"):
        build_email(messages.email(sender="not-an-address"))


def test_a_message_without_recipients_is_a_permanent_failure() -> None:
    with pytest.raises(PermanentFailure, match="without recipients"):
        build_email(messages.email(to=()))


def test_a_line_break_in_a_header_is_refused_rather_than_injecting_headers() -> None:
    with pytest.raises(PermanentFailure, match="invalid email header"):
        build_email(messages.email(subject="Overdue\r\nBcc: victim@example.com"))


def test_accented_text_is_sent_as_seven_bit_so_any_server_takes_it() -> None:
    message = messages.email(subject="Factura vencida: señor Muñoz", text="Le recordamos… €")

    mail = build_email(message)
    data = email_bytes(mail)

    assert data.isascii()
    assert b"\r\n" in data
    back = parsed(mail)
    assert back["Subject"] == "Factura vencida: señor Muñoz"
    body = back.get_body(("plain",))
    assert body is not None
    assert body.get_content() == "Le recordamos… €\n"


def test_an_international_domain_is_written_in_punycode() -> None:
    mail = build_email(messages.email(to=("Ana <ana@müller.example>",)))

    assert envelope(mail)[1] == ["ana@xn--mller-kva.example"]
    assert email_bytes(mail).isascii()


def test_a_non_ascii_mailbox_name_is_refused_clearly() -> None:
    with pytest.raises(PermanentFailure, match="non-ASCII mailbox name"):
        build_email(messages.email(to=("josé@ejemplo.es",)))
