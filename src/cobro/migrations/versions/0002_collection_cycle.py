"""collection cycle: policies, holds, chase state, the outbox, tasks and templates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chase_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "scope IN ('company', 'segment', 'customer', 'invoice')",
            name=op.f("ck_chase_setting_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_chase_setting_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chase_setting")),
        sa.UniqueConstraint(
            "company_id", "scope", "target", name=op.f("uq_chase_setting_company_id_scope_target")
        ),
    )
    op.create_table(
        "policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_policy_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy")),
        sa.UniqueConstraint("company_id", "code", name=op.f("uq_policy_company_id_code")),
    )
    op.create_table(
        "policy_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("min_amount", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "kind IS NULL OR kind IN ('business', 'consumer')", name=op.f("ck_policy_rule_kind")
        ),
        sa.CheckConstraint(
            "min_amount IS NULL OR currency IS NOT NULL",
            name=op.f("ck_policy_rule_amount_currency"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_policy_rule_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_policy_rule_policy_id_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_rule")),
        sa.UniqueConstraint(
            "company_id", "position", name=op.f("uq_policy_rule_company_id_position")
        ),
    )
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("tone", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cycle_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(length=300), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled', 'skipped')",
            name=op.f("ck_action_status"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_action_attempts")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_action_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_action_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_action_policy_id_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("customer_id", "stage", "kind", "cycle_on", name="uq_action_key"),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index("ix_action_company_day", ["company_id", "cycle_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_action_due", ["status", "not_before"], unique=False)

    op.create_table(
        "opt_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_opt_out_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_out")),
        sa.UniqueConstraint("customer_id", "channel", name=op.f("uq_opt_out_customer_id_channel")),
    )
    op.create_table(
        "attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('sent', 'retry', 'failed', 'cancelled', 'skipped')",
            name=op.f("ck_attempt_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_attempt_action_id_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt")),
    )
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempt_action_id"), ["action_id"], unique=False)

    op.create_table(
        "chase",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("stage_on", sa.Date(), nullable=False),
        sa.Column("delivered_stage", sa.String(length=40), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_chase_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_chase_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_chase_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_chase_policy_id_policy")
        ),
        sa.PrimaryKeyConstraint("invoice_id", name=op.f("pk_chase")),
    )
    with op.batch_alter_table("chase", schema=None) as batch_op:
        batch_op.create_index("ix_chase_customer", ["customer_id"], unique=False)

    op.create_table(
        "chase_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_chase_step_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_chase_step_policy_id_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chase_step")),
        sa.UniqueConstraint(
            "invoice_id",
            "policy_id",
            "stage",
            name=op.f("uq_chase_step_invoice_id_policy_id_stage"),
        ),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_document_action_id_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_sha256"), ["sha256"], unique=False)

    op.create_table(
        "hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("reference", sa.String(length=140), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('dispute', 'promise', 'plan', 'paid_claim', 'manual', 'agency')",
            name=op.f("ck_hold_kind"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_hold_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_hold_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_hold_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_hold_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold")),
    )
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hold_active", ["company_id", "released_on", "starts_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hold_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hold_invoice_id"), ["invoice_id"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('call', 'follow_up', 'failed_message', 'escalation', 'review')",
            name=op.f("ck_task_kind"),
        ),
        sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name=op.f("ck_task_status")),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_task_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_task_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_task_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_task_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_task_open", ["company_id", "status", "due_on"], unique=False)

    # Plain ADD COLUMN (no table rebuild): SQLite accepts an inline REFERENCES on a new column
    # that defaults to NULL, and a rebuild of `customer` would trip the foreign keys of its rows.
    for name, length in (
        ("language", 12),
        ("email", 320),
        ("phone", 40),
        ("iban", 34),
        ("bic", 11),
    ):
        op.add_column("company", sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column("customer", sa.Column("segment", sa.String(length=40), nullable=True))
    op.add_column("customer", sa.Column("grade", sa.String(length=1), nullable=True))
    op.add_column(
        "customer",
        sa.Column("credit_blocked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for table in ("customer", "invoice"):
        _add_policy_reference(table)
    op.create_table(
        "template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("part", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_template_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template")),
        sa.UniqueConstraint(
            "company_id",
            "stage",
            "channel",
            "language",
            "part",
            name=op.f("uq_template_company_id_stage_channel_language_part"),
        ),
    )


def downgrade() -> None:
    op.drop_table("template")
    for table in ("invoice", "customer"):
        _drop_policy_reference(table)
    # plain DROP COLUMN (SQLite ≥ 3.35): a batch rebuild of `customer` would trip its rows' keys
    for name in ("credit_blocked", "grade", "segment"):
        op.drop_column("customer", name)
    for name in ("bic", "iban", "phone", "email", "language"):
        op.drop_column("company", name)

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_open")
        batch_op.drop_index(batch_op.f("ix_task_customer_id"))
        batch_op.drop_index(batch_op.f("ix_task_action_id"))

    op.drop_table("task")
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hold_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_hold_customer_id"))
        batch_op.drop_index("ix_hold_active")

    op.drop_table("hold")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_document_action_id"))

    op.drop_table("document")
    op.drop_table("chase_step")
    with op.batch_alter_table("chase", schema=None) as batch_op:
        batch_op.drop_index("ix_chase_customer")

    op.drop_table("chase")
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_action_id"))

    op.drop_table("attempt")
    op.drop_table("opt_out")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_due")
        batch_op.drop_index(batch_op.f("ix_action_customer_id"))
        batch_op.drop_index("ix_action_company_day")

    op.drop_table("action")
    op.drop_table("policy_rule")
    op.drop_table("policy")
    op.drop_table("chase_setting")


def _add_policy_reference(table: str) -> None:
    name = f"fk_{table}_policy_id_policy"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot add a constraint to a table, but takes one inline on a new column
        op.execute(f"ALTER TABLE {table} ADD COLUMN policy_id INTEGER REFERENCES policy (id)")
        return
    op.add_column(table, sa.Column("policy_id", sa.Integer(), nullable=True))
    op.create_foreign_key(name, table, "policy", ["policy_id"], ["id"])


def _drop_policy_reference(table: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(f"fk_{table}_policy_id_policy", table, type_="foreignkey")
    op.drop_column(table, "policy_id")
