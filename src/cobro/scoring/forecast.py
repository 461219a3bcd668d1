"""The cash forecast as kept, and how it compares with the cash that came in. Reads only.

A forecast made on a day covers the invoices open that day. So the cash it is checked against
is the money applied to those invoices (issued by that day), counted in the week its payment
was received: cash for invoices issued later is not what it forecast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.errors import NotFound
from cobro.invoice.models import Invoice
from cobro.payment.models import Allocation, Payment
from cobro.scoring.forecast_rules import (
    CheckSummary,
    Forecast,
    ForecastWeek,
    WeekCheck,
    compare,
    summary,
)
from cobro.scoring.models import ForecastWeek as KeptWeek


@dataclass(frozen=True)
class Checked:
    forecast: Forecast
    checks: list[WeekCheck]  # the weeks already over
    summary: dict[str, CheckSummary]


def kept(session: Session, company_id: int, made_on: date | None = None) -> Forecast:
    """The forecast made on `made_on` (None: the latest)."""
    if made_on is None:
        made_on = session.scalar(
            select(func.max(KeptWeek.made_on)).where(KeptWeek.company_id == company_id)
        )
    rows = session.scalars(
        select(KeptWeek)
        .where(KeptWeek.company_id == company_id, KeptWeek.made_on == made_on)
        .order_by(KeptWeek.currency, KeptWeek.week)
    ).all()
    if made_on is None or not rows:
        what = "no forecast kept yet (cobro model score makes one)"
        raise NotFound(what if made_on is None else f"no forecast made on {made_on}", "forecast")
    weeks = tuple(ForecastWeek(r.week, r.currency, r.expected, r.low, r.high) for r in rows)
    return Forecast(made_on, weeks, {}, {})


def checked(session: Session, company_id: int, today: date, made_on: date | None = None) -> Checked:
    found = kept(session, company_id, made_on)
    received = _received(session, company_id, found)
    checks = compare(found, received, today)
    return Checked(found, checks, summary(checks))


def _received(session: Session, company_id: int, made: Forecast) -> dict[tuple[str, date], int]:
    if not made.weeks:
        return {}
    first = min(w.start for w in made.weeks)
    last = max(w.start for w in made.weeks) + timedelta(days=6)
    rows = session.execute(
        select(Invoice.currency, Payment.received_on, func.sum(Allocation.amount))
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.issue_date <= made.on,
            Payment.returned_on.is_(None),
            Payment.received_on.between(max(first, made.on), last),
        )
        .group_by(Invoice.currency, Payment.received_on)
    )
    cash: dict[tuple[str, date], int] = defaultdict(int)
    for currency, day, amount in rows:
        cash[(currency, day - timedelta(days=day.weekday()))] += int(amount)
    return dict(cash)
