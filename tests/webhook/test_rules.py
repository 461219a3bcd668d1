"""The pure rules of webhooks: events, URLs, addresses (SSRF), the body."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime

import pytest

from cobro.errors import Invalid
from cobro.webhook.rules import (
    EVENTS,
    body,
    check_addresses,
    check_events,
    check_url,
    is_loopback_host,
    is_public,
)


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def test_events_are_kept_in_the_documented_order_without_repeats() -> None:
    assert check_events(["stage.reached", "payment.received", " Stage.Reached "]) == [
        "payment.received",
        "stage.reached",
    ]


def test_every_event_of_the_issue_can_be_subscribed() -> None:
    assert check_events(EVENTS) == list(EVENTS)
    assert {"promise.broken", "dispute.opened", "message.failed"} <= set(EVENTS)


@pytest.mark.parametrize("events", [[], ["payment.sent"], ["ping"]])
def test_no_event_an_unknown_one_or_ping_is_refused_naming_the_field(events: list[str]) -> None:
    with pytest.raises(Invalid) as refused:
        check_events(events)
    assert refused.value.field == "events"


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/cobro",
        "  https://hooks.example.com:8443/x?y=1 ",
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]:9000/hook",
    ],
)
def test_https_or_plain_http_to_loopback_is_accepted(url: str) -> None:
    assert check_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/cobro",
        "http://10.0.0.5/hook",
        "ftp://hooks.example.com/x",
        "https://user:pw@hooks.example.com/x",
        "https:///nohost",
        "hooks.example.com",
        "https://hooks.example.com:99999/x",
        "https://" + "a" * 2000 + ".example.com",
        "javascript:alert(1)",
    ],
)
def test_other_urls_are_refused_naming_the_field(url: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_url(url)
    assert refused.value.field == "url"


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "127.0.0.1", "127.8.9.10", "::1"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "0.0.0.0", "localhost.evil.com"])
def test_not_loopback_hosts(host: str) -> None:
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "::ffff:127.0.0.1",
    ],
)
def test_private_and_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(ip(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(ip(address))


def test_a_host_with_any_private_address_is_refused_unless_private_targets_are_allowed() -> None:
    mixed = [ip("93.184.215.14"), ip("10.0.0.7")]
    with pytest.raises(Invalid, match="private or internal"):
        check_addresses("sneaky.example.com", mixed, allow_private=False)
    check_addresses("sneaky.example.com", mixed, allow_private=True)
    check_addresses("example.com", [ip("93.184.215.14")], allow_private=False)


def test_a_host_that_resolves_to_nothing_is_refused_even_where_private_is_allowed() -> None:
    with pytest.raises(Invalid, match="cannot be resolved"):
        check_addresses("nowhere.invalid", [], allow_private=True)


def test_the_body_is_compact_sorted_json_with_the_event_its_id_and_time() -> None:
    text = body(
        "payment.received", "payment-7", datetime(2026, 3, 2, 12, tzinfo=UTC), {"amount": 100}
    )
    assert json.loads(text) == {
        "event": "payment.received",
        "id": "payment-7",
        "created_at": "2026-03-02T12:00:00+00:00",
        "data": {"amount": 100},
    }
    assert text == body(
        "payment.received", "payment-7", datetime(2026, 3, 2, 12, tzinfo=UTC), {"amount": 100}
    )
    assert " " not in text


def test_the_body_keeps_unicode_as_it_is() -> None:
    text = body("ping", "p", datetime(2026, 1, 1, tzinfo=UTC), {"name": "Ferretería"})
    assert "Ferretería" in text
