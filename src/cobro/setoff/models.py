"""Set-off: what the company itself owes a customer (their vendor bills, imported as
payables), and the set-offs agreed, each paying our receivables with our payables to the same
party. The receivable side of a set-off is a payment (method "set_off") applied to invoices as
any payment is, so the ledger's formula holds; the payable side reduces the bills."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class VendorBill(Base):
    """A bill the customer sent the company (the customer is also a supplier)."""

    __tablename__ = "vendor_bill"
    __table_args__ = (
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        UniqueConstraint("company_id", "customer_id", "number"),
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("open_amount >= 0 AND open_amount <= total", name="open_range"),
        Index("ix_vendor_bill_open", "company_id", "customer_id", "settled_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    number: Mapped[str] = mapped_column(String(60))  # the supplier's own number
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)  # minor units
    open_amount: Mapped[int] = mapped_column(BigInteger)  # still to pay them
    settled_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(140))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SetOff(Base):
    __tablename__ = "set_off"
    __table_args__ = (
        ForeignKeyConstraint(["customer_id", "company_id"], ["customer.id", "customer.company_id"]),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_set_off_customer", "customer_id", "set_off_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int]
    customer_id: Mapped[int]
    set_off_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SetOffBill(Base):
    """How much of one vendor bill a set-off paid."""

    __tablename__ = "set_off_bill"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    set_off_id: Mapped[int] = mapped_column(ForeignKey("set_off.id"), primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("vendor_bill.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
