"""Webhooks: a signed JSON POST to the URL a company registered.

The receiver checks `X-Cobro-Signature: sha256=<hex HMAC-SHA256(secret, body)>` before trusting
the body, and uses `X-Cobro-Delivery` (the action key) to ignore a delivery it already handled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlsplit

import httpx

from cobro.channel.base import Message, PermanentFailure, Receipt
from cobro.channel.gateway import post, provider_id


def signature(secret: str, body: bytes) -> str:
    """The value of X-Cobro-Signature for `body`; receivers compute the same and compare."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookChannel:
    """The "webhook" channel: `message.text` is the JSON document, `message.to[0]` the URL."""

    def __init__(self, secret: str, timeout: float = 10.0, name: str = "webhook") -> None:
        if not secret:
            raise ValueError("a webhook secret is required: unsigned webhooks can be forged")
        self.name = name
        self._secret = secret
        self._client = httpx.Client(timeout=timeout)

    def send(self, message: Message) -> Receipt:
        url = _target(message)
        try:
            json.loads(message.text)
        except ValueError as error:
            raise PermanentFailure(f"webhook payload is not JSON: {error}") from error
        body = message.text.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Cobro-Delivery": message.key,
            "X-Cobro-Signature": signature(self._secret, body),
        }
        response = post(self._client, url, body, headers)
        return Receipt(
            provider_id=provider_id(response, message.key),
            document=body,
            media_type="application/json",
        )

    def close(self) -> None:
        self._client.close()


def _target(message: Message) -> str:
    if len(message.to) != 1:
        raise PermanentFailure(f"a webhook goes to exactly one URL, not {len(message.to)}")
    url = message.to[0]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PermanentFailure(f"invalid webhook URL {url!r}: expected http(s)://host/path")
    return url
