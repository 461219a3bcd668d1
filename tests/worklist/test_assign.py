"""Assigning the worklist's customers to collectors against the real database: the kept
ranking is read (rebuilt when stale) without the customers on hold, a customer owing in two
currencies counts once, only the changes are written (one audit event), a dry run writes
nothing; and `cobro worklist assign` end to end."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.db import make_engine
from cobro.errors import Invalid
from cobro.policy.holds import place_hold
from cobro.worklist.assign import assign_collectors, worklist_order
from cobro.worklist.assign_rules import Assignment
from cobro.worklist.cli import worklist_app
from tests.factories.ledger import make_company, make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ON = date(2026, 11, 25)

# external id, overdue euros (10 days: the first age band), collector. With no grade, one item
# and no signals, every priority is the amount × 1 × 500 ‰ × 100 % / 100 %: the ranking is the
# amounts, largest first, C1 … C8. C9 is the largest but on hold (a dispute): left out.
LEDGER = (
    ("C1", 8000, "Ana"),
    ("C2", 7000, None),  # owes USD 50 too: a second, lower row, counted once
    ("C3", 6000, "Ana"),
    ("C4", 5000, "Luis"),
    ("C5", 4000, "Ana"),
    ("C6", 3000, "Old"),  # a collector who left
    ("C7", 2000, None),
    ("C8", 1000, "Luis"),
    ("C9", 9000, "Ana"),
)
TEAM = {"Ana": 2, "Luis": 3, "Bea": 2}
# pass 1 (keep while room): C1 Ana, C3 Ana (Ana full), C4 Luis, C8 Luis: 4 kept.
# pass 2, room Ana 0, Bea 2, Luis 1: C2 -> Bea; Bea 1 = Luis 1, B first: C5 -> Bea;
# C6 -> Luis (the only one with room); C7: nobody has room, unplaced.
SPLIT = {"C2": "Bea", "C5": "Bea", "C6": "Luis"}


def ledger(session: Session, company: Company) -> dict[str, Customer]:
    customers = {}
    for external_id, euros, collector in LEDGER:
        customer = make_customer(session, company, external_id, collector=collector)
        due = ON - timedelta(days=10)
        make_invoice(session, company, customer, euros * 100, due - timedelta(days=30), due)
        customers[external_id] = customer
    due = ON - timedelta(days=10)
    make_invoice(session, company, customers["C2"], 50_00, due, due, currency="USD")
    place_hold(session, company, customers["C9"], "dispute", "not ordered", ON - timedelta(days=1))
    not_due = make_customer(session, company, "C10")  # owes nothing overdue: not in the worklist
    make_invoice(session, company, not_due, 500_00, ON, ON + timedelta(days=30))
    return customers


def collectors_now(session: Session, company: Company) -> dict[str, str | None]:
    rows = session.execute(
        select(Customer.external_id, Customer.collector).where(Customer.company_id == company.id)
    )
    return dict(sorted((external_id, name) for external_id, name in rows))


BEFORE = {external_id: collector for external_id, _, collector in LEDGER} | {"C10": None}


@pytest.fixture
def books(session: Session) -> tuple[Company, dict[str, Customer]]:
    company = make_company(session)
    return company, ledger(session, company)


def test_the_ranking_read_is_the_worklist_without_holds_each_customer_once(
    session: Session, books: tuple[Company, dict[str, Customer]]
) -> None:
    company, customers = books
    assign_collectors(session, company.id, ON, TEAM, dry_run=True)  # rebuilds the stale ranking
    by_id = {customer.id: external_id for external_id, customer in customers.items()}
    order = [(by_id[cid], name) for cid, name in worklist_order(session, company.id)]
    assert order == [(external_id, name) for external_id, _, name in LEDGER[:8]]


def test_the_customers_are_split_within_capacity_and_only_changes_are_written(
    session: Session, books: tuple[Company, dict[str, Customer]]
) -> None:
    company, customers = books
    done = assign_collectors(session, company.id, ON, TEAM)
    ids = {external_id: customer.id for external_id, customer in customers.items()}
    assert done == Assignment(
        changes={ids[external_id]: name for external_id, name in SPLIT.items()},
        kept=4,
        unplaced=(ids["C7"],),
        load={"Ana": 2, "Bea": 2, "Luis": 3},
    )
    session.expire_all()
    assert collectors_now(session, company) == BEFORE | SPLIT  # C9 (on hold) and C7 untouched
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.company_id == company.id, AuditEvent.action == "worklist.assigned"
        )
    ).one()
    assert event.after == {
        "capacity": {"Ana": 2, "Bea": 2, "Luis": 3},
        "changed": 3,
        "kept": 4,
        "unplaced": 1,
        "load": {"Ana": 2, "Bea": 2, "Luis": 3},
    }
    # run again: everyone placed keeps their collector now
    again = assign_collectors(session, company.id, ON, TEAM)
    assert (again.changes, again.kept, again.unplaced) == ({}, 7, (ids["C7"],))


def test_a_dry_run_decides_the_same_and_writes_nothing(
    session: Session, books: tuple[Company, dict[str, Customer]]
) -> None:
    company, customers = books
    done = assign_collectors(session, company.id, ON, TEAM, dry_run=True)
    assert {customers[e].id for e in SPLIT} == set(done.changes)
    session.expire_all()
    assert collectors_now(session, company) == BEFORE
    assert not session.scalars(
        select(AuditEvent).where(
            AuditEvent.company_id == company.id, AuditEvent.action == "worklist.assigned"
        )
    ).all()


def test_a_negative_capacity_is_refused(
    session: Session, books: tuple[Company, dict[str, Customer]]
) -> None:
    company, _ = books
    with pytest.raises(Invalid, match="the capacity of Ana must be 0 or more customers, not -1"):
        assign_collectors(session, company.id, ON, {"Ana": -1})


# ---- the command ---------------------------------------------------------------------------


def command_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Commands under test."""

    app.add_typer(worklist_app, name="worklist")
    return app


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        ledger(session, company)
    return url


