"""Training, evaluating and scoring on a real migrated database: the model learns who pays
late from the ledger, grades them, and falls back to the rules whenever it cannot serve."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.cycle.service import run_cycle
from cobro.scoring import scorer
from cobro.scoring.models import CustomerScore, ForecastWeek, InvoiceScore, RiskModel
from cobro.scoring.service import TooLittleHistory, evaluate, train
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

START = date(2025, 1, 6)
ON = date(2026, 1, 20)
NOW = datetime(2026, 1, 20, 9, tzinfo=UTC)


def paying_ledger(
    session: Session, company: Company, customers: int = 24, invoices: int = 12
) -> dict[str, list[Customer]]:
    """Half the customers pay 20 days after the invoice (30-day terms), half 50 days after;
    one invoice a month each, the last one still open."""
    made: dict[str, list[Customer]] = {"good": [], "bad": []}
    for n in range(customers):
        kind = "good" if n % 2 == 0 else "bad"
        customer = make_customer(session, company, f"{kind}-{n}")
        made[kind].append(customer)
        for k in range(invoices):
            issued = START + timedelta(days=30 * k + n % 5)
            invoice = make_invoice(
                session, company, customer, 100_00 + 10_00 * n, issued, issued + timedelta(30)
            )
            paid = issued + timedelta(days=(20 if kind == "good" else 50) + (k % 3))
            if paid < ON and k < invoices - 1:
                make_payment(session, company, customer, invoice.total, paid, (invoice.number,))
    return made


@pytest.fixture
def ledger(session: Session) -> tuple[Company, dict[str, list[Customer]]]:
    company = make_company(session)
    return company, paying_ledger(session, company)


def test_training_stores_a_model_with_its_figures_on_held_back_invoices(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, _ = ledger
    trained = train(session, company.id, ON, NOW)
    stored = session.get(RiskModel, trained.model.id)
    assert stored is not None
    assert stored.trained_on == ON
    assert stored.examples == 24 * 11  # every invoice but the last, still open
    assert stored.metrics["accuracy"] >= 0.95  # the two kinds of payer are easy to tell apart
    assert stored.metrics["holdout"] > 0
    assert trained.scores.mae < 5


def test_evaluation_beats_always_on_time_and_reports_the_baselines(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, _ = ledger
    found = evaluate(session, company.id, ON)
    assert found.train + found.test == 24 * 11
    assert found.on_time_accuracy == pytest.approx(0.5, abs=0.1)
    assert found.model.accuracy > found.on_time_accuracy
    assert found.model.accuracy >= found.past_rate_accuracy
    assert found.model.mae <= found.customer_mean_mae + 0.5
    assert session.scalar(select(RiskModel.id)) is None  # evaluating stores nothing


def test_scoring_grades_the_late_payers_worse_and_says_why(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, made = ledger
    model = train(session, company.id, ON, NOW).model
    done = scorer.score(session, company.id, ON)
    assert done.fallback is None
    assert done.by_model == 24
    good, bad = made["good"][0], made["bad"][0]
    session.refresh(good)
    session.refresh(bad)
    assert (good.grade, good.grade_by) == ("A", "model")
    assert bad.grade in ("C", "D")
    score = session.get(CustomerScore, bad.id)
    assert score is not None
    assert score.model_id == model.id
    assert score.late_permille is not None
    assert score.late_permille > 500
    assert score.days_late is not None
    assert score.days_late >= 10
    assert score.reasons
    assert all("risk" in reason for reason in score.reasons)
    assert any("pays" in reason or "late" in reason for reason in score.reasons)


def test_every_open_invoice_gets_a_pay_day_with_an_interval_and_the_forecast_is_kept(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, _ = ledger
    train(session, company.id, ON, NOW)
    done = scorer.score(session, company.id, ON)
    rows = session.scalars(select(InvoiceScore)).all()
    assert len(rows) == done.invoices >= 24
    for row in rows:
        assert row.pay_low <= row.pay_on <= row.pay_high
        assert row.pay_on >= ON  # nothing is predicted to be paid in the past
    weeks = session.scalars(select(ForecastWeek).where(ForecastWeek.made_on == ON)).all()
    assert len(weeks) == 13
    assert done.forecast is not None
    total = sum(w.expected for w in weeks) + sum(done.forecast.later.values())
    assert abs(total - sum(r.open_amount for r in rows)) <= 14
    # scoring the same day again replaces, never adds
    scorer.score(session, company.id, ON)
    assert len(session.scalars(select(ForecastWeek)).all()) == 13


def test_without_a_model_the_rules_grade_and_the_result_says_why(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, made = ledger
    done = scorer.score(session, company.id, ON)
    assert done.by_model == 0
    assert done.fallback == "no model trained yet (cobro model train)"
    bad = made["bad"][0]
    session.refresh(bad)
    assert bad.grade_by == "rules"
    assert bad.grade in ("B", "C", "D")  # 20 days late: the rules' C
    assert session.scalar(select(InvoiceScore.invoice_id).limit(1)) is not None


def test_too_little_history_is_refused_with_a_clear_message(session: Session) -> None:
    company = make_company(session)
    paying_ledger(session, company, customers=4, invoices=5)
    with pytest.raises(TooLittleHistory, match=r"only 16 paid invoices .* needs 200"):
        train(session, company.id, ON, NOW)


def test_a_stored_model_that_no_longer_fits_falls_back_to_the_rules(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, _ = ledger
    model = train(session, company.id, ON, NOW).model
    model.schema = "another-feature-set"
    session.flush()
    done = scorer.score(session, company.id, ON)
    assert done.by_model == 0
    assert done.fallback is not None
    assert "another feature set" in done.fallback


def test_an_unreadable_model_falls_back_too(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, _ = ledger
    model = train(session, company.id, ON, NOW).model
    model.blob = b"not a model"
    session.flush()
    done = scorer.score(session, company.id, ON)
    assert done.fallback is not None
    assert "cannot be read" in done.fallback


def test_a_customer_with_no_invoices_is_scored_without_a_grade(session: Session) -> None:
    company = make_company(session)
    paying_ledger(session, company)
    lonely = make_customer(session, company, "lonely")
    train(session, company.id, ON, NOW)
    scorer.score(session, company.id, ON)
    score = session.get(CustomerScore, lonely.id)
    assert score is not None
    assert (score.grade, score.late_permille) == (None, None)
    assert score.reasons == ["no invoice paid yet: graded by the rules"]


def test_the_cycle_keeps_the_models_grade(
    session: Session, ledger: tuple[Company, dict[str, list[Customer]]]
) -> None:
    company, made = ledger
    train(session, company.id, ON, NOW)
    scorer.score(session, company.id, ON)
    good = made["good"][0]
    good.grade = "B"  # as if the model had said B where the rules would say A
    session.flush()
    run_cycle(session, company, ON, NOW)
    session.refresh(good)
    assert (good.grade, good.grade_by) == ("B", "model")
    rules_graded = session.scalars(
        select(Customer).where(Customer.company_id == company.id, Customer.grade_by == "rules")
    ).all()
    assert rules_graded == []
