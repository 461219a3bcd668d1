"""outgoing webhooks: subscriptions, and the deliveries the worker drains (webhook events and
account emails such as password resets, which belong to no customer's action)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(column: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(column, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _when("created_at", nullable=False),
        _when("removed_at"),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name="fk_webhook_subscription_company_id_company"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscription"),
    )
    op.create_index("ix_webhook_subscription_company_id", "webhook_subscription", ["company_id"])
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=2000), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        _when("not_before", nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        _when("claimed_until"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        _when("sent_at"),
        _when("created_at", nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')",
            name="ck_delivery_status",
        ),
        sa.CheckConstraint("channel IN ('webhook', 'email')", name="ck_delivery_channel"),
        sa.CheckConstraint("attempts >= 0", name="ck_delivery_attempts"),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name="fk_delivery_company_id_company"
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name="fk_delivery_subscription_id_webhook_subscription",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_delivery"),
        sa.UniqueConstraint(
            "subscription_id", "event_key", name="uq_delivery_subscription_id_event_key"
        ),
    )
    op.create_index("ix_delivery_company_id", "delivery", ["company_id"])
    op.create_index("ix_delivery_due", "delivery", ["status", "not_before"])


def downgrade() -> None:
    op.drop_index("ix_delivery_due", table_name="delivery")
    op.drop_index("ix_delivery_company_id", table_name="delivery")
    op.drop_table("delivery")
    op.drop_index("ix_webhook_subscription_company_id", table_name="webhook_subscription")
    op.drop_table("webhook_subscription")
