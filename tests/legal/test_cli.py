"""`cobro legal` and `cobro agency` end to end on a migrated SQLite file: output, exit codes,
one-line errors, the case file and the export written where asked."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cobro.cli import app
from cobro.db import make_engine, transaction
from cobro.payment.models import Payment
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        make_invoice(session, company, ana, 1500_00, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_invoice(session, company, ana, 500_00, date(2026, 1, 1), date(2026, 1, 31), "F-2")
    return url


def payments(url: str) -> int:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return int(session.scalar(select(func.count()).select_from(Payment)) or 0)
    finally:
        engine.dispose()


def test_a_case_is_opened_moved_shown_listed_and_filed(db_url: str, tmp_path: Path) -> None:
    opened = ok("legal", "open", "C-1", "--lawyer", "L. Gómez", "--guarantees", "Aval bancario",
                "--on", "2026-04-01")  # fmt: skip
    assert "Case 1: C-1, 2,000.00 EUR, at pre_legal." in opened
    assert "Case 1 is at claim_filed." in ok("legal", "move", "1", "claim_filed", "--note",
                                             "123/2026", "--on", "2026-04-10")  # fmt: skip
    shown = ok("legal", "show", "1")
    assert "Aval bancario" in shown
    assert "123/2026" in shown
    assert "2026-04-10" in shown
    listing = ok("legal", "list")
    assert "claim_filed" in listing
    assert "1 cases." in listing
    out = tmp_path / "case.zip"
    assert "Case file written" in ok("legal", "file", "1", "--out", str(out), "--on", "2026-04-11")
    with zipfile.ZipFile(out) as archive:
        assert "manifest.json" in archive.namelist()
        assert json.loads(archive.read("case.json"))["guarantees"] == "Aval bancario"


def test_a_bad_move_or_a_second_case_is_one_line_refused(db_url: str) -> None:
    ok("legal", "open", "C-1")
    assert "next stage is claim_filed" in refused("legal", "move", "1", "judgment")
    assert "already has an open legal case" in refused("legal", "open", "C-1")
    assert "no legal case 9" in refused("legal", "show", "9")


def test_an_agency_placement_is_exported_synced_and_recalled(db_url: str, tmp_path: Path) -> None:
    placed = ok("agency", "place", "C-1", "--agency", "Recobros Norte", "--invoice", "F-1",
                "--commission", "15", "--on", "2026-04-01")  # fmt: skip
    assert "Placement 1: C-1 with Recobros Norte, 1,500.00 EUR." in placed
    assert "is placed already" in refused("agency", "place", "C-1", "--agency", "Other")
    printed = ok("agency", "export", "1", "--format", "csv")
    assert printed.splitlines()[0].startswith("placement,agency_reference")
    assert "F-1" in printed
    assert "F-2" not in printed
    out = tmp_path / "export.json"
    ok("agency", "export", "1", "--format", "json", "--out", str(out))
    assert json.loads(out.read_text())["invoices"][0]["invoice"] == "F-1"
    sync = tmp_path / "paid.csv"
    sync.write_text("reference,invoice,date,amount\nRN-1,F-1,2026-04-05,100.00\n")
    assert "1 payments recorded, 0 already known." in ok("agency", "sync", "1", str(sync))
    assert "0 payments recorded, 1 already known." in ok("agency", "sync", "1", str(sync))
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,invoice,date,amount\nRN-2,F-1,2026-04-05,abc\n")
    assert "row 2, amount" in refused("agency", "sync", "1", str(bad))
    assert payments(db_url) == 1
    listing = ok("agency", "list")
    assert "Recobros Norte" in listing
    assert "1 placements." in listing
    assert "Placement 1 recalled." in ok("agency", "recall", "1")
    assert "nothing to recall" in refused("agency", "recall", "1")
