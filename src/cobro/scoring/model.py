"""The risk models, fitted with scikit-learn on a company's own settled invoices.

- **Late or not**: a logistic regression on the features (missing values take the training
  median plus a "was missing" flag; everything standardised). Chosen over gradient boosting
  because each prediction then splits exactly into one contribution per feature, which is what
  the reasons say in words, and because on IBM's sample it did as well (research note #9).
- **Days to pay**: the better on the held-back invoices of two estimators: the customer's own
  average days to settle (paperless-adjusted; the training mean without history), or gradient
  boosting on every feature (absolute-error loss, so a few very late payers do not drag it).
- **Interval**: the spread of the errors on the held-back invoices (41 quantiles, 0 to 100 %),
  whose 5th and 95th percentiles give the 90 % interval of a pay day; the cash forecast uses
  them all.

The fitted models are stored with joblib (a pickle) in the company's own database; a model is
only ever read back from there, never from a file a user hands in.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from hashlib import sha256
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # scikit-learn takes a second to import: only where a model is fitted or used
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.pipeline import Pipeline

from cobro.errors import Invalid
from cobro.scoring.features import FEATURES

VERSION = 1  # bump when what a stored model expects changes
SCHEMA = sha256(f"{VERSION}:{','.join(FEATURES)}".encode()).hexdigest()[:16]
DAYS_MEAN = FEATURES.index("days_mean")
TOP_COUNTRIES = 12  # one column each; the rest are "other"
QUANTILES = 41
LEVEL = 0.9  # the interval's coverage

Matrix = NDArray[np.float64]
_P = ParamSpec("_P")
_R = TypeVar("_R")


class ModelUnfit(Invalid):
    """A stored model this Cobro cannot use (another feature set or scikit-learn)."""


@dataclass
class Fitted:
    late: Pipeline
    days: HistGradientBoostingRegressor | None  # None: the customer's own average
    residuals: tuple[int, ...]  # days, actual − predicted, QUANTILES quantiles
    beta: float  # the paperless shift (features.paperless_slope)
    countries: tuple[str, ...]
    mean_days: float  # days to settle of the training invoices, on average
    # the columns the boosting reads: those with a value in training (an input missing on
    # every row, such as the credit limit of a company that sets none, is left out)
    known: tuple[int, ...] = ()
    schema: str = SCHEMA
    library: str = field(default_factory=lambda: _sklearn_version())  # noqa: PLW0108 (defined below)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*FEATURES, *(f"country {c}" for c in self.countries), "country other")

    def interval(self) -> tuple[int, int]:
        return interval_of(self.residuals)


def interval_of(residuals: Sequence[int]) -> tuple[int, int]:
    """The errors (sorted, equally likely) that bound the LEVEL interval, in days."""
    tail = (1 - LEVEL) / 2
    last = len(residuals) - 1
    return residuals[round(tail * last)], residuals[round((1 - tail) * last)]


@dataclass(frozen=True)
class Scores:
    """How well predictions did against what happened."""

    n: int
    accuracy: float
    auc: float | None  # None with only one class
    mae: float
    coverage: float | None = None  # share of pay days inside the interval
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "auc": None if self.auc is None else round(self.auc, 4),
            "mae": round(self.mae, 3),
            "coverage": None if self.coverage is None else round(self.coverage, 4),
            **self.extra,
        }


def top_countries(countries: Sequence[str]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for country in countries:
        counts[country] = counts.get(country, 0) + 1
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    return tuple(ranked[:TOP_COUNTRIES]) if len(ranked) > 1 else ()


def matrix(
    rows: Sequence[Sequence[float]], countries: Sequence[str], known: Sequence[str]
) -> Matrix:
    """The features and one 0/1 column per known country (plus "other")."""
    numbers = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
    index = {country: i for i, country in enumerate(known)}
    onehot = np.zeros((len(rows), len(known) + 1))
    if len(rows):
        positions = [index.get(country, len(known)) for country in countries]
        onehot[np.arange(len(rows)), positions] = 1.0
    return np.hstack([numbers, onehot])


def _sklearn_version() -> str:
    import sklearn  # noqa: PLC0415 (lazy: a second to import)

    return str(sklearn.__version__)


def _classifier() -> Pipeline:
    from sklearn.impute import SimpleImputer  # noqa: PLC0415 (lazy: a second to import)
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 (lazy: a second to import)
    from sklearn.pipeline import Pipeline  # noqa: PLC0415 (lazy: a second to import)
    from sklearn.preprocessing import StandardScaler  # noqa: PLC0415 (lazy: a second to import)

    return Pipeline(
        [
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=0.1, max_iter=3000)),
        ]
    )


def _regressor() -> HistGradientBoostingRegressor:
    from sklearn.ensemble import HistGradientBoostingRegressor  # noqa: PLC0415 (lazy: a second to import)

    return HistGradientBoostingRegressor(
        loss="absolute_error",
        max_iter=200,
        learning_rate=0.05,
        max_depth=4,
        min_samples_leaf=30,
        random_state=0,
    )


def _threads() -> int:
    """OpenMP threads for the boosting: 1 unless COBRO_MODEL_THREADS says more. On a small
    machine more threads spin against each other and the web and the cycle: on 2 cores,
    fitting the demo's 27,000 invoices took 63 s with two threads and 4 s with one."""
    value = os.environ.get("COBRO_MODEL_THREADS", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


_limited: list[bool] = []


def one_thread(work: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `work` with the OpenMP threads `_threads` allows: set once for the process (asking
    threadpoolctl on every call costs a good part of a second)."""

    @functools.wraps(work)
    def limited(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not _limited:
            from threadpoolctl import threadpool_limits  # noqa: PLC0415 (lazy: a second to import)

            threadpool_limits(limits=_threads(), user_api="openmp")
            _limited.append(True)
        return work(*args, **kwargs)

    return limited


@one_thread
def fit(
    x: Matrix, late: NDArray[np.bool_], days: NDArray[np.float64], beta: float,
    countries: tuple[str, ...], holdout: float = 0.2,
) -> tuple[Fitted, Scores]:  # fmt: skip
    """Fit on the first (1 − holdout) of the rows (in time order), score the rest, choose the
    days estimator and the error spread there, then refit on every row."""
    cut = int(len(x) * (1 - holdout))
    if cut < 1 or cut >= len(x):
        raise Invalid("too few invoices to hold some back for checking", field="examples")
    mean_days = float(days[:cut].mean())
    trial = _fit_once(x[:cut], late[:cut], days[:cut], mean_days, boost=True)
    history_error = _errors(_history_days(x[cut:], mean_days), days[cut:])
    assert trial.days is not None
    boosted_error = _errors(days_to_pay(trial, x[cut:]), days[cut:])
    boost = float(np.abs(boosted_error).mean()) < float(np.abs(history_error).mean())
    errors = boosted_error if boost else history_error
    trial.days = trial.days if boost else None
    trial.residuals = _quantiles(errors)
    checked = assess(trial, x[cut:], late[cut:], days[cut:])
    final = _fit_once(x, late, days, float(days.mean()), boost=boost)
    final.residuals, final.beta, final.countries = trial.residuals, beta, countries
    extra = {"days_model": "boosting" if boost else "history", "holdout": len(x) - cut}
    return final, replace(checked, extra=extra)


def _fit_once(
    x: Matrix, late: NDArray[np.bool_], days: NDArray[np.float64], mean_days: float, boost: bool
) -> Fitted:
    if late.all() or not late.any():
        raise Invalid(
            "every invoice learnt from was paid on time (or every one late): "
            "nothing to tell the two apart yet",
            field="examples",
        )
    classifier = _classifier().fit(x, late)
    known = tuple(int(i) for i in np.flatnonzero(~np.isnan(x).all(axis=0)))
    regressor = _regressor().fit(x[:, known], days) if boost else None
    return Fitted(classifier, regressor, (0,), 0.0, (), mean_days, known)


def _history_days(x: Matrix, mean_days: float) -> Matrix:
    own = x[:, DAYS_MEAN]
    return np.where(np.isnan(own), mean_days, own)


def _errors(predicted: Matrix, actual: NDArray[np.float64]) -> Matrix:
    return np.asarray(actual - predicted, dtype=np.float64)


def _quantiles(errors: Matrix) -> tuple[int, ...]:
    points = np.quantile(errors, np.linspace(0, 1, QUANTILES))
    return tuple(round(float(p)) for p in points)


@one_thread
def late_probability(fitted: Fitted, x: Matrix) -> Matrix:
    return np.asarray(fitted.late.predict_proba(x)[:, 1], dtype=np.float64)


@one_thread
def days_to_pay(fitted: Fitted, x: Matrix) -> Matrix:
    if fitted.days is None:
        return _history_days(x, fitted.mean_days)
    return np.asarray(fitted.days.predict(x[:, fitted.known]), dtype=np.float64)


def assess(fitted: Fitted, x: Matrix, late: NDArray[np.bool_], days: NDArray[np.float64]) -> Scores:
    probability = late_probability(fitted, x)
    predicted = days_to_pay(fitted, x)
    low, high = fitted.interval()
    errors = days - predicted
    return Scores(
        n=len(x),
        accuracy=float(((probability > 0.5) == late).mean()),
        auc=auc(late, probability),
        mae=float(np.abs(errors).mean()),
        coverage=float(((errors >= low) & (errors <= high)).mean()),
    )


def auc(late: NDArray[np.bool_], probability: Matrix) -> float | None:
    if late.all() or not late.any():
        return None
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415 (lazy: a second to import)

    return float(roc_auc_score(late, probability))


# ---- explanations -------------------------------------------------------------------------


def contributions(fitted: Fitted, x: Matrix) -> list[list[tuple[str, float]]]:
    """Per row, each input's push on the log-odds of paying late (positive: riskier), largest
    first: the logistic regression's coefficient × the standardised value. A feature that was
    missing speaks through its "missing" flag."""
    impute = fitted.late.named_steps["impute"]
    scale = fitted.late.named_steps["scale"]
    model = fitted.late.named_steps["model"]
    names = list(fitted.columns)
    flagged = getattr(impute.indicator_, "features_", []) if impute.indicator_ else []
    names += [f"{names[i]} missing" for i in flagged]
    pushes = scale.transform(impute.transform(x)) * model.coef_[0]
    out = []
    for row in pushes:
        pairs = [(name, float(p)) for name, p in zip(names, row, strict=True) if abs(p) > 1e-9]
        pairs.sort(key=lambda pair: -abs(pair[1]))
        out.append(pairs)
    return out


# ---- storing --------------------------------------------------------------------------------


def dump(fitted: Fitted) -> bytes:
    import joblib  # noqa: PLC0415 (lazy: a second to import)

    buffer = io.BytesIO()
    joblib.dump(fitted, buffer, compress=3)
    return buffer.getvalue()


def load(blob: bytes, schema: str) -> Fitted:
    """The stored model, or ModelUnfit saying why it cannot serve (retrain to fix)."""
    if schema != SCHEMA:
        raise ModelUnfit(
            "the stored model was trained on another feature set than this Cobro computes; "
            "run `cobro model train` again",
            field="model",
        )
    import joblib  # noqa: PLC0415 (lazy: a second to import)

    try:
        fitted = joblib.load(io.BytesIO(blob))
    except Exception as exc:  # any unpickling failure means the same to the user
        raise ModelUnfit(
            f"the stored model cannot be read ({type(exc).__name__}); run `cobro model train`",
            field="model",
        ) from None
    version = _sklearn_version()
    if not isinstance(fitted, Fitted) or _minor(fitted.library) != _minor(version):
        raise ModelUnfit(
            "the stored model was made with another scikit-learn "
            f"({getattr(fitted, 'library', '?')}, this is {version}); "
            "run `cobro model train` again",
            field="model",
        )
    return fitted


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])
