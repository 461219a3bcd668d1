"""What the collection ranking keeps.

- `RiskModel`: a trained model of one company (`cobro model train`): when, on what, how well it
  did on the invoices held back, and the fitted scikit-learn pipelines themselves (joblib bytes).
  The newest one is in use; older ones stay for the record.
- `CustomerScore`: a customer's risk today (one row per customer, replaced on each scoring): the
  grade, the chance its next invoice is paid late, the days late it is expected to pay, the
  reasons in words, whether a model or the rules gave it, and its next expected payment run.
- `InvoiceScore`: an open invoice's predicted pay day with its interval, the cash forecast's
  input (one row per open invoice, replaced on each scoring).
- `ForecastWeek`: the 13-week cash forecast as made on a day, kept so that later weeks can be
  compared with the cash that came in.
- `Experiment`: a champion/challenger trial on live customers (`scoring.experiment`): a random
  share of the champion's customers switched to the challenger, another kept on the champion as
  the holdout (the control), from a day until it is stopped.
- `ExperimentMember`: a customer drawn into one, its arm, and the policy it had before (to give
  it back when the experiment stops)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.db import Base, UTCDateTime
from cobro.kit.dates import utcnow


class RiskModel(Base):
    __tablename__ = "risk_model"
    __table_args__ = (Index("ix_risk_model_company", "company_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    trained_on: Mapped[date] = mapped_column(Date)  # the ledger as it stood at the end of it
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    examples: Mapped[int] = mapped_column(Integer)  # settled invoices it learnt from
    schema: Mapped[str] = mapped_column(String(64))  # the feature set's fingerprint
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class CustomerScore(Base):
    __tablename__ = "customer_score"
    __table_args__ = (Index("ix_customer_score_company", "company_id", "grade"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    scored_on: Mapped[date] = mapped_column(Date)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("risk_model.id"))  # None: the rules
    grade: Mapped[str | None] = mapped_column(String(1))
    late_permille: Mapped[int | None] = mapped_column(SmallInteger)  # P(next invoice late) ‰
    days_late: Mapped[int | None] = mapped_column(Integer)  # expected days past due when paid
    reasons: Mapped[list[str]] = mapped_column(JSON)  # the top factors, in words (English)
    runs: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the payment runs learnt
    next_run: Mapped[date | None] = mapped_column(Date)


class InvoiceScore(Base):
    __tablename__ = "invoice_score"
    __table_args__ = (Index("ix_invoice_score_company", "company_id", "currency", "pay_on"),)

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    scored_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    open_amount: Mapped[int] = mapped_column(BigInteger)
    late_permille: Mapped[int] = mapped_column(SmallInteger)
    pay_on: Mapped[date] = mapped_column(Date)  # predicted pay day
    pay_low: Mapped[date] = mapped_column(Date)  # the interval's first and last day
    pay_high: Mapped[date] = mapped_column(Date)


class ForecastWeek(Base):
    __tablename__ = "forecast_week"
    __table_args__ = (UniqueConstraint("company_id", "made_on", "currency", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    made_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    week: Mapped[date] = mapped_column(Date)  # its Monday
    expected: Mapped[int] = mapped_column(BigInteger)
    low: Mapped[int] = mapped_column(BigInteger)
    high: Mapped[int] = mapped_column(BigInteger)


class Experiment(Base):
    __tablename__ = "experiment"
    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        CheckConstraint("challenger_percent BETWEEN 1 AND 50", name="challenger_percent"),
        CheckConstraint("holdout_percent BETWEEN 1 AND 50", name="holdout_percent"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    code: Mapped[str] = mapped_column(String(40))
    champion_policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    challenger_policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    challenger_percent: Mapped[int] = mapped_column(SmallInteger)
    holdout_percent: Mapped[int] = mapped_column(SmallInteger)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)  # None: still running
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExperimentMember(Base):
    __tablename__ = "experiment_member"
    __table_args__ = (CheckConstraint("arm IN ('challenger', 'holdout')", name="arm"),)

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiment.id"), primary_key=True)
    # indexed: "is this customer in a running experiment?" is asked of every eligible customer
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id"), primary_key=True, index=True
    )
    arm: Mapped[str] = mapped_column(String(10))
    # the customer's own policy before (None: the rules and the default), given back on stop
    previous_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"))
