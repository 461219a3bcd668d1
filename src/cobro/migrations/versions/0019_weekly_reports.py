"""Weekly management reports: the company's report day, one mailing row per manager and week
(so two workers never send the same week twice), the PDF a delivery carries; and an index
that holds a period's sales

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_mailing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_report_mailing_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_report_mailing_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_report_mailing_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_mailing")),
        sa.UniqueConstraint(
            "company_id", "week", "user_id", name=op.f("uq_report_mailing_company_id_week_user_id")
        ),
    )
    # 0 = Monday … 6 = Sunday; NULL: no weekly report
    op.add_column(
        "company", sa.Column("weekly_report_day", sa.Integer(), nullable=True, server_default="0")
    )
    op.add_column("delivery", sa.Column("attachment", sa.LargeBinary(), nullable=True))
    op.add_column("delivery", sa.Column("attachment_name", sa.String(length=200), nullable=True))
    op.create_index(
        "ix_invoice_company_issue",
        "invoice",
        ["company_id", "issue_date", "kind", "currency", "total", "customer_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_invoice_company_issue", table_name="invoice")
    op.drop_column("delivery", "attachment_name")
    op.drop_column("delivery", "attachment")
    op.drop_column("company", "weekly_report_day")
    op.drop_table("report_mailing")
