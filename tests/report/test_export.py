"""One hand-built report in every format: money in each row's currency (EUR two decimals, JPY
none), a percentage that is not defined for one row, a chart. Each format is read back with the
library a user's program would use."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from cobro.channel.letter import RendererUnavailable, html_to_pdf
from cobro.report.export import cell_text, to_csv, to_json, to_pdf, to_xlsx
from cobro.report.table import Chart, ChartKind, Column, Kind, Report, Series

FORMULA = '=HYPERLINK("http://evil.example","click")'

REPORT = Report(
    name="aging",
    title="Aging by customer",
    columns=(
        Column("customer", "Customer"),
        Column("currency", "Currency"),
        Column("open", "Open amount", Kind.MONEY),
        Column("share", "Share of overdue", Kind.PERCENT),
        Column("invoices", "Invoices", Kind.COUNT),
        Column("oldest", "Oldest due"),
    ),
    rows=(
        {
            "customer": "Müller GmbH",
            "currency": "EUR",
            "open": 123_456_789,
            "share": Decimal("12.345"),
            "invoices": 1_204,
            "oldest": date(2026, 9, 1),
        },
        {
            "customer": "Tanaka KK",
            "currency": "JPY",
            "open": 98_765,
            "share": None,
            "invoices": 3,
            "oldest": date(2026, 10, 15),
        },
        {
            "customer": FORMULA,
            "currency": "EUR",
            "open": -1_250,
            "share": Decimal("0.005"),
            "invoices": 1,
            "oldest": None,
        },
    ),
    charts=(
        Chart(
            "buckets",
            "Open by bucket",
            ChartKind.STACKED_BARS,
            ("Not due", "1-30", "31-60"),
            (Series("EUR", (1200.0, 800.5, None)), Series("JPY", (10.0, 20.0, 30.0))),
            unit="EUR",
        ),
        Chart(
            "dso",
            "DSO",
            ChartKind.LINES,
            ("Sep", "Oct", "Nov"),
            (Series("DSO", (41.2, None, 38.0)),),
            unit="days",
        ),
    ),
    notes=("JPY figures are converted at the ECB rate of 2026-11-24.", "n/d: no overdue items."),
    period="2026-09-01 – 2026-11-24",
)


def test_cell_text_reads_as_on_screen() -> None:
    columns = {column.key: column for column in REPORT.columns}
    eur, jpy, formula = REPORT.rows
    assert cell_text(REPORT, eur, columns["open"]) == "1,234,567.89"
    assert cell_text(REPORT, jpy, columns["open"]) == "98,765"
    assert cell_text(REPORT, formula, columns["open"]) == "-12.50"
    assert cell_text(REPORT, eur, columns["share"]) == "12.35"  # half-up, not banker's
    assert cell_text(REPORT, formula, columns["share"]) == "0.01"
    assert cell_text(REPORT, jpy, columns["share"]) == "n/d"
    assert cell_text(REPORT, eur, columns["invoices"]) == "1,204"
    assert cell_text(REPORT, eur, columns["oldest"]) == "2026-09-01"
    assert cell_text(REPORT, formula, columns["oldest"]) == "n/d"


def test_money_without_a_currency_cell_is_a_clear_error() -> None:
    broken = Report("r", "R", (Column("open", "Open", Kind.MONEY),), ({"open": 1},))
    with pytest.raises(ValueError, match="'open' needs a 'currency' cell"):
        cell_text(broken, broken.rows[0], broken.columns[0])


def test_csv_parses_back_with_plain_figures_and_empty_nd() -> None:
    data = to_csv(REPORT)
    lines = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert lines[0] == [
        "Customer",
        "Currency",
        "Open amount",
        "Share of overdue",
        "Invoices",
        "Oldest due",
    ]
    assert lines[1] == ["Müller GmbH", "EUR", "1234567.89", "12.35", "1204", "2026-09-01"]
    assert lines[2] == ["Tanaka KK", "JPY", "98765", "", "3", "2026-10-15"]
    # a negative figure stays a number; only text that would run as a formula is quoted
    assert lines[3][1:] == ["EUR", "-12.50", "0.01", "1", ""]


def test_csv_neutralises_formulas_in_text_and_headers() -> None:
    hostile = Report(
        "r",
        "R",
        (Column("name", "@SUM(A1)"), Column("x", "+x"), Column("y", "-y")),
        ({"name": "=1+1", "x": "+cmd", "y": "@A1"},),
    )
    lines = list(csv.reader(io.StringIO(to_csv(hostile).decode("utf-8"))))
    assert lines == [["'@SUM(A1)", "'+x", "'-y"], ["'=1+1", "'+cmd", "'@A1"]]
    rows = list(csv.reader(io.StringIO(to_csv(REPORT).decode())))
    assert rows[3][0] == "'" + FORMULA


def test_json_round_trips_through_the_standard_library() -> None:
    data = json.loads(json.dumps(to_json(REPORT)))
    assert data["name"] == "aging"
    assert data["period"] == REPORT.period
    assert data["notes"] == list(REPORT.notes)
    assert data["columns"][2] == {"key": "open", "label": "Open amount", "kind": "money"}
    assert data["rows"][0] == {
        "customer": "Müller GmbH",
        "currency": "EUR",
        "open": "1234567.89",
        "share": "12.35",
        "invoices": 1204,
        "oldest": "2026-09-01",
    }
    assert data["rows"][1]["open"] == "98765"
    assert data["rows"][1]["share"] is None
    assert data["charts"][0]["kind"] == "stacked_bars"
    assert data["charts"][0]["series"][0] == {"name": "EUR", "values": [1200.0, 800.5, None]}
    assert data["charts"][1]["unit"] == "days"


def _sheet(book: object, name: str) -> Worksheet:
    sheet = book[name]  # type: ignore[index]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_xlsx_has_typed_cells_notes_and_native_charts() -> None:
    data = to_xlsx(REPORT)
    book = load_workbook(io.BytesIO(data))
    sheet = _sheet(book, "Report")
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Aging by customer"
    assert values[1][0] == REPORT.period
    assert [row[0] for row in values[2:4]] == list(REPORT.notes)
    header = next(i for i, row in enumerate(values, start=1) if row[0] == "Customer")
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.cell(header, 1).font.bold
    eur, jpy, formula = (header + 1, header + 2, header + 3)
    assert sheet.cell(eur, 3).value == pytest.approx(1_234_567.89)
    assert sheet.cell(eur, 3).number_format == "#,##0.00"
    assert sheet.cell(jpy, 3).value == 98_765
    assert sheet.cell(jpy, 3).number_format == "#,##0"  # JPY has no minor unit
    assert sheet.cell(eur, 4).value == pytest.approx(12.35)
    assert sheet.cell(jpy, 4).value == "n/d"
    assert sheet.cell(eur, 5).value == 1_204
    oldest = sheet.cell(eur, 6).value
    assert isinstance(oldest, datetime)
    assert oldest.date() == date(2026, 9, 1)
    # text that looks like a formula is stored as text, never as a live formula
    assert sheet.cell(formula, 1).value == FORMULA
    assert sheet.cell(formula, 1).data_type == "s"
    assert sheet.column_dimensions["C"].width >= len("1,234,567.89")
    charts = _sheet(book, "Charts")._charts  # type: ignore[attr-defined]  # no public getter
    assert len(charts) == 2
    assert charts[0].grouping == "stacked"
    assert charts[1].tagname == "lineChart"
    assert book.properties.modified.date() == date(2026, 11, 24)
    assert to_xlsx(REPORT) == data  # deterministic, to the byte


def test_pdf_holds_the_title_a_figure_and_nd() -> None:
    try:
        html_to_pdf("<p>probe</p>")
    except RendererUnavailable:
        pytest.skip("WeasyPrint/Pango not installed")
    pdf = to_pdf([REPORT, REPORT], "Management <report>", "Acme & Sons", date(2026, 11, 24))
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Management <report>" in text  # escaped in the HTML, shown as typed
    assert "Acme & Sons" in text
    assert "Generated on 2026-11-24" in text
    assert "Aging by customer" in text
    assert "1,234,567.89" in text
    assert "98,765" in text
    assert "n/d" in text
    assert "JPY figures are converted" in text
    assert "Open by bucket" in text  # the chart's SVG is drawn with its text, not as pixels
