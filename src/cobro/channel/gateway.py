"""SMS and WhatsApp through an HTTP gateway, and the HTTP error mapping webhooks share.

The gateway contract is deliberately small so that any provider fits behind a thin adapter:
`POST <url>` with JSON `{"channel", "to", "text", "reference"}`, a bearer token when configured,
and `Idempotency-Key: <action key>` so that a retry after a lost answer is not sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx

from cobro.channel.base import DeliveryError, Message, PermanentFailure, Receipt, TransientFailure
from cobro.channel.checks import phone_number

# 408 Request Timeout, 425 Too Early and 429 Too Many Requests say "later", unlike other 4xx.
_RETRY_LATER = {408, 425, 429}
_MAX_REASON = 500  # characters of a response body kept in a failure reason


def post(client: httpx.Client, url: str, body: bytes, headers: Mapping[str, str]) -> httpx.Response:
    """POST `body`; return the 2xx response or raise Transient/PermanentFailure.

    The one place where HTTP outcomes become delivery outcomes, for gateways and webhooks alike.
    """
    for name, value in headers.items():
        if not value.isascii():
            # HTTP header values are ASCII; a key outside it would crash the client instead.
            raise PermanentFailure(f"header {name} must be ASCII, got {value!r}")
    try:
        response = client.post(url, content=body, headers=dict(headers))
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
        raise PermanentFailure(f"invalid URL {url!r}: {error}") from error
    except httpx.TimeoutException as error:
        raise TransientFailure(f"{url} did not answer in time ({type(error).__name__})") from error
    except httpx.TransportError as error:
        # Refused connections, resets, a server that hung up mid-answer: all worth a retry.
        raise TransientFailure(f"cannot reach {url}: {type(error).__name__}: {error}") from error
    if response.is_success:
        return response
    raise http_failure(response)


def http_failure(response: httpx.Response) -> DeliveryError:
    status = response.status_code
    text = response.text[:_MAX_REASON].strip()
    reason = f"{response.request.url} answered {status} {response.reason_phrase}"
    if text:
        reason += f": {text}"
    if retry_after := response.headers.get("Retry-After"):
        reason += f" (Retry-After: {retry_after})"
    if status in _RETRY_LATER or status >= 500:
        return TransientFailure(reason)
    # Other 4xx mean the request itself is wrong; 3xx means the URL is (we never follow them).
    return PermanentFailure(reason)


def provider_id(response: httpx.Response, default: str) -> str:
    """The provider's id for the message from a JSON answer's "id", else our own key."""
    try:
        answer = response.json()
    except ValueError:
        return default
    if isinstance(answer, dict) and isinstance(answer.get("id"), str | int):
        return str(answer["id"])
    return default


class HttpGatewayChannel:
    """The "sms" or "whatsapp" channel: one message, one number, one POST."""

    def __init__(
        self, name: str, url: str, token: str | None = None, timeout: float = 10.0
    ) -> None:
        self.name = name
        self.url = url
        self.token = token
        # One client, so the connection to the gateway is reused across messages.
        self._client = httpx.Client(timeout=timeout)

    def send(self, message: Message) -> Receipt:
        if len(message.to) != 1:
            raise PermanentFailure(f"{self.name} goes to exactly one number, not {len(message.to)}")
        body = json.dumps(
            {
                "channel": self.name,
                "to": phone_number(message.to[0]),
                "text": message.text,
                "reference": message.key,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = post(self._client, self.url, body, headers)
        return Receipt(
            provider_id=provider_id(response, message.key),
            document=body,
            media_type="application/json",
        )

    def close(self) -> None:
        self._client.close()
