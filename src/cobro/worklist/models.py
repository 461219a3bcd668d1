"""The worklist's ranking, kept: one row per customer and currency with overdue items, as the
ranking query computed it (`worklist.repository.ranking`), so that a page of the worklist is
an index range read, not an aggregate over every overdue item of the company (a second and
more on PostgreSQL with 1M invoices; `bench/worklist_pg.py`).

`worklist_build` says for which day and when a company's rows were last computed
(`worklist.snapshot` decides when that is too old) and is the lock two builders of one
company take in turn."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime


class WorklistRow(Base):
    __tablename__ = "worklist_row"
    __table_args__ = (
        # the page: on hold last, most urgent first, ties in a stable order
        Index(
            "ix_worklist_row_rank",
            "company_id",
            "on_hold",
            "rank_key",
            "customer_id",
            "currency",
        ),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    on_hold: Mapped[int] = mapped_column(SmallInteger)
    # minus the priority: one ascending index serves "on hold last, most urgent first"
    rank_key: Mapped[int] = mapped_column(BigInteger)
    overdue: Mapped[int] = mapped_column(BigInteger)
    weighted: Mapped[int] = mapped_column(BigInteger)
    held: Mapped[int] = mapped_column(BigInteger)
    oldest_due: Mapped[date | None] = mapped_column(Date)
    items: Mapped[int] = mapped_column(Integer)
    hold: Mapped[str | None] = mapped_column(String(12))
    hold_until: Mapped[date | None] = mapped_column(Date)
    promise_broken_on: Mapped[date | None] = mapped_column(Date)
    late_permille: Mapped[int | None] = mapped_column(SmallInteger)  # the model's, when scored
    call_tasks: Mapped[int] = mapped_column(Integer)
    failed_messages: Mapped[int] = mapped_column(Integer)


class WorklistBuild(Base):
    __tablename__ = "worklist_build"

    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), primary_key=True)
    built_for: Mapped[date] = mapped_column(Date)  # the day the ages were counted to
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
