"""Slicing a report: by currency (the default: amounts stay in their own currency, never
added across currencies), or by the customer's collector, segment or country, where each
slice's amounts are converted to the company's reporting currency with the FX rate of the
report's date (`cobro.fx`). A rate that is missing stops the report with a message naming the
currency and the date: a slice is never summed from amounts it could not convert.

Also what every sliced report shares: the period checked and written, the day bounds of time
stamps, the columns naming a row, bar charts, and a `Tally` of per-(slice, currency) sums
that the slicing adds up into rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, literal
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.fx.rules import convert
from cobro.fx.service import rates_on
from cobro.kit.money import to_decimal
from cobro.report.table import Cell, Chart, ChartKind, Column, Kind, Series

NONE_LABEL = "(none)"  # the slice of customers without a collector, segment or country


class By(StrEnum):
    CURRENCY = "currency"
    COLLECTOR = "collector"
    SEGMENT = "segment"
    COUNTRY = "country"


def parse_by(text: str | None) -> By:
    try:
        return By(text or By.CURRENCY)
    except ValueError:
        choices = ", ".join(b.value for b in By)
        raise Invalid(f"--by {text!r}: slice by one of {choices}", field="by") from None


def slice_of(by: By) -> ColumnElement[str]:
    """The SQL expression naming a customer's slice (join Customer to use it). By currency
    the slice is the currency itself: the caller groups by currency anyway."""
    if by is By.CURRENCY:
        return literal("").label("slice")
    column = {By.COLLECTOR: Customer.collector, By.SEGMENT: Customer.segment,
              By.COUNTRY: Customer.country}[by]  # fmt: skip
    return func.coalesce(column, NONE_LABEL).label("slice")


def slice_group(by: By) -> list[str]:
    """What to GROUP BY for the slice: its label (PostgreSQL cannot tell two renderings of the
    expression apart, each with its own parameter), and nothing by currency (PostgreSQL refuses
    to group by a constant; the constant `slice_of` selects needs no grouping)."""
    return [] if by is By.CURRENCY else ["slice"]


@dataclass(frozen=True)
class Slicing:
    """How one report adds its per-(slice, currency) sums into its rows."""

    by: By
    reporting: str  # the company's reporting currency
    rates: dict[str, Decimal]  # currency → reporting units per unit (empty by currency)
    on: date

    def key(self, slice_name: str, currency: str) -> tuple[str, str]:
        """The row a (slice, currency) sum lands in: (slice, currency of the row)."""
        if self.by is By.CURRENCY:
            return currency, currency
        return slice_name, self.reporting

    def amount(self, minor: int, currency: str) -> int:
        """`minor` in `currency`, as the row's currency holds it."""
        if self.by is By.CURRENCY or currency == self.reporting:
            return minor
        return convert(minor, currency, self.reporting, self.rates[currency])

    def note(self) -> tuple[str, ...]:
        """What a reader must know of the conversion."""
        if self.by is By.CURRENCY:
            return ()
        foreign = sorted(c for c in self.rates if c != self.reporting)
        if not foreign:
            return (f"amounts in {self.reporting}",)
        shown = ", ".join(
            f"1 {c} = {self.rates[c].normalize():f} {self.reporting}" for c in foreign
        )
        return (f"amounts converted to {self.reporting} at the rates of {self.on}: {shown}",)


def slicing(
    session: Session, company_id: int, by: By, on: date, currencies: Iterable[str]
) -> Slicing:
    """The slicing of a report whose amounts are in `currencies`, converted as of `on`."""
    reporting = session.get_one(Company, company_id).currency
    if by is By.CURRENCY:
        return Slicing(by, reporting, {}, on)
    wanted = sorted(set(currencies) - {reporting})
    rates = rates_on(session, company_id, wanted, on) if wanted else {}
    return Slicing(by, reporting, {reporting: Decimal(1), **rates}, on)


