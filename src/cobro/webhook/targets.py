"""Where a webhook URL really points: its host resolved, judged by `rules.check_addresses`.
(The network look-up is why this is not in the pure rules.)"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

from cobro.errors import Invalid
from cobro.webhook.rules import Address, check_addresses, check_url, host_of, literal_address

ALLOW_PRIVATE = "COBRO_WEBHOOK_ALLOW_PRIVATE"


def allow_private_targets(env: Mapping[str, str] | None = None) -> bool:
    """Only for development and tests: deliveries to loopback and private networks."""
    value = (os.environ if env is None else env).get(ALLOW_PRIVATE, "")
    return value.strip().lower() in ("1", "true", "yes")


def resolve(host: str) -> list[Address]:
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    addresses = {literal_address(str(info[4][0]).split("%")[0]) for info in found}
    return [address for address in addresses if address is not None]


def check_target(url: str, allow_private: bool | None = None) -> str:
    """The URL, when its form is right and its host resolves only to allowed addresses."""
    clean = check_url(url)
    host = host_of(clean)
    allowed = allow_private_targets() if allow_private is None else allow_private
    check_addresses(host, resolve(host), allowed)
    return clean


def refusal(url: str, allow_private: bool | None = None) -> str | None:
    """Why a delivery to `url` must not go out now, or None: the check again, just before
    sending."""
    try:
        check_target(url, allow_private)
    except Invalid as error:
        return error.message
    return None
