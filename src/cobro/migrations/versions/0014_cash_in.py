"""Cash in: bank accounts, statements and their lines, learned payers, SEPA mandates, batches
and collections; a payment can be returned; company settings for matching and direct debit

Columns are added with plain ADD COLUMN, never a batch copy of a table (on SQLite a copied
invoice or payment table of millions of rows would take minutes).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_bank_account_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_account")),
        sa.UniqueConstraint(
            "company_id", "account", name=op.f("uq_bank_account_company_id_account")
        ),
    )
    op.create_table(
        "sepa_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("collection_date", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_sepa_batch_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sepa_batch")),
        sa.UniqueConstraint(
            "company_id", "message_id", name=op.f("uq_sepa_batch_company_id_message_id")
        ),
    )
    op.create_table(
        "bank_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("bank_account_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("identifier", sa.String(length=140), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_on_bank", sa.DateTime(timezone=True), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("opening", sa.BigInteger(), nullable=True),
        sa.Column("closing", sa.BigInteger(), nullable=True),
        sa.Column("balance_gap", sa.BigInteger(), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("new_lines", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_account.id"],
            name=op.f("fk_bank_statement_bank_account_id_bank_account"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_bank_statement_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statement")),
        sa.UniqueConstraint(
            "bank_account_id", "key", name=op.f("uq_bank_statement_bank_account_id_key")
        ),
    )
    op.create_index("ix_bank_statement_company_id", "bank_statement", ["company_id"])

    op.create_table(
        "payer_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("confirmations", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('iban', 'name')", name=op.f("ck_payer_link_kind")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_payer_link_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_payer_link_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_link")),
        sa.UniqueConstraint(
            "company_id",
            "kind",
            "value",
            "customer_id",
            name=op.f("uq_payer_link_company_id_kind_value_customer_id"),
        ),
    )
    op.create_index("ix_payer_link_customer_id", "payer_link", ["customer_id"])

    op.create_table(
        "sepa_mandate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("scheme", sa.String(length=4), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("debtor_name", sa.String(length=140), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("next_sequence", sa.String(length=4), nullable=False),
        sa.Column("last_collected_on", sa.Date(), nullable=True),
        sa.Column("ended_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "next_sequence IN ('FRST', 'RCUR', 'OOFF')", name=op.f("ck_sepa_mandate_next_sequence")
        ),
        sa.CheckConstraint("scheme IN ('CORE', 'B2B')", name=op.f("ck_sepa_mandate_scheme")),
        sa.CheckConstraint(
            "state IN ('active', 'revoked', 'expired')", name=op.f("ck_sepa_mandate_state")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_sepa_mandate_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_sepa_mandate_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sepa_mandate")),
        sa.UniqueConstraint(
            "company_id", "reference", name=op.f("uq_sepa_mandate_company_id_reference")
        ),
    )
    op.create_index("ix_sepa_mandate_customer_id", "sepa_mandate", ["customer_id"])

    op.create_table(
        "bank_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("bank_account_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("counterparty_name", sa.String(length=200), nullable=True),
        sa.Column("counterparty_iban", sa.String(length=40), nullable=True),
        sa.Column("counterparty_bic", sa.String(length=11), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=64), nullable=True),
        sa.Column("structured_reference", sa.String(length=64), nullable=True),
        sa.Column("remittance", sa.Text(), nullable=True),
        sa.Column("bank_code", sa.String(length=40), nullable=True),
        sa.Column("bank_reference", sa.String(length=64), nullable=True),
        sa.Column("return_reason", sa.String(length=8), nullable=True),
        sa.Column("mandate_id", sa.String(length=64), nullable=True),
        sa.Column("instruction_id", sa.String(length=64), nullable=True),
        sa.Column("reversal", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("why", sa.String(length=300), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("applied_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('applied', 'review', 'unmatched', 'ignored', 'debit', 'returned', "
            "'pending')",
            name=op.f("ck_bank_line_state"),
        ),
        sa.ForeignKeyConstraint(
            ["bank_account_id"],
            ["bank_account.id"],
            name=op.f("fk_bank_line_bank_account_id_bank_account"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_bank_line_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_bank_line_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statement.id"],
            name=op.f("fk_bank_line_statement_id_bank_statement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_line")),
        sa.UniqueConstraint(
            "bank_account_id", "key", name=op.f("uq_bank_line_bank_account_id_key")
        ),
    )
    op.create_index(
        "ix_bank_line_company_state", "bank_line", ["company_id", "state", "booking_date", "id"]
    )
    op.create_index("ix_bank_line_payment_id", "bank_line", ["payment_id"])
    op.create_index("ix_bank_line_statement_id", "bank_line", ["statement_id"])

    op.create_table(
        "sepa_collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("sequence_type", sa.String(length=4), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("return_reason", sa.String(length=8), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('submitted', 'returned')", name=op.f("ck_sepa_collection_state")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_sepa_collection_amount_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["sepa_batch.id"], name=op.f("fk_sepa_collection_batch_id_sepa_batch")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_sepa_collection_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["sepa_mandate.id"],
            name=op.f("fk_sepa_collection_mandate_id_sepa_mandate"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_sepa_collection_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sepa_collection")),
        sa.UniqueConstraint(
            "company_id", "end_to_end_id", name=op.f("uq_sepa_collection_company_id_end_to_end_id")
        ),
    )
    op.create_index("ix_sepa_collection_batch_id", "sepa_collection", ["batch_id"])
    op.create_index("ix_sepa_collection_mandate_id", "sepa_collection", ["mandate_id"])

    op.add_column(
        "company", sa.Column("match_threshold", sa.Integer(), server_default="90", nullable=False)
    )
    op.add_column(
        "company",
        sa.Column("charges_tolerance", sa.BigInteger(), server_default="2500", nullable=False),
    )
    op.add_column("company", sa.Column("creditor_id", sa.String(length=35), nullable=True))
    op.add_column(
        "company", sa.Column("return_fee", sa.BigInteger(), server_default="0", nullable=False)
    )

    for name, size in (("street", 70), ("building_number", 16), ("postal_code", 16), ("town", 35)):
        op.add_column("company", sa.Column(name, sa.String(length=size), nullable=True))
    op.add_column("payment", sa.Column("returned_on", sa.Date(), nullable=True))
    op.add_column("payment", sa.Column("return_reason", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("payment", "return_reason")
    op.drop_column("payment", "returned_on")

    for name in ("street", "building_number", "postal_code", "town"):
        op.drop_column("company", name)
    op.drop_column("company", "return_fee")
    op.drop_column("company", "creditor_id")
    op.drop_column("company", "charges_tolerance")
    op.drop_column("company", "match_threshold")

    op.drop_index("ix_sepa_collection_mandate_id", table_name="sepa_collection")
    op.drop_index("ix_sepa_collection_batch_id", table_name="sepa_collection")

    op.drop_table("sepa_collection")
    op.drop_index("ix_bank_line_statement_id", table_name="bank_line")
    op.drop_index("ix_bank_line_payment_id", table_name="bank_line")
    op.drop_index("ix_bank_line_company_state", table_name="bank_line")

    op.drop_table("bank_line")
    op.drop_index("ix_sepa_mandate_customer_id", table_name="sepa_mandate")

    op.drop_table("sepa_mandate")
    op.drop_index("ix_payer_link_customer_id", table_name="payer_link")

    op.drop_table("payer_link")
    op.drop_index("ix_bank_statement_company_id", table_name="bank_statement")

    op.drop_table("bank_statement")
    op.drop_table("sepa_batch")
    op.drop_table("bank_account")
