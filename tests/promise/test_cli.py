"""`cobro promises` end to end on a migrated SQLite file: output, exit codes, one-line
errors, nothing written on a refusal."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cobro.cli import app
from cobro.company.models import Company
from cobro.db import make_engine, transaction
from cobro.kit.dates import today_in
from cobro.policy.models import Hold
from cobro.promise.models import Promise
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


def today() -> date:
    """The company's today when a test runs (a run may cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.", collector="ana")
        make_invoice(session, company, ana, 1500_00, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_invoice(session, company, ana, 500_00, date(2026, 1, 1), date(2026, 1, 31), "F-2")
    return url


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            promises = session.scalar(select(func.count()).select_from(Promise))
            holds = session.scalar(select(func.count()).select_from(Hold))
            return int(promises or 0), int(holds or 0)
    finally:
        engine.dispose()


def test_a_promise_is_added_listed_and_cancelled(db_url: str) -> None:
    by = today() + timedelta(days=10)
    added = ok("promises", "add", "C-1", "1.200,50", "--by", by.isoformat(), "--invoice", "F-1")
    assert f"Promise 1: 1,200.50 EUR by {by}" in added
    assert f"the chase waits until {by + timedelta(days=3)}" in added
    assert counts(db_url) == (1, 1)
    listing = ok("promises", "list", "--status", "open")
    assert "C-1" in listing
    assert "1,200.50 EUR" in listing
    assert "F-1" in listing
    assert "1 promises." in listing
    assert "Promise 1 cancelled." in ok("promises", "cancel", "1")
    assert "0 promises." in ok("promises", "list", "--status", "open")
    assert "already cancelled" in refused("promises", "cancel", "1")


def test_a_promise_over_the_whole_balance_places_one_hold(db_url: str) -> None:
    by = (today() + timedelta(days=5)).isoformat()
    ok("promises", "add", "C-1", "2000", "--by", by, "--note", "pays on Friday")
    assert counts(db_url) == (1, 1)
    assert "(all)" in ok("promises", "list", "--customer", "C-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("C-1", "100", "--by", "2020-01-01"), "a promise in the past"),
        (("C-1", "100", "--by", "today+61"), "60 days at most"),
        (("C-1", "2000,01", "--by", "today"), "more than is open"),
        (("C-1", "lots", "--by", "today"), "amount: 'lots' is not an amount"),
        (("C-9", "100", "--by", "today"), "no customer 'C-9'"),
        (("C-1", "100", "--by", "today", "--invoice", "F-9"), "no invoice 'F-9'"),
    ],
)
def test_a_refused_promise_is_one_line_and_writes_nothing(
    db_url: str, args: tuple[str, ...], message: str
) -> None:
    # the day is the company's today when the test runs, not when it was collected: a run
    # that crosses midnight in Madrid would otherwise promise 60 days ahead, not 61
    now = today()
    days = {"today": now, "today+61": now + timedelta(days=61)}
    args = tuple(days[a].isoformat() if a in days else a for a in args)
    assert message in refused("promises", "add", *args)
    assert counts(db_url) == (0, 0)


def test_stats_by_collector(db_url: str) -> None:
    ok("promises", "add", "C-1", "100", "--by", today().isoformat(), "--invoice", "F-2")
    output = ok("promises", "stats", "--by", "collector")
    assert "ana" in output
    assert "1 collectors." in output
    assert "customer or collector" in refused("promises", "stats", "--by", "grade")


def test_settings_are_shown_and_changed(db_url: str) -> None:
    assert "Grace days: 3. Longest promise: 60 days." in ok("promises", "settings")
    changed = ok("promises", "settings", "--grace-days", "5", "--longest-days", "30")
    assert "Grace days: 5. Longest promise: 30 days." in changed
    assert "grace days must be" in refused("promises", "settings", "--grace-days", "-2")
    engine = make_engine(db_url)
    with transaction(engine) as session:
        company = session.scalars(select(Company)).one()
        assert (company.promise_grace_days, company.promise_longest_days) == (5, 30)
    engine.dispose()
