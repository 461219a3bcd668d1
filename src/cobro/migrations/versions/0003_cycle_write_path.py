"""cycle write path: the chase state read from chase_step, now keyed by (invoice, policy,
stage); fewer checks per action and step

The daily cycle wrote two rows for every item that moved (a million on a big day): the step,
and the item's current state in `chase`. The current stage is the step reached last, so `chase`
goes; what it alone knew, the stage last delivered, becomes `chase_step.delivered_on`. The
step's surrogate id was never read: (invoice_id, policy_id, stage) is the key, and as the
primary key (a WITHOUT ROWID table on SQLite) each row goes into one B-tree instead of two.
ix_action_customer_id duplicated the leading column of uq_action_key. An action's customer and
company are checked by one foreign key, (customer_id, company_id) to the customer, instead of
two; policy_id on actions and steps has none (policies are never deleted). See ADR 0005.

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
# the chase state 0002 kept, from the steps: each invoice's last step, and its last delivered
_LAST = "(SELECT MAX(x.reached_on) FROM chase_step x WHERE x.invoice_id = s.invoice_id{})"
_CHASE_FROM_STEPS = f"""
INSERT INTO chase (invoice_id, company_id, customer_id, policy_id, stage, stage_on,
                   delivered_stage, delivered_on)
SELECT s.invoice_id, i.company_id, i.customer_id, s.policy_id, s.stage, s.reached_on,
       d.stage, d.delivered_on
FROM chase_step s
JOIN invoice i ON i.id = s.invoice_id
LEFT JOIN chase_step d ON d.invoice_id = s.invoice_id
     AND d.reached_on = {_LAST.format(" AND x.delivered_on IS NOT NULL")}
WHERE s.reached_on = {_LAST.format("")}
"""


def _chase_step(name: str, keyed: bool) -> sa.Table:
    key: list[Any] = (
        [
            sa.Column("delivered_on", sa.Date(), nullable=True),
            sa.PrimaryKeyConstraint("invoice_id", "policy_id", "stage", name="pk_chase_step"),
        ]
        if keyed
        else [
            sa.ForeignKeyConstraint(
                ["policy_id"], ["policy.id"], name="fk_chase_step_policy_id_policy"
            ),
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
        *key,
        **({"sqlite_with_rowid": False} if keyed else {}),
    )


def _chase() -> None:
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
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], name="fk_chase_company_id_company"),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name="fk_chase_customer_id_customer"
        ),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name="fk_chase_invoice_id_invoice"),
        sa.ForeignKeyConstraint(["policy_id"], ["policy.id"], name="fk_chase_policy_id_policy"),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_chase"),
    )
    op.create_index("ix_chase_customer", "chase", ["customer_id"], unique=False)


def _action_keys(upgrade: bool) -> None:
    if upgrade:
        drop = ["fk_action_company_id_company", "fk_action_customer_id_customer"]
        drop.append("fk_action_policy_id_policy")
    else:
        drop = ["fk_action_customer_id_customer"]
    with op.batch_alter_table("action", schema=None) as batch_op:
        for name in drop:
            batch_op.drop_constraint(name, type_="foreignkey")
        if upgrade:
            batch_op.drop_index("ix_action_customer_id")
            batch_op.create_foreign_key(
                "fk_action_customer_id_customer",
                "customer",
                ["customer_id", "company_id"],
                ["id", "company_id"],
            )
        else:
            batch_op.create_index("ix_action_customer_id", ["customer_id"], unique=False)
            batch_op.create_foreign_key(
                "fk_action_company_id_company", "company", ["company_id"], ["id"]
            )
            batch_op.create_foreign_key(
                "fk_action_customer_id_customer", "customer", ["customer_id"], ["id"]
            )
            batch_op.create_foreign_key(
                "fk_action_policy_id_policy", "policy", ["policy_id"], ["id"]
            )


def upgrade() -> None:
    op.create_index("uq_customer_id_company_id", "customer", ["id", "company_id"], unique=True)
    _action_keys(upgrade=True)
    if op.get_context().dialect.name == "sqlite":
        # SQLite cannot change a primary key in place: a new table, the rows copied over
        op.rename_table("chase_step", "chase_step_before")
        _chase_step("chase_step", keyed=True)
        op.execute(f"INSERT INTO chase_step ({_COLUMNS}) SELECT {_COLUMNS} FROM chase_step_before")
        op.drop_table("chase_step_before")
    else:
        op.drop_constraint("uq_chase_step_invoice_id_policy_id_stage", "chase_step", "unique")
        op.drop_constraint("fk_chase_step_policy_id_policy", "chase_step", "foreignkey")
        op.drop_constraint("pk_chase_step", "chase_step", type_="primary")
        op.drop_column("chase_step", "id")
        op.create_primary_key("pk_chase_step", "chase_step", ["invoice_id", "policy_id", "stage"])
        op.add_column("chase_step", sa.Column("delivered_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE chase_step SET delivered_on = (SELECT c.delivered_on FROM chase c "
        "WHERE c.invoice_id = chase_step.invoice_id AND c.policy_id = chase_step.policy_id "
        "AND c.delivered_stage = chase_step.stage)"
    )
    op.drop_index("ix_chase_customer", table_name="chase")
    op.drop_table("chase")


def downgrade() -> None:
    _chase()
    op.execute(_CHASE_FROM_STEPS)
    if op.get_context().dialect.name == "sqlite":
        op.rename_table("chase_step", "chase_step_before")
        _chase_step("chase_step", keyed=False)
        op.execute(f"INSERT INTO chase_step ({_COLUMNS}) SELECT {_COLUMNS} FROM chase_step_before")
        op.drop_table("chase_step_before")
    else:
        op.drop_column("chase_step", "delivered_on")
        op.drop_constraint("pk_chase_step", "chase_step", type_="primary")
        op.add_column("chase_step", sa.Column("id", sa.Integer(), sa.Identity(), nullable=False))
        op.create_primary_key("pk_chase_step", "chase_step", ["id"])
        op.create_unique_constraint(
            "uq_chase_step_invoice_id_policy_id_stage",
            "chase_step",
            ["invoice_id", "policy_id", "stage"],
        )
        op.create_foreign_key(
            "fk_chase_step_policy_id_policy", "chase_step", "policy", ["policy_id"], ["id"]
        )
    _action_keys(upgrade=False)
    op.drop_index("uq_customer_id_company_id", table_name="customer")
