"""`cobro charges settings|list|waive` end to end on a SQLite file of their own."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import pytest

from cobro.charge.models import Charge
from cobro.cli import app
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


@pytest.fixture
def charge_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        customer = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        invoice = make_invoice(session, company, customer, 100_00, number="F-1")
        charge = Charge(
            company_id=company.id,
            customer_id=customer.id,
            invoice_id=invoice.id,
            key="fee:1",
            kind="fee",
            currency="EUR",
            amount=10_00,
            computed_on=date(2026, 3, 7),
            label="Collection fee on F-1 (first)",
            detail={"text": "10.00"},
            mode="claim",
        )
        session.add(charge)
        session.flush()
        return charge.id


def test_settings_are_shown_changed_and_refused_by_name(charge_id: int) -> None:
    assert "jurisdiction: (none)" in ok("charges", "settings")
    shown = ok("charges", "settings", "-j", "es", "--mode", "charge", "--contract-rate", "9.5%")
    assert "jurisdiction: ES" in shown
    assert "mode: charge" in shown
    assert "contract_rate: 9.5" in shown
    assert "use one of" in refused("charges", "settings", "-j", "XX")
    assert "use one of off, claim, charge" in refused("charges", "settings", "--mode", "bill")
    assert "not a number" in refused("charges", "settings", "--contract-rate", "lots")
    assert "jurisdiction: ES" in ok("charges", "settings")  # nothing written by the refusals


def test_charges_are_listed_and_one_is_waived_once(charge_id: int) -> None:
    listed = ok("charges", "list")
    assert "F-1" in listed
    assert "10.00 EUR" in listed
    assert "1 charges." in listed
    assert "waived" in ok("charges", "waive", str(charge_id), "--reason", "goodwill")
    assert "goodwill" in ok("charges", "list", "--customer", "C-1")
    assert "was waived" in refused("charges", "waive", str(charge_id), "--reason", "again")
    assert "say why" in refused("charges", "waive", str(charge_id), "--reason", " ")
    assert "no charge 999" in refused("charges", "waive", "999", "--reason", "x")