def add_up(slicing_: Slicing, sums: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str], int]:
    """(slice, currency, minor) sums → one total per row key, converted where sliced."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for slice_name, currency, minor in sums:
        totals[slicing_.key(slice_name, currency)] += slicing_.amount(int(minor or 0), currency)
    return totals


RowKey = tuple[str, str]  # (slice, currency of the row), as `Slicing.key` gives it


def check_period(start: date, end: date) -> str:
    """The period as a report prints it; refused when it ends before it starts."""
    if end < start:
        raise Invalid(f"the period ends ({end}) before it starts ({start})", field="to")
    return f"{start} – {end}"


def day_bounds(
    session: Session, company_id: int, start: date, end: date
) -> tuple[datetime, datetime]:
    """[from, until) in UTC: the period's days as the company's clock (time zone) counts them,
    for events kept as time stamps (notes, calls, messages sent, tasks closed)."""
    zone = ZoneInfo(session.get_one(Company, company_id).timezone)
    first = datetime.combine(start, time.min, zone)
    after = datetime.combine(end + timedelta(days=1), time.min, zone)
    return first, after


def key_columns(by: By) -> tuple[Column, ...]:
    """The columns naming a row: its slice (unless by currency) and its currency."""
    currency = Column("currency", "currency")
    if by is By.CURRENCY:
        return (currency,)
    return Column("slice", by.value), currency


def key_cells(by: By, key: RowKey) -> dict[str, Cell]:
    slice_name, currency = key
    if by is By.CURRENCY:
        return {"currency": currency}
    return {"slice": slice_name, "currency": currency}


def chart_value(row: dict[str, Cell], column: str, money: bool = False) -> float | None:
    """A cell as a chart draws it (money in major units: a chart draws, it does not count)."""
    cell = row[column]
    if isinstance(cell, int) and money:
        return float(to_decimal(cell, str(row["currency"])))
    return float(cell) if isinstance(cell, int | Decimal) else None


def bars(
    key: str,
    title: str,
    by: By,
    rows: Sequence[dict[str, Cell]],
    series: Sequence[tuple[str, str]],
    unit: str = "",
    money: bool = False,
) -> Chart:
    """Stacked bars, one per row (its slice, or its currency by currency), a series (name,
    column) each."""
    label = "currency" if by is By.CURRENCY else "slice"
    return Chart(
        key=key,
        title=title,
        kind=ChartKind.STACKED_BARS,
        labels=tuple(str(row[label]) for row in rows),
        series=tuple(
            Series(name, tuple(chart_value(row, column, money) for row in rows))
            for name, column in series
        ),
        unit=unit,
    )


class Tally:
    """Per-(slice, currency) sums, column by column, as the GROUP BY queries give them."""

    def __init__(self) -> None:
        self._sums: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        self._money: set[str] = set()

    def add(
        self, rows: Iterable[Sequence[Any]], columns: Sequence[str], money: Collection[str] = ()
    ) -> None:
        """Rows of (slice, currency, one value per column); `money`: those in minor units."""
        for column in columns:
            self._sums.setdefault(column, [])
        for slice_name, currency, *values in rows:
            for column, value in zip(columns, values, strict=True):
                self._sums[column].append((str(slice_name), str(currency), int(value or 0)))
        self._money.update(money)

    def currencies(self) -> set[str]:
        """The currencies of the amounts to convert (amounts of 0 need no rate)."""
        return {
            currency
            for column in self._money
            for _slice, currency, value in self._sums[column]
            if value
        }

    def totals(self, slicing: Slicing) -> dict[RowKey, dict[str, int]]:
        """One dict of sums per row, rows in order; each column 0 where nothing was found."""
        rows: dict[RowKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(self._sums, 0))
        for column, sums in self._sums.items():
            for slice_name, currency, value in sums:
                row = rows[slicing.key(slice_name, currency)]
                if column not in self._money:
                    row[column] += value
            if column in self._money:  # amounts of 0 left out: they need no rate
                for key, amount in add_up(slicing, [s for s in sums if s[2]]).items():
                    rows[key][column] += amount
        return dict(sorted(rows.items()))


def count_columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(key, label, Kind.COUNT) for key, label in pairs)
