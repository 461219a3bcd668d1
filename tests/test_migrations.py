"""Migrations: up from nothing, down to nothing and up again, and the result is the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.engine import make_url

import cobro.models  # noqa: F401  (registers every table on Base.metadata)
from cobro.cycle.service import run_cycle
from cobro.db import (
    Base,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    transaction,
    upgrade,
)
from cobro.policy.models import ChaseStep
from cobro.policy.progress import progress_of
from tests.factories.ledger import make_company, make_customer, make_invoice

TABLES = {
    "action",
    "agency_placement",
    "allocation",
    "api_token",
    "attempt",
    "audit_event",
    "bank_account",
    "bank_line",
    "bank_statement",
    "channel_setting",
    "charge",
    "chase_setting",
    "chase_step",
    "company",
    "contact",
    "credit_note",
    "customer",
    "customer_score",
    "delivery",
    "dispute",
    "dispute_evidence",
    "dispute_item",
    "document",
    "experiment",
    "experiment_member",
    "forecast_week",
    "fx_rate",
    "hold",
    "idempotency_key",
    "installment",
    "invoice",
    "invoice_score",
    "legal_case",
    "legal_case_step",
    "login_attempt",
    "membership",
    "note",
    "opt_out",
    "password_reset",
    "payer_link",
    "payment",
    "payment_plan",
    "payment_terms",
    "placement_invoice",
    "plan_installment",
    "plan_invoice",
    "policy",
    "policy_rule",
    "promise",
    "promise_invoice",
    "rate_period",
    "report_mailing",
    "risk_model",
    "sepa_batch",
    "sepa_collection",
    "sepa_mandate",
    "set_off",
    "set_off_bill",
    "task",
    "template",
    "user_account",
    "validation_dispute",
    "validation_notice",
    "vendor_bill",
    "web_session",
    "webhook_subscription",
    "worklist_build",
    "worklist_row",
    "write_off",
    "write_off_request",
}


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def user_tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_a_new_sqlite_file_migrates_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
        command.downgrade(alembic_config(url), "base")
        assert current_revision(engine) is None
        with engine.connect() as connection:
            assert user_tables(connection) == set()
        upgrade(url)
        with engine.connect() as connection:
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
    finally:
        engine.dispose()


def test_the_test_database_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        assert differences(connection) == []


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A schema of its own in the PostgreSQL test database, so that migrating it down and up
    leaves the `public` schema the other tests use alone."""
    url = os.environ.get("COBRO_TEST_DATABASE_URL", "")
    if make_url(url or "sqlite://").get_backend_name() != "postgresql":
        pytest.skip("COBRO_TEST_DATABASE_URL does not name a PostgreSQL database")
    schema = f"migrations_{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_postgresql_migrates_down_and_up_again(postgres_schema: str) -> None:
    url = make_url(os.environ["COBRO_TEST_DATABASE_URL"]).update_query_dict(
        {"options": f"-csearch_path={postgres_schema}"}
    )
    rendered = url.render_as_string(hide_password=False)
    engine = make_engine(rendered)
    try:
        upgrade(rendered)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_schema()")).scalar() == postgres_schema
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
        command.downgrade(alembic_config(rendered), "base")
        with engine.connect() as connection:
            assert user_tables(connection) == set()
        upgrade(rendered)
        with engine.connect() as connection:
            assert user_tables(connection) == TABLES
            assert differences(connection) == []
    finally:
        engine.dispose()


def test_0003_keeps_the_chase_state_both_ways(tmp_path: Path) -> None:
    """0003 drops `chase` for the steps' own `delivered_on`: what was delivered survives the
    upgrade, and a downgrade builds `chase` again from the steps."""
    url = f"sqlite:///{tmp_path / 'chase.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            company = make_company(session, "acme")
            customer = make_customer(session, company, "ACME")
            invoice = make_invoice(
                session, company, customer, 100_00, date(2026, 1, 1), date(2026, 1, 31)
            )
            for offset in (3, 10, 20):  # reminder-1, reminder-2, firm
                run_cycle(session, company, date(2026, 1, 31) + timedelta(days=offset))
            invoice_id = invoice.id
            steps = session.scalars(select(ChaseStep).order_by(ChaseStep.reached_on)).all()
            assert [step.stage for step in steps] == ["reminder-1", "reminder-2", "firm"]
            steps[1].delivered_on = date(2026, 2, 11)
        command.downgrade(alembic_config(url), "0002")
        with engine.connect() as connection:
            chase = connection.execute(
                text("SELECT stage, stage_on, delivered_stage, delivered_on FROM chase")
            ).one()
        assert tuple(chase) == ("firm", "2026-02-20", "reminder-2", "2026-02-11")
        upgrade(url)
        with transaction(engine) as session:
            progress = progress_of(session, [invoice_id])[invoice_id]
            assert (progress.stage, progress.stage_on) == ("firm", date(2026, 2, 20))
            assert progress.delivered == "reminder-2"
    finally:
        engine.dispose()
