"""the open items of a customer, in due-date order, read from the index alone: the worklist's
stage of each customer shown, a customer's page and a customer's worklist refresh; the
outbox's list, newest day first, along an index (its id added to the day's); the customers
and invoices a policy is set on by hand (the policies' list counts them)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["customer_id", "currency", "due_date", "id", "open_amount", "company_id"]
OPEN = sa.text("settled_on IS NULL")
SET_BY_HAND = sa.text("policy_id IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_invoice_open_customer",
        "invoice",
        COLUMNS,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_index("ix_action_company_day")
        batch_op.create_index("ix_action_company_day", ["company_id", "cycle_on", "id"])
    for table in ("invoice", "customer"):
        op.create_index(
            f"ix_{table}_policy",
            table,
            ["policy_id"],
            postgresql_where=SET_BY_HAND,
            sqlite_where=SET_BY_HAND,
        )


def downgrade() -> None:
    for table in ("invoice", "customer"):
        op.drop_index(f"ix_{table}_policy", table_name=table)
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_index("ix_action_company_day")
        batch_op.create_index("ix_action_company_day", ["company_id", "cycle_on"])
    op.drop_index("ix_invoice_open_customer", table_name="invoice")
