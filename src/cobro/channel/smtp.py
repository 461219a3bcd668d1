"""Email over SMTP, keeping one connection open across sends.

A worker sends thousands of reminders in a burst; a TCP + TLS + AUTH handshake per message would
cost more than the message itself, so the channel holds one connection and reconnects once,
transparently, when the server dropped it in between. Failures are sorted by the server's code
class: 4xx and network trouble are worth a retry, 5xx never is.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from cobro.channel.base import DeliveryError, Message, PermanentFailure, Receipt, TransientFailure
from cobro.channel.checks import email_address
from cobro.channel.email import DEFAULT_SENDER, build_email, email_bytes, envelope
from cobro.errors import Invalid

log = logging.getLogger(__name__)

Security = Literal["plain", "starttls", "ssl"]
_DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "ssl": 465}
_TRUE = {"1", "true", "yes", "on"}
# Servers and NAT boxes drop idle connections, sometimes silently (no RST): past this many idle
# seconds we open a fresh connection rather than risk waiting a full timeout on a dead one.
MAX_IDLE_S = 60.0
# A connection the server closed under us shows up as one of these on the next command.
_DROPPED = (smtplib.SMTPServerDisconnected, ConnectionError)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0


def parse_smtp_url(url: str, timeout: float = 30.0) -> SmtpSettings:
    """`smtp://user:pass@host:port?starttls=1` or `smtps://user:pass@host:port`.

    Raises `Invalid` with a message that never repeats the password.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Invalid(f"invalid SMTP URL: {error}") from error
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise Invalid("invalid SMTP URL: expected smtp://[user:pass@]host[:port] or smtps://...")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    security: Security = "ssl" if parts.scheme == "smtps" else "plain"
    if security == "plain" and query.get("starttls", "").lower() in _TRUE:
        security = "starttls"
    if "timeout" in query:
        try:
            timeout = float(query["timeout"])
        except ValueError as error:
            raise Invalid(f"invalid SMTP URL: timeout={query['timeout']!r}") from error
    return SmtpSettings(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[security],
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        timeout=timeout,
    )


class SmtpChannel:
    """The "email" channel over SMTP. Not meant for several threads at once, but safe if used so:
    sends take turns on the one connection."""

    def __init__(
        self,
        url: str,
        *,
        sender: str = DEFAULT_SENDER,
        domain: str | None = None,
        timeout: float = 30.0,
        name: str = "email",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.name = name
        self.settings = parse_smtp_url(url, timeout)
        self.sender = sender
        try:
            self.domain = domain or email_address(sender).domain
        except PermanentFailure as error:
            raise Invalid(f"invalid sender: {error.reason}") from error
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def send(self, message: Message) -> Receipt:
        mail = build_email(message, self.sender, self.domain)
        data = email_bytes(mail)
        sender, recipients = envelope(mail)
        with self._lock:
            try:
                refused = self._deliver(sender, recipients, data)
            except (smtplib.SMTPException, OSError) as error:
                self._discard()
                raise smtp_failure(error, self.settings) from error
        if refused:
            # Accepted for the others: retrying would send them a duplicate, so it counts as
            # sent and the refused addresses are logged.
            log.warning("%s: some recipients refused: %s", mail["Message-ID"], refused)
        return Receipt(
            provider_id=str(mail["Message-ID"]), document=data, media_type="message/rfc822"
        )

    def close(self) -> None:
        with self._lock:
            if self._smtp is not None:
                # Already gone is fine: there is nothing left to close politely.
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    self._smtp.quit()
            self._discard()

    def _deliver(
        self, sender: str, recipients: list[str], data: bytes
    ) -> dict[str, tuple[int, bytes]]:
        if self._smtp is not None and time.monotonic() - self._last_used > MAX_IDLE_S:
            self._discard()
        reused = self._smtp is not None
        try:
            refused = self._connection().sendmail(sender, recipients, data)
        except _DROPPED:
            if not reused:
                raise
            # The server closed the connection while it sat idle: once more, on a fresh one.
            self._discard()
            refused = self._connection().sendmail(sender, recipients, data)
        self._last_used = time.monotonic()
        return refused

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._open()
        return self._smtp

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        # An explicit EHLO name: smtplib would otherwise ask DNS for our FQDN, which can stall.
        helo = self.domain if self.domain.isascii() else "localhost"
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.host, s.port, local_hostname=helo, timeout=s.timeout, context=self._ssl_context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, local_hostname=helo, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=self._ssl_context)
            if s.username is not None:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _discard(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None


def smtp_failure(error: Exception, settings: SmtpSettings) -> DeliveryError:
    """Sort an smtplib or socket error into transient or permanent, with a readable reason."""
    server = f"{settings.host}:{settings.port}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _recipients_refused(error)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        reason = f"SMTP login refused by {server} ({_reply(error.smtp_code, error.smtp_error)})"
        if _is_temporary(error.smtp_code):
            return TransientFailure(reason)
        return PermanentFailure(f"{reason}: a configuration problem, check the user and password")
    if isinstance(error, smtplib.SMTPSenderRefused):
        reply = _reply(error.smtp_code, error.smtp_error)
        return _by_code(error.smtp_code, f"sender {error.sender} refused ({reply})")
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _reply(error.smtp_code, error.smtp_error)
        return _by_code(error.smtp_code, f"SMTP server {server} answered {reply}")
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(
        error.__context__, TimeoutError
    ):
        error = error.__context__  # smtplib reports a reply that never came as a hang-up
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return TransientFailure(f"SMTP server {server} closed the connection: {error}")
    if isinstance(error, smtplib.SMTPException):
        # e.g. STARTTLS or AUTH asked for but not offered by the server.
        return PermanentFailure(f"SMTP server {server}: {error}: a configuration problem")
    if isinstance(error, TimeoutError):
        return TransientFailure(f"SMTP server {server} did not answer in {settings.timeout:g} s")
    if isinstance(error, ConnectionRefusedError):
        return TransientFailure(f"SMTP server {server} refused the connection")
    return TransientFailure(f"cannot talk to SMTP server {server}: {error}")


def _recipients_refused(error: smtplib.SMTPRecipientsRefused) -> DeliveryError:
    replies = [(address, code, text) for address, (code, text) in error.recipients.items()]
    reason = "recipients refused: " + "; ".join(
        f"{address} ({_reply(code, text)})" for address, code, text in replies
    )
    # Every recipient was refused, so a retry duplicates nothing: worth it if any was only
    # refused for now.
    if any(_is_temporary(code) for _, code, _ in replies):
        return TransientFailure(reason)
    return PermanentFailure(reason)


def _by_code(code: int, reason: str) -> DeliveryError:
    return TransientFailure(reason) if _is_temporary(code) else PermanentFailure(reason)


def _is_temporary(code: int) -> bool:
    # Anything that is not a 5xx (4xx, or smtplib's -1 for "no reply") may pass next time.
    return not 500 <= code <= 599


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}".strip()
