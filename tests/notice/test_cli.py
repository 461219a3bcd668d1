"""`cobro templates preview` end to end on a migrated SQLite file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.notice.cli import templates_app
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database

runner = CliRunner()


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        company.iban = "ES9121000418450200051332"
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.", language="en")
        make_invoice(session, company, ana, 1_234_56, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_customer(session, company, "C-2", name="Sin Deudas S.A.")
    return url


def test_preview_prints_the_text_and_writes_the_html_and_the_letter(
    ledger: str, tmp_path: Path
) -> None:
    out = tmp_path / "preview"
    result = runner.invoke(
        templates_app,
        ["preview", "reminder-1", "--customer", "C-1", "--lang", "es", "--on", "2026-03-05",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Subject: Recordatorio de pago: factura F-1" in result.output
    assert "1.234,56" in result.output
    assert "ES91 2100 0418 4502 0005 1332" in result.output
    html = (out / "preview.html").read_text(encoding="utf-8")
    assert "Recordatorio de pago" in html
    assert (out / "preview.pdf").read_bytes().startswith(b"%PDF")


def test_preview_carries_the_portal_link_the_message_would_carry(
    ledger: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = ["preview", "reminder-1", "--customer", "C-1", "--out", str(tmp_path)]
    monkeypatch.delenv("COBRO_SECRET_KEY", raising=False)
    without = runner.invoke(templates_app, preview)
    assert without.exit_code == 0, without.output
    assert "/portal/" not in without.output
    assert "No portal link: COBRO_SECRET_KEY is not set." in without.output

    monkeypatch.setenv("COBRO_SECRET_KEY", "a-test-secret-of-enough-length-000")
    monkeypatch.setenv("COBRO_BASE_URL", "https://cobro.example.com")
    signed = runner.invoke(templates_app, preview)
    assert signed.exit_code == 0, signed.output
    assert "https://cobro.example.com/portal/" in signed.output
    assert "Its portal link is a real one, valid 60 days" in signed.output
    html = (tmp_path / "preview.html").read_text(encoding="utf-8")
    assert "https://cobro.example.com/portal/" in html


def test_preview_in_the_customers_own_language_by_default(ledger: str, tmp_path: Path) -> None:
    result = runner.invoke(
        templates_app,
        ["preview", "demand", "--customer", "C-1", "--on", "2026-03-05", "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert "Subject: Formal demand for payment of €1,234.56" in result.output


def test_an_unknown_stage_is_one_line_listing_the_known_ones(ledger: str) -> None:
    result = runner.invoke(templates_app, ["preview", "nudge", "--customer", "C-1"])
    assert result.exit_code == 1
    assert "unknown stage 'nudge' (known: preventive, due, reminder-1" in result.output
    assert "Traceback" not in result.output


def test_a_customer_with_nothing_open_is_a_clear_error(ledger: str, tmp_path: Path) -> None:
    result = runner.invoke(
        templates_app, ["preview", "due", "--customer", "C-2", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "has no open invoices" in result.output
