"""`cobro plans` end to end on a migrated SQLite file: output, exit codes, one-line errors,
nothing written on a refusal."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cobro.cli import app
from cobro.db import make_engine, transaction
from cobro.kit.dates import add_months, today_in
from cobro.plan.models import PaymentPlan
from cobro.policy.models import Hold
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


def today() -> date:
    """The company's today when a test runs, not when the module was collected (a run may
    cross midnight in Madrid)."""
    return today_in("Europe/Madrid")


FIRST = today() + timedelta(days=5)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        make_invoice(session, company, ana, 1500_00, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_invoice(session, company, ana, 500_00, date(2026, 1, 1), date(2026, 1, 31), "F-2")
    return url


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            plans = session.scalar(select(func.count()).select_from(PaymentPlan))
            holds = session.scalar(select(func.count()).select_from(Hold))
            return int(plans or 0), int(holds or 0)
    finally:
        engine.dispose()


def plan_args(*extra: str) -> list[str]:
    return ["C-1", "--installments", "4", "--first", FIRST.isoformat(), *extra]


def test_propose_shows_the_schedule_and_saves_nothing(db_url: str) -> None:
    shown = ok("plans", "propose", *plan_args("--down", "200"))
    assert "down payment" in shown
    assert "450.00" in shown
    assert "Total 2,000.00 EUR." in shown
    assert "Inside the guardrails" in shown
    outside = ok("plans", "propose", *plan_args("--every", "monthly", "--installments", "40"))
    assert "Outside the guardrails" in outside
    assert "--override" in outside
    assert counts(db_url) == (0, 0)


def test_a_plan_is_added_listed_shown_rescheduled_and_cancelled(db_url: str) -> None:
    added = ok("plans", "add", *plan_args("--fee", "20", "--invoice", "F-1"))
    assert "Plan 1: 1,520.00 EUR, approved by guardrails." in added
    assert counts(db_url) == (1, 2)  # F-1 and the fee's debit note
    listing = ok("plans", "list", "--status", "active")
    assert "C-1" in listing
    assert "1 plans." in listing
    shown = ok("plans", "show", "1")
    assert "PLAN-1-FEE" in shown
    assert add_months(FIRST, 3).isoformat() in shown
    moved = ok("plans", "reschedule", "1", "--installments", "6", "--first", FIRST.isoformat())
    assert "Plan 2 replaces plan 1" in moved
    assert "replaced" in ok("plans", "list")
    assert "Plan 2 cancelled." in ok("plans", "cancel", "2")
    assert "already cancelled" in refused("plans", "cancel", "2")


def test_refusals_say_why_in_one_line_and_write_nothing(db_url: str) -> None:
    too_long = refused("plans", "add", *plan_args("--installments", "40"))
    assert "outside the guardrails" in too_long
    assert "12 months" in too_long
    assert counts(db_url) == (0, 0)
    assert "Plan 1" in ok("plans", "add", *plan_args("--installments", "40", "--override"))
    assert "no invoice" in refused("plans", "add", *plan_args("--invoice", "NOPE"))
    # propose reports, it refuses nothing: both invoices are in plan 1 now
    proposed = ok("plans", "propose", *plan_args("--every", "daily"))
    assert "- frequency: frequency 'daily'" in proposed
    assert "no plan." in proposed
    assert "- invoices: nothing is open" in proposed


def test_settings(db_url: str) -> None:
    assert "Longest plan: 12 months. Smallest installment: 50.00 EUR. Grace days: 7." in ok(
        "plans", "settings"
    )
    changed = ok("plans", "settings", "--longest-months", "6", "--smallest", "100")
    assert "Longest plan: 6 months. Smallest installment: 100.00 EUR." in changed
    assert "grace days" in refused("plans", "settings", "--grace-days", "99")
