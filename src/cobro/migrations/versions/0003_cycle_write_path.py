"""cycle write path: chase_step keyed by (invoice, policy, stage); no second index on
action.customer_id

The daily cycle writes a row into chase_step for every item that moves (a million on a big
day). Its surrogate id was never read: the unique (invoice_id, policy_id, stage) is the key, and
as the primary key (a WITHOUT ROWID table on SQLite) each row goes into one B-tree instead of
two. ix_action_customer_id duplicated the leading column of uq_action_key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "invoice_id, policy_id, stage, reached_on, open_amount"


def _chase_step(name: str, keyed: bool) -> sa.Table:
    key: list[Any] = (
        [sa.PrimaryKeyConstraint("invoice_id", "policy_id", "stage", name="pk_chase_step")]
        if keyed
        else [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_chase_step"),
            sa.UniqueConstraint(
                "invoice_id", "policy_id", "stage", name="uq_chase_step_invoice_id_policy_id_stage"
            ),
        ]
    )
    return op.create_table(
        name,
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name="fk_chase_step_invoice_id_invoice"
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name="fk_chase_step_policy_id_policy"
        ),
        *key,
        **({"sqlite_with_rowid": False} if keyed else {}),
    )


def _rebuild_sqlite(keyed: bool) -> None:
    # SQLite cannot change a primary key in place: a new table, the rows copied over
    op.rename_table("chase_step", "chase_step_before")
    _chase_step("chase_step", keyed)
    op.execute(f"INSERT INTO chase_step ({_COLUMNS}) SELECT {_COLUMNS} FROM chase_step_before")
    op.drop_table("chase_step_before")


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_customer_id")
    if op.get_context().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=True)
        return
    op.drop_constraint("uq_chase_step_invoice_id_policy_id_stage", "chase_step", type_="unique")
    op.drop_constraint("pk_chase_step", "chase_step", type_="primary")
    op.drop_column("chase_step", "id")
    op.create_primary_key("pk_chase_step", "chase_step", ["invoice_id", "policy_id", "stage"])


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=False)
    else:
        op.drop_constraint("pk_chase_step", "chase_step", type_="primary")
        op.add_column("chase_step", sa.Column("id", sa.Integer(), sa.Identity(), nullable=False))
        op.create_primary_key("pk_chase_step", "chase_step", ["id"])
        op.create_unique_constraint(
            "uq_chase_step_invoice_id_policy_id_stage",
            "chase_step",
            ["invoice_id", "policy_id", "stage"],
        )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index("ix_action_customer_id", ["customer_id"], unique=False)
