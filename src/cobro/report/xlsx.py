"""A report as an Excel workbook: the table with typed cells on a "Report" sheet, and one native
Excel chart per report chart on a "Charts" sheet, fed from a data block written beside it so the
reader can change the chart or reuse the figures.

Cells are typed so Excel sums and sorts them: money is a number in major units formatted with
its currency's decimals (JPY none, BHD three), measures are numbers to two decimals, dates are
dates. "Not defined" is the text "n/d", right-aligned: an empty cell would read as zero to a
person skimming the sheet, while SUM and AVERAGE skip text just as they skip blanks.

The file is deterministic: workbook dates come from the report's period and the zip entries
carry that same date, so one report always gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from cobro.kit.money import exponent, to_decimal
from cobro.report.export import NOT_DEFINED, cell_text, currency_of, two_places
from cobro.report.table import Cell, Chart, ChartKind, Column, Kind, Report

_BOLD = Font(bold=True)
_GREY = Font(color="6B6B6B")
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="333333"))
_RIGHT = Alignment(horizontal="right")
_DECIMAL_KINDS = frozenset({Kind.DAYS, Kind.PERCENT, Kind.NUMBER})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = date(2000, 1, 1)  # when the period names no day
_CHART_ROWS = 17  # rows an openpyxl chart of the default 7.5 cm covers, plus a gap
_WIDEST = 50


def workbook(report: Report) -> bytes:
    """The report as .xlsx bytes (see the module docstring for how cells are typed)."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new Workbook always has one worksheet
    sheet.title = "Report"
    _table_sheet(sheet, report)
    if report.charts:
        _charts_sheet(book.create_sheet("Charts"), report.charts)
    stamp = _stamp(report)
    book.properties.creator = "Cobro"
    book.properties.title = _clean(report.title)
    book.properties.created = stamp
    book.properties.modified = stamp
    return _fixed_zip(_write(book), stamp)


def money_format(currency: str) -> str:
    """Excel's number format for amounts of `currency`: "#,##0.00" for EUR, "#,##0" for JPY."""
    places = exponent(currency)
    return "#,##0" + ("." + "0" * places if places else "")


