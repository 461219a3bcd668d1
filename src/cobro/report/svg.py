"""A report's chart as a small SVG 1.1 document, for the PDF export and anywhere a picture must
exist without a browser running Chart.js. Pure: text in, text out.

The output is deterministic (coordinates are written with two decimals, nothing depends on the
clock or on dict order), so a rendered report can be compared byte for byte. Every piece of text
comes from data a tenant typed — customer names, collector names — so all of it is XML-escaped
and stripped of the control characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from xml.sax.saxutils import escape

from cobro.report.table import Chart, ChartKind

# Okabe–Ito's colour-blind-safe set, with its pale yellow swapped for grey and indigo so every
# colour reads on white paper, in the order series are drawn.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#6B6B6B",
    "#332288",
)
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
_CHAR_WIDTH = 6.2  # rough advance of an 11px sans-serif character, to lay out without a font
_LEGEND_ROW = 16
_LONGEST = 24  # characters of an x label shown before it is cut
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def chart_svg(chart: Chart, width: int = 640, height: int = 320) -> str:
    """`chart` drawn as stacked bars or lines, with its title, a legend and a y axis."""
    chart = _finite(chart)
    values = [v for series in chart.series for v in series.values if v is not None]
    if not chart.labels or not values:
        return _empty(chart, width, height)
    if chart.kind == ChartKind.STACKED_BARS:
        # negatives are not expected in a stacked bar (amounts, counts); drawn as nothing
        totals = [
            sum(max(s.values[i] or 0.0, 0.0) for s in chart.series if i < len(s.values))
            for i in range(len(chart.labels))
        ]
        low, high = 0.0, max(totals)
    else:
        low, high = min(0.0, *values), max(0.0, *values)
    ticks = nice_ticks(low, high)
    frame = _Frame(chart, width, height, ticks[0], ticks[-1])
    parts = [*_head(chart, width, height), *_legend(chart, width), *_axis(frame, ticks)]
    if chart.kind == ChartKind.STACKED_BARS:
        parts += _bars(chart, frame)
    else:
        parts += _lines(chart, frame)
    parts += _labels(chart, frame)
    parts.append("</svg>\n")
    return "\n".join(parts)


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round axis values spanning [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / (target - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw * (1 - 1e-9))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    # multiples of the step, not repeated additions, so 0.1 + 0.2 never shows as 0.30000000004
    return [k * step for k in range(first, last + 1)]


def tick_text(value: float, ticks: Sequence[float]) -> str:
    """A tick value with as many decimals as the step needs and thousands grouped."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = len(f"{step:.10f}".rstrip("0").partition(".")[2])  # 0.25 → 2, 2.5 → 1, 5 → 0
    out = f"{value:,.{decimals}f}"
    return "0" if out.strip("-0.,") == "" else out


def text(value: str) -> str:
    """`value` as safe XML character data or attribute text."""
    return escape(_XML_INVALID.sub("", value), {'"': "&quot;", "'": "&apos;"})


def _n(value: float) -> str:
    # two decimals are well under a pixel; trailing zeros dropped so output stays small
    out = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _fit(label: str, room: float) -> str:
    """`label` cut to about `room` pixels, with an ellipsis when cut."""
    chars = max(1, int(room / _CHAR_WIDTH))
    return label if len(label) <= chars else label[: max(1, chars - 1)] + "\u2026"


class _Frame:
    """Where the plot area lies and how a value maps to a y coordinate."""

    def __init__(self, chart: Chart, width: int, height: int, low: float, high: float) -> None:
        self.left = 64.0
        self.right = width - 16.0
        self.top = 44.0 + _LEGEND_ROW * len(_legend_rows(chart, width))
        self.bottom = height - 28.0
        self.low, self.high = low, high
        self.slot = (self.right - self.left) / len(chart.labels)

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return self.bottom - share * (self.bottom - self.top)

    def height_of(self, value: float) -> float:
        return value / (self.high - self.low) * (self.bottom - self.top)

    def centre(self, index: int) -> float:
        return self.left + self.slot * (index + 0.5)


def _head(chart: Chart, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'font-family="{text(FONT)}" font-size="11">',
        f"<title>{text(chart.title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#FFFFFF"/>',
        f'<text x="{_n(width / 2)}" y="20" text-anchor="middle" font-size="14" '
        f'font-weight="bold">{text(chart.title)}</text>',
    ]


def _empty(chart: Chart, width: int, height: int) -> str:
    return "\n".join(
        [
            *_head(chart, width, height),
            f'<text x="{_n(width / 2)}" y="{_n(height / 2)}" text-anchor="middle" '
            f'fill="#6B6B6B">no data</text>',
            "</svg>\n",
        ]
    )


def _legend_rows(chart: Chart, width: int) -> list[list[tuple[int, float, str]]]:
    """Legend entries (series index, x, name) wrapped into rows that fit the width."""
    rows: list[list[tuple[int, float, str]]] = [[]]
    x = 16.0
    for index, series in enumerate(chart.series):
        name = _fit(series.name, width / 2)
        room = 16 + len(name) * _CHAR_WIDTH + 14
        if rows[-1] and x + room > width - 16:
            rows.append([])
            x = 16.0
        rows[-1].append((index, x, name))
        x += room
    return [row for row in rows if row]


