"""The collection ranking: trained risk models, customer and invoice scores, the cash
forecast kept per day; a customer's grade source, payment runs and paperless day

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _company(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["company_id"], ["company.id"], name=op.f(f"fk_{table}_company_id_company")
    )


def upgrade() -> None:
    op.add_column("customer", sa.Column("grade_by", sa.String(length=8), nullable=True))
    op.add_column("customer", sa.Column("payment_runs", sa.JSON(), nullable=True))
    op.add_column("customer", sa.Column("paperless_since", sa.Date(), nullable=True))
    op.add_column("worklist_row", sa.Column("late_permille", sa.SmallInteger(), nullable=True))
    op.create_table(
        "risk_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        _company("risk_model"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_model")),
    )
    op.create_index("ix_risk_model_company", "risk_model", ["company_id", "id"])
    op.create_table(
        "customer_score",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("late_permille", sa.SmallInteger(), nullable=True),
        sa.Column("days_late", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("runs", sa.JSON(), nullable=True),
        sa.Column("next_run", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_score_customer_id_customer")
        ),
        _company("customer_score"),
        sa.ForeignKeyConstraint(
            ["model_id"], ["risk_model.id"], name=op.f("fk_customer_score_model_id_risk_model")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_score")),
    )
    op.create_index("ix_customer_score_company", "customer_score", ["company_id", "grade"])
    op.create_table(
        "invoice_score",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.Column("late_permille", sa.SmallInteger(), nullable=False),
        sa.Column("pay_on", sa.Date(), nullable=False),
        sa.Column("pay_low", sa.Date(), nullable=False),
        sa.Column("pay_high", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_invoice_score_invoice_id_invoice")
        ),
        _company("invoice_score"),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_invoice_score")),
    )
    op.create_index(
        "ix_invoice_score_company", "invoice_score", ["company_id", "currency", "pay_on"]
    )
    op.create_table(
        "forecast_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("expected", sa.BigInteger(), nullable=False),
        sa.Column("low", sa.BigInteger(), nullable=False),
        sa.Column("high", sa.BigInteger(), nullable=False),
        _company("forecast_week"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_week")),
        sa.UniqueConstraint(
            "company_id",
            "made_on",
            "currency",
            "week",
            name=op.f("uq_forecast_week_company_id_made_on_currency_week"),
        ),
    )
    op.create_table(
        "experiment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("champion_policy_id", sa.Integer(), nullable=False),
        sa.Column("challenger_policy_id", sa.Integer(), nullable=False),
        sa.Column("challenger_percent", sa.SmallInteger(), nullable=False),
        sa.Column("holdout_percent", sa.SmallInteger(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "challenger_percent BETWEEN 1 AND 50", name=op.f("ck_experiment_challenger_percent")
        ),
        sa.CheckConstraint(
            "holdout_percent BETWEEN 1 AND 50", name=op.f("ck_experiment_holdout_percent")
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_experiment_ends_after_start"),
        ),
        _company("experiment"),
        sa.ForeignKeyConstraint(
            ["champion_policy_id"],
            ["policy.id"],
            name=op.f("fk_experiment_champion_policy_id_policy"),
        ),
        sa.ForeignKeyConstraint(
            ["challenger_policy_id"],
            ["policy.id"],
            name=op.f("fk_experiment_challenger_policy_id_policy"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment")),
        sa.UniqueConstraint("company_id", "code", name=op.f("uq_experiment_company_id_code")),
    )
    op.create_table(
        "experiment_member",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(length=10), nullable=False),
        sa.Column("previous_policy_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "arm IN ('challenger', 'holdout')", name=op.f("ck_experiment_member_arm")
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiment.id"],
            name=op.f("fk_experiment_member_experiment_id_experiment"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_experiment_member_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_policy_id"],
            ["policy.id"],
            name=op.f("fk_experiment_member_previous_policy_id_policy"),
        ),
        sa.PrimaryKeyConstraint("experiment_id", "customer_id", name=op.f("pk_experiment_member")),
    )
    op.create_index(op.f("ix_experiment_member_customer_id"), "experiment_member", ["customer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_experiment_member_customer_id"), table_name="experiment_member")
    op.drop_table("experiment_member")
    op.drop_table("experiment")
    op.drop_table("forecast_week")
    op.drop_index("ix_invoice_score_company", table_name="invoice_score")
    op.drop_table("invoice_score")
    op.drop_index("ix_customer_score_company", table_name="customer_score")
    op.drop_table("customer_score")
    op.drop_index("ix_risk_model_company", table_name="risk_model")
    op.drop_table("risk_model")
    op.drop_column("worklist_row", "late_permille")
    op.drop_column("customer", "paperless_since")
    op.drop_column("customer", "payment_runs")
    op.drop_column("customer", "grade_by")
