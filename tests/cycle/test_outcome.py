"""A cycle described for the web: per stage the items that move, their amounts, the actions
queued per channel, the first items by name; a dry run (rolled back) writes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.cycle.outcome import run_and_describe
from cobro.outbox.models import Action
from cobro.policy.models import ChaseStep
from tests.factories.ledger import make_company, make_customer, make_invoice


def test_the_outcome_says_per_stage_and_channel_what_is_queued(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C-1", name="Ana")
    make_invoice(session, company, customer, 120_00, date(2026, 1, 1), date(2026, 2, 1), "F-1")
    make_invoice(session, company, customer, 80_00, date(2026, 1, 2), date(2026, 2, 1), "F-2")
    outcome = run_and_describe(session, company, date(2026, 2, 4), dry_run=False, first=1)
    assert outcome.moved == 2
    assert outcome.queued == 1
    [stage] = outcome.stages
    assert (stage.stage, stage.items, stage.amounts, stage.queued) == (
        "reminder-1", 2, {"EUR": 200_00}, {"email": 1},
    )  # fmt: skip
    assert [item.invoice for item in stage.first] == ["F-1"]  # the largest first
    assert stage.first[0].customer_name == "Ana"


def test_a_dry_run_rolled_back_leaves_nothing(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    make_invoice(session, company, customer, 100_00, date(2026, 1, 1), date(2026, 2, 1))
    session.commit()  # a savepoint of the test's transaction
    nested = session.begin_nested()
    outcome = run_and_describe(session, company, date(2026, 2, 4), dry_run=True)
    nested.rollback()
    assert outcome.dry_run
    assert outcome.queued == 1
    assert session.scalar(select(func.count(Action.id))) == 0
    assert session.scalar(select(func.count()).select_from(ChaseStep)) == 0
