"""FX rates: per company, currency and day, in units of the company's reporting currency

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# NUMERIC on PostgreSQL; decimal text on SQLite, which would make NUMERIC a float
# (cobro.fx.models.RateType)
RATE = sa.Numeric(precision=20, scale=10).with_variant(sa.String(length=24), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fx_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rate", RATE, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_fx_rate_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rate")),
        sa.UniqueConstraint(
            "company_id", "currency", "day", name=op.f("uq_fx_rate_company_id_currency_day")
        ),
    )
    op.create_index(op.f("ix_fx_rate_company_id"), "fx_rate", ["company_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_fx_rate_company_id"), table_name="fx_rate")
    op.drop_table("fx_rate")
