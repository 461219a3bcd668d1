"""The risk page (/risk): what the collection ranking knows, on one page, for any signed-in role.

- **Model**: the models trained (newest first) with the figures they scored on the invoices held
  back, and whether the newest serves; when it does not (none yet, or it no longer fits this
  Cobro), why, and that the rules grade meanwhile.
- **Grades**: how many customers each grade has in the latest scoring, how many of them the
  model graded and how many the rules, and the day they were scored.
- **Cash forecast**: the latest 13-week forecast kept, per currency, each week with its 90 %
  interval and, once over, the cash that came in for the invoices open on the forecast's day.
- **Experiments**: the champion/challenger trials (their reports are the CLI's and the API's).

Managers and admins (`configure`) train a model and score now from here: two CSRF-protected
forms that post and come back (303) with what was done; too little history to train answers
422 with the page and the reason beside the Train button. The charts' data is a
`<script type="application/json">` block (data, never executed) drawn by /static/risk.js with
the vendored Chart.js; every figure charted is also in a table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.endpoint import Caller, DbSession, Reader, require
from cobro.errors import NotFound
from cobro.kit.dates import today_in, utcnow
from cobro.kit.money import to_decimal
from cobro.policy.models import CollectionPolicy
from cobro.policy.rules import Grade
from cobro.scoring import forecast, repository, scorer, service
from cobro.scoring.experiment import list_experiments
from cobro.scoring.forecast import Checked
from cobro.scoring.models import CustomerScore, RiskModel
from cobro.web.charges import money_of
from cobro.web.i18n import translator
from cobro.web.templates import language_of, render

Configurer = Annotated[Caller, require("configure")]
router = APIRouter(include_in_schema=False)

GRADES = (*(grade.value for grade in Grade), None)  # None: not graded (no invoice to go by)
DONE = ("trained", "scored")  # the ?done= a redirect after a form may carry
NO_FIGURE = "–"  # a figure the model did not give (an AUC with one class held back)


@dataclass(frozen=True)
class ModelRow:
    """A trained model as the table shows it: figures already in the reader's language."""

    id: int
    trained_on: date
    examples: int
    accuracy: str
    auc: str
    mae: str
    coverage: str
    days_model: str
    in_use: bool


@dataclass(frozen=True)
class GradeRow:
    grade: str | None
    customers: int
    by_model: int

    @property
    def by_rules(self) -> int:
        return self.customers - self.by_model


@dataclass(frozen=True)
class Grades:
    rows: list[GradeRow]
    scored_on: date | None  # None: never scored

    @property
    def customers(self) -> int:
        return sum(row.customers for row in self.rows)

    @property
    def by_model(self) -> int:
        return sum(row.by_model for row in self.rows)


@dataclass(frozen=True)
class WeekRow:
    week: date
    expected: int
    low: int
    high: int
    received: int | None  # None: the week is not over
    inside: bool | None


@dataclass(frozen=True)
class CurrencyForecast:
    currency: str
    weeks: list[WeekRow]


@dataclass(frozen=True)
class ExperimentRow:
    code: str
    champion: str
    challenger: str
    challenger_percent: int
    holdout_percent: int
    started_on: date
    ended_on: date | None


@router.get("/risk", response_class=HTMLResponse)
def risk_page(request: Request, session: DbSession, caller: Reader) -> HTMLResponse:
    return _page(request, session, caller)


@router.post("/risk/train", response_class=HTMLResponse)
def train_model(request: Request, session: DbSession, caller: Configurer) -> Response:
    """Learn from every invoice paid by today; the new model serves from the next scoring."""
    company = session.get_one(Company, caller.company_id)
    try:
        service.train(session, company.id, today_in(company.timezone), utcnow())
    except service.TooLittleHistory as exc:
        return _page(request, session, caller, train_error=exc.message)
    return RedirectResponse("/risk?done=trained", status_code=303)


@router.post("/risk/score", response_class=HTMLResponse)
def score_now(session: DbSession, caller: Configurer) -> Response:
    """Grade every customer, predict every open invoice's pay day and keep the forecast."""
    company = session.get_one(Company, caller.company_id)
    scorer.score(session, company.id, today_in(company.timezone))
    return RedirectResponse("/risk?done=scored", status_code=303)


def _page(
    request: Request, session: Session, caller: Caller, train_error: str = ""
) -> HTMLResponse:
    company = session.get_one(Company, caller.company_id)
    today = today_in(company.timezone)
    language = language_of(request)
    stored, fitted, why = scorer.usable_model(session, company.id)
    models = _models(repository.models(session, company.id), fitted is not None, language)
    grades = _grades(session, company.id)
    found = _forecast(session, company.id, today)
    done = request.query_params.get("done", "")
    return render(
        request,
        "risk/page.html",
        status_code=422 if train_error else 200,
        language=language,
        company=company,
        today=today,
        models=models,
        not_in_use=why if stored is not None else "",
        grades=grades,
        forecast=found,
        forecasts=_by_currency(found) if found else [],
        experiments=_experiments(session, company),
        charts=_charts(grades, found, language),
        money=money_of(language),
        may_configure=caller.can("configure"),
        train_error=train_error,
        done=done if done in DONE else "",
    )


