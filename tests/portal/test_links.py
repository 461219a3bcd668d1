"""Portal links: signed, expiring, scoped; anything else refused with one typed error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cobro.portal.links import (
    DEFAULT_DAYS,
    MessageLinks,
    PortalLinkRefused,
    expiry,
    portal_token,
    portal_url,
    preferences_url,
    read_portal_token,
)

SECRET = "portal test secret"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_round_trip() -> None:
    token = portal_token(SECRET, 7, 42, NOW + timedelta(days=1))
    assert read_portal_token(SECRET, token, NOW) == (7, 42)


def test_default_expiry_is_sixty_days() -> None:
    assert DEFAULT_DAYS == 60
    token = portal_token(SECRET, 1, 2, expiry(NOW))
    assert read_portal_token(SECRET, token, NOW + timedelta(days=59, hours=23)) == (1, 2)
    with pytest.raises(PortalLinkRefused):
        read_portal_token(SECRET, token, NOW + timedelta(days=60))


def test_expired_is_refused() -> None:
    token = portal_token(SECRET, 1, 2, NOW)
    with pytest.raises(PortalLinkRefused) as refused:
        read_portal_token(SECRET, token, NOW + timedelta(seconds=1))
    assert refused.value.status == 403


def test_another_secret_is_refused() -> None:
    token = portal_token("another secret", 1, 2, NOW + timedelta(days=1))
    with pytest.raises(PortalLinkRefused):
        read_portal_token(SECRET, token, NOW)


@pytest.mark.parametrize("position", [0, 5, -1, -5])
def test_tampered_is_refused(position: int) -> None:
    token = portal_token(SECRET, 1, 2, NOW + timedelta(days=1))
    char = token[position]
    tampered = token[:position] + ("A" if char != "A" else "B") + token[position + 1 :]
    if position == -1:
        tampered = token[:-1] + ("A" if char != "A" else "B")
    with pytest.raises(PortalLinkRefused):
        read_portal_token(SECRET, tampered, NOW)


def test_another_customer_cannot_be_forged() -> None:
    """The payload is readable but signed: swapping in another customer breaks the signature."""
    token = portal_token(SECRET, 1, 2, NOW + timedelta(days=1))
    other = portal_token(SECRET, 1, 3, NOW + timedelta(days=1))
    forged = other.split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(PortalLinkRefused):
        read_portal_token(SECRET, forged, NOW)


def test_other_signed_values_of_the_app_are_not_tokens() -> None:
    from itsdangerous import URLSafeSerializer

    csrf_like = URLSafeSerializer(SECRET, salt="cobro-csrf").dumps([1, 2, 9_999_999_999])
    unsalted = URLSafeSerializer(SECRET).dumps([1, 2, 9_999_999_999])
    for token in (csrf_like, unsalted):
        with pytest.raises(PortalLinkRefused):
            read_portal_token(SECRET, token, NOW)


@pytest.mark.parametrize("token", ["", ".", "abc", "a.b.c", "x" * 600, "ééé", "null.abc"])
def test_malformed_is_refused(token: str) -> None:
    with pytest.raises(PortalLinkRefused):
        read_portal_token(SECRET, token, NOW)


@pytest.mark.parametrize("payload", [[1, 2], "x", [1, 2, "3"], [True, 2, 3], {"a": 1}, None])
def test_wrong_payload_shape_is_refused(payload: object) -> None:
    from itsdangerous import URLSafeSerializer

    token = URLSafeSerializer(SECRET, salt="cobro-portal").dumps(payload)
    with pytest.raises(PortalLinkRefused):
        read_portal_token(SECRET, token, NOW)


def test_naive_expiry_and_empty_secret_are_bugs() -> None:
    with pytest.raises(ValueError, match="aware"):
        portal_token(SECRET, 1, 2, datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="secret"):
        portal_token("", 1, 2, NOW)


def test_url() -> None:
    assert portal_url("http://127.0.0.1:8000/", "tok") == "http://127.0.0.1:8000/portal/tok"


def test_message_links_are_signed_expiring_portal_addresses() -> None:
    url = MessageLinks(SECRET, "https://cobro.example/", days=7).portal(3, 4, NOW)
    assert url is not None
    assert url.startswith("https://cobro.example/portal/")
    token = url.rsplit("/", 1)[1]
    assert read_portal_token(SECRET, token, NOW + timedelta(days=6)) == (3, 4)
    with pytest.raises(PortalLinkRefused):
        read_portal_token(SECRET, token, NOW + timedelta(days=7))
    assert preferences_url(url) == f"{url}/preferences"


def test_without_a_secret_messages_get_no_link() -> None:
    assert MessageLinks(None, "https://cobro.example").portal(3, 4, NOW) is None
    assert MessageLinks("", "https://cobro.example").portal(3, 4, NOW) is None
