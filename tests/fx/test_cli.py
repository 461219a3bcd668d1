"""`cobro fx` end to end on a migrated SQLite file: adding, listing, importing and removing
rates, one-line errors, and nothing written when a file is refused."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cobro.cli import app
from cobro.db import make_engine, transaction
from cobro.fx.models import FxRate
from cobro.kit.dates import today_in
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url):  # reports in EUR
        pass
    return url


def rates(url: str) -> int:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return int(session.scalar(select(func.count()).select_from(FxRate)) or 0)
    finally:
        engine.dispose()


def test_a_rate_is_added_replaced_listed_and_removed(db_url: str) -> None:
    said = ok("fx", "add", "usd", "0.92", "--on", "2026-11-24", "--source", "ECB")
    assert "1 USD = 0.92 EUR from 2026-11-24." in said
    ok("fx", "add", "USD", "0.9250", "--on", "2026-11-24")  # the same day: replaced
    ok("fx", "add", "GBP", "1.15", "--on", "2026-11-20")
    listed = ok("fx", "list")
    assert "0.925" in listed
    assert "0.92 " not in listed
    assert "2 rates." in listed
    assert listed.index("USD") < listed.index("GBP")  # latest day first
    only = ok("fx", "list", "--currency", "GBP", "--limit", "5")
    assert "1.15" in only
    assert "USD" not in only
    assert "1 rates." in only
    assert "removed" in ok("fx", "remove", "USD", "--on", "2026-11-24")
    assert rates(db_url) == 1


def test_add_takes_today_without_on(db_url: str) -> None:
    said = ok("fx", "add", "JPY", "0.0061919505")
    assert f"from {today_in('Europe/Madrid')}" in said


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "EUR", "1"), "reporting currency"),
        (("add", "USD", "0,92"), "is not a number"),
        (("add", "USD", "0"), "more than 0"),
        (("add", "USD", "--", "-1"), "more than 0"),
        (("add", "USD", "0.12345678901"), "at most 10 decimals"),
        (("add", "XYZ", "1"), "unknown currency"),
        (("add", "USD", "1", "--on", "yesterday"), "is not a date"),
        (("remove", "USD", "--on", "2026-01-01"), "no FX rate for USD on 2026-01-01"),
        (("list", "--limit", "0"), "limit 0"),
        (("import", "no-such-file.csv"), "cannot read"),
    ],
)
def test_mistakes_are_one_line_errors(db_url: str, args: tuple[str, ...], says: str) -> None:
    assert says in refused("fx", *args)
    assert rates(db_url) == 0


def test_a_file_is_imported_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,currency,rate\n2026-11-01,USD,0.92\n2026-11-01,GBP,x\n2026-11-01,EUR,1\n")
    said = refused("fx", "import", str(bad))
    assert "2 problems, no rate imported" in said
    assert "row 3, rate" in said
    assert "row 4, currency" in said
    assert rates(db_url) == 0
    good = tmp_path / "good.csv"
    good.write_text("date,currency,rate,source\n2026-11-01,USD,0.92,ECB\n2026-11-02,USD,0.93,\n")
    assert "2 rates added, 0 replaced." in ok("fx", "import", str(good))
    assert "0 rates added, 2 replaced." in ok("fx", "import", str(good))
    assert rates(db_url) == 2