def _table_sheet(sheet: Worksheet, report: Report) -> None:
    sheet.append([_clean(report.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    if report.period:
        sheet.append([_clean(report.period)])
    for note in report.notes:
        sheet.append([_clean(note)])
        sheet.cell(sheet.max_row, 1).font = Font(italic=True, color="6B6B6B")
    header = sheet.max_row + 2  # one empty row between the notes and the table
    for number, column in enumerate(report.columns, start=1):
        cell = sheet.cell(header, number)
        _put_text(cell, column.label)
        cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _HEADER_BORDER
        if column.kind != Kind.TEXT:
            cell.alignment = _RIGHT
    for offset, row in enumerate(report.rows, start=1):
        for number, column in enumerate(report.columns, start=1):
            _put_cell(sheet.cell(header + offset, number), report, row, column)
    # freezing the row under the header keeps the header (and the title above it) in view
    sheet.freeze_panes = f"A{header + 1}"
    if report.columns and report.rows:
        last = get_column_letter(len(report.columns))
        sheet.auto_filter.ref = f"A{header}:{last}{header + len(report.rows)}"
    for number, column in enumerate(report.columns, start=1):
        texts = [column.label, *(cell_text(report, row, column) for row in report.rows)]
        width = min(max(8, *(len(text) for text in texts)) + 2, _WIDEST)
        sheet.column_dimensions[get_column_letter(number)].width = width


def _put_cell(cell: Any, report: Report, row: dict[str, Cell], column: Column) -> None:
    value = row.get(column.key)
    if value is None:
        cell.value = NOT_DEFINED
        cell.font, cell.alignment = _GREY, _RIGHT
    elif column.kind == Kind.MONEY and isinstance(value, int):
        currency = currency_of(report, row, column)
        # a float holds any amount a ledger sees exactly to the cent; Excel has nothing finer
        cell.value = float(to_decimal(value, currency))
        cell.number_format = money_format(currency)
    elif column.kind in _DECIMAL_KINDS and isinstance(value, Decimal | int | float):
        cell.value = float(two_places(value))
        cell.number_format = "#,##0.00"
    elif column.kind == Kind.COUNT and isinstance(value, int):
        cell.value = value
        cell.number_format = "#,##0"
    elif isinstance(value, str):
        _put_text(cell, value)
    else:  # a date
        cell.value = value
        cell.number_format = "yyyy-mm-dd"


def _put_text(cell: Any, value: str) -> None:
    """Text stays text: openpyxl would store "=HYPERLINK(…)" as a live formula, so the type
    is forced back to string (Excel then never evaluates it; nothing is added to the text)."""
    cell.value = _clean(value)
    cell.data_type = "s"


def _clean(value: str) -> str:
    # control characters are not allowed in the XML of a sheet; openpyxl would refuse the cell
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _charts_sheet(sheet: Worksheet, charts: tuple[Chart, ...]) -> None:
    sheet.column_dimensions["A"].width = 24
    top = 1
    for chart in charts:
        _put_text(sheet.cell(top, 1), chart.title)
        sheet.cell(top, 1).font = _BOLD
        if not chart.labels or not chart.series:
            _put_text(sheet.cell(top + 1, 1), "no data")
            top += 4
            continue
        head = top + 1
        _put_text(sheet.cell(head, 1), chart.unit)
        for number, series in enumerate(chart.series, start=2):
            _put_text(sheet.cell(head, number), series.name)
            sheet.cell(head, number).font = _BOLD
        for offset, label in enumerate(chart.labels, start=1):
            _put_text(sheet.cell(head + offset, 1), label)
            for number, series in enumerate(chart.series, start=2):
                value = series.values[offset - 1] if offset <= len(series.values) else None
                if value is not None:  # left empty: a line chart shows a gap there
                    sheet.cell(head + offset, number, value)
        drawing = _native_chart(chart, sheet, head)
        sheet.add_chart(drawing, f"{get_column_letter(len(chart.series) + 3)}{top}")
        top += max(len(chart.labels) + 4, _CHART_ROWS)


def _native_chart(chart: Chart, sheet: Worksheet, head: int) -> BarChart | LineChart:
    drawing: BarChart | LineChart
    if chart.kind == ChartKind.STACKED_BARS:
        drawing = BarChart()
        drawing.type = "col"
        drawing.grouping = "stacked"
        drawing.overlap = 100  # stacked bars must overlap fully, or Excel draws them apart
    else:
        drawing = LineChart()
    drawing.title = _clean(chart.title)
    drawing.y_axis.title = _clean(chart.unit) if chart.unit else None
    drawing.display_blanks = "gap"
    # openpyxl ≥ 3.1 marks axes deleted unless told; Excel then draws a chart without them
    drawing.x_axis.delete = False
    drawing.y_axis.delete = False
    last = head + len(chart.labels)
    data = Reference(sheet, min_col=2, max_col=len(chart.series) + 1, min_row=head, max_row=last)
    drawing.add_data(data, titles_from_data=True)
    drawing.set_categories(Reference(sheet, min_col=1, min_row=head + 1, max_row=last))
    return drawing


def _stamp(report: Report) -> datetime:
    """The workbook's date: the last day named in the period (the day the figures are as of).
    Naive, as openpyxl wants it: it writes workbook dates as UTC."""
    days = _ISO_DAY.findall(report.period)
    try:
        day = date.fromisoformat(days[-1]) if days else _EPOCH
    except ValueError:
        day = _EPOCH
    return datetime.combine(day, time())


def _write(book: Workbook) -> bytes:
    # ExcelWriter directly: openpyxl's save() overwrites the modified date with the clock
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return buffer.getvalue()


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same archive with every entry dated `stamp` instead of the time it was written."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()
