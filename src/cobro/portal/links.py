"""Portal links: `/portal/<token>`, the token a signed (company, customer, expiry) triple.

The signing itself lives in `cobro.notice.links`, below the outbox, since every message the
worker composes carries a link; this module is the portal's name for it."""

from __future__ import annotations

from cobro.notice.links import (
    DEFAULT_BASE_URL,
    DEFAULT_DAYS,
    MAX_TOKEN_LENGTH,
    SALT,
    MessageLinks,
    PortalLinkRefused,
    expiry,
    portal_token,
    portal_url,
    preferences_url,
    read_portal_token,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DAYS",
    "MAX_TOKEN_LENGTH",
    "SALT",
    "MessageLinks",
    "PortalLinkRefused",
    "expiry",
    "portal_token",
    "portal_url",
    "preferences_url",
    "read_portal_token",
]
