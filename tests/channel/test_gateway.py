from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cobro.channel.base import PermanentFailure, TransientFailure
from cobro.channel.gateway import HttpGatewayChannel
from tests.channel import messages
from tests.support.http import HttpTestServer, Reply


@pytest.fixture
def gateway(http_server: HttpTestServer) -> Iterator[HttpGatewayChannel]:
    channel = HttpGatewayChannel("sms", http_server.url + "/send", token="t0ken")
    yield channel
    channel.close()


def test_the_gateway_gets_channel_number_text_and_reference(
    http_server: HttpTestServer, gateway: HttpGatewayChannel
) -> None:
    gateway.send(messages.sms(key="action-5", to=("+34 600 123 456",)))

    [request] = http_server.requests
    assert (request.method, request.path) == ("POST", "/send")
    assert request.json() == {
        "channel": "sms",
        "to": "+34600123456",
        "text": "Acme: invoice 2024-001 is overdue.",
        "reference": "action-5",
    }
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer t0ken"
    assert request.headers["idempotency-key"] == "action-5"


def test_the_receipt_holds_the_provider_id_and_the_body_sent(
    http_server: HttpTestServer, gateway: HttpGatewayChannel
) -> None:
    http_server.script(Reply.json(201, {"id": "SM123", "status": "queued"}))

    receipt = gateway.send(messages.sms())

    assert receipt.provider_id == "SM123"
    assert receipt.document == http_server.requests[0].body
    assert receipt.media_type == "application/json"


@pytest.mark.parametrize(
    "reply", [Reply(200, b"OK", "text/plain"), Reply.json(202, ["queued"]), Reply(204)]
)
def test_without_an_id_in_the_answer_the_key_is_the_provider_id(
    http_server: HttpTestServer, gateway: HttpGatewayChannel, reply: Reply
) -> None:
    http_server.script(reply)

    assert gateway.send(messages.sms(key="action-6")).provider_id == "action-6"


def test_no_authorization_header_is_sent_without_a_token(http_server: HttpTestServer) -> None:
    channel = HttpGatewayChannel("whatsapp", http_server.url)

    channel.send(messages.sms())
    channel.close()

    assert "authorization" not in http_server.requests[0].headers
    assert json.loads(http_server.requests[0].body)["channel"] == "whatsapp"


def test_one_connection_carries_many_messages(
    http_server: HttpTestServer, gateway: HttpGatewayChannel
) -> None:
    for number in range(5):
        gateway.send(messages.sms(key=f"action-{number}"))

    assert len({request.client_port for request in http_server.requests}) == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_busy_or_broken_gateways_are_transient_failures(
    http_server: HttpTestServer, gateway: HttpGatewayChannel, status: int
) -> None:
    http_server.script(Reply(status, b"try later", "text/plain", headers={"Retry-After": "30"}))

    with pytest.raises(TransientFailure) as failure:
        gateway.send(messages.sms())

    assert f"answered {status}" in failure.value.reason
    assert "try later" in failure.value.reason
    assert "Retry-After: 30" in failure.value.reason


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_request_the_gateway_rejects_is_a_permanent_failure_with_its_words(
    http_server: HttpTestServer, gateway: HttpGatewayChannel, status: int
) -> None:
    http_server.script(Reply.json(status, {"error": "number not mobile"}))

    with pytest.raises(PermanentFailure) as failure:
        gateway.send(messages.sms())

    assert f"answered {status}" in failure.value.reason
    assert "number not mobile" in failure.value.reason


def test_a_refused_connection_is_a_transient_failure() -> None:
    server = HttpTestServer()
    server.start()
    server.stop()  # the port is free again: nobody listens
    channel = HttpGatewayChannel("sms", server.url)

    with pytest.raises(TransientFailure, match="cannot reach"):
        channel.send(messages.sms())


def test_a_gateway_slower_than_the_timeout_is_a_transient_failure(
    http_server: HttpTestServer,
) -> None:
    http_server.script(Reply(200, delay=1.0))
    channel = HttpGatewayChannel("sms", http_server.url, timeout=0.1)

    with pytest.raises(TransientFailure, match="did not answer in time"):
        channel.send(messages.sms())


def test_an_invalid_number_is_refused_before_calling_the_gateway(
    http_server: HttpTestServer, gateway: HttpGatewayChannel
) -> None:
    with pytest.raises(PermanentFailure, match="'612 34'"):
        gateway.send(messages.sms(to=("612 34",)))

    assert http_server.requests == []


def test_a_key_that_cannot_be_an_http_header_is_a_permanent_failure(
    http_server: HttpTestServer, gateway: HttpGatewayChannel
) -> None:
    with pytest.raises(PermanentFailure, match="Idempotency-Key must be ASCII"):
        gateway.send(messages.sms(key="acción-1"))

    assert http_server.requests == []
