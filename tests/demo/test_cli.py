"""`cobro demo` end to end on a real SQLite file: summary, refusals, exit codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from cobro.auth.errors import NotAuthenticated
from cobro.auth.service import authenticate, role_in
from cobro.company.models import Company
from cobro.cycle.service import run_cycle
from cobro.db import make_engine, transaction, upgrade
from cobro.demo.cli import demo_command
from cobro.dispute.models import Dispute
from cobro.invoice.models import Invoice
from cobro.payment.service import check_ledger
from cobro.plan.models import PaymentPlan
from cobro.promise.models import Promise
from cobro.setoff.models import VendorBill
from cobro.writeoff.models import WriteOffRequest

runner = CliRunner()
app = typer.Typer()
app.command("demo")(demo_command)


@app.callback()
def cobro() -> None:
    """The command as the real `cobro` registers it: a sub-command."""


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    monkeypatch.setenv("COBRO_DATABASE_URL", url)
    monkeypatch.delenv("COBRO_COMPANY", raising=False)
    return url


def invoices_of(url: str, code: str) -> tuple[int, list[object]]:
    engine = make_engine(url)
    with transaction(engine) as session:
        company = session.scalars(select(Company).where(Company.code == code)).one()
        count = session.scalar(select(func.count()).where(Invoice.company_id == company.id))
        breaks: list[object] = list(check_ledger(session, company.id))
    engine.dispose()
    return count or 0, breaks


def test_the_demo_is_built_and_summarised(db_url: str) -> None:
    result = runner.invoke(app, ["demo", "--customers", "25", "--on", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert "Demo company 'demo', history up to 2026-11-24" in result.output
    assert "invoices" in result.output
    assert "500" in result.output
    assert "open EUR" in result.output
    assert invoices_of(db_url, "demo") == (500, [])


def test_a_second_run_is_refused_then_replaced_when_asked(db_url: str) -> None:
    first = runner.invoke(
        app, ["demo", "--customers", "10", "--invoices", "80", "--on", "2026-1-31"]
    )
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["demo", "--customers", "10", "--on", "2026-01-31"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert "--replace" in again.output
    assert "Traceback" not in again.output
    kept = runner.invoke(app, ["demo", "--if-missing"])
    assert kept.exit_code == 0
    assert "nothing to do" in kept.output
    replaced = runner.invoke(
        app, ["demo", "--customers", "10", "--invoices", "120", "--on", "2026-01-31", "--replace"]
    )
    assert replaced.exit_code == 0, replaced.output
    assert invoices_of(db_url, "demo") == (120, [])


def test_another_company_code_builds_a_second_demo(db_url: str) -> None:
    for code in ("demo", "demo-2"):
        result = runner.invoke(
            app, ["demo", "-c", code, "--customers", "8", "--invoices", "40", "--on", "2026-06-30"]
        )
        assert result.exit_code == 0, result.output
    assert invoices_of(db_url, "demo-2") == (40, [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--on", "2026-02-30"], "not a real date"),
        (["--company", "Not Valid"], "company code"),
        (["--replace", "--if-missing"], "choose one"),
    ],
)
def test_user_errors_are_one_clear_line(db_url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["demo", "--customers", "5", "--invoices", "10", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_logins_get_new_passwords_each_time_and_only_the_latest_signs_in(db_url: str) -> None:
    args = ["demo", "--customers", "5", "--invoices", "20", "--if-missing", "--logins"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "already exists" in second.output
    found = [re.findall(r"(\w+)\s+(\S+@demo\.example)\s+(\S+)", r.output) for r in (first, second)]
    assert [(role, email) for role, email, _ in found[1]] == [
        ("admin", "admin@demo.example"),
        ("collector", "collector@demo.example"),
    ]
    old, new = found[0][1][2], found[1][1][2]
    assert old != new
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    try:
        with transaction(engine) as session:
            user = authenticate(session, "collector@demo.example", new, now, "127.0.0.1")
            company = session.scalars(select(Company).where(Company.code == "demo")).one()
            assert role_in(session, user.id, company.id) == "collector"
        with pytest.raises(NotAuthenticated), transaction(engine) as session:
            authenticate(session, "collector@demo.example", old, now, "127.0.0.2")
    finally:
        engine.dispose()


def test_the_demo_has_one_of_each_agreement_for_the_pages_to_show(db_url: str) -> None:
    result = runner.invoke(app, ["demo", "--customers", "60", "--on", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert "Agreements: a promise to pay, a payment plan, a dispute" in result.output
    engine = make_engine(db_url)
    with transaction(engine) as session:
        company = session.scalars(select(Company).where(Company.code == "demo")).one()
        for model in (Promise, PaymentPlan, Dispute, WriteOffRequest, VendorBill):
            count = session.scalar(select(func.count()).where(model.company_id == company.id))
            assert count == 1, model.__name__
        assert check_ledger(session, company.id) == []
        run_cycle(session, company, date(2026, 11, 24))  # the demo's day runs with them
    engine.dispose()
    replaced = runner.invoke(app, ["demo", "--customers", "60", "--replace"])
    assert replaced.exit_code == 0, replaced.output  # and is deleted with them
