"""What every report is made of, whatever prints it: a table of typed cells and the charts
that go with it. The CLI's table and JSON, the CSV, Excel and PDF exports, the API and the web
page all render this one shape, so a figure is computed once and shown the same everywhere.
Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    """How a column's cells are read and shown."""

    TEXT = "text"
    MONEY = "money"  # int, minor units of the row's `currency` cell
    COUNT = "count"  # int
    DAYS = "days"  # Decimal, days (two decimals shown)
    PERCENT = "percent"  # Decimal, 0–100 (two decimals shown)
    NUMBER = "number"  # Decimal


class ChartKind(StrEnum):
    STACKED_BARS = "stacked_bars"  # one bar per label, the series stacked
    LINES = "lines"  # one line per series over the labels


Cell = str | int | Decimal | date | None  # None: not defined ("n/d")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # one per label of the chart; None: not defined


@dataclass(frozen=True)
class Chart:
    """A chart's data, drawn by Chart.js in the web app and as SVG in the exports."""

    key: str
    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""  # "days", "%", or a currency code


@dataclass(frozen=True)
class Report:
    """One report: its rows (dicts keyed by the columns' keys), charts and the notes a reader
    must see (a slice converted at which rate, what "n/d" means here)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Cell], ...]
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()
    period: str = ""  # e.g. "2026-09-01 – 2026-11-24" or "on 2026-11-24"
    currency_key: str = "currency"  # the cell naming a MONEY cell's currency
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


def combined(reports: Sequence[tuple[str, Report]]) -> Report:
    """Several companies' reports of one kind as one table, a company column first. Nothing
    is added across companies (each row keeps its own currency); the charts, each company's
    own, are left out; the notes are every company's, once each."""
    first = reports[0][1]
    columns = [Column("company", "company")]
    for _code, report in reports:
        columns += [column for column in report.columns if column not in columns]
    notes = [note for _code, report in reports for note in report.notes]
    return Report(
        name=first.name,
        title=first.title,
        columns=tuple(columns),
        rows=tuple({"company": code, **row} for code, report in reports for row in report.rows),
        notes=tuple(dict.fromkeys(notes)),
        period=first.period,
        currency_key=first.currency_key,
    )
