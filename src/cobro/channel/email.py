"""Turn a `Message` into an RFC 5322 email, the same way for SMTP and for `.eml` files."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime

from cobro.channel.base import Message, PermanentFailure
from cobro.channel.checks import email_address

DEFAULT_SENDER = "Cobro <noreply@localhost>"


class _CachedHeaderRegistry(HeaderRegistry):
    """The stdlib registry builds a new class for every header it parses, a quarter of the cost
    of building an email; the classes depend only on the header name, so build each once."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]


# CRLF line ends, so the bytes we store are the bytes the server receives; 7-bit bodies
# (quoted-printable or base64) and punycode domains, so every message is plain ASCII and any
# server takes it without the 8BITMIME or SMTPUTF8 extensions.
SMTP_POLICY = policy.SMTP.clone(cte_type="7bit", header_factory=_CachedHeaderRegistry())


def message_id(key: str, domain: str) -> str:
    """The Message-ID of the action `key`: a resend after a crash carries the same id, so mail
    clients and our bounce handling see one message, not two. Hashed so that internal keys do
    not leak and any key fits the Message-ID syntax."""
    token = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<cobro.{token}@{domain}>"


def build_email(
    message: Message,
    sender_default: str = DEFAULT_SENDER,
    domain: str = "localhost",
    *,
    now: datetime | None = None,
) -> EmailMessage:
    """The email for `message`; raises `PermanentFailure` for an invalid address or header."""
    if not message.to:
        raise PermanentFailure("email without recipients")
    sender = email_address(message.sender or sender_default)
    recipients = [email_address(value) for value in message.to]
    reply_to = email_address(message.reply_to) if message.reply_to else None
    mail = EmailMessage(policy=SMTP_POLICY)
    # Body first: setting content drops any Content-* header (Content-Language included).
    _set_body(mail, message)
    try:
        _set_headers(mail, message, sender, recipients, reply_to, domain, now)
    except ValueError as error:
        # The email package refuses CR/LF in header values: a header injection attempt or a
        # template bug; neither goes away by trying again.
        raise PermanentFailure(f"invalid email header: {error}") from error
    return mail


def _set_headers(
    mail: EmailMessage,
    message: Message,
    sender: Address,
    recipients: list[Address],
    reply_to: Address | None,
    domain: str,
    now: datetime | None,
) -> None:
    mail["From"] = sender
    mail["To"] = recipients
    if reply_to is not None:
        mail["Reply-To"] = reply_to
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(now or datetime.now(UTC))
    mail["Message-ID"] = message_id(message.key, domain)
    mail["Content-Language"] = message.language
    if message.unsubscribe_url:
        # RFC 8058 one-click unsubscribe: large mailbox providers require it for bulk senders.
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in message.headers.items():
        # The channel owns identity and MIME structure; a template overriding them is a bug.
        if name in mail or name.lower().startswith(("content-", "mime-")):
            raise PermanentFailure(f"header {name} is set by the email channel, not the message")
        mail[name] = value


def _set_body(mail: EmailMessage, message: Message) -> None:
    mail.set_content(message.text)
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        maintype, slash, subtype = attachment.content_type.partition("/")
        if not slash or maintype in ("multipart", "message"):
            # Containers cannot be attached as raw bytes; send them as opaque data.
            maintype, subtype = "application", "octet-stream"
        mail.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )


def email_bytes(mail: EmailMessage) -> bytes:
    """The message as it goes over the wire (CRLF, before SMTP dot-stuffing)."""
    return mail.as_bytes()


def envelope(mail: EmailMessage) -> tuple[str, list[str]]:
    """Envelope sender and recipients, from the headers built above."""
    sender = mail["From"].addresses[0].addr_spec
    recipients = [address.addr_spec for address in mail["To"].addresses]
    return sender, recipients
