"""Training and evaluating a company's risk model. Never commits: the edge owns the
transaction."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
from sqlalchemy.orm import Session

from cobro.errors import Invalid
from cobro.scoring import repository
from cobro.scoring.dataset import Examples, examples, paid, slope
from cobro.scoring.model import SCHEMA, Scores, assess, auc, dump, fit, top_countries
from cobro.scoring.models import RiskModel

MIN_EXAMPLES = 200  # paid invoices before a model is worth training
MIN_EACH = 20  # … of which this many paid late and this many on time
TEST_SHARE = 0.2


class TooLittleHistory(Invalid):
    """Not enough paid invoices to learn from: the rule-based grades stay in use."""


@dataclass(frozen=True)
class Trained:
    model: RiskModel
    scores: Scores  # on the invoices held back (the last fifth, by issue date)


def train(session: Session, company_id: int, on: date, now: datetime) -> Trained:
    """Learn from every invoice paid by `on` and store the model (it serves from then on)."""
    book = repository.book(session, company_id, on)
    pasts = paid(book, on)
    _enough([p.settled_on > p.due_date for p in pasts])  # type: ignore[operator]
    beta = slope(book, pasts)
    found = examples(book, pasts, beta)
    countries = top_countries(found.countries)
    fitted, scores = fit(found.x(countries), found.late(), found.days(), beta, countries)
    metrics = {**scores.as_dict(), "beta": round(beta, 3), "interval": list(fitted.interval())}
    model = RiskModel(
        company_id=company_id,
        trained_on=on,
        trained_at=now,
        examples=len(pasts),
        schema=SCHEMA,
        metrics=metrics,
        blob=dump(fitted),
    )
    session.add(model)
    session.flush()
    return Trained(model, scores)


def _enough(late: list[bool]) -> None:
    n, lates = len(late), sum(late)
    if n < MIN_EXAMPLES:
        raise TooLittleHistory(
            f"only {n} paid invoices to learn from (a model needs {MIN_EXAMPLES}); "
            "the rule-based grades stay in use",
            field="examples",
        )
    if min(lates, n - lates) < MIN_EACH:
        raise TooLittleHistory(
            f"{lates} of {n} paid invoices were paid late: a model needs at least {MIN_EACH} "
            "paid late and as many on time; the rule-based grades stay in use",
            field="examples",
        )


# ---- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """The model against simple baselines on the same held-back invoices."""

    train: int
    test: int
    first_test_day: date
    model: Scores
    on_time_accuracy: float  # always predicting "on time"
    past_rate_accuracy: float  # late when over half the customer's earlier invoices were
    past_rate_auc: float | None
    customer_mean_mae: float  # the customer's mean days to settle so far
    extra: dict[str, object] = field(default_factory=dict)


def evaluate(
    session: Session, company_id: int, on: date, test_share: float = TEST_SHARE
) -> Evaluation:
    """Hold back the last `test_share` of the paid invoices by issue date, train on the rest
    (the paperless shift, the country columns and the model learn from it alone), and score
    the held-back ones, each from the history settled before its own issue date."""
    if not 0 < test_share < 1:
        raise Invalid(f"test share {test_share}: give a share between 0 and 1", field="test")
    book = repository.book(session, company_id, on)
    pasts = paid(book, on)
    cut = math.floor(len(pasts) * (1 - test_share))
    _enough([p.settled_on > p.due_date for p in pasts[:cut]])  # type: ignore[operator]
    beta = slope(book, pasts[:cut])
    found = examples(book, pasts, beta)
    countries = top_countries(found.countries[:cut])
    x, late, days = found.x(countries), found.late(), found.days()
    fitted, inner = fit(x[:cut], late[:cut], days[:cut], beta, countries)
    scores = assess(fitted, x[cut:], late[cut:], days[cut:])
    scores = replace(scores, extra=inner.extra)
    return _with_baselines(found, cut, scores, float(days[:cut].mean()))


def _with_baselines(found: Examples, cut: int, scores: Scores, train_mean: float) -> Evaluation:
    late, days = found.late()[cut:], found.days()[cut:]
    held = found.facts[cut:]
    rate = np.array([0.0 if math.isnan(f.raw_late_share) else f.raw_late_share for f in held])
    mean = np.array([train_mean if math.isnan(f.raw_days_mean) else f.raw_days_mean for f in held])
    return Evaluation(
        train=cut,
        test=len(held),
        first_test_day=found.pasts[cut].issue_date,
        model=scores,
        on_time_accuracy=float((~late).mean()),
        past_rate_accuracy=float(((rate > 0.5) == late).mean()),
        past_rate_auc=auc(late, rate),
        customer_mean_mae=float(np.abs(days - mean).mean()),
    )
