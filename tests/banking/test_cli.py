"""`cobro bank …` and `cobro sepa …` end to end on a SQLite file of their own: one story from
the account to the review queue, and the direct-debit export with a rejected debit."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import update

from cobro.cli import app
from cobro.company.models import Company
from cobro.db import make_engine, transaction
from tests.factories.bank import Entry, camt
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)
ACCOUNT = "ES9121000418450200051332"


@pytest.fixture
def rf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        company.bic = "CAIXESBBXXX"  # its IBAN is set in the export test
        customer = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        make_invoice(session, company, customer, 80_00, number="F-2")
        return make_invoice(session, company, customer, 100_00, number="F-1").payment_reference


def test_a_statement_from_import_to_review(rf: str, tmp_path: Path) -> None:
    file = tmp_path / "day.xml"
    file.write_bytes(camt(ACCOUNT, [Entry(100_00, rf=rf), Entry(50_00, text="unknown")]))
    assert "not an account of acme" in refused("bank", "import", str(file))
    assert "added" in ok("bank", "accounts", "add", ACCOUNT, "--name", "Main")
    imported = ok("bank", "import", str(file))
    assert "2 new lines" in imported
    assert "Applied 1" in imported
    assert "already imported" in ok("bank", "import", str(file))
    assert "adds up" in ok("bank", "statements")
    queue = ok("bank", "review")
    assert "50.00 EUR" in queue
    line = _first_line_id(queue)
    assert "applied to 1 invoices" in ok("bank", "split", line, "--customer", "C-1", "F-2=50")
    assert "0 lines." in ok("bank", "review")


def _first_line_id(table: str) -> str:
    for row in table.splitlines():
        cells = row.split()
        if cells and cells[0].isdigit():
            return cells[0]
    raise AssertionError(f"no line in:\n{table}")


def test_settings_and_a_refused_value(rf: str) -> None:
    assert "match_threshold: 90" in ok("bank", "settings")
    shown = ok("bank", "settings", "--threshold", "95", "--return-fee", "3.50", "--town", "León")
    assert "match_threshold: 95" in shown
    assert "return_fee: 3.50 EUR" in shown
    assert "50 to 100" in refused("bank", "settings", "--threshold", "20")
    assert "check digits" in refused("bank", "settings", "--creditor-id", "ES00ZZZB12345678")


def test_a_mandate_and_an_export(rf: str, tmp_path: Path) -> None:
    ok(
        "bank", "settings", "--creditor-id", "ES97ZZZB12345678", "--town", "Madrid",
    )  # fmt: skip
    assert "set the company's IBAN" in refused(
        "sepa", "export", "--collection-date", "2099-01-05", "--out", str(tmp_path)
    )
    assert "added" in ok(
        "sepa", "mandates", "add", "C-1", "--reference", "MND-1", "--signed-on", "2026-01-02",
        "--iban", "DE89370400440532013000",
    )  # fmt: skip
    assert "not a valid IBAN" in refused(
        "sepa", "mandates", "add", "C-1", "--reference", "MND-2", "--signed-on", "2026-01-02",
        "--iban", "DE89370400440532013001",
    )  # fmt: skip
    assert "0 batches." in ok("sepa", "batches")
    assert "MND-1" in ok("sepa", "mandates", "list")
    assert "FRST" in ok("sepa", "mandates", "list")
    engine = make_engine(os.environ["COBRO_DATABASE_URL"])
    with transaction(engine) as session:
        session.execute(update(Company).values(iban="ES7921000813610123456789"))
    engine.dispose()
    planned = ok("sepa", "export", "--collection-date", "2099-01-05", "--dry-run")
    assert "C-1 (MND-1): F-2, F-1" in planned
    written = ok("sepa", "export", "--collection-date", "2099-01-05", "--out", str(tmp_path))
    assert "2 debits" not in written  # one debit per customer
    assert "1 debits, 180.00 EUR" in written
    [file] = tmp_path.glob("CB*.xml")
    assert "<SeqTp>FRST</SeqTp>" in file.read_text()
    assert "RCUR" in ok("sepa", "mandates", "list")
    assert "1 batches." in ok("sepa", "batches")
    assert "revoked" in ok("sepa", "mandates", "revoke", "MND-1", "--reason", "asked")
