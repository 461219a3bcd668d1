"""`cobro writeoffs …` and `cobro invoices write-off` end to end on a migrated SQLite file: the
CLI acts as an admin (made at once), approves and rejects what people asked in the app, and
sets the limits; refusals are one line and write nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cobro.cli import app
from cobro.company.models import Company
from cobro.db import make_engine, transaction
from cobro.invoice.models import Invoice, WriteOff
from cobro.writeoff.models import WriteOffRequest
from cobro.writeoff.service import request_write_off
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ON = date(2026, 3, 1)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Invoices F-1 and F-2 (100.00 each); a collector asked to write off all of F-2."""
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        make_invoice(session, company, ana, 100_00, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_invoice(session, company, ana, 100_00, date(2026, 1, 1), date(2026, 1, 31), "F-2")
        by = (None, "cid@acme.es")
        request_write_off(
            session, company, "F-2", None, "goodwill", "old client", ON, by, "collector"
        )
    return url


def read(
    url: str,
) -> tuple[dict[str, int], list[tuple[str, str]], list[tuple[str | None, str | None]]]:
    """Open amounts by invoice, requests' (status, decided by), write-offs' (code, approver)."""
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            invoices = {i.number: i.open_amount for i in session.scalars(select(Invoice))}
            requests = [
                (r.status, r.decided_by or "")
                for r in session.scalars(select(WriteOffRequest).order_by(WriteOffRequest.id))
            ]
            entries = [
                (w.reason_code, w.approved_by)
                for w in session.scalars(select(WriteOff).order_by(WriteOff.id))
            ]
            return invoices, requests, entries
    finally:
        engine.dispose()


def test_the_cli_writes_off_at_once_as_an_admin(db_url: str) -> None:
    output = cli_ok(
        app,
        "invoices",
        "write-off",
        "F-1",
        "--amount",
        "30",
        "--reason",
        "bad",
        "--reason-code",
        "bad_debt",
        "--on",
        "2026-03-01",
    )
    assert "Wrote off 30.00 EUR of F-1; 70.00 EUR left open." in output
    output = cli_ok(
        app, "writeoffs", "request", "F-1", "--reason-code", "insolvency", "--reason", "gone"
    )
    assert "Wrote off 70.00 EUR" in output
    invoices, _, entries = read(db_url)
    assert invoices["F-1"] == 0
    assert entries == [("bad_debt", "cli"), ("insolvency", "cli")]


def test_list_approve_and_reject(db_url: str) -> None:
    listed = cli_ok(app, "writeoffs", "list")
    assert "F-2" in listed
    assert "cid@acme.es" in listed
    assert "1 requests." in listed
    approved = cli_ok(app, "writeoffs", "approve", "1")
    assert "Request 1 approved. Wrote off 100.00 EUR of F-2" in approved
    invoices, requests, entries = read(db_url)
    assert invoices["F-2"] == 0
    assert requests == [("approved", "cli")]
    assert entries == [("goodwill", "cli")]
    refused = cli_refused(app, "writeoffs", "reject", "1", "--note", "too late")
    assert "write-off request 1 is approved" in refused
    assert "0 requests." in cli_ok(app, "writeoffs", "list")
    assert "1 requests." in cli_ok(app, "writeoffs", "list", "--status", "all")


def test_reject_leaves_the_invoice_open(db_url: str) -> None:
    assert "Request 1 rejected." in cli_ok(app, "writeoffs", "reject", "1", "--note", "no")
    invoices, requests, entries = read(db_url)
    assert (invoices["F-2"], requests, entries) == (100_00, [("rejected", "cli")], [])
    assert "no write-off request 99" in cli_refused(app, "writeoffs", "approve", "99")


def test_settings_show_and_change_the_limits(db_url: str) -> None:
    shown = cli_ok(app, "writeoffs", "settings")
    assert "small balance: 0.00 EUR (off)" in shown
    assert "manager limit: any amount" in shown
    changed = cli_ok(
        app,
        "writeoffs",
        "settings",
        "--small-balance",
        "1,00",
        "--collector-limit",
        "50",
        "--manager-limit",
        "500",
    )
    assert "small balance: 1.00 EUR" in changed
    assert "collector limit: 50.00 EUR" in changed
    assert "manager limit: 500.00 EUR" in changed
    assert "manager limit: any amount" in cli_ok(
        app, "writeoffs", "settings", "--manager-limit", "none"
    )
    refused = cli_refused(app, "writeoffs", "settings", "--collector-limit", "-5")
    assert "collector_write_off_limit" in refused
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            company = session.scalars(select(Company)).one()
            assert company.collector_write_off_limit == 50_00
    finally:
        engine.dispose()


def test_a_bad_reason_code_is_one_line_and_writes_nothing(db_url: str) -> None:
    refused = cli_refused(
        app, "invoices", "write-off", "F-1", "--reason", "x", "--reason-code", "whim"
    )
    assert "reason code 'whim'" in refused
    assert read(db_url)[0]["F-1"] == 100_00
