"""The demo's FX rates: one per foreign currency on the first of each month of its history,
around what a euro was worth (`EURO_VALUE`), so that its reports sliced by collector, segment or
country — and the collectors report and the weekly management report — convert every amount."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from cobro.demo.customers import EURO_VALUE
from cobro.fx.models import FxRate
from cobro.kit.dates import add_months

DRIFT = 0.03  # a month's rate within ±3 % of the usual value
FOUR_PLACES = Decimal("0.0001")


def demo_rates(session: Session, company_id: int, first: date, on: date, seed: int) -> int:
    """Rates from the month of `first` to `on`'s, for every currency but the euro; how many."""
    draw = random.Random(f"{seed}:fx")
    month = first.replace(day=1)
    rows = []
    while month <= on:
        for currency, value in sorted(EURO_VALUE.items()):
            if currency == "EUR":
                continue
            rate = Decimal(str(value * (1 + draw.uniform(-DRIFT, DRIFT)))).quantize(FOUR_PLACES)
            rows.append(FxRate(company_id=company_id, currency=currency, day=month, rate=rate,
                               source="demo"))  # fmt: skip
        month = add_months(month, 1)
    session.add_all(rows)
    session.flush()
    return len(rows)
