from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class Payment(Base):
    """Money received. `unapplied` (kept with every allocation) is what no invoice has taken."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("company_id", "external_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("unapplied >= 0 AND unapplied <= amount", name="unapplied_range"),
        # the API's list, newest first (its default sort): a page without sorting the company
        Index("ix_payment_company_received", "company_id", "received_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    received_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    unapplied: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str | None] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(140))
    payer_name: Mapped[str | None] = mapped_column(String(200))
    # a direct debit the debtor's bank sent back (a SEPA return or reject): its allocations are
    # undone and nothing is left to apply (`unapplied` is 0), but the record stays
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Allocation(Base):
    """Part of a payment applied to an invoice, on a date (the payment's, or later for old cash)."""

    __tablename__ = "allocation"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    applied_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