def _models(stored: Sequence[RiskModel], usable: bool, language: str) -> list[ModelRow]:
    """The models newest first; only the newest can be in use, and only when it loads."""
    return [
        ModelRow(
            id=model.id,
            trained_on=model.trained_on,
            examples=model.examples,
            accuracy=_percent(model.metrics.get("accuracy"), language),
            auc=_decimal(model.metrics.get("auc"), "0.00", language),
            mae=_decimal(model.metrics.get("mae"), "0.0", language),
            coverage=_percent(model.metrics.get("coverage"), language),
            days_model=str(model.metrics.get("days_model", "")),
            in_use=index == 0 and usable,
        )
        for index, model in enumerate(stored)
    ]


def _percent(value: object, language: str) -> str:
    if not isinstance(value, int | float):
        return NO_FIGURE
    return str(format_percent(value, "#,##0.0 %", locale=language))


def _decimal(value: object, pattern: str, language: str) -> str:
    if not isinstance(value, int | float):
        return NO_FIGURE
    return str(format_decimal(value, pattern, locale=language))


def _grades(session: Session, company_id: int) -> Grades:
    """Customers per grade in the latest scoring (one row per customer, replaced whole), and
    how many of each the model graded: one grouped query."""
    rows = session.execute(
        select(
            CustomerScore.grade,
            CustomerScore.model_id.is_not(None),
            func.count(),
            func.max(CustomerScore.scored_on),
        )
        .where(CustomerScore.company_id == company_id)
        .group_by(CustomerScore.grade, CustomerScore.model_id.is_not(None))
    )
    counts: dict[str | None, list[int]] = {grade: [0, 0] for grade in GRADES}
    scored_on: date | None = None
    for grade, by_model, count, last in rows:
        counted = counts.setdefault(grade, [0, 0])
        counted[0] += count
        counted[1] += count if by_model else 0
        scored_on = last if scored_on is None or (last and last > scored_on) else scored_on
    return Grades([GradeRow(g, n, m) for g, (n, m) in counts.items()], scored_on)


def _forecast(session: Session, company_id: int, today: date) -> Checked | None:
    try:
        return forecast.checked(session, company_id, today)
    except NotFound:
        return None


def _by_currency(found: Checked) -> list[CurrencyForecast]:
    """The forecast's weeks per currency, each with the cash that came in once it is over."""
    checks = {(check.currency, check.start): check for check in found.checks}
    weeks: dict[str, list[WeekRow]] = defaultdict(list)
    for week in found.forecast.weeks:
        check = checks.get((week.currency, week.start))
        weeks[week.currency].append(
            WeekRow(
                week.start, week.expected, week.low, week.high,
                None if check is None else check.received,
                None if check is None else check.inside,
            )
        )  # fmt: skip
    return [CurrencyForecast(currency, rows) for currency, rows in sorted(weeks.items())]


def _experiments(session: Session, company: Company) -> list[ExperimentRow]:
    found = list_experiments(session, company)
    rows = session.execute(
        select(CollectionPolicy.id, CollectionPolicy.code).where(
            CollectionPolicy.company_id == company.id
        )
    )
    codes = {policy_id: code for policy_id, code in rows}  # noqa: C416 (rows: not pairs to mypy)
    return [
        ExperimentRow(
            e.code, codes.get(e.champion_policy_id, ""), codes.get(e.challenger_policy_id, ""),
            e.challenger_percent, e.holdout_percent, e.started_on, e.ended_on,
        )
        for e in found
    ]  # fmt: skip


def _charts(grades: Grades, found: Checked | None, language: str) -> dict[str, Any]:
    """The charts' data: customers per grade, and per currency the forecast's weeks (major
    units, for drawing only: the tables give the exact amounts)."""
    gettext = translator(language)
    charts: dict[str, Any] = {
        "names": {key: gettext(key.title()) for key in ("expected", "low", "high", "received")},
        "grades": {
            "labels": [row.grade or gettext("no grade") for row in grades.rows],
            "values": [row.customers for row in grades.rows],
        },
        "forecasts": [],
    }
    for each in _by_currency(found) if found else []:
        major = _major(each.currency)
        charts["forecasts"].append(
            {
                "currency": each.currency,
                "labels": [week.week.isoformat() for week in each.weeks],
                "expected": [major(week.expected) for week in each.weeks],
                "low": [major(week.low) for week in each.weeks],
                "high": [major(week.high) for week in each.weeks],
                "received": [
                    None if week.received is None else major(week.received) for week in each.weeks
                ],
            }
        )
    return charts


def _major(currency: str) -> Callable[[int], float]:
    def major(minor: int) -> float:
        return float(to_decimal(minor, currency))

    return major
