"""What a webhook subscription may be and what a delivery says. Pure: no database, no network.

Events (the `event` of every body):
- payment.received: a payment was recorded (amount, currency, customer, allocations);
- stage.reached: the cycle moved a customer's items to a stage (one event per customer and
  stage and day, listing the invoices);
- message.failed: the worker gave up on a message to a debtor;
- promise.broken, dispute.opened: defined now, emitted by the promise and dispute work;
- ping: only what "send a test" sends; nobody subscribes to it.

Where a subscription may point (SSRF): https only, except plain http to a loopback host
(localhost, 127.0.0.0/8, ::1) for development and tests. Every address the host resolves to must
be a public one unless the installation allows private targets (COBRO_WEBHOOK_ALLOW_PRIVATE=1,
never in production): loopback, RFC 1918, link-local (cloud metadata at 169.254.169.254),
carrier-grade NAT, unique-local IPv6 and the like are refused. The check runs when the URL is
saved and again before every delivery (a name can be re-pointed after it was checked), and
redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cobro.errors import Invalid

EVENTS = (
    "payment.received",
    "stage.reached",
    "message.failed",
    "promise.broken",
    "dispute.opened",
)
PING = "ping"
MAX_URL = 2000
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_events(events: Iterable[str]) -> list[str]:
    """The distinct events, in EVENTS order; at least one, each a known one."""
    chosen = {event.strip().lower() for event in events}
    unknown = sorted(chosen - set(EVENTS))
    if unknown:
        raise Invalid(f"event {unknown[0]!r}: use {', '.join(EVENTS)}", field="events")
    if not chosen:
        raise Invalid(f"choose at least one event ({', '.join(EVENTS)})", field="events")
    return [event for event in EVENTS if event in chosen]


def check_url(url: str) -> str:
    """The URL, trimmed, when its form is acceptable: https, or http to a loopback host; no
    user name or password in it. Where it resolves to is `check_addresses`' business."""
    clean = url.strip()
    if len(clean) > MAX_URL:
        raise Invalid(f"url: at most {MAX_URL} characters", field="url")
    try:
        parts = urlsplit(clean)
        host = parts.hostname
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError as error:
        raise Invalid(f"url {clean!r} is not a URL: {error}", field="url") from error
    if parts.scheme not in ("https", "http") or not host:
        raise Invalid("url: use an https:// address", field="url")
    if parts.username is not None or parts.password is not None:
        raise Invalid("url: no user name or password in the address", field="url")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise Invalid("url: use https (plain http is only for a loopback test host)", field="url")
    return clean


def host_of(url: str) -> str:
    host = urlsplit(url).hostname
    if host is None:
        raise Invalid(f"url {url!r} has no host", field="url")
    return host


def is_loopback_host(host: str) -> bool:
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    address = literal_address(host)
    return address is not None and address.is_loopback


def literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public(address: Address) -> bool:
    """Whether a delivery may go there: a globally routed unicast address (not loopback,
    private, link-local, shared, reserved, multicast or unspecified); an IPv4-mapped IPv6
    address is judged as its IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_addresses(host: str, addresses: Iterable[Address], allow_private: bool) -> None:
    """Refuse a host that resolves to nothing, or (unless private targets are allowed) to any
    address that is not public."""
    found = list(addresses)
    if not found:
        raise Invalid(f"url: the host {host!r} cannot be resolved", field="url")
    if allow_private:
        return
    private = [str(address) for address in found if not is_public(address)]
    if private:
        raise Invalid(
            f"url: {host!r} is a private or internal address ({private[0]}); webhooks go to "
            "public addresses only",
            field="url",
        )


def body(event: str, event_id: str, at: datetime, data: Mapping[str, Any]) -> str:
    """The JSON document every delivery POSTs; built once, when the event happens, so a retry
    sends the very same bytes (and signature)."""
    document = {"event": event, "id": event_id, "created_at": at.isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
