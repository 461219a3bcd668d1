from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest

from cobro.channel.base import PermanentFailure, TransientFailure
from cobro.channel.webhook import WebhookChannel, signature
from tests.channel import messages
from tests.support.http import HttpTestServer, Reply

SECRET = "whsec-test"
PAYLOAD = json.dumps({"event": "invoice.overdue", "invoice": "2024-001", "days": 10})


@pytest.fixture
def webhook() -> Iterator[WebhookChannel]:
    channel = WebhookChannel(SECRET)
    yield channel
    channel.close()


def test_the_receiver_can_verify_the_signature_of_what_it_got(
    http_server: HttpTestServer, webhook: WebhookChannel
) -> None:
    message = messages.email(
        channel="webhook", key="action-3", to=(http_server.url + "/hook",), text=PAYLOAD
    )

    receipt = webhook.send(message)

    [request] = http_server.requests
    assert request.path == "/hook"
    assert request.body == PAYLOAD.encode()
    assert request.headers["x-cobro-delivery"] == "action-3"
    assert request.headers["content-type"] == "application/json"
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["x-cobro-signature"], f"sha256={expected}")
    assert receipt.document == request.body
    assert receipt.media_type == "application/json"


def test_a_signature_made_with_another_secret_does_not_match() -> None:
    body = PAYLOAD.encode()

    assert signature(SECRET, body) != signature("other", body)
    assert signature(SECRET, body) != signature(SECRET, body + b" ")


@pytest.mark.parametrize(
    ("status", "failure"),
    [(429, TransientFailure), (503, TransientFailure), (410, PermanentFailure)],
)
def test_webhook_answers_are_sorted_like_the_gateways(
    http_server: HttpTestServer, webhook: WebhookChannel, status: int, failure: type[Exception]
) -> None:
    http_server.script(Reply(status, b"receiver says no", "text/plain"))

    with pytest.raises(failure, match="receiver says no"):
        webhook.send(messages.email(channel="webhook", to=(http_server.url,), text=PAYLOAD))


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "not a url", "https://"])
def test_an_invalid_url_is_a_permanent_failure(webhook: WebhookChannel, url: str) -> None:
    with pytest.raises(PermanentFailure, match="invalid webhook URL"):
        webhook.send(messages.email(channel="webhook", to=(url,), text=PAYLOAD))


def test_a_payload_that_is_not_json_is_a_permanent_failure(
    http_server: HttpTestServer, webhook: WebhookChannel
) -> None:
    with pytest.raises(PermanentFailure, match="not JSON"):
        webhook.send(messages.email(channel="webhook", to=(http_server.url,), text="hello"))

    assert http_server.requests == []


def test_a_webhook_channel_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookChannel("")
