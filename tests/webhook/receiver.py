"""A real webhook receiver on loopback (http.server in a thread), as a subscriber writes one:
it checks X-Cobro-Signature against the secret before trusting the body, and keeps what came.

    with Receiver() as receiver:
        receiver.secret = subscription.secret
        receiver.answers = [500, 200]    # then 200 for ever
        ...
        assert receiver.valid[0]["event"] == "payment.received"
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


@dataclass(frozen=True)
class Hit:
    delivery: str
    signed: bool  # the signature matched the secret
    document: dict[str, Any]
    status: int  # what the receiver answered


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.answers: list[int] = []
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/cobro"

    @property
    def valid(self) -> list[dict[str, Any]]:
        """The documents of signed deliveries that were accepted (2xx)."""
        return [hit.document for hit in self.hits if hit.signed and hit.status < 300]

    def accepted_keys(self) -> list[str]:
        return [hit.delivery for hit in self.hits if hit.signed and hit.status < 300]

    def take(self, delivery: str, body: bytes, signature: str) -> int:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        signed = bool(self.secret) and hmac.compare_digest(expected, signature)
        with self._lock:
            status = self.answers.pop(0) if self.answers else 200
            if not signed:
                status = 401
            self.hits.append(Hit(delivery, signed, json.loads(body), status))
        return status

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.take(
                self.headers.get("X-Cobro-Delivery", ""),
                body,
                self.headers.get("X-Cobro-Signature", ""),
            )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet tests

    return Handler
