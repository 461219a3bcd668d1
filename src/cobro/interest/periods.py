"""Rate tables as spans of days with explicit ends, so that periods imported later can be laid
beside the shipped ones: where a table has no rate (before it, after it, or in a period it
leaves unpublished) an imported period adds one; where it has one, an imported period must
say the same (then it adds nothing) or it is a conflict, never a silent correction. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cobro.interest.rules import RatePeriod, RateTable

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """Days `starts_on`..`ends_on` (inclusive; None: open-ended) at `rate` (None: no rate)."""

    starts_on: date
    ends_on: date | None
    rate: Decimal | None
    source: str = ""

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def spans_of(table: RateTable, source: str = "") -> list[Span]:
    """The table's periods with the last day of each made explicit."""
    starts = [period.starts_on for period in table.periods]
    ends: list[date | None] = [day - ONE_DAY for day in starts[1:]]
    ends.append(table.ends_on)
    return [
        Span(period.starts_on, end, period.rate, source)
        for period, end in zip(table.periods, ends, strict=True)
    ]


def known(spans: Iterable[Span]) -> list[Span]:
    """The spans that carry a rate, in order of their first day."""
    return sorted((span for span in spans if span.rate is not None), key=lambda s: s.starts_on)


def merged(table: RateTable, extra: Sequence[Span]) -> RateTable:
    """`table` with the `extra` spans (which only hold days the table has no rate for: the
    import checks that) laid in; a day neither has stays without a rate, said explicitly."""
    spans = known([*spans_of(table), *extra])
    periods: list[RatePeriod] = []
    end: date | None = None
    for span in spans:
        if periods and end is not None and span.starts_on > end + ONE_DAY:
            periods.append(RatePeriod(end + ONE_DAY, None))
        periods.append(RatePeriod(span.starts_on, span.rate))
        end = span.ends_on
    return RateTable(tuple(periods), end, table.compounding)


def overlap(a: Span, b: Span) -> tuple[date, date] | None:
    """The days `a` (closed) and `b` share, if any."""
    assert a.ends_on is not None  # an imported span always ends
    first = max(a.starts_on, b.starts_on)
    last = a.ends_on if b.ends_on is None else min(a.ends_on, b.ends_on)
    return (first, last) if first <= last else None


def uncovered(span: Span, spans: Sequence[Span]) -> list[Span]:
    """The parts of `span` (closed) on which none of `spans` (known rates) has a rate."""
    assert span.ends_on is not None
    parts: list[Span] = []
    start = span.starts_on
    for other in known(spans):
        shared = overlap(span, other)
        if shared is None:
            continue
        if shared[0] > start:
            parts.append(Span(start, shared[0] - ONE_DAY, span.rate, span.source))
        start = max(start, shared[1] + ONE_DAY)
    if start <= span.ends_on:
        parts.append(Span(start, span.ends_on, span.rate, span.source))
    return parts
