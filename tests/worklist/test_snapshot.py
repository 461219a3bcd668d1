"""The kept ranking: read until it is stale (another day, or older than MAX_AGE), rebuilt by
one builder at a time, and refreshed for one customer at once when a person changes them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.worklist.models import WorklistBuild, WorklistRow
from cobro.worklist.snapshot import MAX_AGE, needs_rebuild, rebuild, refresh_customers
from tests.factories.ledger import make_company, make_customer
from tests.worklist.test_service import NOW, ON, owes


def overdue_of(session: Session, company_id: int) -> dict[int, int]:
    rows = session.scalars(select(WorklistRow).where(WorklistRow.company_id == company_id))
    return {row.customer_id: row.overdue for row in rows}


def test_the_ranking_is_kept_until_it_is_stale(session: Session) -> None:
    acme = make_company(session)
    ana = make_customer(session, acme)
    owes(session, acme, ana, 100_00, 10)
    assert needs_rebuild(session, acme.id, ON, NOW)
    assert rebuild(session, acme.id, ON, NOW) == 1
    assert not needs_rebuild(session, acme.id, ON, NOW + MAX_AGE - timedelta(seconds=1))
    assert needs_rebuild(session, acme.id, ON, NOW + MAX_AGE + timedelta(seconds=1))
    assert needs_rebuild(session, acme.id, ON + timedelta(days=1), NOW)
    build = session.get_one(WorklistBuild, acme.id)
    assert (build.built_for, build.built_at) == (ON, NOW)


def test_a_second_builder_finds_the_work_done(session: Session) -> None:
    acme = make_company(session)
    owes(session, acme, make_customer(session, acme), 100_00, 10)
    assert rebuild(session, acme.id, ON, NOW) == 1
    assert rebuild(session, acme.id, ON, NOW + timedelta(seconds=5)) is None


def test_a_rebuild_replaces_every_row_of_the_company_only(session: Session) -> None:
    acme, beta = make_company(session), make_company(session)
    ana, bea = make_customer(session, acme), make_customer(session, beta)
    owes(session, acme, ana, 100_00, 10)
    owes(session, beta, bea, 70_00, 10)
    rebuild(session, acme.id, ON, NOW)
    rebuild(session, beta.id, ON, NOW)
    owes(session, acme, ana, 50_00, 40)
    later = NOW + MAX_AGE * 2
    rebuild(session, acme.id, ON, later)
    assert overdue_of(session, acme.id) == {ana.id: 150_00}
    assert overdue_of(session, beta.id) == {bea.id: 70_00}


def test_a_customer_refreshed_shows_at_once_and_only_them(session: Session) -> None:
    acme = make_company(session)
    ana, ben = make_customer(session, acme), make_customer(session, acme)
    owes(session, acme, ana, 100_00, 10)
    owes(session, acme, ben, 100_00, 10)
    rebuild(session, acme.id, ON, NOW)
    owes(session, acme, ana, 25_00, 5)
    owes(session, acme, ben, 25_00, 5)
    refresh_customers(session, acme.id, ON, [ana.id])
    assert overdue_of(session, acme.id) == {ana.id: 125_00, ben.id: 100_00}


def test_a_refresh_waits_for_the_rebuild_of_a_new_day(session: Session) -> None:
    acme = make_company(session)
    ana = make_customer(session, acme)
    owes(session, acme, ana, 100_00, 10)
    rebuild(session, acme.id, ON - timedelta(days=1), NOW)
    refresh_customers(session, acme.id, ON, [ana.id])  # yesterday's ranking: left alone
    assert overdue_of(session, acme.id) == {ana.id: 100_00}
    assert needs_rebuild(session, acme.id, ON, NOW)