def saved_collectors(url: str) -> dict[str, str | None]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            company = session.scalars(select(Company)).one()
            return collectors_now(session, company)
    finally:
        engine.dispose()


def lines(said: str) -> list[list[str]]:
    return [line.split() for line in said.splitlines()]


TEAM_OPTIONS = ("--collector", "Ana:2", "--collector", "Luis : 3", "--collector", "Bea:2")


def test_the_command_prints_the_load_and_the_counts_and_saves(cli_url: str) -> None:
    said = cli_ok(command_app(), "worklist", "assign", *TEAM_OPTIONS, "--on", "2026-11-25")
    for row in (["Ana", "2"], ["Bea", "2"], ["Luis", "3"]):
        assert row in lines(said), said
    assert "3 collectors." in said
    assert "3 customers changed collector, 4 kept theirs, 1 unplaced." in said
    assert "Unplaced (most urgent first): C7." in said
    assert saved_collectors(cli_url) == BEFORE | SPLIT


def test_the_command_on_a_dry_run_writes_nothing(cli_url: str) -> None:
    app = command_app()
    said = cli_ok(app, "worklist", "assign", *TEAM_OPTIONS, "--on", "2026-11-25", "--dry-run")
    assert "3 customers would change collector, 4 kept theirs, 1 unplaced." in said
    assert saved_collectors(cli_url) == BEFORE


def test_capacity_alone_is_every_known_collectors_and_a_named_one_overrides_it(
    cli_url: str,
) -> None:
    # known: Ana, Luis, Old at 3, Old named at 0. Pass 1: C1, C3, C5 Ana; C4, C8 Luis (5 kept).
    # Pass 2, room Luis 1: C2 -> Luis; C6 and C7 find nobody.
    app = command_app()
    args = ("worklist", "assign", "--capacity", "3", "--collector", "Old:0", "--on", "2026-11-25")
    said = cli_ok(app, *args)
    for row in (["Ana", "3"], ["Luis", "3"], ["Old", "0"]):
        assert row in lines(said), said
    assert "1 customers changed collector, 5 kept theirs, 2 unplaced." in said
    assert "Unplaced (most urgent first): C6, C7." in said
    assert saved_collectors(cli_url) == BEFORE | {"C2": "Luis"}


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--collector", "Ana"), "--collector 'Ana': write NAME:CAPACITY"),
        (("--collector", ":4"), "--collector ':4': write NAME:CAPACITY"),
        (("--collector", "Ana:x"), "--collector 'Ana:x': the capacity after the colon must be"),
        (("--collector", "Ana:-1"), "--collector 'Ana:-1': the capacity must be 0 or more"),
        (("--collector", "Ana:1", "--collector", "Ana:2"), "--collector 'Ana' is given twice"),
        ((), "name the collectors with --collector NAME:CAPACITY, or give --capacity N"),
        (("--capacity", "-2"), "--capacity must be 0 or more, not -2"),
    ],
)
def test_bad_options_are_refused_in_one_line(
    cli_url: str, options: tuple[str, ...], said: str
) -> None:
    output = cli_refused(command_app(), "worklist", "assign", *options, "--on", "2026-11-25")
    assert said in output
    assert len(output.strip().splitlines()) == 1
    assert saved_collectors(cli_url) == BEFORE
