"""Agreements and cases: promises to pay (and the invoices they cover), disputes (their
items and evidence), write-off requests awaiting approval; a hold may cover part of an
invoice and name the promise or dispute that placed it; a write-off keeps a reason code and
who approved it; company settings for promises, disputes and write-offs

Columns are added with plain ADD COLUMN, never a batch copy of a table (on SQLite a copied
invoice table of millions of rows would take minutes).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMPANY = (
    ("promise_grace_days", sa.Integer(), "3"),
    ("promise_longest_days", sa.Integer(), "60"),
    ("dispute_days", sa.Integer(), "14"),
    ("small_balance_limit", sa.BigInteger(), "0"),
    ("collector_write_off_limit", sa.BigInteger(), "0"),
)
_HOLD_PART = "amount IS NULL OR (amount > 0 AND invoice_id IS NOT NULL)"


def upgrade() -> None:
    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("validation_dispute_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('price', 'quality', 'not_received', 'already_paid', 'duplicate', 'other')",
            name=op.f("ck_dispute_reason"),
        ),
        sa.CheckConstraint(
            "source IN ('call', 'portal', 'reply', 'web', 'api')", name=op.f("ck_dispute_source")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'credited', 'partly_credited', 'rejected', 'withdrawn')",
            name=op.f("ck_dispute_status"),
        ),
        sa.CheckConstraint("due_on >= opened_on", name=op.f("ck_dispute_due_after_open")),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name=op.f("fk_dispute_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    op.create_index("ix_dispute_customer", "dispute", ["customer_id", "opened_on"])
    op.create_index("ix_dispute_open", "dispute", ["company_id", "status", "due_on"])

    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("collector", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('call', 'portal', 'reply', 'web', 'api')", name=op.f("ck_promise_source")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'kept', 'broken', 'cancelled')", name=op.f("ck_promise_status")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_promise_amount_positive")),
        sa.CheckConstraint("due_on >= promised_on", name=op.f("ck_promise_due_after_promise")),
        sa.CheckConstraint("grace_days >= 0", name=op.f("ck_promise_grace")),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name=op.f("fk_promise_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise")),
    )
    op.create_index("ix_promise_customer", "promise", ["customer_id", "promised_on"])
    op.create_index("ix_promise_open", "promise", ["company_id", "status", "due_on"])

    op.create_table(
        "dispute_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["dispute.id"], name=op.f("fk_dispute_evidence_dispute_id_dispute")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_evidence")),
    )
    op.create_index("ix_dispute_evidence_dispute_id", "dispute_evidence", ["dispute_id"])

    op.create_table(
        "promise_invoice",
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_promise_invoice_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promise.id"], name=op.f("fk_promise_invoice_promise_id_promise")
        ),
        sa.PrimaryKeyConstraint("promise_id", "invoice_id", name=op.f("pk_promise_invoice")),
    )
    op.create_index("ix_promise_invoice_invoice", "promise_invoice", ["invoice_id"])

    op.create_table(
        "dispute_item",
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("credited", sa.BigInteger(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_dispute_item_amount_positive")),
        sa.CheckConstraint(
            "credited >= 0 AND credited <= amount", name=op.f("ck_dispute_item_credited_range")
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["credit_note.id"],
            name=op.f("fk_dispute_item_credit_note_id_credit_note"),
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["dispute.id"], name=op.f("fk_dispute_item_dispute_id_dispute")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_dispute_item_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("dispute_id", "invoice_id", name=op.f("pk_dispute_item")),
    )
    op.create_index("ix_dispute_item_invoice", "dispute_item", ["invoice_id"])

    op.create_table(
        "write_off_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reason_code", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=300), nullable=True),
        sa.Column("write_off_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')",
            name=op.f("ck_write_off_request_status"),
        ),
        sa.CheckConstraint(
            "amount IS NULL OR amount > 0", name=op.f("ck_write_off_request_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_write_off_request_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_write_off_request_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["write_off_id"],
            ["write_off.id"],
            name=op.f("fk_write_off_request_write_off_id_write_off"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_off_request")),
    )
    op.create_index("ix_write_off_request_invoice_id", "write_off_request", ["invoice_id"])
    op.create_index("ix_write_off_request_open", "write_off_request", ["company_id", "status"])

    for name, kind, default in _COMPANY:
        op.add_column("company", sa.Column(name, kind, nullable=False, server_default=default))
    op.add_column("company", sa.Column("manager_write_off_limit", sa.BigInteger(), nullable=True))
    op.add_column("write_off", sa.Column("reason_code", sa.String(length=20), nullable=True))
    op.add_column("write_off", sa.Column("approved_by", sa.String(length=100), nullable=True))
    op.add_column("hold", sa.Column("amount", sa.BigInteger(), nullable=True))
    for table in ("promise", "dispute"):
        _add_reference("hold", table)
        op.create_index(f"ix_hold_{table}_id", "hold", [f"{table}_id"])
    if op.get_bind().dialect.name != "sqlite":  # SQLite adds no constraint to a table
        op.create_check_constraint(op.f("ck_hold_part_of_invoice"), "hold", _HOLD_PART)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_hold_part_of_invoice"), "hold", type_="check")
    for table in ("dispute", "promise"):
        op.drop_index(f"ix_hold_{table}_id", table_name="hold")
        _drop_reference("hold", table)
    op.drop_column("hold", "amount")
    op.drop_column("write_off", "approved_by")
    op.drop_column("write_off", "reason_code")
    op.drop_column("company", "manager_write_off_limit")
    for name, _kind, _default in reversed(_COMPANY):
        op.drop_column("company", name)
    op.drop_index("ix_write_off_request_open", table_name="write_off_request")
    op.drop_index("ix_write_off_request_invoice_id", table_name="write_off_request")
    op.drop_table("write_off_request")
    op.drop_index("ix_dispute_item_invoice", table_name="dispute_item")
    op.drop_table("dispute_item")
    op.drop_index("ix_promise_invoice_invoice", table_name="promise_invoice")
    op.drop_table("promise_invoice")
    op.drop_index("ix_dispute_evidence_dispute_id", table_name="dispute_evidence")
    op.drop_table("dispute_evidence")
    op.drop_index("ix_promise_open", table_name="promise")
    op.drop_index("ix_promise_customer", table_name="promise")
    op.drop_table("promise")
    op.drop_index("ix_dispute_open", table_name="dispute")
    op.drop_index("ix_dispute_customer", table_name="dispute")
    op.drop_table("dispute")


def _add_reference(table: str, target: str) -> None:
    column = f"{target}_id"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot add a constraint to a table, but takes one inline on a new column
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(f"fk_{table}_{column}_{target}", table, target, [column], ["id"])


def _drop_reference(table: str, target: str) -> None:
    column = f"{target}_id"
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(f"fk_{table}_{column}_{target}", table, type_="foreignkey")
    op.drop_column(table, column)
