"""Validation notices as sent (with their dates, itemization and rendered text) and the
disputes received against them."""

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
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

_KINDS = "'last_statement', 'charge_off', 'last_payment', 'transaction', 'judgment'"


class ValidationNotice(Base):
    """One Regulation F validation notice: when it was sent, the dates it printed, the debt as
    itemized, and the document itself. Written once: a corrected notice is a new one."""

    __tablename__ = "validation_notice"
    __table_args__ = (
        # the customer exists and is the company's, in one check (as `note` does)
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint(f"itemization_kind IN ({_KINDS})", name="itemization_kind"),
        CheckConstraint("total = owed + interest + fees - payments", name="total"),
        CheckConstraint("ends_on > assumed_receipt_on", name="ends_after_receipt"),
        # a customer's notices in order (the kind of its first itemization date binds the rest)
        Index("ix_validation_notice_customer", "customer_id", "sent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    sent_on: Mapped[date] = mapped_column(Date)
    assumed_receipt_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the end of the validation period
    itemization_kind: Mapped[str] = mapped_column(String(20))
    itemization_on: Mapped[date] = mapped_column(Date)
    owed: Mapped[int] = mapped_column(BigInteger)  # minor units of `currency`, as of itemization_on
    interest: Mapped[int] = mapped_column(BigInteger)
    fees: Mapped[int] = mapped_column(BigInteger)
    payments: Mapped[int] = mapped_column(BigInteger)  # payments and credits since
    total: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    document: Mapped[str] = mapped_column(Text)  # the notice as rendered (HTML)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ValidationDispute(Base):
    """A consumer's dispute of a notice's debt: when it came, how much (None: all of it),
    whether it was in the validation period, the hold that stops collection, and the day the
    verification was sent (which ends the hold)."""

    __tablename__ = "validation_dispute"
    __table_args__ = (CheckConstraint("amount IS NULL OR amount > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("validation_notice.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(BigInteger)  # minor units; None: the whole debt
    timely: Mapped[bool]
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("hold.id"))
    verification_sent_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
