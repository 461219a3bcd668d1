"""Rate periods imported into the database (`cobro rates import`): each extends a shipped
rate series (`interest/rates/*.json`) over days it has no rate for. The rate is kept as the
decimal text it was given: SQLite would turn a NUMERIC column into a float."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow

SERIES_MAX = 40
SOURCE_MAX = 300


class RatePeriodRow(Base):
    __tablename__ = "rate_period"
    __table_args__ = (
        UniqueConstraint("series", "starts_on"),
        CheckConstraint("ends_on >= starts_on", name="days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(SERIES_MAX))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    rate: Mapped[str] = mapped_column(String(20))  # % a year, as decimal text ("1.27")
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def rate_value(self) -> Decimal:
        return Decimal(self.rate)
