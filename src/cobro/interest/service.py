"""Rate tables as the database extends them, and importing periods into it. The shipped series
(`interest/rates/*.json`) come first; imported periods (`RatePeriodRow`) only add days a series
has no rate for (after its end, before its start, in a period it leaves unpublished). An
imported period that says something else about a day already known is refused, never applied:
corrections are not made silently. Services add and flush; the edge commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.errors import NotFound
from cobro.interest.law import (
    Applied,
    Claim,
    Tables,
    claim,
    contractual_table,
    published,
    shipped_series,
)
from cobro.interest.models import RatePeriodRow
from cobro.interest.periods import Span, known, merged, overlap, spans_of, uncovered
from cobro.interest.ratefile import RateFileInvalid, RateRow, read_rate_text
from cobro.interest.rules import DayBasis, RateTable
from cobro.kit.rows import Problem

ONE_DAY = timedelta(days=1)


def stored_spans(session: Session) -> dict[str, list[Span]]:
    """Every imported period, by series, in order."""
    rows = session.scalars(select(RatePeriodRow).order_by(RatePeriodRow.starts_on))
    spans: dict[str, list[Span]] = defaultdict(list)
    for row in rows:
        when = f"imported {row.imported_at:%Y-%m-%d}"
        spans[row.series].append(Span(row.starts_on, row.ends_on, row.rate_value, when))
    return spans


def tables_of(session: Session) -> Tables:
    """A lookup of each series' table: the shipped one extended by the imported periods."""
    stored = stored_spans(session)

    def table(series: str) -> RateTable:
        return merged(published(series).table, stored.get(series, []))

    return table


def rate_table_for(
    session: Session,
    code: str,
    business: bool,
    interest_starts: date,
    contract_rate: Decimal | None = None,
) -> Applied:
    """The rates for a debt in `code` (`law.contractual_table`), read from the shipped tables
    extended by the imported periods."""
    return contractual_table(code, business, interest_starts, contract_rate, tables_of(session))


def claim_for(
    session: Session,
    code: str,
    business: bool,
    principal: int,
    due: date,
    paid: date,
    contract_rate: Decimal | None = None,
    basis: DayBasis = DayBasis.ACT_365,
    count_payment_day: bool = True,
) -> Claim:
    """`law.claim` on the tables the database extends."""
    return claim(
        code,
        business,
        principal,
        due,
        paid,
        agreed=contract_rate,
        basis=basis,
        count_payment_day=count_payment_day,
        tables=tables_of(session),
    )


@dataclass(frozen=True)
class SeriesView:
    series: str
    name: str
    source: str
    first_day: date
    last_day: date | None  # None: open-ended
    imported: int  # periods imported into the database
    compounding: bool


def list_series(session: Session) -> list[SeriesView]:
    """Every series: where it comes from and the days it covers, imports included."""
    stored = stored_spans(session)
    views = []
    for series in shipped_series():
        shipped = published(series)
        table = merged(shipped.table, stored.get(series, []))
        views.append(
            SeriesView(
                series,
                shipped.name,
                shipped.source,
                table.periods[0].starts_on,
                table.ends_on,
                len(stored.get(series, [])),
                table.compounding,
            )
        )
    return views


def series_spans(session: Session, series: str) -> list[Span]:
    """One series' periods, shipped and imported, each with where it comes from."""
    if series not in shipped_series():
        raise NotFound(f"rate series {series!r}: use one of {', '.join(shipped_series())}")
    stored = stored_spans(session).get(series, [])
    shipped = spans_of(published(series).table, "shipped")
    return sorted([*shipped, *stored], key=lambda s: s.starts_on)


@dataclass(frozen=True)
class PeriodView:
    """One period of a series as the rates page and `GET /api/rates/{series}` show it."""

    starts_on: date
    ends_on: date | None  # None: open-ended
    rate: Decimal | None  # None: not published
    imported: bool  # else shipped with Cobro
    source: str  # the series' source (shipped), or the one the import gave
    imported_at: datetime | None


def series_periods(session: Session, series: str) -> list[PeriodView]:
    """One series' periods, shipped and imported, in order; each says where it comes from."""
    if series not in shipped_series():
        raise NotFound(f"rate series {series!r}: use one of {', '.join(shipped_series())}")
    shipped = published(series)
    views = [
        PeriodView(span.starts_on, span.ends_on, span.rate, False, shipped.source, None)
        for span in spans_of(shipped.table)
    ]
    rows = session.scalars(select(RatePeriodRow).where(RatePeriodRow.series == series))
    views.extend(
        PeriodView(row.starts_on, row.ends_on, row.rate_value, True, row.source, row.imported_at)
        for row in rows
    )
    return sorted(views, key=lambda view: view.starts_on)


@dataclass(frozen=True)
class ImportResult:
    added: tuple[tuple[str, Span], ...]  # (series, the days now known) per row stored
    already_known: int  # periods of the file whose every day was known at that rate


