"""A report as people and programs read it outside the web page: a table cell's text, JSON,
CSV, Excel and the PDF management report (the last two in `xlsx` and `pdf`, re-exported here).

Every format reads the one `Report` shape, so a figure shows the same everywhere: money in the
row's own currency with that currency's decimals (JPY none, BHD three), the other measures to two
decimals rounded half-up, and "not defined" as "n/d" where people read and as null or an empty
cell where programs do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cobro.kit.money import display, format_minor
from cobro.kit.spreadsheet import inert
from cobro.report.table import Cell, Chart, Column, Kind, Report

NOT_DEFINED = "n/d"
_CENT = Decimal("0.01")
_DECIMAL_KINDS = frozenset({Kind.DAYS, Kind.PERCENT, Kind.NUMBER})


def currency_of(report: Report, row: dict[str, Cell], column: Column) -> str:
    """The currency a MONEY cell of `row` is counted in (the row's `report.currency_key` cell)."""
    currency = row.get(report.currency_key)
    if not isinstance(currency, str) or not currency:
        # a programming error in the report, not in the data: say which one
        raise ValueError(
            f"report {report.name!r}: money column {column.key!r} needs a "
            f"{report.currency_key!r} cell in the same row"
        )
    return currency


def two_places(value: Decimal | int | float) -> Decimal:
    """A measure rounded half-up to the two decimals every export shows."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(_CENT, rounding=ROUND_HALF_UP)


def cell_text(report: Report, row: dict[str, Cell], column: Column) -> str:
    """How the cell reads in a table on screen: "1,234.50", "12.35", "1,204", "2026-11-24",
    "n/d"."""
    value = row.get(column.key)
    if value is None:
        return NOT_DEFINED
    if column.kind == Kind.MONEY and isinstance(value, int):
        return display(value, currency_of(report, row, column))
    if column.kind in _DECIMAL_KINDS and isinstance(value, Decimal | int | float):
        return f"{two_places(value):,.2f}"
    if column.kind == Kind.COUNT and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plain_value(report: Report, row: dict[str, Cell], column: Column) -> str | int | None:
    """The cell as a file holds it: money as "1234.50" in major units (no grouping, so any
    program parses it), measures as "12.35", counts as ints, dates ISO, None as None."""
    value = row.get(column.key)
    if value is None:
        return None
    if column.kind == Kind.MONEY and isinstance(value, int):
        return format_minor(value, currency_of(report, row, column))
    if column.kind in _DECIMAL_KINDS and isinstance(value, Decimal | int | float):
        return f"{two_places(value):f}"
    if column.kind == Kind.COUNT and isinstance(value, int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def chart_json(chart: Chart) -> dict[str, Any]:
    return {
        "key": chart.key,
        "title": chart.title,
        "kind": str(chart.kind),
        "labels": list(chart.labels),
        "series": [{"name": s.name, "values": list(s.values)} for s in chart.series],
        "unit": chart.unit,
    }


def to_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON data (`json.dumps` takes it as is). Money is a decimal string
    in major units beside the row's currency cell, never a float."""
    return {
        "name": report.name,
        "title": report.title,
        "period": report.period,
        "notes": list(report.notes),
        "columns": [{"key": c.key, "label": c.label, "kind": str(c.kind)} for c in report.columns],
        "rows": [
            {c.key: plain_value(report, row, c) for c in report.columns} for row in report.rows
        ],
        "charts": [chart_json(chart) for chart in report.charts],
    }


def to_csv(report: Report) -> bytes:
    """The table as UTF-8 CSV: a header of column labels, then one line per row.

    Figures are plain ("1234.50", "-12.00"), so a spreadsheet reads numbers; "not defined" is
    an empty cell. Text (a customer's name, a header) that a spreadsheet would run as a formula
    gets the importer's leading apostrophe; figures are never touched, as a negative one would
    otherwise turn into text.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(column.label) for column in report.columns])
    for row in report.rows:
        line: list[str | int] = []
        for column in report.columns:
            value = plain_value(report, row, column)
            if value is None:
                line.append("")
            elif column.kind == Kind.TEXT and isinstance(value, str):
                line.append(inert(value))
            else:
                line.append(value)
        writer.writerow(line)
    return out.getvalue().encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: see `cobro.report.xlsx`."""
    from cobro.report.xlsx import workbook  # noqa: PLC0415  (openpyxl only for Excel work)

    return workbook(report)


def to_pdf(reports: Sequence[Report], title: str, company: str, generated_on: date) -> bytes:
    """The management report as A4 PDF: see `cobro.report.pdf`. Raises
    `cobro.channel.letter.RendererUnavailable` (naming the install command) without Pango."""
    from cobro.report.pdf import management_pdf  # noqa: PLC0415  (WeasyPrint needs Pango)

    return management_pdf(reports, title, company, generated_on)
