"""A file of rate periods to import (`cobro rates import`), read and checked on its own: every
row's fields, then each series' periods against each other (no overlap, no gap). Whatever is
wrong is reported together, each problem naming its row and field, and nothing is imported.

CSV (UTF-8, comma separated), one period per row, header row first (row 1):

    series,starts_on,ends_on,rate,source
    de_basiszinssatz,2026-07-01,2026-12-31,1.27,Bundesbank press release of 30 June 2026

or JSON shaped like the shipped series (`interest/rates/*.json`): `series`, `source`,
`ends_on` (required) and `periods`, a list of `[first day, rate]` (row n = the n-th period).
Rates are % a year, 0 to 100; days are YYYY-MM-DD and both ends are inclusive."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any

from cobro.errors import Invalid
from cobro.kit.rows import Problem, listed

COLUMNS = ("series", "starts_on", "ends_on", "rate", "source")
MAX_RATE = Decimal(100)
SOURCE_MAX = 300
MAX_SHOWN = 20  # problems listed in one message; the count says how many more


@dataclass(frozen=True)
class RateRow:
    """One period of a file: row number (header = row 1) and its checked fields."""

    row: int
    series: str
    starts_on: date
    ends_on: date
    rate: Decimal
    source: str


class RateFileInvalid(Invalid):
    """A file refused whole: every problem found, each naming its row and field."""

    def __init__(self, name: str, problems: Sequence[Problem]) -> None:
        super().__init__(
            f"{name}: " + listed(problems, MAX_SHOWN, "nothing imported"),
            field=problems[0].field,
        )
        self.problems = tuple(problems)


def read_rate_file(path: Path, series: Collection[str], monthly: Collection[str]) -> list[RateRow]:
    """The periods of the file at `path` (CSV, or JSON when it ends in .json), checked: each
    row's own fields (`series` must be one of `series`; a series in `monthly` takes calendar
    months only) and each series' periods together."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"cannot read {path}: {exc}", field="file") from None
    parse = _json_cells if path.suffix.lower() == ".json" else _csv_cells
    return check_rows(path.name, parse(path.name, text), series, monthly)


def read_rate_text(
    name: str,
    text: str,
    series: Collection[str],
    monthly: Collection[str],
    as_json: bool = False,
) -> list[RateRow]:
    """The periods of a file's text as it came over HTTP (`name`: what messages call it), CSV
    or (`as_json`) JSON, checked as `read_rate_file` checks a file."""
    parse = _json_cells if as_json else _csv_cells
    return check_rows(name, parse(name, text.removeprefix("\ufeff")), series, monthly)


Cells = list[tuple[int, dict[str, str]]]


def check_rows(
    name: str, cells: Cells, series: Collection[str], monthly: Collection[str]
) -> list[RateRow]:
    """Rows of text cells (row number, column → text) checked into periods, or refused."""
    if not cells:
        raise Invalid(f"{name}: no rate periods in the file", field="file")
    problems: list[Problem] = []
    rows = []
    for number, row in cells:
        checked = _check_row(number, row, series, monthly, problems.append)
        if checked is not None:
            rows.append(checked)
    problems.extend(_check_sequences(rows))
    if problems:
        raise RateFileInvalid(name, sorted(problems, key=lambda p: p.row))
    return rows


def _csv_cells(name: str, text: str) -> Cells:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [(number, cells) for number, cells in enumerate(reader, start=1) if any(cells)]
    except csv.Error as exc:
        raise Invalid(f"{name}: {exc} (is a quote left open?)", field="file") from None
    if not lines:
        raise Invalid(f"{name}: the file is empty (no header row)", field="file")
    header = [cell.strip().lower() for cell in lines[0][1]]
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown:
        raise Invalid(
            f"{name}: the header must be {','.join(COLUMNS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else ""),
            field="header",
        )
    return [
        (number, dict(zip(header, (c.strip() for c in cells), strict=False)))
        for number, cells in lines[1:]
    ]


