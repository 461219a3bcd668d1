"""`cobro validation` end to end on a migrated SQLite file: a notice sent and written to a file,
a dispute recorded, verification, the list, and refusals as one line."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import pytest

from cobro.channel.letter import RendererUnavailable, html_to_pdf
from cobro.cli import app
from cobro.customer.rules import ContactIn
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)

NOTICE = ("validation", "notice", "J-1", "--sent", "2025-11-03",
          "--itemization-kind", "charge_off", "--itemization-date", "2025-06-30",
          "--owed", "2,234.56", "--interest", "75", "--fees", "25.00", "--paid", "50")  # fmt: skip


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        jane = make_customer(
            session, company, "J-1", name="Jane Doe", kind="consumer", country="US",
            contact=ContactIn(street="Main St", building_number="1", city="Austin", region="TX"),
        )  # fmt: skip
        make_invoice(session, company, jane, 2284_56, date(2025, 1, 1), date(2025, 2, 1), "F-1")
        make_customer(session, company, "B-1", name="Acme Inc.", country="US")
    return url


def test_a_notice_is_sent_with_its_dates_and_written_to_a_file(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "notice.html"
    output = ok(*NOTICE, "--out", str(out))
    assert "Validation notice 1 (VN-1) for J-1: 2,284.56 USD." in output
    assert (
        "Sent 2025-11-03, assumed received 2025-11-10, validation period ends 2025-12-10." in output
    )
    html = out.read_text(encoding="utf-8")
    assert "How can you dispute the debt?" in html
    assert "December 10, 2025" in html
    listing = ok("validation", "list")
    assert "J-1" in listing
    assert "2025-12-10" in listing
    assert "1 notices." in listing


def test_a_timely_dispute_stops_collection_and_verification_resumes_it(db_url: str) -> None:
    ok(*NOTICE)
    disputed = ok("validation", "dispute", "1", "--received", "2025-12-10", "--amount", "300",
                  "--invoice", "F-1")  # fmt: skip
    assert "Dispute 1 received on 2025-12-10, within the validation period" in disputed
    assert "Collection stopped on invoices F-1 until verification is sent." in disputed
    assert "Undisputed: 1,984.56 USD may still be collected" in disputed
    assert "dispute" in ok("holds", "list", "--on", "2025-12-11")
    assert "collection may resume" in ok("validation", "verified", "1", "--on", "2026-01-05")
    assert "1: 2025-12-10 verified 2026-01-05" in ok("validation", "list")
    assert "already sent" in refused("validation", "verified", "1", "--on", "2026-01-06")


def test_a_late_dispute_is_recorded_and_held_only_when_honoured(db_url: str) -> None:
    ok(*NOTICE)
    late = ok("validation", "dispute", "1", "--received", "2025-12-11")
    assert "late under Regulation F. No hold placed" in late
    honoured = ok("validation", "dispute", "1", "--received", "2025-12-11", "--honour-late")
    assert "Collection stopped on the whole customer" in honoured


def test_refusals_are_one_line(db_url: str) -> None:
    business = refused(*NOTICE[:2], "B-1", *NOTICE[3:])
    assert (
        "customer B-1 is a business: Regulation F validation notices are for consumer" in business
    )
    assert "is not an amount" in refused(*NOTICE[:-1], "lots")
    assert "no validation notice 9" in refused(
        "validation", "dispute", "9", "--received", "2025-12-01"
    )


def test_a_pdf_is_written_when_weasyprint_can(db_url: str, tmp_path: Path) -> None:
    try:
        html_to_pdf("<p>probe</p>")
    except RendererUnavailable:
        pytest.skip("WeasyPrint/Pango not installed")
    out = tmp_path / "notice.pdf"
    ok(*NOTICE, "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_without_pango_a_pdf_is_refused_naming_the_fix_and_nothing_is_recorded(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(html: str) -> bytes:
        raise RendererUnavailable("cannot load library 'pango-1.0-0'")

    monkeypatch.setattr("cobro.validation.cli.html_to_pdf", unavailable)
    assert "PDF letters need Pango" in refused(*NOTICE, "--out", str(tmp_path / "n.pdf"))
    assert "0 notices." in ok("validation", "list")
    ok(*NOTICE, "--out", str(tmp_path / "n.html"))  # HTML needs no Pango
