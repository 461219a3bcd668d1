"""Bank accounts, imported statements and their lines, and what cash application learned.

A statement line is stored once per account, whatever file brings it again (the intraday
report, the day's statement and the notification all carry the same entry): `key` is the
bank's reference where it gave one, else a fingerprint of the line. Its `state` says where it
stands: `applied` (a payment records it), `review` (waiting for a person, with the candidates
found), `unmatched` (no candidate), `ignored` (a person said it is not a customer's payment),
`debit` (money out, not for cash application), `returned` (a direct debit that came back),
`pending` (not booked yet: an intraday or MT942 line, kept for information).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

LINE_STATES = ("applied", "review", "unmatched", "ignored", "debit", "returned", "pending")


class BankAccount(Base):
    """An account of the company: statements are accepted only for these."""

    __tablename__ = "bank_account"
    __table_args__ = (UniqueConstraint("company_id", "account"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    account: Mapped[str] = mapped_column(String(40))  # compact IBAN, or the bank's account number
    bic: Mapped[str | None] = mapped_column(String(11))
    currency: Mapped[str] = mapped_column(String(3))
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Statement(Base):
    """One statement, report or notification as imported, with its balance check."""

    __tablename__ = "bank_statement"
    __table_args__ = (UniqueConstraint("bank_account_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_account.id"))
    key: Mapped[str] = mapped_column(String(64))  # the statement's id, else a digest of it
    format: Mapped[str] = mapped_column(String(40))
    identifier: Mapped[str | None] = mapped_column(String(140))
    filename: Mapped[str | None] = mapped_column(String(255))
    currency: Mapped[str | None] = mapped_column(String(3))
    created_on_bank: Mapped[datetime | None] = mapped_column(UTCDateTime)
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    opening: Mapped[int | None] = mapped_column(BigInteger)
    closing: Mapped[int | None] = mapped_column(BigInteger)
    # closing − (opening + booked lines) where the file states both: 0 adds up; anything else
    # is shown, not hidden (the bank's file is kept as the bank sent it)
    balance_gap: Mapped[int | None] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)
    new_lines: Mapped[int] = mapped_column(Integer)  # lines not seen before in another file
    imported_by: Mapped[str | None] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatementLine(Base):
    """A movement on the account, with what cash application made of it."""

    __tablename__ = "bank_line"
    __table_args__ = (
        UniqueConstraint("bank_account_id", "key"),
        CheckConstraint(
            "state IN ('applied', 'review', 'unmatched', 'ignored', 'debit', 'returned', "
            "'pending')",
            name="state",
        ),
        # the review queue, oldest first
        Index("ix_bank_line_company_state", "company_id", "state", "booking_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_account.id"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statement.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)  # signed minor units: money in > 0
    currency: Mapped[str] = mapped_column(String(3))
    booking_date: Mapped[date | None] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    counterparty_iban: Mapped[str | None] = mapped_column(String(40))
    counterparty_bic: Mapped[str | None] = mapped_column(String(11))
    end_to_end_id: Mapped[str | None] = mapped_column(String(64))
    structured_reference: Mapped[str | None] = mapped_column(String(64))
    remittance: Mapped[str | None] = mapped_column(Text)
    bank_code: Mapped[str | None] = mapped_column(String(40))
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    return_reason: Mapped[str | None] = mapped_column(String(8))
    mandate_id: Mapped[str | None] = mapped_column(String(64))
    instruction_id: Mapped[str | None] = mapped_column(String(64))
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10))
    # the candidates found (best first, with score and reasons) and why none was applied alone
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    why: Mapped[str | None] = mapped_column(String(300))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    applied_by: Mapped[str | None] = mapped_column(String(100))  # "auto" or the user's email
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayerLink(Base):
    """An account or a payer name known to pay for a customer, learned from confirmed matches
    (and from mandates): the next payment from it finds its customer without a reference."""

    __tablename__ = "payer_link"
    __table_args__ = (
        UniqueConstraint("company_id", "kind", "value", "customer_id"),
        CheckConstraint("kind IN ('iban', 'name')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    value: Mapped[str] = mapped_column(
        String(200)
    )  # compact IBAN, or the name as the bank wrote it
    confirmations: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
