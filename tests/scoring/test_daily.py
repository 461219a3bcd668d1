"""The worker's daily scoring: once a day per company, and two workers at once never score one
company together (on PostgreSQL the second skips it; SQLite runs one writer at a time)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from cobro.company.models import Company
from cobro.db import make_engine, transaction
from cobro.scoring.daily import score_due_companies
from cobro.scoring.models import CustomerScore
from cobro.worker import run_worker
from tests.factories.ledger import make_company
from tests.scoring.test_service import paying_ledger
from tests.support.databases import committing_database

NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)


def test_two_workers_at_once_score_a_company_once_and_neither_fails(tmp_path: Path) -> None:
    with committing_database(tmp_path) as url:
        engine = make_engine(url)
        with transaction(engine) as session:
            paying_ledger(session, make_company(session), customers=6, invoices=4)
        errors: list[BaseException] = []
        scored: list[int] = []
        start = threading.Barrier(2)

        def work() -> None:
            try:
                start.wait()
                with transaction(engine, writes=True) as session:
                    scored.append(len(score_due_companies(session, NOW)))
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(scored) == [0, 1]  # one scored it; the other found it busy or done
        with transaction(engine) as session:
            rows = session.scalar(select(func.count()).select_from(CustomerScore))
            assert rows == 6
            company = session.scalars(select(Company)).one()
            assert score_due_companies(session, NOW, company.id) == []  # done for today
        engine.dispose()


def test_a_running_worker_scores_each_company_once_a_day(tmp_path: Path) -> None:
    with committing_database(tmp_path) as url:
        engine = make_engine(url)
        with transaction(engine) as session:
            paying_ledger(session, make_company(session), customers=3, invoices=3)
        for expected in (1, 0):  # the second run, the same day, finds it done
            answers = iter([False])  # one round, then stop
            report = run_worker(
                engine, {}, clock=lambda: NOW, poll=0, should_stop=partial(next, answers, True)
            )
            assert report.scored == expected
        engine.dispose()
