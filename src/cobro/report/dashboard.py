"""The dashboard: what a company is owed (per currency, never added across currencies), how much
of it is overdue, its aging, what today's cycle did and what failed. Built from the aging report,
the outbox summary and the task list; no SQL of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.outbox.summary import FailedAction, day_counts, failed_count, latest_failed
from cobro.report.rules import Bucket
from cobro.report.service import aging
from cobro.task.service import open_task_count

FAILED_SHOWN = 10


@dataclass(frozen=True)
class CurrencyFigures:
    currency: str
    buckets: dict[Bucket, int]

    @property
    def open(self) -> int:
        return sum(self.buckets.values())

    @property
    def overdue(self) -> int:
        return self.open - self.buckets[Bucket.CURRENT]

    @property
    def overdue_share(self) -> Fraction:
        """Overdue / open; 0 when nothing (or a net credit) is open."""
        return Fraction(self.overdue, self.open) if self.open > 0 else Fraction(0)


@dataclass(frozen=True)
class Dashboard:
    on: date
    currencies: list[CurrencyFigures]  # the company's reporting currency first
    cycle: dict[tuple[str, str], int]  # the actions of `on`'s cycle per (status, kind)
    failed_count: int
    failed: list[FailedAction]  # the latest FAILED_SHOWN
    open_tasks: int

    @property
    def cycle_total(self) -> int:
        return sum(self.cycle.values())

    def cycle_by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for (status, _), count in self.cycle.items():
            counts[status] = counts.get(status, 0) + count
        return counts


def dashboard(session: Session, company: Company, on: date) -> Dashboard:
    """The dashboard of `company` as the ledger stands at the end of `on` (the page passes
    today in the company's time zone)."""
    report = aging(session, company.id, on)
    currencies = [
        CurrencyFigures(currency, dict(report.totals[currency]))
        for currency in sorted(report.totals, key=lambda code: (code != company.currency, code))
    ]
    return Dashboard(
        on=on,
        currencies=currencies,
        cycle=day_counts(session, company.id, on),
        failed_count=failed_count(session, company.id),
        failed=latest_failed(session, company.id, FAILED_SHOWN),
        open_tasks=open_task_count(session, company.id),
    )
