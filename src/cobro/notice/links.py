"""The links a notice carries to the debtor portal: `/portal/<token>`, the token a signed
(company, customer, expiry) triple. Pure: the secret, the ids and the times are arguments.

They live here, below the outbox, because every message the worker composes carries one; the
portal's pages (`cobro.portal`) read them back. The signature is itsdangerous' HMAC (salt
"cobro-portal", so a CSRF token or another signed value of the app is never a portal token);
the expiry is inside the signed payload, so nobody can extend it.

    token = portal_token(secret, company.id, customer.id, now + timedelta(days=60))
    company_id, customer_id = read_portal_token(secret, token, now)   # PortalLinkRefused: 403

Without a secret shared by the web app and the worker (COBRO_SECRET_KEY) a link could not be
checked by the app that receives it: `MessageLinks` then makes none, and messages go without a
portal link (and with the mailbox opt-out), never with a link that would be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from cobro.errors import CobroError

SALT = "cobro-portal"
DEFAULT_DAYS = 60
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
MAX_TOKEN_LENGTH = 500


class PortalLinkRefused(CobroError):
    """A portal link that is tampered with, expired or malformed: one answer for all (403), so
    the page never tells which."""

    status = 403

    def __init__(self, message: str = "this link is not valid or has expired") -> None:
        super().__init__(message)


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret:
        raise ValueError("portal links need a secret key")
    return URLSafeSerializer(secret, salt=SALT)


def portal_token(secret: str, company_id: int, customer_id: int, expires_at: datetime) -> str:
    if expires_at.tzinfo is None:
        raise ValueError("a portal link expires at an aware time")
    return _serializer(secret).dumps([company_id, customer_id, int(expires_at.timestamp())])


def read_portal_token(secret: str, token: str, now: datetime) -> tuple[int, int]:
    """(company_id, customer_id) of a valid, unexpired token; else PortalLinkRefused."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise PortalLinkRefused()
    try:
        payload = _serializer(secret).loads(token)
    except (BadSignature, ValueError, UnicodeError):
        raise PortalLinkRefused() from None
    if (
        not isinstance(payload, list)
        or len(payload) != 3
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in payload)
    ):
        raise PortalLinkRefused()
    company_id, customer_id, expires = payload
    if now.timestamp() >= expires:
        raise PortalLinkRefused()
    return company_id, customer_id


def expiry(now: datetime, days: int = DEFAULT_DAYS) -> datetime:
    if days < 1:
        raise ValueError("a portal link lasts at least one day")
    return now + timedelta(days=days)


def portal_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/portal/{token}"


def preferences_url(portal: str) -> str:
    """Where the debtor opts out of a channel or changes language: the email's unsubscribe."""
    return f"{portal}/preferences"


@dataclass(frozen=True)
class MessageLinks:
    """What the worker needs to give each message its portal link: the app's secret and
    address. No secret: no links (see the module's docstring)."""

    secret: str | None
    base_url: str = DEFAULT_BASE_URL
    days: int = DEFAULT_DAYS

    def portal(self, company_id: int, customer_id: int, now: datetime) -> str | None:
        if not self.secret:
            return None
        token = portal_token(self.secret, company_id, customer_id, expiry(now, self.days))
        return portal_url(self.base_url, token)
