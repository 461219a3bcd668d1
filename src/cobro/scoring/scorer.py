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
from statistics import median_low
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.kit.dates import utcnow
from cobro.policy.rules import Grade
from cobro.policy.runs import learn_runs, next_run
from cobro.scoring import repository
from cobro.scoring.features import FEATURES, Facts, Ledger
from cobro.scoring.forecast_rules import Expected, Forecast, forecast
from cobro.scoring.model import (
    Fitted,
    ModelUnfit,
    contributions,
    days_to_pay,
    interval_of,
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
    model_id = stored.id if stored is not None and fitted is not None else None
    result = Scored(on, model_id=model_id, fallback=why)
    now = repository.stored(session, company_id)
    customers, grades = _customer_scores(rows, fitted, company_id, on, result, now)
    invoices, expected = _invoice_scores(rows, fitted, book, company_id, on)
    customers, runs = _runs(session, company_id, on, customers, now)
    repository.replace_scores(session, company_id, customers, invoices)
    repository.save_customers(session, grades, runs, utcnow())
    result.customers, result.invoices = len(customers), len(invoices)
    result.with_runs = sum(1 for row in customers if row.runs is not None)
    result.forecast = forecast(expected, _residuals(fitted), on)
    _keep_forecast(session, company_id, result.forecast)
    return result


def _residuals(fitted: Fitted | None) -> Sequence[int]:
    return RULES_RESIDUALS if fitted is None else fitted.residuals


def _rows(book: repository.Book, on: date, beta: float) -> _Rows:
    rows = _Rows()
    opened = book.open_amounts
    for customer_id, debtor in book.debtors.items():
        pasts = book.invoices.get(customer_id, [])
        ledger = Ledger(debtor, pasts, beta)
        ledger.advance(on + timedelta(days=1))  # everything up to and including `on`
        rows.customer_ids.append(customer_id)
        rows.customer_countries.append(debtor.country)
        rows.customer_facts.append(ledger.facts(on, None, None))  # a typical invoice of its own
        terms = [(p.due_date - p.issue_date).days for p in pasts[-20:]]
        rows.customer_terms.append(median_low(terms) if terms else TYPICAL_TERMS)
        for past in pasts:
            amount = opened.get(past.invoice_id)
            if amount is not None:
                rows.invoices.append(
                    (past.invoice_id, amount, past.issue_date, past.due_date, customer_id)
                )
                rows.invoice_facts.append(ledger.facts(on, past.total, past.due_date))
    return rows


def _predict(
    fitted: Fitted | None, facts: Sequence[Facts], countries: Sequence[str], explain: bool = False
) -> tuple[Any, Any, Any, Any]:
    """(inputs, chance of paying late, days to pay, each row's pushes when `explain`); Nones
    without a model."""
    if fitted is None or not facts:
        return None, None, None, None
    x = matrix([f.values for f in facts], countries, fitted.countries)
    pushes = contributions(fitted, x) if explain else None
    return x, late_probability(fitted, x), days_to_pay(fitted, x), pushes


def _customer_scores(
    rows: _Rows,
    fitted: Fitted | None,
    company_id: int,
    on: date,
    result: Scored,
    now: dict[int, repository.Stored],
) -> tuple[list[repository.CustomerRow], dict[str, dict[int, str | None]]]:
    """Each customer's score row, and the grades that changed, per who gave them."""
    countries = rows.customer_countries
    _, late, days, pushes = _predict(fitted, rows.customer_facts, countries, explain=True)
    out: list[repository.CustomerRow] = []
    changed: dict[str, dict[int, str | None]] = {"model": {}, "rules": {}}
    for i, customer_id in enumerate(rows.customer_ids):
        values = rows.customer_facts[i].values
        settled, oldest = int(values[SETTLED]), int(values[OLDEST])
        if fitted is not None and late is not None and use_model(settled):
            chance = float(late[i])
            grade: Grade | None = grade_of(chance, oldest)
            row = repository.CustomerRow(
                customer_id, company_id, on, result.model_id, _text(grade),
                round(chance * 1000), max(0, round(days[i]) - rows.customer_terms[i]),
                reasons(pushes[i], _named(values, fitted, countries[i])),
            )  # fmt: skip
            by = "model"
            result.by_model += 1
        else:
            grade = rules_grade(settled, values[LATE_12M], oldest)
            row = repository.CustomerRow(
                customer_id, company_id, on, None, _text(grade), None, None,
                [rules_reason(settled)],
            )  # fmt: skip
            by = "rules"
        before = now.get(customer_id)
        if before is None or (before.grade, before.grade_by) != (row.grade, by):
            changed[by][customer_id] = row.grade
        result.grades[row.grade or "-"] = result.grades.get(row.grade or "-", 0) + 1
        out.append(row)
    return out, changed


def _text(grade: Grade | None) -> str | None:
    return None if grade is None else str(grade)


def _named(values: tuple[float, ...], fitted: Fitted, country: str) -> dict[str, float]:
    named = dict(zip(FEATURES, values, strict=True))
    for known in fitted.countries:
        named[f"country {known}"] = 1.0 if country == known else 0.0
    named["country other"] = 0.0 if country in fitted.countries else 1.0
    return named


def _invoice_scores(
    rows: _Rows, fitted: Fitted | None, book: repository.Book, company_id: int, on: date
) -> tuple[list[repository.InvoiceRow], list[Expected]]:
    countries = [book.debtors[row[4]].country for row in rows.invoices]
    _, late, days, _ = _predict(fitted, rows.invoice_facts, countries)
    residuals = _residuals(fitted)
    low, high = interval_of(residuals)
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
            repository.InvoiceRow(
                invoice_id, company_id, on, currency, amount, round(chance * 1000), pay_on,
                max(on, pay_on + timedelta(days=low)), max(on, pay_on + timedelta(days=high)),
            )
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
    session: Session,
    company_id: int,
    on: date,
    customers: list[repository.CustomerRow],
    now: dict[int, repository.Stored],
) -> tuple[list[repository.CustomerRow], dict[int, dict[str, Any] | None]]:
    """Each customer's payment runs learnt, with its next run, on its score row; and the
    customers whose runs changed, for the customer table."""
    days = repository.pay_days(session, company_id, on)
    changed: dict[int, dict[str, Any] | None] = {}
    out = []
    for row in customers:
        found = learn_runs(days.get(row.customer_id, ()))
        as_json = None if found is None else found.to_json()
        learnt = row if found is None else row._replace(runs=as_json, next_run=next_run(found, on))
        before = now.get(row.customer_id)
        if (before.runs if before is not None else None) != as_json:
            changed[row.customer_id] = as_json
        out.append(learnt)
    return out, changed


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
