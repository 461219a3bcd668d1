"""company settings kept in the database: channels and SMTP

`channel_setting`: one row per company that set its own sender, SMTP server or SMS/WhatsApp
gateway on the settings page; a company without one sends as the worker's environment says.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("mail_from", sa.String(length=320), nullable=True),
        sa.Column("smtp_host", sa.String(length=255), nullable=True),
        sa.Column("smtp_port", sa.Integer(), nullable=True),
        sa.Column("smtp_security", sa.String(length=10), nullable=True),
        sa.Column("smtp_username", sa.String(length=320), nullable=True),
        sa.Column("smtp_password", sa.String(length=500), nullable=True),
        sa.Column("sms_gateway_url", sa.String(length=500), nullable=True),
        sa.Column("whatsapp_gateway_url", sa.String(length=500), nullable=True),
        sa.Column("gateway_token", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "smtp_security IN ('plain', 'starttls', 'ssl')",
            name="ck_channel_setting_smtp_security",
        ),
        sa.CheckConstraint("smtp_port BETWEEN 1 AND 65535", name="ck_channel_setting_smtp_port"),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name="fk_channel_setting_company_id_company"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["user_account.id"], name="fk_channel_setting_updated_by_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_channel_setting"),
        sa.UniqueConstraint("company_id", name="uq_channel_setting_company_id"),
    )


def downgrade() -> None:
    op.drop_table("channel_setting")
