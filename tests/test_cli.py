"""The `cobro` command end to end on a real SQLite file: output, exit codes, no tracebacks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cobro.cli import app
from cobro.company.models import Company
from cobro.db import make_engine, transaction
from tests.factories.ledger import make_customer, make_invoice, make_payment
from tests.support.cli import acme, cli_database

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(tmp_path, monkeypatch)


@pytest.fixture
def ledger(db_url: str) -> str:
    """A company with two customers, one paid and two open invoices."""
    with acme(db_url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        bob = make_customer(session, company, "C-2", name="Bob GmbH", country="DE")
        make_invoice(session, company, ana, 100_00, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_invoice(session, company, ana, 250_00, date(2026, 2, 1), date(2026, 3, 3), "F-2")
        paid = make_invoice(session, company, bob, 40_00, date(2026, 1, 5), date(2026, 2, 4), "F-3")
        make_payment(session, company, bob, 40_00, date(2026, 2, 10), (paid.number,))
    return db_url


def test_init_creates_the_schema_and_the_company(db_url: str) -> None:
    result = runner.invoke(app, ["init", "--code", "acme", "--name", "Acme", "--country", "ES"])
    assert result.exit_code == 0, result.output
    assert "Created company acme" in result.output
    listing = runner.invoke(app, ["companies"])
    assert "acme" in listing.output


def test_init_twice_is_a_clear_error_not_a_traceback(db_url: str) -> None:
    runner.invoke(app, ["init", "--code", "acme"])
    result = runner.invoke(app, ["init", "--code", "acme"])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert "Traceback" not in result.output


def test_a_bad_currency_at_init_names_it(db_url: str) -> None:
    result = runner.invoke(app, ["init", "--currency", "EURO"])
    assert result.exit_code == 1
    assert "unknown currency 'EURO'" in result.output


def test_aging_shows_each_bucket_and_the_total(ledger: str) -> None:
    result = runner.invoke(app, ["aging", "--on", "2026-03-05"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "C-1" in line)
    assert "100.00" in row  # F-1: 33 days past due → 31-60
    assert "250.00" in row  # F-2: 2 days past due → 1-30
    assert "350.00" in row
    assert "C-2" not in result.output  # paid before that day


def test_aging_on_an_earlier_day_shows_what_was_open_then(ledger: str) -> None:
    result = runner.invoke(app, ["aging", "--on", "2026-02-05"])
    assert result.exit_code == 0, result.output
    assert "C-2" in result.output  # paid on 2026-02-10, so still open on the 5th
    assert "2 customers" in " ".join(result.output.split())


def test_invoices_list_filters_overdue_by_days_past_due(ledger: str) -> None:
    result = runner.invoke(
        app, ["invoices", "list", "--overdue", "--days-past-due", "30", "--on", "2026-03-05"]
    )
    assert result.exit_code == 0, result.output
    assert "F-1" in result.output
    assert "F-2" not in result.output
    assert "F-3" not in result.output


def test_invoices_show_tells_how_a_settled_invoice_was_paid(ledger: str) -> None:
    result = runner.invoke(app, ["invoices", "show", "F-3"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # Rich wraps long lines
    assert "settled on 2026-02-10" in text
    assert "36 days after issue, 6 days late" in text
    assert "payment P" in text
    assert "RF" in text


def test_customers_list_and_show(ledger: str) -> None:
    listing = runner.invoke(app, ["customers", "list", "--search", "gmbh"])
    assert "C-2" in listing.output
    assert "C-1" not in listing.output
    shown = runner.invoke(app, ["customers", "show", "C-1"])
    assert shown.exit_code == 0, shown.output
    assert "Ana Pérez S.L." in shown.output
    assert "Europe/Madrid" in shown.output


def test_an_unknown_invoice_is_a_user_error(ledger: str) -> None:
    result = runner.invoke(app, ["invoices", "show", "NOPE"])
    assert result.exit_code == 1
    assert "no invoice 'NOPE'" in result.output


def test_a_database_without_the_schema_says_to_upgrade(db_url: str) -> None:
    result = runner.invoke(app, ["aging"])
    assert result.exit_code == 1
    assert "cobro db upgrade" in result.output


def test_a_database_in_a_missing_folder_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COBRO_DATABASE_URL", f"sqlite:///{tmp_path}/nowhere/x.db")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "nowhere" in result.output


def test_a_credit_note_and_a_write_off_close_an_invoice(ledger: str) -> None:
    credit = runner.invoke(
        app,
        ["invoices", "credit", "F-2", "--note", "CN-1", "--amount", "50,00", "--on", "2026-03-10"],
    )
    assert credit.exit_code == 0, credit.output
    assert "200.00 EUR open" in credit.output
    written = runner.invoke(
        app, ["invoices", "write-off", "F-2", "--reason", "insolvent", "--on", "2026-04-01"]
    )
    assert written.exit_code == 0, written.output
    assert "Wrote off 200.00 EUR" in written.output
    shown = " ".join(runner.invoke(app, ["invoices", "show", "F-2"]).output.split())
    assert "settled on 2026-04-01" in shown
    assert "credit note CN-1" in shown


def test_a_credit_larger_than_the_open_amount_is_refused(ledger: str) -> None:
    result = runner.invoke(
        app, ["invoices", "credit", "F-1", "--note", "CN-9", "--amount", "100.01"]
    )
    assert result.exit_code == 1
    assert "exceeds the open amount" in result.output


def test_a_read_only_database_is_a_clear_error(
    ledger: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, which ignores file modes; SQLite's read-only mode stands in for a file
    # the user may not write.
    path = ledger.removeprefix("sqlite:///")
    monkeypatch.setenv("COBRO_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    result = runner.invoke(
        app, ["invoices", "credit", "F-2", "--note", "CN-7", "--amount", "1", "--on", "2026-03-10"]
    )
    assert result.exit_code == 1
    assert "readonly" in result.output
    assert "permissions" in result.output
    assert "Traceback" not in result.output


def test_aging_ranks_and_totals_each_currency_apart(ledger: str) -> None:
    engine = make_engine(ledger)
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        usd = make_customer(session, company, "C-9", name="Yankee Inc.", country="US")
        make_invoice(
            session,
            company,
            usd,
            9_000_00,
            date(2026, 2, 1),
            date(2026, 3, 3),
            "U-1",
            currency="USD",
        )
    engine.dispose()
    result = runner.invoke(app, ["aging", "--on", "2026-03-05", "--top", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    eur_total = next(i for i, line in enumerate(lines) if "TOTAL" in line and "EUR" in line)
    usd_row = next(i for i, line in enumerate(lines) if "C-9" in line)
    assert eur_total < usd_row  # the reporting currency's section comes first
    assert "top 1 of 1 customers" not in result.output
    assert "350.00" in lines[eur_total]
    assert "9,000.00" not in lines[eur_total]
