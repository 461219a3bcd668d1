"""`cobro report …`: every report in every format, to the screen or a file; sliced; every
company at once; bad options refused in one line naming what is wrong."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.cli import app as cli_app
from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.db import make_engine, transaction
from cobro.report.catalog import REPORTS
from tests.factories.ledger import make_customer, make_invoice, make_payment
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

TO = ("--from", "2026-03-01", "--to", "2026-03-31")


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    with acme(url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana <b>", collector="ana")
        bob = make_customer(session, company, "C-2", name="Bob", country="FR")
        old = make_invoice(session, company, ana, 1000_00, date(2026, 2, 1), date(2026, 3, 3))
        make_payment(session, company, ana, 600_00, date(2026, 3, 10), (old.number,))
        make_invoice(session, company, bob, 300_00, date(2026, 3, 5), date(2026, 4, 4))
    return url


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_prints_and_writes_every_format(url: str, tmp_path: Path, name: str) -> None:
    table = cli_ok(cli_app, "report", name, *TO)
    assert "2026-03" in table
    rows = list(csv.reader(io.StringIO(cli_ok(cli_app, "report", name, *TO, "--format", "csv"))))
    assert rows[0]  # a header
    document = json.loads(cli_ok(cli_app, "report", name, *TO, "--format", "json"))
    assert document["name"] == name
    cli_ok(cli_app, "report", name, *TO, "--format", "xlsx")
    assert load_workbook(tmp_path / f"cobro-{name}-2026-03-31.xlsx").active is not None
    pdf = tmp_path / "out.pdf"
    cli_ok(cli_app, "report", name, *TO, "--format", "pdf", "--output", str(pdf))
    assert PdfReader(pdf).pages


def test_the_figures_and_slices(url: str) -> None:
    aging = json.loads(cli_ok(cli_app, "report", "aging", "--on", "2026-03-31", "--format", "json"))
    [eur] = aging["rows"]
    assert (eur["current"], eur["1-30"], eur["total"]) == ("300.00", "400.00", "700.00")
    by_collector = json.loads(
        cli_ok(cli_app, "report", "aging", "--on", "2026-03-31", "--by", "collector",
               "--buckets", "10,20", "--format", "json")
    )  # fmt: skip
    assert {row["slice"]: row["total"] for row in by_collector["rows"]} == {
        "(none)": "300.00", "ana": "400.00",
    }  # fmt: skip
    assert [c["key"] for c in by_collector["columns"]][2:5] == ["current", "1-10", "11-20"]
    issue = cli_ok(cli_app, "report", "aging", "--on", "2026-03-31", "--aged-from", "issue")
    assert "0-30" in issue
    assert "days since issue" in issue


@contextmanager
def more(url: str) -> Iterator[tuple[Session, Company]]:
    """The database of `url` again, with company acme: what the block adds is committed."""
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            yield session, session.scalars(select(Company).where(Company.code == "acme")).one()
    finally:
        engine.dispose()


def test_every_company_at_once(url: str) -> None:
    with more(url) as (session, _acme):
        beta = create_company(session, "beta", "Beta Inc", "US", "USD", "America/New_York")
        customer = make_customer(session, beta, "B-1", name="Zed")
        make_invoice(session, beta, customer, 50_00, date(2026, 3, 2), date(2026, 4, 1))
    rows = list(
        csv.DictReader(
            io.StringIO(
                cli_ok(cli_app, "report", "dso", *TO, "--company", "all", "--format", "csv")
            )
        )
    )
    assert [row["company"] for row in rows] == ["acme", "beta"]
    assert [row["currency"] for row in rows] == ["EUR", "USD"]


def test_bad_options_are_refused_in_one_line(url: str) -> None:
    assert "--format 'xml'" in cli_refused(cli_app, "report", "dso", "--format", "xml")
    assert "--by 'planet'" in cli_refused(cli_app, "report", "dso", "--by", "planet")
    assert "buckets" in cli_refused(cli_app, "report", "aging", "--buckets", "90,30")
    assert "aged from" in cli_refused(cli_app, "report", "aging", "--aged-from", "paid")
    assert "before it starts" in cli_refused(
        cli_app, "report", "kpis", "--from", "2026-03-31", "--to", "2026-03-01"
    )
    # a slice across currencies without the rate: the currency and the day named
    with more(url) as (session, company):
        dollar = make_customer(session, company, "C-9", name="Dollar", country="US")
        make_invoice(session, company, dollar, 10_00, date(2026, 3, 1), date(2026, 3, 2),
                     currency="USD")  # fmt: skip
    refused = cli_refused(cli_app, "report", "aging", "--on", "2026-03-31", "--by", "country")
    assert "USD" in refused
    assert "2026-03-31" in refused


def test_the_management_report(url: str, tmp_path: Path) -> None:
    assert "Wrote" in cli_ok(cli_app, "report", "management", *TO, "--output", "m.pdf")
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "m.pdf").pages)
    assert "Receivables management report" in text
    assert "Collection curve" in text or "curve" in text.lower()


def test_a_missing_rate_leaves_one_section_out_of_the_management_report(
    url: str, tmp_path: Path
) -> None:
    """The collectors report is always in the reporting currency: without a USD rate it says
    so in its section, and the rest of the pack (and the weekly email) still goes out."""
    with more(url) as (session, company):
        dollar = make_customer(session, company, "C-9", name="Dollar", country="US")
        make_invoice(session, company, dollar, 10_00, date(2026, 3, 1), date(2026, 3, 2),
                     currency="USD")  # fmt: skip
    assert "no FX rate" in cli_refused(cli_app, "report", "collectors", *TO)
    cli_ok(cli_app, "report", "management", *TO, "--output", "m.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "m.pdf").pages)
    assert "Not shown: no FX rate" in " ".join(text.split())
    assert "Aging" in text
