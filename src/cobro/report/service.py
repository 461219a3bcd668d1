"""Report use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from cobro.report.repository import aging_rows
from cobro.report.rules import BUCKET_LIMITS, Bucket


@dataclass(frozen=True)
class AgingLine:
    customer_id: int
    customer: str
    name: str
    currency: str
    buckets: dict[Bucket, int]

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


@dataclass(frozen=True)
class AgingReport:
    on: date
    lines: list[AgingLine]
    totals: dict[str, dict[Bucket, int]] = field(default_factory=dict)  # per currency

    def total(self, currency: str) -> int:
        return sum(self.totals.get(currency, {}).values())


def aging(session: Session, company_id: int, on: date) -> AgingReport:
    """Open amount per customer and currency in the buckets current, 1–30, 31–60, 61–90, 90+
    days past due, as of the end of `on`. Currencies are never added together."""
    lines: list[AgingLine] = []
    totals: dict[str, dict[Bucket, int]] = {}
    for row in aging_rows(session, company_id, on):
        buckets = {bucket: int(getattr(row, bucket.value) or 0) for bucket, _ in BUCKET_LIMITS}
        lines.append(AgingLine(row.id, row.external_id, row.name, row.currency, buckets))
        currency_totals = totals.setdefault(row.currency, dict.fromkeys(Bucket, 0))
        for bucket, amount in buckets.items():
            currency_totals[bucket] += amount
    return AgingReport(on=on, lines=lines, totals=totals)
