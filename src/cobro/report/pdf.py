"""The management report: several reports in one A4 PDF, each with its charts (the SVGs of
`cobro.report.svg`) and its table, rendered from `templates/management.html.j2` with WeasyPrint
the way letters are (`cobro.channel.letter.html_to_pdf`: no network, a missing Pango reported
with the command that installs it).

The template is compiled with autoescaping on: titles, labels and cells are tenant data. Charts
go in as base64 data: URIs, so no SVG markup has to be marked safe inside the HTML.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from cobro.channel.letter import html_to_pdf
from cobro.report.export import cell_text
from cobro.report.svg import chart_svg
from cobro.report.table import Kind, Report

TEMPLATES = Path(__file__).parent / "templates"
CHART_SIZE = (640, 320)  # drawn at 170 mm wide: about 11 px of the SVG's text is 8 pt on paper

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    undefined=StrictUndefined,
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def management_html(reports: Sequence[Report], title: str, company: str, generated_on: date) -> str:
    """The management report as HTML (what `management_pdf` prints)."""
    return _ENVIRONMENT.get_template("management.html.j2").render(
        title=title,
        company=company,
        generated_on=generated_on.isoformat(),
        reports=[_report_context(report) for report in reports],
    )


def management_pdf(
    reports: Sequence[Report], title: str, company: str, generated_on: date
) -> bytes:
    """The management report as PDF bytes.

    Raises `cobro.channel.letter.RendererUnavailable` when WeasyPrint cannot be loaded.
    """
    return html_to_pdf(management_html(reports, title, company, generated_on))


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _report_context(report: Report) -> dict[str, Any]:
    columns = [
        {"label": column.label, "figure": column.kind != Kind.TEXT} for column in report.columns
    ]
    rows = []
    for row in report.rows:
        cells = []
        for column in report.columns:
            css = "figure" if column.kind != Kind.TEXT else "text"
            if row.get(column.key) is None:
                css += " nd"
            cells.append({"text": cell_text(report, row, column), "css": css})
        rows.append(cells)
    return {
        "title": report.title,
        "period": report.period,
        "notes": list(report.notes),
        "columns": columns,
        "rows": rows,
        "charts": [
            {"title": chart.title, "uri": svg_uri(chart_svg(chart, *CHART_SIZE))}
            for chart in report.charts
        ],
    }