def import_rates(
    session: Session, rows: Sequence[RateRow], name: str, now: datetime
) -> ImportResult:
    """Store what `rows` (a checked file, `ratefile.read_rate_file`) add to the tables, all or
    nothing: a row that gives another rate for a day already known, or leaves days without
    a rate between a series' table and the file's periods, refuses the whole file."""
    stored = stored_spans(session)
    problems: list[Problem] = []
    added: list[tuple[str, Span]] = []
    already_known = 0
    by_series: dict[str, list[RateRow]] = defaultdict(list)
    for row in rows:
        by_series[row.series].append(row)
    for series, periods in by_series.items():
        existing = known(
            [*spans_of(published(series).table, "shipped with Cobro"), *stored.get(series, [])]
        )
        problems.extend(_gap_with_table(series, periods, existing))
        for row in periods:
            span = Span(row.starts_on, row.ends_on, row.rate, row.source)
            conflicts = _conflicts(row, span, existing)
            problems.extend(conflicts)
            new = uncovered(span, existing)
            if not new:
                already_known += 1
            added.extend((series, part) for part in new)
    if problems:
        raise RateFileInvalid(name, sorted(problems, key=lambda p: p.row))
    for series, span in added:
        assert span.ends_on is not None
        assert span.rate is not None
        session.add(
            RatePeriodRow(
                series=series,
                starts_on=span.starts_on,
                ends_on=span.ends_on,
                rate=_text(span.rate),
                source=span.source,
                imported_at=now,
            )
        )
    session.flush()
    return ImportResult(tuple(added), already_known)


def _conflicts(row: RateRow, span: Span, existing: Sequence[Span]) -> list[Problem]:
    problems = []
    for other in existing:
        shared = overlap(span, other)
        if shared is None or other.rate == row.rate:
            continue
        problems.append(
            Problem(
                row.row,
                "rate",
                f"{row.series} already has {other.rate} % from {shared[0]} to {shared[1]} "
                f"({other.source}), not {row.rate} %: a known rate is not changed by an import",
            )
        )
    return problems


def _gap_with_table(
    series: str, rows: Sequence[RateRow], existing: Sequence[Span]
) -> list[Problem]:
    """The file's periods of `series` (consecutive: the file check says so) must touch or
    overlap the days the series already has rates for."""
    if not existing:
        return []
    rows = sorted(rows, key=lambda r: r.starts_on)
    first_known = existing[0].starts_on
    last_known = existing[-1].ends_on
    if last_known is not None and rows[0].starts_on > last_known + ONE_DAY:
        return [
            Problem(
                rows[0].row,
                "starts_on",
                f"leaves a gap: {series} has rates up to {last_known}, so the first period "
                f"imported must start on {last_known + ONE_DAY} at the latest",
            )
        ]
    if rows[-1].ends_on < first_known - ONE_DAY:
        return [
            Problem(
                rows[-1].row,
                "ends_on",
                f"leaves a gap: {series} has rates from {first_known}, so the last period "
                f"imported must end on {first_known - ONE_DAY} at the earliest",
            )
        ]
    return []


def _text(rate: Decimal) -> str:
    """The rate as plain decimal text ("1.27", never "1.27E+0")."""
    return f"{rate:f}"


def monthly_series() -> list[str]:
    """The series whose periods are calendar months (a rate certified each month)."""
    return [name for name in shipped_series() if published(name).monthly]


@dataclass(frozen=True)
class SeriesAdded:
    series: str
    periods: int
    days: int


def added_by_series(result: ImportResult) -> list[SeriesAdded]:
    """What an import added, per series: periods stored and the days they cover."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for series, span in result.added:
        assert span.ends_on is not None
        totals[series][0] += 1
        totals[series][1] += (span.ends_on - span.starts_on).days + 1
    return [SeriesAdded(series, periods, days) for series, (periods, days) in totals.items()]


@dataclass(frozen=True)
class Importer:
    """Who imports, for the audit trail: the user, the company they work in, from where."""

    actor_id: int
    company_id: int
    source: str


def import_rate_text(
    session: Session,
    name: str,
    text: str,
    by: Importer,
    now: datetime,
    dry_run: bool = False,
    as_json: bool = False,
) -> ImportResult:
    """Read a rate file's text (CSV, or JSON with `as_json`) and import it (`import_rates`: all
    or nothing; `RateFileInvalid` lists every problem). `dry_run`: the same work, rolled back.
    What is stored is audited ("rates.imported"); a dry run or a file that adds nothing is not."""
    rows = read_rate_text(name, text, shipped_series(), monthly_series(), as_json)
    if dry_run:
        savepoint = session.begin_nested()
        try:
            return import_rates(session, rows, name, now)
        finally:
            savepoint.rollback()
    result = import_rates(session, rows, name, now)
    if result.added:
        added = [
            {
                "series": series,
                "starts_on": span.starts_on.isoformat(),
                "ends_on": span.ends_on.isoformat() if span.ends_on else None,
                "rate": _text(span.rate) if span.rate is not None else None,
                "source": span.source,
            }
            for series, span in result.added
        ]
        record(
            session,
            "rates.imported",
            at=now,
            entity_type="rate_file",
            entity_id=name[:64],
            actor_id=by.actor_id,
            company_id=by.company_id,
            after={"added": added, "already_known": result.already_known},
            source=by.source,
        )
    return result
