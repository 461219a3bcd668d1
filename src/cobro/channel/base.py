"""The one protocol every channel implements, and what goes in and comes out of it.

A channel knows nothing of the ledger: the worker hands it a finished `Message` and gets back a
`Receipt` holding the exact bytes that went out (stored with their SHA-256 for the audit trail).
A channel that cannot deliver raises `TransientFailure` (try again later: a 4xx reply, a refused
connection) or `PermanentFailure` (never retry: a 5xx reply, an invalid address).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "application/pdf"
    data: bytes


@dataclass(frozen=True)
class PostalAddress:
    """Structured, as SEPA and postal services want it; the letter window shows these lines."""

    name: str
    street: str | None = None
    building_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166 alpha-2


@dataclass(frozen=True)
class Message:
    """One message to one debtor on one channel, fully rendered.

    `key` is the outbox action's idempotency key: channels derive stable identifiers from it (the
    email Message-ID, the letter's file name, the gateway's client reference), so a message sent
    twice after a crash can be recognised as the same message by whoever receives it.
    """

    key: str
    channel: str  # "email", "sms", "whatsapp", "letter", "registered_letter", "webhook"
    to: tuple[str, ...]  # addresses, phone numbers (E.164), or the webhook URL
    subject: str
    text: str
    html: str | None = None
    language: str = "en"
    sender: str | None = None  # the channel's configured sender when None
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    address: PostalAddress | None = None  # letters only
    unsubscribe_url: str | None = None  # email: List-Unsubscribe and the opt-out footer
    on: str | None = None  # ISO date of the cycle day (letters are gathered per day)


@dataclass(frozen=True)
class Receipt:
    """What the channel did: the provider's id and the document exactly as sent."""

    provider_id: str
    document: bytes
    media_type: str  # "message/rfc822", "application/pdf", "application/json", "text/plain"


class DeliveryError(Exception):
    permanent = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientFailure(DeliveryError):
    """Worth trying again later."""


class PermanentFailure(DeliveryError):
    """Never worth trying again; a collector must look at it."""

    permanent = True


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> Receipt: ...
