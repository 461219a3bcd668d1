"""FX rates of a company: the rates in force on a day (what reports convert with), setting,
replacing and removing one day's rate, listing them, and importing a CSV of them all or
nothing. A rate is never kept for the reporting currency itself: it is always 1. Each change
is an audit event. Services flush; the caller commits."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.audit.service import record
from cobro.company.models import Company
from cobro.errors import Invalid, NotFound
from cobro.fx.models import SOURCE_MAX, FxRate
from cobro.fx.rules import check_rate, parse_rate
from cobro.kit.dates import parse_date, utcnow
from cobro.kit.money import check_currency
from cobro.kit.rows import Problem, listed

LIST_LIMIT = 200  # rates `list_rates` gives by default
LIST_MAX = 1000
MAX_SHOWN = 20  # problems of a refused file named in its message
COLUMNS = ("date", "currency", "rate")  # the CSV's required header; `source` is optional


class MissingRate(Invalid):
    """A conversion asked for a currency without a rate on or before the day."""

    def __init__(self, currencies: Sequence[str], reporting: str, on: date) -> None:
        names = ", ".join(currencies)
        first = currencies[0]
        super().__init__(
            f"no FX rate to {reporting} (the reporting currency) on or before {on} for "
            f"{names}; add one per currency, e.g. `cobro fx add {first} 0.92 --on {on}` "
            f"(1 {first} = 0.92 {reporting}), or import a CSV with `cobro fx import`",
            field="fx",
        )
        self.currencies = tuple(currencies)
        self.reporting = reporting
        self.on = on


class RatesRefused(Invalid):
    """An import refused whole: every problem found, each naming its row and field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(listed(problems, MAX_SHOWN, "no rate imported"), field=problems[0].field)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Imported:
    """What an import did: rates added, and rates of a day already kept that it replaced."""

    added: int
    replaced: int


def rates_on(
    session: Session, company_id: int, currencies: Iterable[str], on: date
) -> dict[str, Decimal]:
    """{currency: its rate of the latest day on or before `on`} for each of `currencies` (the
    reporting currency itself: 1). One query for all of them. A currency without any rate so
    early: `MissingRate`, naming every such currency."""
    reporting = session.get_one(Company, company_id).currency
    asked = {_currency(code) for code in currencies}
    wanted = sorted(asked - {reporting})
    found: dict[str, Decimal] = {}
    if wanted:
        latest = (
            select(FxRate.currency, func.max(FxRate.day).label("day"))
            .where(
                FxRate.company_id == company_id,
                FxRate.currency.in_(wanted),
                FxRate.day <= on,
            )
            .group_by(FxRate.currency)
            .subquery()
        )
        rows = session.execute(
            select(FxRate.currency, FxRate.rate)
            .join(
                latest,
                (FxRate.currency == latest.c.currency) & (FxRate.day == latest.c.day),
            )
            .where(FxRate.company_id == company_id)
        )
        found = {str(currency): rate for currency, rate in rows}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise MissingRate(missing, reporting, on)
    if reporting in asked:
        found[reporting] = Decimal(1)
    return found


def set_rate(
    session: Session,
    company_id: int,
    currency: str,
    on: date,
    rate: Decimal,
    source: str | None,
    actor: Actor,
    now: datetime | None = None,
    via: str = "cli",
) -> FxRate:
    """Keep `rate` (units of the reporting currency per unit of `currency`) from day `on`;
    a rate already kept for that day is replaced."""
    reporting = session.get_one(Company, company_id).currency
    code = _foreign_currency(currency, reporting)
    value = check_rate(rate)
    text = _source(source)
    row = _find(session, company_id, code, on)
    at = now or utcnow()
    if row is None:
        row = FxRate(company_id=company_id, currency=code, day=on, rate=value, source=text)
        session.add(row)
        session.flush()
        _audit(session, "fx_rate.set", row, at, actor, via, after=_shown(row, reporting))
        return row
    before = _shown(row, reporting)
    row.rate, row.source = value, text
    session.flush()
    _audit(session, "fx_rate.replaced", row, at, actor, via, before, _shown(row, reporting))
    return row


def remove_rate(
    session: Session,
    company_id: int,
    currency: str,
    on: date,
    actor: Actor,
    now: datetime | None = None,
    via: str = "cli",
) -> None:
    """Forget the rate of `currency` of day `on` (the day's before it holds again)."""
    reporting = session.get_one(Company, company_id).currency
    code = _currency(currency)
    row = _find(session, company_id, code, on)
    if row is None:
        raise NotFound(f"no FX rate for {code} on {on}", field="day")
    before = _shown(row, reporting)
    _audit(session, "fx_rate.removed", row, now or utcnow(), actor, via, before=before)
    session.delete(row)
    session.flush()


