"""Security middleware: response headers on every answer, and CSRF protection on every
request that changes something.

CSRF: a signed random token lives in an HttpOnly, SameSite=Lax cookie; pages put the same token
in their forms (hidden field `csrf_token`) and in htmx requests (header `X-CSRF-Token`, set once
on <body> with hx-headers). A POST, PUT, PATCH or DELETE whose token is missing, unsigned or
different from the cookie's is refused with 403 before any endpoint runs. Requests carrying an
Authorization header are left alone: a cross-site form cannot set that header, and such
requests authenticate by it alone: `cobro.endpoint.current_user` never reads the session
cookie of a request that has one (a bogus header gets 401, not the browser's session), and
/logout refuses them.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cobro.errors import CobroError
from cobro.web.errors import error_response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

CSRF_COOKIE = "cobro_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_BYTES = 10 * 1024 * 1024


class CsrfRefused(CobroError):
    status = 403


class TooLarge(CobroError):
    status = 413


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfProtection:
    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.signer = URLSafeSerializer(secret, salt="cobro-csrf")

    def _valid(self, token: str | None) -> bool:
        if not token:
            return False
        try:
            self.signer.loads(token)
        except BadSignature:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if "authorization" in request.headers:  # a program: nothing to protect, no cookie
            await self.app(scope, receive, send)
            return
        cookie = request.cookies.get(CSRF_COOKIE)
        known = self._valid(cookie)
        token = cookie if known and cookie else self.signer.dumps(secrets.token_urlsafe(32))
        scope.setdefault("state", {})["csrf_token"] = token
        send = send if known else _setting_cookie(send, token, scope["scheme"] == "https")

        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        submitted = request.headers.get(CSRF_HEADER)
        content_type = request.headers.get("content-type", "")
        if submitted is None and content_type.startswith(FORM_TYPES):
            body = await _read_body(receive)
            if body is None:
                problem: CobroError = TooLarge(f"forms are limited to {MAX_FORM_BYTES} bytes")
                await error_response(request, problem)(scope, receive, send)
                return
            form = await Request(scope, _replay(body, receive)).form()
            field = form.get(CSRF_FIELD)
            submitted = field if isinstance(field, str) else None
            await form.close()
            receive = _replay(body, receive)  # the endpoint reads the body again
        if not (known and submitted and hmac.compare_digest(submitted, token)):
            refused = CsrfRefused(
                "the form's security token is missing or out of date: reload the page and "
                "try again",
                CSRF_FIELD,
            )
            await error_response(request, refused)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _setting_cookie(send: Send, token: str, secure: bool) -> Send:
    cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax" + (
        "; Secure" if secure else ""
    )

    async def send_with_cookie(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message).append("Set-Cookie", cookie)
        await send(message)

    return send_with_cookie


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None past MAX_FORM_BYTES."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
