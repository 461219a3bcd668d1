"""`cobro model train|evaluate|score|show` and `cobro forecast`: the collection ranking's risk
model, learnt from the company's own ledger, and what it predicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import typer

from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_of,
    console,
    day_of,
    print_rows,
    unit_of_work,
)
from cobro.kit.dates import parse_date, utcnow
from cobro.kit.money import format_minor
from cobro.scoring import forecast, repository, scorer, service
from cobro.scoring.forecast_rules import Forecast, WeekCheck
from cobro.scoring.model import Scores

model_app = typer.Typer(
    help="The risk model: chance of paying late, predicted pay days, grades A–D, reasons."
)
OnDay = typer.Option(None, "--on", help="The ledger as it stood on this day (default: today).")


@model_app.command("train")
def model_train(on: str | None = OnDay, company: str | None = CompanyOption) -> None:
    """Learn from every invoice paid so far and keep the model; it grades from the next
    `cobro model score` on. Needs 200 paid invoices, at least 20 of them late and 20 on time."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        trained = service.train(session, owner.id, day_of(on, owner), utcnow())
        model, scores = trained.model, trained.scores
        console.print(
            f"Model {model.id} trained on {model.examples} paid invoices up to "
            f"{model.trained_on}; days to pay by {scores.extra['days_model']}."
        )
        _print_scores([("model", scores)], "Checked on the last fifth, held back:")


@model_app.command("evaluate")
def model_evaluate(
    on: str | None = OnDay,
    test: float = typer.Option(
        0.2, "--test", help="Share of the paid invoices, the latest by issue date, held back."
    ),
    company: str | None = CompanyOption,
) -> None:
    """Hold back the latest paid invoices, train on the earlier ones, and compare the model's
    predictions for the held-back ones with simple baselines. Stores nothing."""
    with cli_errors(), unit_of_work(dry_run=True) as session:
        owner = company_of(session, company)
        found = service.evaluate(session, owner.id, day_of(on, owner), test)
    console.print(
        f"Trained on {found.train} paid invoices, tested on the {found.test} issued from "
        f"{found.first_test_day} on (features from invoices settled before each one's date)."
    )
    rows = [
        ("accuracy (late or not)", _f(found.model.accuracy), _f(found.on_time_accuracy),
         _f(found.past_rate_accuracy), "–"),
        ("ROC AUC (late or not)", _f(found.model.auc), "–", _f(found.past_rate_auc), "–"),
        ("MAE, days to settle", _f(found.model.mae, 2), "–", "–", _f(found.customer_mean_mae, 2)),
        ("90 % interval coverage", _f(found.model.coverage), "–", "–", "–"),
    ]  # fmt: skip
    print_rows(
        ("metric", "model", "always on time", "past late rate", "customer mean days"),
        rows,
        "metrics",
    )


@model_app.command("score")
def model_score(on: str | None = OnDay, company: str | None = CompanyOption) -> None:
    """Grade every customer, predict every open invoice's pay day, learn payment runs and make
    the 13-week cash forecast. Without a usable model the rules grade, and this says why."""
    with cli_errors(), unit_of_work(writes=True) as session:
        owner = company_of(session, company)
        done = scorer.score(session, owner.id, day_of(on, owner))
    grades = ", ".join(f"{g} {n}" for g, n in sorted(done.grades.items()))
    console.print(
        f"Scored {done.customers} customers and {done.invoices} open invoices on {done.on}: "
        f"{done.by_model} graded by model {done.model_id or '-'}, the rest by the rules. "
        f"Grades: {grades or 'none'}. Payment runs found for {done.with_runs} customers."
    )
    if done.fallback:
        console.print(f"Rules only: {done.fallback}.")
    if done.forecast is not None:
        weeks = 4
        for currency in sorted({w.currency for w in done.forecast.weeks}):
            own = [w.expected for w in done.forecast.weeks if w.currency == currency]
            soon = sum(own[:weeks])
            console.print(
                f"Cash expected in {currency} over the next {weeks} weeks: "
                f"{format_minor(soon, currency)} (cobro model forecast for all 13)."
            )


@model_app.command("forecast")
def model_forecast(
    made_on: str | None = typer.Option(
        None, "--made-on", help="The forecast made on this day (default: the latest)."
    ),
    company: str | None = CompanyOption,
) -> None:
    """The 13-week cash forecast kept by `cobro model score`: cash expected per week with its
    90 % interval, and for the weeks already over, the cash that came in for the invoices
    open on the forecast's day, and whether it fell inside the interval."""
    with cli_errors(), unit_of_work(dry_run=True) as session:
        owner = company_of(session, company)
        day = parse_date(made_on) if made_on else None
        found = forecast.checked(session, owner.id, day_of(None, owner), day)
    print_forecast(found.forecast, {(c.currency, c.start): c for c in found.checks})
    for currency, said in found.summary.items():
        console.print(
            f"{currency}: {said.weeks} weeks over; received {format_minor(said.received, currency)}"
            f" against {format_minor(said.expected, currency)} expected; mean error "
            f"{format_minor(said.mae, currency)} a week; {said.inside_share:.0%} of weeks inside "
            "the interval."
        )


@model_app.command("show")
def model_show(company: str | None = CompanyOption) -> None:
    """The models trained, newest (the one in use) first, with their checked figures."""
    with cli_errors(), unit_of_work(dry_run=True) as session:
        owner = company_of(session, company)
        rows = [
            (str(m.id), str(m.trained_on), str(m.examples), _f(m.metrics.get("accuracy")),
             _f(m.metrics.get("auc")), _f(m.metrics.get("mae"), 2),
             _f(m.metrics.get("coverage")), str(m.metrics.get("days_model", "")))
            for m in repository.models(session, owner.id)
        ]  # fmt: skip
        _, _, why = scorer.usable_model(session, owner.id)
    print_rows(
        ("model", "trained on", "invoices", "accuracy", "AUC", "MAE days", "coverage", "days by"),
        rows,
        "models",
    )
    if why and rows:
        console.print(f"Not in use: {why}.")


def print_forecast(made: Forecast, checks: Mapping[tuple[str, date], WeekCheck]) -> None:
    rows = []
    for w in made.weeks:
        check = checks.get((w.currency, w.start))
        came = "" if check is None else format_minor(check.received, w.currency)
        inside = "" if check is None else ("yes" if check.inside else "no")
        rows.append(
            (w.currency, str(w.start), format_minor(w.expected, w.currency),
             format_minor(w.low, w.currency), format_minor(w.high, w.currency), came, inside)
        )  # fmt: skip
    console.print(f"Cash expected per week, as forecast on {made.on} (90 % interval):")
    headings = ("currency", "week of", "expected", "low", "high", "received", "inside")
    print_rows(headings, rows, "weeks")


def _print_scores(scores: Sequence[tuple[str, Scores]], title: str) -> None:
    console.print(title)
    print_rows(
        ("", "accuracy", "AUC", "MAE days", "90 % coverage"),
        [(name, _f(s.accuracy), _f(s.auc), _f(s.mae, 2), _f(s.coverage)) for name, s in scores],
        "rows",
    )


def _f(value: object, places: int = 3) -> str:
    return "n/d" if not isinstance(value, int | float) else f"{value:.{places}f}"
