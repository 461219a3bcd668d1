"""Payment plans (their installments and invoices), legal cases (and their steps), agency
placements (and their invoices); a hold may name the plan or placement that placed it;
company guardrails for plans

Columns are added with plain ADD COLUMN, never a batch copy of a table.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMPANY = (
    ("plan_longest_months", sa.Integer(), "12"),
    ("plan_smallest_installment", sa.BigInteger(), "5000"),
    ("plan_grace_days", sa.Integer(), "7"),
)
_HOLD = (("plan_id", "payment_plan"), ("placement_id", "agency_placement"))


def upgrade() -> None:
    op.create_table(
        "agency_placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("recalled_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("commission_percent", sa.String(length=8), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('placed', 'recalled', 'closed')", name=op.f("ck_agency_placement_status")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_agency_placement_amount_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name=op.f("fk_agency_placement_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_placement")),
    )
    op.create_index("ix_agency_placement_company", "agency_placement", ["company_id", "status"])
    op.create_index("ix_agency_placement_customer", "agency_placement", ["customer_id"])

    op.create_table(
        "legal_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("court", sa.String(length=200), nullable=True),
        sa.Column("case_number", sa.String(length=100), nullable=True),
        sa.Column("lawyer", sa.String(length=200), nullable=True),
        sa.Column("guarantees", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage IN ('pre_legal', 'claim_filed', 'judgment', 'enforcement', 'closed')",
            name=op.f("ck_legal_case_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name=op.f("fk_legal_case_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_case")),
    )
    op.create_index("ix_legal_case_company", "legal_case", ["company_id", "stage"])
    op.create_index("ix_legal_case_customer", "legal_case", ["customer_id"])

    op.create_table(
        "legal_case_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage IN ('pre_legal', 'claim_filed', 'judgment', 'enforcement', 'closed')",
            name=op.f("ck_legal_case_step_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_case.id"], name=op.f("fk_legal_case_step_case_id_legal_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_case_step")),
    )
    op.create_index("ix_legal_case_step_case_id", "legal_case_step", ["case_id"])

    op.create_table(
        "payment_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("down_payment", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("interest_rate", sa.String(length=12), nullable=True),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("fee_invoice_id", sa.Integer(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'fortnightly', 'monthly')",
            name=op.f("ck_payment_plan_frequency"),
        ),
        sa.CheckConstraint(
            "source IN ('call', 'portal', 'reply', 'web', 'api')",
            name=op.f("ck_payment_plan_source"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'completed', 'broken', 'cancelled', 'replaced')",
            name=op.f("ck_payment_plan_status"),
        ),
        sa.CheckConstraint(
            "down_payment >= 0 AND fee >= 0", name=op.f("ck_payment_plan_parts_not_negative")
        ),
        sa.CheckConstraint("grace_days >= 0", name=op.f("ck_payment_plan_grace")),
        sa.CheckConstraint("total > 0", name=op.f("ck_payment_plan_total_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name=op.f("fk_payment_plan_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["fee_invoice_id"], ["invoice.id"], name=op.f("fk_payment_plan_fee_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["payment_plan.id"],
            name=op.f("fk_payment_plan_replaces_id_payment_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plan")),
    )
    op.create_index("ix_payment_plan_active", "payment_plan", ["company_id", "status"])
    op.create_index("ix_payment_plan_customer", "payment_plan", ["customer_id", "starts_on"])

    op.create_table(
        "placement_invoice",
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_placement_invoice_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["agency_placement.id"],
            name=op.f("fk_placement_invoice_placement_id_agency_placement"),
        ),
        sa.PrimaryKeyConstraint("placement_id", "invoice_id", name=op.f("pk_placement_invoice")),
    )
    op.create_index("ix_placement_invoice_invoice", "placement_invoice", ["invoice_id"])

    op.create_table(
        "plan_installment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("late_notice_on", sa.Date(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_plan_installment_amount_positive")),
        sa.CheckConstraint(
            "paid >= 0 AND paid <= amount", name=op.f("ck_plan_installment_paid_range")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["payment_plan.id"], name=op.f("fk_plan_installment_plan_id_payment_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_installment")),
        sa.UniqueConstraint(
            "plan_id", "sequence", name=op.f("uq_plan_installment_plan_id_sequence")
        ),
    )
    op.create_index("ix_plan_installment_plan_id", "plan_installment", ["plan_id"])

    op.create_table(
        "plan_invoice",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_plan_invoice_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["payment_plan.id"], name=op.f("fk_plan_invoice_plan_id_payment_plan")
        ),
        sa.PrimaryKeyConstraint("plan_id", "invoice_id", name=op.f("pk_plan_invoice")),
    )
    op.create_index("ix_plan_invoice_invoice", "plan_invoice", ["invoice_id"])

    for name, kind, default in _COMPANY:
        op.add_column("company", sa.Column(name, kind, nullable=False, server_default=default))
    for column, target in _HOLD:
        _add_reference("hold", column, target)
        op.create_index(f"ix_hold_{column}", "hold", [column])


def downgrade() -> None:
    for column, target in reversed(_HOLD):
        op.drop_index(f"ix_hold_{column}", table_name="hold")
        _drop_reference("hold", column, target)
    for name, _kind, _default in reversed(_COMPANY):
        op.drop_column("company", name)
    op.drop_index("ix_plan_invoice_invoice", table_name="plan_invoice")
    op.drop_table("plan_invoice")
    op.drop_index("ix_plan_installment_plan_id", table_name="plan_installment")
    op.drop_table("plan_installment")
    op.drop_index("ix_placement_invoice_invoice", table_name="placement_invoice")
    op.drop_table("placement_invoice")
    op.drop_index("ix_payment_plan_active", table_name="payment_plan")
    op.drop_index("ix_payment_plan_customer", table_name="payment_plan")
    op.drop_table("payment_plan")
    op.drop_index("ix_legal_case_step_case_id", table_name="legal_case_step")
    op.drop_table("legal_case_step")
    op.drop_index("ix_legal_case_company", table_name="legal_case")
    op.drop_index("ix_legal_case_customer", table_name="legal_case")
    op.drop_table("legal_case")
    op.drop_index("ix_agency_placement_company", table_name="agency_placement")
    op.drop_index("ix_agency_placement_customer", table_name="agency_placement")
    op.drop_table("agency_placement")


def _add_reference(table: str, column: str, target: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot add a constraint to a table, but takes one inline on a new column
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(f"fk_{table}_{column}_{target}", table, target, [column], ["id"])


def _drop_reference(table: str, column: str, target: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(f"fk_{table}_{column}_{target}", table, type_="foreignkey")
    op.drop_column(table, column)
