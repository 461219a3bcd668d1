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


def downgrade() -> None:
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
