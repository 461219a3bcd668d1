"""`cobro disputes` end to end on a migrated SQLite file: open (whole and part, with a file),
list, show, resolve, evidence, settings; refusals are one line and change nothing."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cobro.cli import app
from cobro.db import make_engine, transaction
from cobro.dispute.models import Dispute, DisputeEvidence
from cobro.invoice.models import CreditNote
from cobro.policy.models import Hold
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        customer = make_customer(session, company, "C-1", name="Ferretería López")
        make_invoice(
            session, company, customer, 1200_00, date(2026, 1, 1), date(2026, 1, 31), "F-1"
        )
        make_invoice(session, company, customer, 300_00, date(2026, 1, 1), date(2026, 1, 31), "F-2")
    return url


def rows(url: str, model: type) -> int:
    engine = make_engine(url)
    with transaction(engine) as session:
        found = session.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return found


def test_a_dispute_is_opened_listed_shown_and_credited(db_url: str, tmp_path: Path) -> None:
    note = tmp_path / "delivery.txt"
    note.write_text("Only 10 of 12 boxes arrived.\n", encoding="utf-8")
    opened = ok(
        "disputes",
        "open",
        "C-1",
        "--invoice",
        "F-1:200,50",
        "--invoice",
        "F-2",
        "--reason",
        "not_received",
        "--text",
        "Two boxes missing",
        "--evidence",
        str(note),
        "--on",
        "2026-03-01",
    )
    assert "Dispute 1 opened for C-1, due 2026-03-15." in opened
    listing = ok("disputes", "list", "--status", "open")
    assert "F-1, F-2" in listing
    assert "500.50 EUR" in listing
    assert "1 disputes." in listing
    shown = ok("disputes", "show", "1")
    assert "F-1: 200.50 EUR disputed" in shown
    assert "evidence 1: delivery.txt (text/plain" in shown
    resolved = ok(
        "disputes", "resolve", "1", "--credit", "--note", "carrier lost them", "--on", "2026-03-05"
    )
    assert "Dispute 1 credited: Credited in full (CN-D1-1, CN-D1-2). carrier lost them" in resolved
    assert rows(db_url, CreditNote) == 2
    assert "credited 200.50 (CN-D1-1)" in ok("disputes", "show", "1")


def test_a_partial_credit_names_the_invoice_and_amount(db_url: str) -> None:
    ok("disputes", "open", "C-1", "--invoice", "F-1:300", "--reason", "price", "--text", "x")
    assert "partly_credited" in ok("disputes", "resolve", "1", "--partial", "F-1:100")


def test_evidence_and_settings(db_url: str, tmp_path: Path) -> None:
    ok("disputes", "settings", "--days", "30")
    assert "due 30 days" in ok("disputes", "settings")
    ok(
        "disputes",
        "open",
        "C-1",
        "--invoice",
        "F-1",
        "--reason",
        "quality",
        "--text",
        "x",
        "--on",
        "2026-03-01",
    )
    assert "due 2026-03-31" in ok("disputes", "show", "1")
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    assert "(photo.png, image/png) added to dispute 1" in ok(
        "disputes", "evidence", "1", str(photo)
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--invoice", "F-1:1300", "--reason", "price", "--text", "x"),
            "larger than the open amount",
        ),
        (("--invoice", "F-9", "--reason", "price", "--text", "x"), "no invoice 'F-9'"),
        (("--invoice", "F-1", "--reason", "angry", "--text", "x"), "reason 'angry'"),
        (("--invoice", "F-1", "--reason", "price", "--text", " "), "say why"),
    ],
)
def test_a_bad_dispute_is_one_line_and_nothing_is_written(
    db_url: str, args: tuple[str, ...], message: str
) -> None:
    assert message in refused("disputes", "open", "C-1", *args)
    assert rows(db_url, Dispute) == rows(db_url, Hold) == 0


def test_a_wrong_file_is_refused_and_nothing_is_written(db_url: str, tmp_path: Path) -> None:
    program = tmp_path / "invoice.pdf"
    program.write_bytes(b"MZ\x90\x00\x03")
    said = refused(
        "disputes",
        "open",
        "C-1",
        "--invoice",
        "F-1",
        "--reason",
        "price",
        "--text",
        "x",
        "--evidence",
        str(program),
    )
    assert "not a PDF, PNG, JPEG or plain-text file" in said
    assert rows(db_url, Dispute) == rows(db_url, DisputeEvidence) == 0


def test_resolve_needs_exactly_one_outcome(db_url: str) -> None:
    ok("disputes", "open", "C-1", "--invoice", "F-1", "--reason", "price", "--text", "x")
    assert "choose one of" in refused("disputes", "resolve", "1")
    assert "choose one of" in refused("disputes", "resolve", "1", "--credit", "--reject")
    assert "no dispute 7" in refused("disputes", "resolve", "7", "--reject")
    ok("disputes", "resolve", "1", "--reject")
    assert "already rejected" in refused("disputes", "resolve", "1", "--withdraw")
