"""The collection ranking's endpoints (mounted under /api by `cobro.app`): the models trained
and their checked figures, a customer's score with its reasons and payment runs, and the cash
forecast against what came in (any role); training and scoring now need `configure`
(managers and admins; a token's `write` scope)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cobro.company.models import Company
from cobro.customer.service import get_customer
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Reader, error_responses, require
from cobro.errors import NotFound
from cobro.kit.dates import today_in, utcnow
from cobro.policy.runs import PaymentRuns
from cobro.scoring import forecast, repository, scorer, service
from cobro.scoring.models import RiskModel

router = APIRouter(tags=["ranking"], responses=CALLER_ERRORS)
Configurer = Annotated[Caller, require("configure")]


class ModelOut(BaseModel):
    id: int
    trained_on: date
    examples: int  # paid invoices learnt from
    metrics: dict[str, Any]  # accuracy, auc, mae, coverage on the invoices held back
    in_use: bool

    @classmethod
    def of(cls, model: RiskModel, in_use: bool) -> ModelOut:
        return cls(
            id=model.id,
            trained_on=model.trained_on,
            examples=model.examples,
            metrics=model.metrics,
            in_use=in_use,
        )


class ScoreOut(BaseModel):
    """A customer's score: `late_permille` is the chance (‰) its next invoice is paid late
    (null where the rules graded it), `days_late` the days past due it is expected to pay."""

    customer: str
    scored_on: date
    graded_by: str  # "model" or "rules"
    grade: str | None
    late_permille: int | None
    days_late: int | None
    reasons: list[str]
    payment_runs: str | None  # in words, e.g. "every Friday"
    next_run: date | None


class WeekOut(BaseModel):
    currency: str
    week: date  # its Monday
    expected: int  # minor units
    low: int
    high: int
    received: int | None  # for weeks already over: cash in for the invoices open then


class ForecastOut(BaseModel):
    made_on: date
    weeks: list[WeekOut]


def _today(session: DbSession, caller: Caller) -> date:
    return today_in(session.get_one(Company, caller.company_id).timezone)


@router.get("/model")
def list_models(session: DbSession, caller: Reader) -> list[ModelOut]:
    """The models trained, newest first; the newest is in use when it fits this Cobro."""
    models = repository.models(session, caller.company_id)
    _, fitted, _ = scorer.usable_model(session, caller.company_id)
    return [ModelOut.of(m, index == 0 and fitted is not None) for index, m in enumerate(models)]


@router.post("/model/train", responses=error_responses(422))
def train_model(session: DbSession, caller: Configurer) -> ModelOut:
    """Learn from every invoice paid so far; 422 with the reason when there is too little
    history (200 paid invoices, 20 of them late and 20 on time)."""
    trained = service.train(session, caller.company_id, _today(session, caller), utcnow())
    return ModelOut.of(trained.model, in_use=True)


@router.post("/model/score")
def score_now(session: DbSession, caller: Configurer) -> dict[str, Any]:
    """Grade every customer and predict every open invoice's pay day today."""
    done = scorer.score(session, caller.company_id, _today(session, caller))
    return {
        "scored_on": done.on,
        "customers": done.customers,
        "invoices": done.invoices,
        "by_model": done.by_model,
        "fallback": done.fallback,
        "grades": done.grades,
    }


@router.get("/customers/{external_id}/score", responses=error_responses(404))
def customer_score(session: DbSession, caller: Reader, external_id: str) -> ScoreOut:
    """The customer's latest score (404 until the first `cobro model score`)."""
    customer = get_customer(session, caller.company_id, external_id)
    score = repository.customer_score(session, caller.company_id, customer.id)
    if score is None:
        raise NotFound(f"customer {external_id} has not been scored yet", "external_id")
    runs = PaymentRuns.from_json(score.runs).describe() if score.runs else None
    return ScoreOut(
        customer=customer.external_id,
        scored_on=score.scored_on,
        graded_by="model" if score.model_id is not None else "rules",
        grade=score.grade,
        late_permille=score.late_permille,
        days_late=score.days_late,
        reasons=score.reasons,
        payment_runs=runs,
        next_run=score.next_run,
    )


@router.get("/forecast", responses=error_responses(404))
def get_forecast(
    session: DbSession,
    caller: Reader,
    made_on: Annotated[date | None, Query(description="the forecast of this day")] = None,
) -> ForecastOut:
    """The 13-week cash forecast (the latest, or the one made on `made_on`), each week with
    the cash that came in once the week is over."""
    found = forecast.checked(session, caller.company_id, _today(session, caller), made_on)
    came = {(c.currency, c.start): c.received for c in found.checks}
    return ForecastOut(
        made_on=found.forecast.on,
        weeks=[
            WeekOut(
                currency=w.currency, week=w.start, expected=w.expected, low=w.low, high=w.high,
                received=came.get((w.currency, w.start)),
            )
            for w in found.forecast.weeks
        ],
    )  # fmt: skip
