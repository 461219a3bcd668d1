"""The worker's side of deliveries: prepare the claimed ones, send them (outside any
transaction), record what happened. Claiming is the outbox's own (`cobro.outbox.claim` with
`table=Delivery`), and so are the retry policy (backoff, most attempts), which the worker hands
in: this layer sits below the outbox and cannot import it.

A webhook is a POST of the stored body, signed with the subscription's secret
(`X-Cobro-Signature: sha256=<HMAC>`), with `X-Cobro-Delivery: <key>` the same on every retry,
so a receiver that saw the key already can drop a resend after a crash. The target is checked
again just before sending (see `webhook.rules` on SSRF); redirects are not followed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cobro.channel.base import (
    Attachment,
    Channel,
    DeliveryError,
    Message,
    PermanentFailure,
    Receipt,
)
from cobro.channel.gateway import post
from cobro.channel.webhook import signature
from cobro.db import transaction
from cobro.webhook.models import Delivery, WebhookSubscription
from cobro.webhook.targets import refusal

USER_AGENT = "Cobro-Webhooks/1"


@dataclass(frozen=True)
class Shipment:
    """A claimed delivery, read and ready to go out."""

    id: int
    key: str
    channel: str  # "webhook" or "email"
    target: str
    subject: str | None
    payload: str
    secret: str | None
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Sent:
    """What a receiver answered to a delivery that went out."""

    status: int
    receipt: Receipt


Result = tuple[Shipment, Sent | DeliveryError]


def prepare(session: Session, ids: Sequence[int], worker: str, now: datetime) -> list[Shipment]:
    """The claimed deliveries still ours; one whose subscription was removed meanwhile is
    cancelled here."""
    rows = session.execute(
        select(Delivery, WebhookSubscription.secret, WebhookSubscription.removed_at)
        .outerjoin(WebhookSubscription, WebhookSubscription.id == Delivery.subscription_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    )
    shipments = []
    for delivery, secret, removed_at in rows:
        if delivery.status != "sending" or delivery.claimed_by != worker:
            continue  # our lease ran out and another worker has it
        if removed_at is not None or delivery.payload is None:
            _close(delivery, "cancelled", "the subscription was removed")
            continue
        shipments.append(
            Shipment(
                delivery.id,
                delivery.key,
                delivery.channel,
                delivery.target,
                delivery.subject,
                delivery.payload,
                secret,
                _attachment(delivery),
            )
        )
    return shipments


class Sender:
    """Sends shipments: webhooks over one HTTP client, emails through the email channel."""

    def __init__(
        self, email: Channel | None, allow_private: bool | None = None, timeout: float = 10.0
    ) -> None:
        self.email = email
        self.allow_private = allow_private
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, shipment: Shipment) -> Sent | DeliveryError:
        try:
            if shipment.channel == "email":
                if self.email is None:
                    raise PermanentFailure("the worker has no email channel")
                return Sent(250, self.email.send(_email(shipment)))
            return self._post(shipment)
        except DeliveryError as error:
            return error

    def _post(self, shipment: Shipment) -> Sent:
        if not shipment.secret:
            raise PermanentFailure("the subscription has no secret to sign with")
        refused = refusal(shipment.target, self.allow_private)
        if refused is not None:
            raise PermanentFailure(refused)
        body = shipment.payload.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Cobro-Delivery": shipment.key,
            "X-Cobro-Signature": signature(shipment.secret, body),
        }
        response = post(self._client, shipment.target, body, headers)
        receipt = Receipt(shipment.key, body, "application/json")
        return Sent(response.status_code, receipt)

    def close(self) -> None:
        self._client.close()


def _attachment(delivery: Delivery) -> Attachment | None:
    if delivery.attachment is None or not delivery.attachment_name:
        return None
    kind = (
        "application/pdf"
        if delivery.attachment_name.endswith(".pdf")
        else "application/octet-stream"
    )
    return Attachment(delivery.attachment_name, kind, delivery.attachment)


def _email(shipment: Shipment) -> Message:
    return Message(
        key=shipment.key,
        channel="email",
        to=(shipment.target,),
        subject=shipment.subject or "",
        text=shipment.payload,
        attachments=(shipment.attachment,) if shipment.attachment else (),
    )


def record(
    session: Session,
    results: Sequence[Result],
    worker: str,
    now: datetime,
    backoff: Callable[[int], timedelta],
    max_attempts: int,
) -> list[str]:
    """Record each outcome: "sent", "retry", "failed", or "superseded" (our lease ran out and
    another worker has it, and its record stands). Webhook failures go to nobody's task list:
    the subscriber's endpoint is theirs to fix; the deliveries page shows them."""
    if not results:
        return []
    ids = [shipment.id for shipment, _result in results]
    deliveries = {
        delivery.id: delivery
        for delivery in session.scalars(
            select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id).with_for_update()
        )
    }
    outcomes = []
    for shipment, result in results:
        delivery = deliveries[shipment.id]
        if delivery.status != "sending" or delivery.claimed_by != worker:
            outcomes.append("superseded")
        elif isinstance(result, Sent):
            delivery.response_status = result.status
            delivery.sent_at = now
            _close(delivery, "sent", None)
            outcomes.append("sent")
        elif result.permanent or delivery.attempts >= max_attempts:
            _close(delivery, "failed", result.reason)
            outcomes.append("failed")
        else:
            delivery.status = "queued"
            delivery.not_before = now + backoff(delivery.attempts)
            delivery.claimed_by = None
            delivery.claimed_until = None
            delivery.last_error = result.reason
            outcomes.append("retry")
    session.flush()
    return outcomes


def _close(delivery: Delivery, status: str, reason: str | None) -> None:
    delivery.status = status
    delivery.claimed_until = None
    delivery.last_error = reason
    if delivery.channel == "email":
        delivery.payload = None  # a reset link is a secret: not kept once it is out
        delivery.attachment = None  # a report is the company's: not kept in the queue either


def deliver_round(
    engine: Engine,
    sender: Sender,
    ids: Sequence[int],
    worker: str,
    clock: Callable[[], datetime],
    backoff: Callable[[int], timedelta],
    max_attempts: int,
) -> list[tuple[str, str]]:
    """One round for claimed deliveries, as the outbox's: prepare (a transaction), send (none),
    record (a transaction). Each (channel, outcome)."""
    if not ids:
        return []
    with transaction(engine) as session:
        shipments = prepare(session, ids, worker, clock())
    results: list[Result] = [(shipment, sender.send(shipment)) for shipment in shipments]
    with transaction(engine, writes=True) as session:
        outcomes = record(session, results, worker, clock(), backoff, max_attempts)
    return [
        (shipment.channel, outcome)
        for (shipment, _), outcome in zip(results, outcomes, strict=True)
    ]
