"""notes and call outcomes on customers and invoices

`note`: a collector's note or logged call (with its outcome) on a customer, optionally on one
of its invoices, by its author. The customer's foreign key carries the company too, so a note
can never point at another tenant's customer.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTCOMES = (
    "'reached', 'no_answer', 'left_message', 'wrong_number', 'promised_to_pay', 'disputed', "
    "'refused', 'call_back'"
)


def upgrade() -> None:
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('note', 'call')", name="ck_note_kind"),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({_OUTCOMES})", name="ck_note_outcome"),
        sa.CheckConstraint("(kind = 'call') = (outcome IS NOT NULL)", name="ck_note_call_outcome"),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name="fk_note_customer_id_customer",
        ),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name="fk_note_invoice_id_invoice"),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name="fk_note_author_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_note"),
    )
    op.create_index("ix_note_customer", "note", ["customer_id", "created_at"])
    op.create_index("ix_note_company", "note", ["company_id", "created_at"])
    op.create_index("ix_note_invoice_id", "note", ["invoice_id"])
    op.create_index("ix_note_author_id", "note", ["author_id"])


def downgrade() -> None:
    op.drop_table("note")  # its indexes go with it
