"""Regulation F validation notices and the disputes received against them

`validation_notice`: a notice as sent to a US consumer, its assumed receipt and the end of its
validation period, the itemization it printed and the rendered document. Its customer's foreign
key carries the company too, so a notice can never point at another tenant's customer.
`validation_dispute`: a dispute of a notice, whether it came in time, the hold that stops
collection and the day verification was sent.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = "'last_statement', 'charge_off', 'last_payment', 'transaction', 'judgment'"


def upgrade() -> None:
    op.create_table(
        "validation_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("assumed_receipt_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("itemization_kind", sa.String(length=20), nullable=False),
        sa.Column("itemization_on", sa.Date(), nullable=False),
        sa.Column("owed", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("fees", sa.BigInteger(), nullable=False),
        sa.Column("payments", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"itemization_kind IN ({_KINDS})", name="ck_validation_notice_itemization_kind"
        ),
        sa.CheckConstraint(
            "total = owed + interest + fees - payments", name="ck_validation_notice_total"
        ),
        sa.CheckConstraint(
            "ends_on > assumed_receipt_on", name="ck_validation_notice_ends_after_receipt"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id", "company_id"],
            ["customer.id", "customer.company_id"],
            name="fk_validation_notice_customer_id_customer",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_validation_notice"),
    )
    op.create_index(
        "ix_validation_notice_customer", "validation_notice", ["customer_id", "sent_on"]
    )
    op.create_table(
        "validation_dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("timely", sa.Boolean(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=True),
        sa.Column("verification_sent_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name="ck_validation_dispute_amount"),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["validation_notice.id"],
            name="fk_validation_dispute_notice_id_validation_notice",
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["hold.id"], name="fk_validation_dispute_hold_id_hold"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_validation_dispute"),
    )
    op.create_index("ix_validation_dispute_notice_id", "validation_dispute", ["notice_id"])


def downgrade() -> None:
    op.drop_table("validation_dispute")  # its indexes go with it
    op.drop_table("validation_notice")