def _json_cells(name: str, text: str) -> Cells:
    try:
        data: Any = json.loads(text)
        periods = data["periods"]
        starts = [str(day) for day, _ in periods]
        rates = ["" if rate is None else str(rate) for _, rate in periods]
        ends = [str(date.fromisoformat(d) - timedelta(days=1)) for d in starts[1:] if _is_day(d)]
        last = data["ends_on"]
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid(
            f"{name}: not a rate series like the shipped ones (series, source, ends_on, "
            f"periods: [[day, rate], …]): {exc}",
            field="file",
        ) from None
    if len(ends) != len(starts) - 1:
        ends = [""] * (len(starts) - 1)  # a bad first day is named by the row check
    ends.append("" if last is None else str(last))
    common = {"series": str(data.get("series", "")), "source": str(data.get("source", ""))}
    return [
        (number, {**common, "starts_on": day, "ends_on": end, "rate": rate})
        for number, (day, end, rate) in enumerate(zip(starts, ends, rates, strict=True), 1)
    ]


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_row(
    number: int,
    row: dict[str, str],
    series: Collection[str],
    monthly: Collection[str],
    say: Callable[[Problem], None],
) -> RateRow | None:
    def wrong(field: str, reason: str) -> None:
        say(Problem(number, field, reason))

    name = row.get("series", "")
    if name not in series:
        wrong("series", f"{name!r} is not a rate series; use one of {', '.join(sorted(series))}")
    starts, ends = _day(row, "starts_on", wrong), _day(row, "ends_on", wrong)
    if starts and ends and ends < starts:
        wrong("ends_on", f"{ends.isoformat()} is before starts_on {starts.isoformat()}")
    if starts and ends and name in monthly and not _whole_month(starts, ends):
        wrong("starts_on", f"{name} is certified by month: a period is one calendar month")
    rate = _rate(row.get("rate", ""), wrong)
    source = row.get("source", "")
    if not source:
        wrong("source", "say where the rate comes from (a decree, a press release, a page)")
    elif len(source) > SOURCE_MAX:
        wrong("source", f"{len(source)} characters long, at most {SOURCE_MAX}")
    if name not in series or not starts or not ends or ends < starts or rate is None:
        return None
    return RateRow(number, name, starts, ends, rate, source)


def _day(row: dict[str, str], field: str, wrong: Callable[[str, str], None]) -> date | None:
    text = row.get(field, "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        wrong(field, f"{text!r} is not a day (YYYY-MM-DD)")
        return None


def _rate(text: str, wrong: Callable[[str, str], None]) -> Decimal | None:
    try:
        rate = Decimal(text.replace(",", ".")) if text else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        wrong("rate", f"{text!r} is not a number (a rate in % a year, e.g. 1.27)")
        return None
    if not 0 <= rate <= MAX_RATE:
        wrong("rate", f"{text} is not between 0 and {MAX_RATE} (% a year)")
        return None
    return rate


def _whole_month(starts: date, ends: date) -> bool:
    next_month = date(starts.year + starts.month // 12, starts.month % 12 + 1, 1)
    return starts.day == 1 and ends == next_month - timedelta(days=1)


def _check_sequences(rows: Sequence[RateRow]) -> list[Problem]:
    """Each series' periods in the file follow each other day after day: no overlap, no gap."""
    by_series: dict[str, list[RateRow]] = defaultdict(list)
    for row in rows:
        by_series[row.series].append(row)
    problems = []
    for periods in by_series.values():
        periods.sort(key=lambda r: r.starts_on)
        for before, after in pairwise(periods):
            if after.starts_on <= before.ends_on:
                reason = f"overlaps row {before.row} ({before.starts_on} to {before.ends_on})"
            elif after.starts_on > before.ends_on + timedelta(days=1):
                reason = (
                    f"leaves a gap after row {before.row}, which ends on {before.ends_on}: "
                    f"the next period must start on {before.ends_on + timedelta(days=1)}"
                )
            else:
                continue
            problems.append(Problem(after.row, "starts_on", reason))
    return problems
