"""A real SMTP server for tests and benchmarks (aiosmtpd, on 127.0.0.1).

It records every message it accepts, counts the connections clients opened, can be told to answer
an error code at MAIL, RCPT or DATA, can drop its clients' connections, and can be stopped and
started again on the same port ("server down", then "server back"). Variants speak STARTTLS or
implicit TLS with a self-signed certificate made on the spot, and can require a login.

    with SmtpTestServer() as server:
        channel = SmtpChannel(server.url)
        ...
        assert server.messages[0].rcpt_tos == ("debtor@example.com",)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import ssl
import tempfile
import threading
import weakref
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.tls import SelfSignedCertificate

Stage = Literal["mail", "rcpt", "data"]


class _QuietLoginData(logging.Filter):
    """aiosmtpd logs a deprecation notice of its own on every successful login; drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_QuietLoginData())
Tls = Literal["starttls", "ssl"]


class Received:
    """One message as the server got it; parsed only when asked (parsing costs more than
    receiving, and a benchmark should measure the client, not the test server)."""

    def __init__(
        self,
        mail_from: str,
        rcpt_tos: tuple[str, ...],
        raw: bytes,
        tls: bool,
        login: str | None,
    ) -> None:
        self.mail_from = mail_from
        self.rcpt_tos = rcpt_tos
        self.raw = raw  # the DATA bytes, SMTP dot-stuffing undone
        self.tls = tls
        self.login = login

    @functools.cached_property
    def message(self) -> EmailMessage:
        # LF line ends, as a mail store keeps them, so text parts read back as written.
        data = self.raw.replace(b"\r\n", b"\n")
        message = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(message, EmailMessage)
        return message

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def __repr__(self) -> str:
        return f"Received(from={self.mail_from!r}, to={self.rcpt_tos!r}, {len(self.raw)} bytes)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpTestServer:
    def __init__(
        self,
        *,
        tls: Tls | None = None,
        credentials: tuple[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.tls = tls
        self.credentials = credentials
        self.messages: list[Received] = []
        self.connections = 0  # SMTP sessions opened by clients (EHLO/HELO seen)
        self._refusals: dict[tuple[Stage, str | None], str] = {}
        self._seen: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self._live: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self._certificate = SelfSignedCertificate.create() if tls else None
        self._folder = tempfile.TemporaryDirectory(prefix="cobro-smtp-")

    # ---- configuration a client needs -------------------------------------------------------

    @property
    def url(self) -> str:
        scheme = "smtps" if self.tls == "ssl" else "smtp"
        login = ""
        if self.credentials:
            login = f"{self.credentials[0]}:{self.credentials[1]}@"
        query = "?starttls=1" if self.tls == "starttls" else ""
        return f"{scheme}://{login}{self.host}:{self.port}{query}"

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context trusting this server's certificate (and nothing else)."""
        if self._certificate is None:
            raise RuntimeError("this server does not speak TLS")
        return ssl.create_default_context(cadata=self._certificate.cert_pem.decode())

    # ---- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("already running")
        # A fresh controller each time: a stopped one has closed its event loop for good.
        controller = _RecordingController(self, self._handler_kwargs())
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Close every client connection, then stop listening (the port stays ours)."""
        if self._controller is None:
            return
        self.drop_connections()
        self._controller.stop()
        self._controller = None

    def close(self) -> None:
        self.stop()
        self._folder.cleanup()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ---- scripted behaviour -----------------------------------------------------------------

    def refuse(
        self, stage: Stage, code: int, text: str | None = None, *, address: str | None = None
    ) -> None:
        """Answer `code` to every MAIL, RCPT or DATA from now on; with `address`, only to the
        RCPT of that address (to test a message refused for some recipients only)."""
        reply = f"{code} {text or 'refused by the test server'}"
        with self._lock:
            self._refusals[stage, address] = reply

    def accept(self) -> None:
        """Back to accepting everything."""
        with self._lock:
            self._refusals.clear()

    def drop_connections(self) -> None:
        """Hang up on every connected client, as a server closing idle connections does."""
        if self._controller is None:
            return
        loop = self._controller.loop

        async def hang_up() -> None:
            for smtp in list(self._live):
                if smtp.transport is not None:
                    smtp.transport.close()

        asyncio.run_coroutine_threadsafe(hang_up(), loop).result(timeout=5)

    # ---- what was received ------------------------------------------------------------------

    def by_message_id(self) -> dict[str, Received]:
        """The messages by Message-ID: a resend of the same action collapses into one entry."""
        return {received.message_id: received for received in self.messages}

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.connections = 0

    # ---- used by the handler, in the server's thread ----------------------------------------

    def _handler_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self._certificate is not None:
            context = self._certificate.server_context(Path(self._folder.name))
            if self.tls == "ssl":
                kwargs["ssl_context"] = context
                # The connection is TLS from the first byte, which aiosmtpd cannot tell.
                kwargs["auth_require_tls"] = False
            else:
                kwargs["tls_context"] = context
                kwargs["require_starttls"] = True
        if self.credentials:
            kwargs["authenticator"] = self._authenticate
            # With implicit TLS aiosmtpd cannot see that the connection is encrypted and warns
            # about requiring AUTH without TLS: there, AUTH is offered but not enforced.
            kwargs["auth_required"] = self.tls != "ssl"
        return kwargs

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object
    ) -> AuthResult:
        expected = self.credentials
        ok = (
            isinstance(data, LoginPassword)
            and expected is not None
            and (data.login.decode(), data.password.decode()) == expected
        )
        return AuthResult(success=ok, handled=False, auth_data=data)

    def _connected(self, smtp: SMTP) -> None:
        self._live.add(smtp)

    def _greeted(self, smtp: SMTP) -> None:
        # STARTTLS repeats EHLO on the same connection: count the connection once.
        with self._lock:
            if smtp not in self._seen:
                self._seen.add(smtp)
                self.connections += 1

    def _refusal(self, stage: Stage, address: str | None = None) -> str | None:
        with self._lock:
            return self._refusals.get((stage, address)) or self._refusals.get((stage, None))

    def _record(self, smtp: SMTP, session: Session, envelope: Envelope) -> None:
        transport = smtp.transport
        auth = session.auth_data
        received = Received(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
            # Implicit TLS is invisible to aiosmtpd's session; the transport knows either way.
            tls=transport is not None and transport.get_extra_info("ssl_object") is not None,
            login=auth.login.decode() if isinstance(auth, LoginPassword) else None,
        )
        with self._lock:
            self.messages.append(received)


class _Handler:
    """aiosmtpd hooks (named by aiosmtpd, hence the noqa): answer as scripted, record the rest."""

    def __init__(self, server: SmtpTestServer) -> None:
        self.server = server

    async def handle_HELO(  # noqa: N802
        self, smtp: SMTP, session: Session, envelope: Envelope, name: str
    ) -> str:
        self.server._greeted(smtp)
        session.host_name = name
        return f"250 {smtp.hostname}"

    async def handle_EHLO(  # noqa: N802
        self, smtp: SMTP, session: Session, envelope: Envelope, name: str, responses: list[str]
    ) -> list[str]:
        self.server._greeted(smtp)
        session.host_name = name  # aiosmtpd leaves this to a handler that has the hook
        return responses

    async def handle_MAIL(  # noqa: N802
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if refusal := self.server._refusal("mail"):
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if refusal := self.server._refusal("rcpt", address):
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, smtp: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if refusal := self.server._refusal("data"):
            return refusal
        self.server._record(smtp, session, envelope)
        return "250 OK: queued"


class _RecordingController(Controller):
    def __init__(self, server: SmtpTestServer, kwargs: dict[str, Any]) -> None:
        super().__init__(
            _Handler(server), hostname=server.host, port=server.port, ready_timeout=5, **kwargs
        )
        self._server = server

    def factory(self) -> SMTP:
        # What the base class does, plus remembering the connection so it can be dropped.
        smtp = SMTP(self.handler, **self.SMTP_kwargs)
        self._server._connected(smtp)
        return smtp
