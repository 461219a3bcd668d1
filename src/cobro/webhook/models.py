from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

DELIVERY_STATUSES = ("queued", "sending", "sent", "failed", "cancelled")


class WebhookSubscription(Base):
    """A company's HTTPS endpoint and the events it wants. `secret` signs every delivery
    (HMAC-SHA256); it is shown once, when the subscription is made, and never again. It is
    kept readable because the worker needs it to sign: a hash could not sign."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(Integer)  # a user id; no FK, as audit
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One thing to deliver that is no customer's action: a webhook event to one subscription,
    or an account email (a password reset link). Claimed, leased, retried with backoff and
    failed exactly like an outbox action (`cobro.outbox.claim`), by the same worker.

    (subscription, event_key) is the idempotency key: an event emitted twice (a cycle run
    twice for a day) is delivered once. `payload` is the exact body (JSON for a webhook, the
    text of an email); an email's is erased once it is sent or given up, since a reset link
    is a secret."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_key"),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')", name="status"
        ),
        CheckConstraint("channel IN ('webhook', 'email')", name="channel"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_delivery_due", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_subscription.id"))
    channel: Mapped[str] = mapped_column(String(10))
    event: Mapped[str] = mapped_column(String(40))
    event_key: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(2000))  # the URL, or the email address
    subject: Mapped[str | None] = mapped_column(String(300))
    payload: Mapped[str | None] = mapped_column(Text)
    # an email's one attachment (the weekly report's PDF), dropped once it is out
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        """Stable across retries: X-Cobro-Delivery and the email's Message-ID derive from it."""
        return f"cobro-delivery-{self.id}"
