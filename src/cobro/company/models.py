from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

CHARGE_MODES = ("off", "claim", "charge")


class Company(Base):
    __tablename__ = "company"
    __table_args__ = (
        CheckConstraint("charge_mode IN ('off', 'claim', 'charge')", name="charge_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))  # the reporting currency
    timezone: Mapped[str] = mapped_column(String(64))
    # what notices show and where replies go; empty until the company fills them in
    language: Mapped[str | None] = mapped_column(String(12))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    # late-payment interest and fees (`cobro.charge`): whose law (a code of
    # `cobro.interest.law`; empty: no statutory interest), and whether charges are only
    # claimed in the letters or charged on a debit note the policy then chases
    jurisdiction: Mapped[str | None] = mapped_column(String(2))
    charge_mode: Mapped[str] = mapped_column(String(6), default="claim", server_default="claim")
    # an agreed rate (% a year, as text: SQLite turns NUMERIC into floats) that replaces the
    # statutory one where the law allows, capped where it must be
    contract_rate: Mapped[str | None] = mapped_column(String(12))
    # cash application (`cobro.banking`): the score from which a match is applied without a
    # person, and the most bank charges a payer may deduct (minor units) for an invoice to
    # count as paid in full
    match_threshold: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    charges_tolerance: Mapped[int] = mapped_column(BigInteger, default=2500, server_default="2500")
    # SEPA direct debit: the creditor identifier (ES12ZZZ…), and the fee added to an invoice
    # whose collection comes back (0: none)
    creditor_id: Mapped[str | None] = mapped_column(String(35))
    return_fee: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # the company's postal address, structured as pain.008 wants it (banks refuse unstructured
    # addresses from November 2026)
    street: Mapped[str | None] = mapped_column(String(70))
    building_number: Mapped[str | None] = mapped_column(String(16))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    town: Mapped[str | None] = mapped_column(String(35))
    # agreements (`cobro.promise`): the days the chase waits past a promised date for the
    # money, and the furthest date a debtor may promise
    promise_grace_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    promise_longest_days: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    # disputes (`cobro.dispute`): the days the owner has to resolve one
    dispute_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    # write-offs (`cobro.writeoff`): an open remainder up to this (minor units; 0: never) is
    # written off by the cycle; a collector writes off up to the first limit alone, a manager
    # up to the second (empty: any amount); above, an admin approves
    small_balance_limit: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    collector_write_off_limit: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0"
    )
    manager_write_off_limit: Mapped[int | None] = mapped_column(BigInteger)
    # payment plans (`cobro.plan`): the guardrails within which a plan asked for in the portal
    # is approved without a person (longest term in months, smallest installment in minor
    # units), and the days an installment may be late before the plan breaks
    plan_longest_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    plan_smallest_installment: Mapped[int] = mapped_column(
        BigInteger, default=5000, server_default="5000"
    )
    plan_grace_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # the weekly management report (`cobro.report.weekly`) goes to managers on this weekday
    # (0 = Monday … 6 = Sunday); None: no weekly report
    weekly_report_day: Mapped[int | None] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
