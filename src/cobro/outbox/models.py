from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
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

STATUSES = ("queued", "sending", "sent", "failed", "cancelled", "skipped")


class Action(Base):
    """One thing to do for one customer: a message on one channel listing every item at its
    stage, a call task, a fee, an escalation...

    The unique key (customer, stage, kind, cycle day) is the idempotency key: a cycle run twice
    for a day, or by two processes at once, cannot queue the same action twice. `not_before`
    holds it back until the debtor's send window (quiet hours, weekends, holidays, contact caps);
    `claimed_until` is the worker's lease, so an action whose worker died is taken up again.
    """

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("customer_id", "stage", "kind", "cycle_on", name="uq_action_key"),
        # one check for both: the customer exists and is the company's (see ADR 0005)
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled', 'skipped')",
            name="status",
        ),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_action_due", "status", "not_before"),
        # a day's actions; the outbox's list, newest first, walks it (id: the last sort key)
        Index("ix_action_company_day", "company_id", "cycle_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    # no index of its own: uq_action_key leads with it
    customer_id: Mapped[int]
    # the policy that decided it; no foreign key: policies are never deleted (ADR 0005)
    policy_id: Mapped[int]
    stage: Mapped[str] = mapped_column(String(40))
    tone: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    cycle_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self) -> str:
        """Stable across retries and crashes: the Message-ID and file names derive from it."""
        return f"cobro-{self.company_id}-{self.id}"


class Attempt(Base):
    """Every try at carrying out an action, with its outcome."""

    __tablename__ = "attempt"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('sent', 'retry', 'failed', 'cancelled', 'skipped')", name="outcome"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(100))


class Document(Base):
    """A document exactly as it went out (email, letter PDF), kept with its SHA-256 for the audit
    trail and the legal file."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
