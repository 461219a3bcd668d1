"""`cobro setoff list|show|apply|bills`, run as a user runs them, on a temporary SQLite file."""

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.cli import app
from cobro.company.service import create_company
from cobro.db import make_engine, transaction, upgrade
from tests.factories.ledger import make_customer, make_invoice
from tests.factories.setoff import make_bill


@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        company = create_company(session, "acme", "Acme S.L.", "ES", "EUR", "Europe/Madrid")
        supplier = make_customer(session, company, "SUP", name="Transportes Sur")
        make_invoice(session, company, supplier, 300_00, due_date=date(2026, 1, 10), number="F-1")
        make_bill(session, company, supplier, 120_00, number="TS-77")
        make_invoice(session, company, make_customer(session, company, "PLAIN"), 50_00)
    engine.dispose()
    return CliRunner(env={"COBRO_DATABASE_URL": url, "COLUMNS": "200"})


def test_list_show_apply_and_bills(cli: CliRunner) -> None:
    listed = cli.invoke(app, ["setoff", "list"])
    assert listed.exit_code == 0, listed.output
    assert "SUP" in listed.stdout
    assert "PLAIN" not in listed.stdout
    assert "180.00" in listed.stdout  # net
    shown = cli.invoke(app, ["setoff", "show", "SUP"])
    assert shown.exit_code == 0, shown.output
    assert "Proposed set-off: 120.00 EUR" in shown.stdout
    assert "F-1" in shown.stdout
    assert "TS-77" in shown.stdout
    too_much = cli.invoke(app, ["setoff", "apply", "SUP", "--amount", "500"])
    assert too_much.exit_code == 1
    assert "can be set off" in too_much.output
    applied = cli.invoke(app, ["setoff", "apply", "SUP", "--amount", "100", "--note", "ok"])
    assert applied.exit_code == 0, applied.output
    assert "Set off 100.00 EUR with SUP (payment SETOFF-1)" in applied.stdout
    bills = cli.invoke(app, ["setoff", "bills", "--customer", "SUP"])
    assert "TS-77" in bills.stdout
    assert "20.00" in bills.stdout
    rest = cli.invoke(app, ["setoff", "apply", "SUP"])
    assert rest.exit_code == 0, rest.output
    assert "TS-77" not in cli.invoke(app, ["setoff", "bills"]).stdout
    assert "TS-77" in cli.invoke(app, ["setoff", "bills", "--all"]).stdout
    nothing = cli.invoke(app, ["setoff", "show", "SUP"])
    assert "Nothing can be set off" in nothing.stdout
