"""Promises to pay: what a debtor said they would pay, by when, over which invoices (none
listed: the customer's whole balance), and how it ended. The hold that stops the chase while
the promise runs points back to it (`Hold.promise_id`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

PROMISE_STATUSES = ("open", "kept", "broken", "cancelled")
PROMISE_SOURCES = ("call", "portal", "reply", "web", "api")


class Promise(Base):
    __tablename__ = "promise"
    __table_args__ = (
        # the customer exists and is the company's, in one check (as `note` does)
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("due_on >= promised_on", name="due_after_promise"),
        CheckConstraint("grace_days >= 0", name="grace"),
        CheckConstraint("status IN ('open', 'kept', 'broken', 'cancelled')", name="status"),
        CheckConstraint("source IN ('call', 'portal', 'reply', 'web', 'api')", name="source"),
        # the cycle's daily look at the promises still running
        Index("ix_promise_open", "company_id", "status", "due_on"),
        Index("ix_promise_customer", "customer_id", "promised_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units of `currency`
    currency: Mapped[str] = mapped_column(String(3))
    promised_on: Mapped[date] = mapped_column(Date)  # the day the debtor promised
    due_on: Mapped[date] = mapped_column(Date)  # the day they promised to pay by
    grace_days: Mapped[int]  # the chase waits this long past `due_on` for the money
    status: Mapped[str] = mapped_column(String(10), default="open")
    paid: Mapped[int] = mapped_column(BigInteger, default=0)  # counted toward it, at the end
    resolved_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10))
    collector: Mapped[str | None] = mapped_column(String(100))  # who owned the customer then
    created_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PromiseInvoice(Base):
    """An invoice a promise covers."""

    __tablename__ = "promise_invoice"
    __table_args__ = (Index("ix_promise_invoice_invoice", "invoice_id"),)

    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
