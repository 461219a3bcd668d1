"""Disputes: a debtor contests one or several invoices, or part of an amount, for a reason;
someone owns the case until a due date; it ends in a credit note, a partial credit or a
rejection. The disputed part of each invoice is held (`Hold.dispute_id`, `Hold.amount`) while
the rest is chased."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

DISPUTE_REASONS = ("price", "quality", "not_received", "already_paid", "duplicate", "other")
DISPUTE_STATUSES = ("open", "credited", "partly_credited", "rejected", "withdrawn")
DISPUTE_SOURCES = ("call", "portal", "reply", "web", "api")


class Dispute(Base):
    __tablename__ = "dispute"
    __table_args__ = (
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint(
            "reason IN ('price', 'quality', 'not_received', 'already_paid', 'duplicate', 'other')",
            name="reason",
        ),
        CheckConstraint(
            "status IN ('open', 'credited', 'partly_credited', 'rejected', 'withdrawn')",
            name="status",
        ),
        CheckConstraint("source IN ('call', 'portal', 'reply', 'web', 'api')", name="source"),
        CheckConstraint("due_on >= opened_on", name="due_after_open"),
        Index("ix_dispute_open", "company_id", "status", "due_on"),
        Index("ix_dispute_customer", "customer_id", "opened_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    owner: Mapped[str | None] = mapped_column(String(100))  # who works it
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)  # when it should be resolved by
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str | None] = mapped_column(String(100))
    # a US consumer's dispute inside the validation period (Regulation F): its record there.
    # No foreign key: that record points at its hold, which points here (a cycle of keys)
    validation_dispute_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DisputeItem(Base):
    """The amount of one invoice a dispute contests, and what the resolution credited."""

    __tablename__ = "dispute_item"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("credited >= 0 AND credited <= amount", name="credited_range"),
        Index("ix_dispute_item_invoice", "invoice_id"),
    )

    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units of the invoice's currency
    credited: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("credit_note.id"))


class DisputeEvidence(Base):
    """A file the debtor or a collector attached: kept in the database, so that a backup of it
    is a backup of everything (files are size-limited, `dispute.rules`)."""

    __tablename__ = "dispute_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
