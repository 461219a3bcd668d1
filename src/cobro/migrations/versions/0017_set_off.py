"""Set-off: vendor bills (what the company owes its customers), set-offs and the bills each
paid

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_bill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=140), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "open_amount >= 0 AND open_amount <= total", name=op.f("ck_vendor_bill_open_range")
        ),
        sa.CheckConstraint("total > 0", name=op.f("ck_vendor_bill_total_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name=op.f("fk_vendor_bill_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_bill")),
        sa.UniqueConstraint(
            "company_id",
            "customer_id",
            "number",
            name=op.f("uq_vendor_bill_company_id_customer_id_number"),
        ),
    )
    op.create_index(
        "ix_vendor_bill_open", "vendor_bill", ["company_id", "customer_id", "settled_on"]
    )

    op.create_table(
        "set_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("set_off_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_set_off_amount_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name=op.f("fk_set_off_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_set_off_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_off")),
    )
    op.create_index("ix_set_off_customer", "set_off", ["customer_id", "set_off_on"])
    op.create_index("ix_set_off_payment_id", "set_off", ["payment_id"])

    op.create_table(
        "set_off_bill",
        sa.Column("set_off_id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_set_off_bill_amount_positive")),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["vendor_bill.id"], name=op.f("fk_set_off_bill_bill_id_vendor_bill")
        ),
        sa.ForeignKeyConstraint(
            ["set_off_id"], ["set_off.id"], name=op.f("fk_set_off_bill_set_off_id_set_off")
        ),
        sa.PrimaryKeyConstraint("set_off_id", "bill_id", name=op.f("pk_set_off_bill")),
    )


def downgrade() -> None:
    op.drop_table("set_off_bill")
    op.drop_index("ix_set_off_customer", table_name="set_off")
    op.drop_index("ix_set_off_payment_id", table_name="set_off")
    op.drop_table("set_off")
    op.drop_index("ix_vendor_bill_open", table_name="vendor_bill")
    op.drop_table("vendor_bill")
