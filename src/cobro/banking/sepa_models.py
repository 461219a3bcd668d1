"""SEPA direct debit: mandates, the batches (pain.008 files) written, each collection in them.

A collection is money Cobro asked the debtor's bank for: it is recorded as a payment applied to
its invoice on the collection date (the reminders stop), and a return or reject undoes that
allocation and puts the invoice back in its policy.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class Mandate(Base):
    """The debtor's signed authorisation to collect from their account."""

    __tablename__ = "sepa_mandate"
    __table_args__ = (
        UniqueConstraint("company_id", "reference"),
        CheckConstraint("scheme IN ('CORE', 'B2B')", name="scheme"),
        CheckConstraint("state IN ('active', 'revoked', 'expired')", name="state"),
        CheckConstraint("next_sequence IN ('FRST', 'RCUR', 'OOFF')", name="next_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    reference: Mapped[str] = mapped_column(String(35))
    signed_on: Mapped[date] = mapped_column(Date)
    scheme: Mapped[str] = mapped_column(String(4))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    debtor_name: Mapped[str] = mapped_column(String(140))
    state: Mapped[str] = mapped_column(String(8), default="active")
    # FRST for the first collection (and again after the first one came back), then RCUR;
    # OOFF for a one-off mandate, which is spent once collected
    next_sequence: Mapped[str] = mapped_column(String(4), default="FRST")
    last_collected_on: Mapped[date | None] = mapped_column(Date)
    ended_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DebitBatch(Base):
    """One pain.008 file, kept as written (and its hash) so it can be sent again unchanged."""

    __tablename__ = "sepa_batch"
    __table_args__ = (UniqueConstraint("company_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    message_id: Mapped[str] = mapped_column(String(35))
    version: Mapped[str] = mapped_column(String(20))
    collection_date: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Collection(Base):
    """One debit of a customer's account under a mandate in a batch: their invoices due by the
    collection date, together (one debit on their statement, its payment applied to each)."""

    __tablename__ = "sepa_collection"
    __table_args__ = (
        UniqueConstraint("company_id", "end_to_end_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("state IN ('submitted', 'returned')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("sepa_batch.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("sepa_mandate.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    sequence_type: Mapped[str] = mapped_column(String(4))
    amount: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10), default="submitted")
    return_reason: Mapped[str | None] = mapped_column(String(8))
    returned_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