def _legend(chart: Chart, width: int) -> list[str]:
    parts = []
    for number, row in enumerate(_legend_rows(chart, width)):
        y = 36 + number * _LEGEND_ROW
        for index, x, name in row:
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="10" height="10" '
                f'fill="{_colour(index)}"/>'
                f'<text x="{_n(x + 14)}" y="{_n(y)}">{text(name)}</text>'
            )
    return parts


def _axis(frame: _Frame, ticks: Sequence[float]) -> list[str]:
    parts = []
    for tick in ticks:
        y = _n(frame.y(tick))
        parts.append(
            f'<line x1="{_n(frame.left)}" y1="{y}" x2="{_n(frame.right)}" y2="{y}" '
            f'stroke="#DDDDDD" stroke-width="1"/>'
            f'<text x="{_n(frame.left - 6)}" y="{y}" dy="4" text-anchor="end" '
            f'fill="#333333">{text(tick_text(tick, ticks))}</text>'
        )
    parts.append(
        f'<line x1="{_n(frame.left)}" y1="{_n(frame.top)}" x2="{_n(frame.left)}" '
        f'y2="{_n(frame.bottom)}" stroke="#333333" stroke-width="1"/>'
    )
    return parts


def _unit_title(chart: Chart, frame: _Frame) -> list[str]:
    if not chart.unit:
        return []
    middle = _n((frame.top + frame.bottom) / 2)
    return [
        f'<text x="14" y="{middle}" text-anchor="middle" transform="rotate(-90 14 {middle})" '
        f'fill="#333333">{text(chart.unit)}</text>'
    ]


def _bars(chart: Chart, frame: _Frame) -> list[str]:
    parts = _unit_title(chart, frame)
    bar = frame.slot * 0.6
    for i, label in enumerate(chart.labels):
        x = frame.centre(i) - bar / 2
        y = frame.bottom
        for index, series in enumerate(chart.series):
            value = series.values[i] if i < len(series.values) else None
            if value is None or value <= 0:
                continue
            tall = frame.height_of(value)
            y -= tall
            parts.append(
                f'<rect class="bar series-{index}" x="{_n(x)}" y="{_n(y)}" width="{_n(bar)}" '
                f'height="{_n(tall)}" fill="{_colour(index)}">'
                f"<title>{text(f'{label} – {series.name}: {value:,.2f}')}</title></rect>"
            )
    return parts


def _lines(chart: Chart, frame: _Frame) -> list[str]:
    parts = _unit_title(chart, frame)
    if frame.low < 0:  # a zero line, so the reader sees where values turn negative
        zero = _n(frame.y(0.0))
        parts.append(
            f'<line x1="{_n(frame.left)}" y1="{zero}" x2="{_n(frame.right)}" y2="{zero}" '
            f'stroke="#333333" stroke-width="1"/>'
        )
    for index, series in enumerate(chart.series):
        colour = _colour(index)
        for run in _runs(series.values[: len(chart.labels)]):
            points = " ".join(f"{_n(frame.centre(i))},{_n(frame.y(v))}" for i, v in run)
            if len(run) > 1:
                parts.append(
                    f'<polyline class="line series-{index}" points="{points}" fill="none" '
                    f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>'
                )
        for i, value in enumerate(series.values[: len(chart.labels)]):
            if value is not None:  # a dot on every point: a lone value between gaps still shows
                parts.append(
                    f'<circle class="point series-{index}" cx="{_n(frame.centre(i))}" '
                    f'cy="{_n(frame.y(value))}" r="2.5" fill="{colour}">'
                    f"<title>{text(f'{chart.labels[i]} – {series.name}: {value:,.2f}')}"
                    f"</title></circle>"
                )
    return parts


def _finite(chart: Chart) -> Chart:
    """The chart with NaN and infinities read as "not defined": they have no place on an axis."""
    series = tuple(
        replace(
            s, values=tuple(v if v is not None and math.isfinite(v) else None for v in s.values)
        )
        for s in chart.series
    )
    return replace(chart, series=series)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """The stretches of consecutive defined values: a None breaks the line, it is not zero."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]


def _labels(chart: Chart, frame: _Frame) -> list[str]:
    # when labels would collide, one in every `every` is written (the first always) rather than
    # cutting them all short; only a label longer than _LONGEST characters is cut
    longest = min(max(len(label) for label in chart.labels), _LONGEST)
    every = max(1, math.ceil((longest * _CHAR_WIDTH + 6) / frame.slot))
    room = frame.slot * every - 4
    return [
        f'<text x="{_n(frame.centre(i))}" y="{_n(frame.bottom + 16)}" text-anchor="middle" '
        f'fill="#333333">{text(_fit(label, room))}</text>'
        for i, label in enumerate(chart.labels)
        if i % every == 0
    ]
