"""Charts drawn as SVG: well-formed whatever the labels hold, bars as tall as their values,
lines broken where a value is not defined, the same bytes every time, and "no data" when empty."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from cobro.report.svg import PALETTE, chart_svg, nice_ticks, tick_text
from cobro.report.table import Chart, ChartKind, Series

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & \"quoted\"\x01"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything not well-formed XML


def bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{NS}rect") if "bar" in e.get("class", "").split()]


def lines(root: ET.Element, series: int) -> list[ET.Element]:
    return [
        e for e in root.iter(f"{NS}polyline") if f"series-{series}" in e.get("class", "").split()
    ]


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter() if e.tag in (f"{NS}text", f"{NS}title")]


def stacked(*series: Series, labels: tuple[str, ...] = ("a", "b", "c")) -> Chart:
    return Chart("aging", "Aging", ChartKind.STACKED_BARS, labels, series, unit="EUR")


def test_hostile_labels_titles_and_names_are_escaped_text() -> None:
    chart = Chart(
        "k",
        HOSTILE,
        ChartKind.STACKED_BARS,
        (HOSTILE, "b"),
        (Series(HOSTILE, (1.0, 2.0)),),
        unit=HOSTILE,
    )
    for kind in ChartKind:
        svg = chart_svg(Chart(chart.key, chart.title, kind, chart.labels, chart.series, "u"))
        root = parse(svg)
        assert not [e for e in root.iter() if e.tag.endswith("script")]
        assert "<script" not in svg
        assert "\x01" not in svg
        # the words survive as text: the reader sees exactly what was typed
        assert "<script>alert('x')</script> & \"quoted\"" in texts(root)
        assert root.get("role") == "img"
        assert root.find(f"{NS}title") is not None


def test_bar_heights_are_proportional_to_values_and_stack() -> None:
    chart = stacked(Series("EUR", (100.0, 50.0, 25.0)), Series("USD", (20.0, None, 75.0)))
    found = bars(parse(chart_svg(chart)))
    heights = [float(rect.get("height", "0")) for rect in found]
    assert len(heights) == 5  # the None draws nothing
    eur_a, usd_a, eur_b, eur_c, usd_c = heights
    assert eur_a / eur_b == pytest.approx(2.0, abs=0.01)
    assert eur_a / eur_c == pytest.approx(4.0, abs=0.01)
    assert usd_c / eur_c == pytest.approx(3.0, abs=0.01)
    assert eur_a / usd_a == pytest.approx(5.0, abs=0.01)
    # the second series sits on the first: its bottom is the first's top
    first, second = found[0], found[1]
    assert float(second.get("y", "0")) + usd_a == pytest.approx(
        float(first.get("y", "0")), abs=0.02
    )
    assert first.get("fill") == PALETTE[0]
    assert second.get("fill") == PALETTE[1]


def test_the_axis_has_round_ticks_covering_the_tallest_stack() -> None:
    root = parse(chart_svg(stacked(Series("EUR", (100.0, 50.0, 25.0)), Series("X", (20.0,) * 3))))
    assert {"0", "50", "100", "150"} <= set(texts(root))
    assert nice_ticks(0, 12_345) == [0, 5_000, 10_000, 15_000]
    assert [tick_text(t, nice_ticks(0, 0.3)) for t in nice_ticks(0, 0.3)] == [
        "0",
        "0.1",
        "0.2",
        "0.3",
    ]
    assert tick_text(2_500.0, [0.0, 2_500.0]) == "2,500"


def test_a_none_breaks_the_line_in_two() -> None:
    chart = Chart(
        "dso",
        "DSO",
        ChartKind.LINES,
        ("Jan", "Feb", "Mar", "Apr", "May"),
        (Series("DSO", (30.0, 31.0, None, 29.0, 28.0)), Series("Best", (20.0,) * 5)),
        unit="days",
    )
    root = parse(chart_svg(chart))
    broken = lines(root, 0)
    assert len(broken) == 2
    assert [len(line.get("points", "").split()) for line in broken] == [2, 2]
    assert len(lines(root, 1)) == 1
    assert "days" in texts(root)  # the unit titles the y axis


def test_a_lone_value_between_gaps_still_shows_as_a_point() -> None:
    chart = Chart("k", "K", ChartKind.LINES, ("a", "b", "c"), (Series("s", (None, 5.0, None)),))
    root = parse(chart_svg(chart))
    assert lines(root, 0) == []
    assert len(list(root.iter(f"{NS}circle"))) == 1


def test_the_same_chart_gives_the_same_bytes() -> None:
    chart = stacked(Series("EUR", (1.5, 2.25, 3.125)), Series("USD", (0.1, 0.2, 0.3)))
    assert chart_svg(chart) == chart_svg(chart)
    assert chart_svg(chart, 800, 400) != chart_svg(chart)


@pytest.mark.parametrize(
    "chart",
    [
        stacked(labels=()),
        stacked(Series("EUR", ())),
        stacked(Series("EUR", (None, None, None))),
        Chart("k", "Nothing", ChartKind.LINES, ("a",), ()),
        Chart("k", "NaN", ChartKind.LINES, ("a", "b"), (Series("s", (math.nan, math.inf)),)),
    ],
)
def test_an_empty_chart_says_no_data(chart: Chart) -> None:
    root = parse(chart_svg(chart))
    assert "no data" in texts(root)
    assert bars(root) == []
    assert list(root.iter(f"{NS}polyline")) == []