def list_rates(
    session: Session, company_id: int, currency: str | None = None, limit: int = LIST_LIMIT
) -> list[FxRate]:
    """The company's rates, latest day first (then by currency); of one currency if given."""
    if not 1 <= limit <= LIST_MAX:
        raise Invalid(f"limit {limit}: from 1 to {LIST_MAX}", field="limit")
    query = select(FxRate).where(FxRate.company_id == company_id)
    if currency is not None:
        query = query.where(FxRate.currency == _currency(currency))
    query = query.order_by(FxRate.day.desc(), FxRate.currency).limit(limit)
    return list(session.scalars(query))


def import_rates(
    session: Session,
    company_id: int,
    text: str,
    actor: Actor,
    now: datetime | None = None,
    via: str = "cli",
) -> Imported:
    """The rates of a CSV file (header `date,currency,rate`, optionally `source`; the date as
    YYYY-MM-DD), all or nothing: any bad row refuses the whole file with `RatesRefused`,
    naming every problem's row and field. A day's rate already kept is replaced."""
    reporting = session.get_one(Company, company_id).currency
    rows = _read(text.lstrip("\ufeff"), reporting)
    at = now or utcnow()
    added = replaced = 0
    for code, day, rate, source in rows:
        if _find(session, company_id, code, day) is None:
            added += 1
        else:
            replaced += 1
        set_rate(session, company_id, code, day, rate, source, actor, at, via)
    return Imported(added, replaced)


Row = tuple[str, date, Decimal, str | None]


def _read(text: str, reporting: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise Invalid(
            f"the file needs a header row with {', '.join(COLUMNS)} (and optionally source); "
            f"missing: {', '.join(missing)}",
            field=missing[0],
        )
    where = {column: header.index(column) for column in (*COLUMNS, "source") if column in header}
    problems: list[Problem] = []
    good: list[Row] = []
    seen: dict[tuple[str, date], int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line

        def cell(column: str, cells: list[str] = cells) -> str:
            index = where.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row_problems: list[Problem] = []
        code = day = rate = None
        try:
            code = _foreign_currency(cell("currency"), reporting)
        except Invalid as error:
            row_problems.append(Problem(number, "currency", error.message))
        try:
            day = _iso_date(cell("date"))
        except Invalid as error:
            row_problems.append(Problem(number, "date", error.message))
        try:
            rate = parse_rate(cell("rate"))
        except Invalid as error:
            row_problems.append(Problem(number, "rate", error.message))
        try:
            source = _source(cell("source"))
        except Invalid as error:
            row_problems.append(Problem(number, "source", error.message))
        if code is not None and day is not None:
            first = seen.setdefault((code, day), number)
            if first != number:
                reason = f"{code} on {day} is in the file twice (rows {first} and {number})"
                row_problems.append(Problem(number, "date", reason))
        problems += row_problems
        if not row_problems and code is not None and day is not None and rate is not None:
            good.append((code, day, rate, source))
    if problems:
        raise RatesRefused(problems)
    if not good:
        raise Invalid("the file has no rates (only its header)", field="file")
    return good


def _currency(currency: str) -> str:
    try:
        return check_currency(currency)
    except Invalid as error:
        raise Invalid(error.message, field="currency") from None


def _foreign_currency(currency: str, reporting: str) -> str:
    code = _currency(currency)
    if code == reporting:
        raise Invalid(
            f"{code} is the reporting currency: its rate is always 1, never kept",
            field="currency",
        )
    return code


def _iso_date(text: str) -> date:
    """A file's date: YYYY-MM-DD only (a file read the same everywhere, never 3/1 guessed)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise Invalid(f"{text!r} is not a date (write it as YYYY-MM-DD)", field="date")
    return parse_date(text)


def _source(source: str | None) -> str | None:
    text = (source or "").strip()
    if len(text) > SOURCE_MAX:
        raise Invalid(f"the source is too long ({SOURCE_MAX} characters at most)", "source")
    return text or None


def _find(session: Session, company_id: int, currency: str, on: date) -> FxRate | None:
    return session.scalars(
        select(FxRate).where(
            FxRate.company_id == company_id, FxRate.currency == currency, FxRate.day == on
        )
    ).one_or_none()


def _shown(row: FxRate, reporting: str) -> dict[str, object]:
    return {
        "currency": row.currency,
        "day": row.day.isoformat(),
        "rate": f"{row.rate.normalize():f}",
        "reporting": reporting,
        "source": row.source,
    }


def _audit(
    session: Session,
    action: str,
    row: FxRate,
    at: datetime,
    actor: Actor,
    via: str,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    record(
        session,
        action,
        at=at,
        entity_type="fx_rate",
        entity_id=f"{row.currency}:{row.day.isoformat()}",
        actor_id=actor.id,
        company_id=row.company_id,
        before=before,
        after=after,
        source=via,
    )
