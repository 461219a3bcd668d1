"""charges: fees and late-payment interest per invoice (table charge), the company's
jurisdiction, charge mode and agreed rate, debit notes (invoice.kind); stored policies whose
stages list the fee action with no fee set lose that action (it charged nothing before)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POLICY = sa.table("policy", sa.column("id", sa.Integer), sa.column("stages", sa.JSON))


def upgrade() -> None:
    # plain ADD COLUMN, never a batch copy of the table: on SQLite a copied invoice table
    # would declare its older foreign keys so that their own downgrades could not drop them
    op.add_column("company", sa.Column("jurisdiction", sa.String(length=2), nullable=True))
    op.add_column(
        "company",
        sa.Column("charge_mode", sa.String(length=6), nullable=False, server_default="claim"),
    )
    op.add_column("company", sa.Column("contract_rate", sa.String(length=12), nullable=True))
    op.add_column(
        "invoice",
        sa.Column("kind", sa.String(length=12), nullable=False, server_default="invoice"),
    )
    if op.get_bind().dialect.name != "sqlite":  # SQLite adds no constraint to a table
        op.create_check_constraint(
            op.f("ck_company_charge_mode"), "company", "charge_mode IN ('off', 'claim', 'charge')"
        )
        op.create_check_constraint(
            op.f("ck_invoice_kind"), "invoice", "kind IN ('invoice', 'debit_note')"
        )
    op.create_table(
        "charge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("accrued_from", sa.Date(), nullable=True),
        sa.Column("accrued_to", sa.Date(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=6), nullable=False),
        sa.Column("debit_note_id", sa.Integer(), nullable=True),
        sa.Column("waived_on", sa.Date(), nullable=True),
        sa.Column("waived_by", sa.String(length=100), nullable=True),
        sa.Column("waived_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('fee', 'interest', 'compensation')", name=op.f("ck_charge_kind")
        ),
        sa.CheckConstraint("mode IN ('claim', 'charge')", name=op.f("ck_charge_mode")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_charge_amount_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_charge_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_charge_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_charge_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["debit_note_id"], ["invoice.id"], name=op.f("fk_charge_debit_note_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge")),
        sa.UniqueConstraint("company_id", "key", name=op.f("uq_charge_company_id_key")),
    )
    op.create_index("ix_charge_customer", "charge", ["customer_id", "computed_on"])
    op.create_index("ix_charge_invoice_id", "charge", ["invoice_id"])
    _drop_unset_fees()


def _drop_unset_fees() -> None:
    """Until now a stage's `fee` action was skipped by the worker; a fee now needs its amount,
    so the action without one goes (the stage keeps its other actions)."""
    connection = op.get_bind()
    for policy_id, stages in connection.execute(sa.select(_POLICY.c.id, _POLICY.c.stages)):
        changed = False
        for stage in stages:
            actions = stage.get("actions", [])
            if "fee" in actions and not stage.get("fee") and len(actions) > 1:
                stage["actions"] = [action for action in actions if action != "fee"]
                changed = True
        if changed:
            connection.execute(
                _POLICY.update().where(_POLICY.c.id == policy_id).values(stages=stages)
            )


def downgrade() -> None:
    op.drop_index("ix_charge_invoice_id", table_name="charge")
    op.drop_index("ix_charge_customer", table_name="charge")
    op.drop_table("charge")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_invoice_kind"), "invoice", type_="check")
        op.drop_constraint(op.f("ck_company_charge_mode"), "company", type_="check")
    op.drop_column("invoice", "kind")
    for name in ("contract_rate", "charge_mode", "jurisdiction"):
        op.drop_column("company", name)
