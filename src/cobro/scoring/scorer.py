"""Scoring a company on a day: every customer's grade and reasons, every open invoice's
predicted pay day, each customer's payment runs, and the 13-week cash forecast. Never commits.

With a usable model (`cobro model train`), customers with enough paid invoices are graded by
it; the others, and every customer when there is no model or the stored one no longer fits
this Cobro, get the rule-based grade, and the result says why. Scoring never fails for want of
history: the rules always have an answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.errors import Invalid
from cobro.policy.rules import Grade
from cobro.policy.runs import PaymentRuns, learn_runs, next_run
from cobro.scoring import repository
from cobro.scoring.features import FEATURES, Facts, Ledger
from cobro.scoring.forecast_rules import Expected, Forecast, forecast
from cobro.scoring.model import (
    Fitted,
    ModelUnfit,
    contributions,
    days_to_pay,
    late_probability,
    load,
    matrix,
)
from cobro.scoring.models import ForecastWeek, RiskModel
from cobro.scoring.rules import grade_of, reasons, rules_grade, rules_reason, use_model

# without a model, a pay day is known to within these days (equally likely): a wide spread,
# late-leaning, as the aging of most ledgers is
RULES_RESIDUALS = tuple(range(-10, 31))
TYPICAL_TERMS = 30
SETTLED, LATE_12M, OLDEST = (FEATURES.index(n) for n in ("settled", "late_12m", "oldest_overdue"))


@dataclass
class Scored:
    on: date
    customers: int = 0
    invoices: int = 0
    by_model: int = 0  # customers graded by the model (the rest: by the rules)
    model_id: int | None = None
    fallback: str | None = None  # why the rules graded everyone, if they did
    grades: dict[str, int] = field(default_factory=dict)
    with_runs: int = 0
    forecast: Forecast | None = None


@dataclass
class _Rows:
    """What is scored: one row per customer (a typical new invoice) and per open invoice."""

    customer_ids: list[int] = field(default_factory=list)
    customer_facts: list[Facts] = field(default_factory=list)
    customer_terms: list[int] = field(default_factory=list)
    customer_countries: list[str] = field(default_factory=list)
    invoices: list[tuple[int, int, date, date, int]] = field(default_factory=list)
    invoice_facts: list[Facts] = field(default_factory=list)


def usable_model(
    session: Session, company_id: int
) -> tuple[RiskModel | None, Fitted | None, str | None]:
    """The newest stored model and its fitted pipelines, or why none serves."""
    stored = repository.latest_model(session, company_id)
    if stored is None:
        return None, None, "no model trained yet (cobro model train)"
    try:
        return stored, load(stored.blob, stored.schema), None
    except ModelUnfit as exc:
        return stored, None, exc.message


def lock_company(session: Session, company_id: int, wait: bool = True) -> bool:
    """Take the company's scoring turn for this transaction: two scorings of one company (two
    workers, the worker and `cobro model score`) replace the same rows, so they take turns;
    False when another holds it and `wait` is False. FOR NO KEY UPDATE: rows referring to the
    company can still be written meanwhile. (SQLite runs one writer at a time anyway.)"""
    found = session.scalar(
        select(Company.id)
        .where(Company.id == company_id)
        .with_for_update(key_share=True, skip_locked=not wait)
    )
    return found is not None


def score(session: Session, company_id: int, on: date) -> Scored:
    lock_company(session, company_id)
    stored, fitted, why = usable_model(session, company_id)
    book = repository.book(session, company_id, on)
    rows = _rows(book, on, 0.0 if fitted is None else fitted.beta)
    result = Scored(on, model_id=None if fitted is None else stored.id if stored else None)
    result.fallback = why
    customers, grades = _customer_scores(rows, fitted, company_id, on, result)
    invoices, expected = _invoice_scores(rows, fitted, book, company_id, on)
    runs = _runs(session, company_id, on, customers)
    repository.replace_scores(session, company_id, customers, invoices)
    repository.save_customers(session, company_id, grades, runs)
    result.customers, result.invoices = len(customers), len(invoices)
    result.with_runs = sum(1 for row in customers if row[8] is not None)
    residuals = RULES_RESIDUALS if fitted is None else fitted.residuals
    result.forecast = forecast(expected, residuals, on)
    _keep_forecast(session, company_id, result.forecast)
    return result


def _rows(book: repository.Book, on: date, beta: float) -> _Rows:
    rows = _Rows()
    opened = book.open_amounts
    for customer_id, debtor in book.debtors.items():
        pasts = book.invoices.get(customer_id, [])
        ledger = Ledger(debtor, pasts, beta)
        ledger.advance(on + timedelta(days=1))  # everything up to and including `on`
        usual = int(np.median([p.total for p in pasts])) if pasts else 0
        rows.customer_ids.append(customer_id)
        rows.customer_countries.append(debtor.country)
        rows.customer_facts.append(ledger.facts(on, usual, None))
        terms = [(p.due_date - p.issue_date).days for p in pasts[-20:]]
        rows.customer_terms.append(int(np.median(terms)) if terms else TYPICAL_TERMS)
        for past in pasts:
            amount = opened.get(past.invoice_id)
            if amount is not None:
                rows.invoices.append(
                    (past.invoice_id, amount, past.issue_date, past.due_date, customer_id)
                )
                rows.invoice_facts.append(ledger.facts(on, past.total, past.due_date))
    return rows


def _predict(
    fitted: Fitted | None, facts: Sequence[Facts], countries: Sequence[str]
) -> tuple[Any, Any, Any]:
    if fitted is None or not facts:
        return None, None, None
    x = matrix([f.values for f in facts], countries, fitted.countries)
    return x, late_probability(fitted, x), days_to_pay(fitted, x)


def _customer_scores(
    rows: _Rows, fitted: Fitted | None, company_id: int, on: date, result: Scored
) -> tuple[list[tuple[Any, ...]], dict[int, tuple[str | None, str]]]:
    countries = rows.customer_countries
    x, late, days = _predict(fitted, rows.customer_facts, countries)
    pushes = contributions(fitted, x) if fitted is not None and x is not None else None
    out: list[tuple[Any, ...]] = []
    grades: dict[int, tuple[str | None, str]] = {}
    for i, customer_id in enumerate(rows.customer_ids):
        row: tuple[Grade | None, int | None, int | None]
        values = rows.customer_facts[i].values
        settled, oldest = int(values[SETTLED]), int(values[OLDEST])
        if fitted is not None and use_model(settled):
            assert late is not None
            assert days is not None
            assert pushes is not None
            chance = float(late[i])
            grade = grade_of(chance, oldest)
            said = reasons(pushes[i], _named(values, fitted, countries[i]))
            row = (grade, round(chance * 1000), max(0, round(days[i]) - rows.customer_terms[i]))
            result.by_model += 1
            grades[customer_id] = (str(grade), "model")
        else:
            found = rules_grade(settled, values[LATE_12M], oldest)
            said = [rules_reason(settled)] if settled < 3 else ["graded by the rules"]
            row = (found, None, None)
            grades[customer_id] = (None if found is None else str(found), "rules")
        grade_text = None if row[0] is None else str(row[0])
        result.grades[grade_text or "-"] = result.grades.get(grade_text or "-", 0) + 1
        out.append(
            (customer_id, company_id, on, result.model_id if row[1] is not None else None,
             grade_text,
             row[1], row[2], said, None, None)
        )  # fmt: skip
    return out, grades


def _named(values: tuple[float, ...], fitted: Fitted, country: str) -> dict[str, float]:
    named = dict(zip(FEATURES, values, strict=True))
    for known in fitted.countries:
        named[f"country {known}"] = 1.0 if country == known else 0.0
    named["country other"] = 0.0 if country in fitted.countries else 1.0
    return named


def _invoice_scores(
    rows: _Rows, fitted: Fitted | None, book: repository.Book, company_id: int, on: date
) -> tuple[list[tuple[Any, ...]], list[Expected]]:
    countries = [book.debtors[row[4]].country for row in rows.invoices]
    _, late, days = _predict(fitted, rows.invoice_facts, countries)
    residuals = RULES_RESIDUALS if fitted is None else fitted.residuals
    low, high = (residuals[2], residuals[-3]) if fitted is None else fitted.interval()
    out, expected = [], []
    for i, (invoice_id, amount, issued, due, _customer) in enumerate(rows.invoices):
        facts = rows.invoice_facts[i]
        if days is not None and late is not None:
            predicted = issued + timedelta(days=round(float(days[i])))
            chance = 1.0 if due < on else float(late[i])
        else:
            mean = facts.raw_days_mean
            predicted = due if math.isnan(mean) else issued + timedelta(days=round(mean))
            share = facts.raw_late_share
            chance = 1.0 if due < on else (0.5 if math.isnan(share) else share)
        pay_on = _still_ahead(predicted, residuals, on)
        currency = book.currencies[invoice_id]
        out.append(
            (invoice_id, company_id, on, currency, amount, round(chance * 1000), pay_on,
             max(on, pay_on + timedelta(days=low)), max(on, pay_on + timedelta(days=high)))
        )  # fmt: skip
        expected.append(Expected(amount, currency, predicted))
    return out, expected


def _still_ahead(predicted: date, residuals: Sequence[int], on: date) -> date:
    """The predicted day, or for an invoice that should have been paid by now, the middle of
    the outcomes still ahead (the forecast's rule); `on` when none is."""
    if predicted >= on:
        return predicted
    ahead = sorted(r for r in residuals if predicted + timedelta(days=r) >= on)
    return predicted + timedelta(days=ahead[len(ahead) // 2]) if ahead else on


def _runs(
    session: Session, company_id: int, on: date, customers: list[tuple[Any, ...]]
) -> dict[int, dict[str, Any] | None]:
    """Learn each customer's payment runs; fill the score rows' runs and next run; return the
    customers whose stored runs changed."""
    days = repository.pay_days(session, company_id, on)
    stored = repository.current_runs(session, company_id)
    changed: dict[int, dict[str, Any] | None] = {}
    for index, row in enumerate(customers):
        customer_id = row[0]
        found: PaymentRuns | None = learn_runs(days.get(customer_id, ()))
        as_json = None if found is None else found.to_json()
        if as_json is not None and found is not None:
            customers[index] = (*row[:8], as_json, next_run(found, on))
        if stored.get(customer_id) != as_json:
            changed[customer_id] = as_json
    return changed


def _keep_forecast(session: Session, company_id: int, made: Forecast) -> None:
    session.execute(
        delete(ForecastWeek).where(
            ForecastWeek.company_id == company_id, ForecastWeek.made_on == made.on
        )
    )
    session.add_all(
        ForecastWeek(
            company_id=company_id,
            made_on=made.on,
            currency=week.currency,
            week=week.start,
            expected=week.expected,
            low=week.low,
            high=week.high,
        )
        for week in made.weeks
    )


def check_day(on: date, today: date) -> None:
    if on > today:
        raise Invalid(f"--on {on} is after today ({today}): a score reads what has happened")
