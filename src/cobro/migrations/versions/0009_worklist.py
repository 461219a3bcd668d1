"""the worklist's ranking, kept per customer and currency, and when each company's was built;
the indexes the API's invoice and payment lists page along (company, day, id)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_invoice_company_due", "invoice", ["company_id", "due_date", "id"])
    op.create_index("ix_payment_company_received", "payment", ["company_id", "received_on", "id"])
    op.create_table(
        "worklist_row",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("on_hold", sa.SmallInteger(), nullable=False),
        sa.Column("rank_key", sa.BigInteger(), nullable=False),
        sa.Column("overdue", sa.BigInteger(), nullable=False),
        sa.Column("weighted", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("oldest_due", sa.Date(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("hold", sa.String(length=12), nullable=True),
        sa.Column("hold_until", sa.Date(), nullable=True),
        sa.Column("promise_broken_on", sa.Date(), nullable=True),
        sa.Column("call_tasks", sa.Integer(), nullable=False),
        sa.Column("failed_messages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name="fk_worklist_row_company_id_company"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name="fk_worklist_row_customer_id_customer"
        ),
        sa.PrimaryKeyConstraint("customer_id", "currency", name="pk_worklist_row"),
    )
    op.create_index(
        "ix_worklist_row_rank",
        "worklist_row",
        ["company_id", "on_hold", "rank_key", "customer_id", "currency"],
    )
    op.create_table(
        "worklist_build",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("built_for", sa.Date(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name="fk_worklist_build_company_id_company"
        ),
        sa.PrimaryKeyConstraint("company_id", name="pk_worklist_build"),
    )


def downgrade() -> None:
    op.drop_index("ix_payment_company_received", table_name="payment")
    op.drop_index("ix_invoice_company_due", table_name="invoice")
    op.drop_table("worklist_build")
    op.drop_index("ix_worklist_row_rank", table_name="worklist_row")
    op.drop_table("worklist_row")
