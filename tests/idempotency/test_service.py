"""Claiming a key, keeping its answer, and two transactions racing for one key."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cobro.company.service import create_company
from cobro.db import make_engine, transaction
from cobro.errors import Conflict, Invalid
from cobro.idempotency.service import Answer, KeyedRequest, claim, remember
from tests.factories.ledger import make_company
from tests.support.databases import committing_database


def _request(key: str = "k-1", request_hash: str = "h" * 64) -> KeyedRequest:
    return KeyedRequest(key, request_hash, "POST", "/api/payments")


def test_a_new_key_is_claimed_and_its_answer_kept(session: Session) -> None:
    company = make_company(session)
    assert claim(session, company.id, _request()) is None
    remember(session, company.id, "k-1", Answer(201, '{"id":1}'))
    assert claim(session, company.id, _request()) == Answer(201, '{"id":1}')


def test_a_key_is_per_company(session: Session) -> None:
    one, other = make_company(session), make_company(session)
    assert claim(session, one.id, _request()) is None
    remember(session, one.id, "k-1", Answer(201, "{}"))
    assert claim(session, other.id, _request()) is None


def test_the_same_key_for_another_request_is_refused(session: Session) -> None:
    company = make_company(session)
    claim(session, company.id, _request())
    remember(session, company.id, "k-1", Answer(201, "{}"))
    with pytest.raises(Invalid):
        claim(session, company.id, _request(request_hash="x" * 64))


def test_a_key_claimed_but_unanswered_is_in_use(session: Session) -> None:
    company = make_company(session)
    claim(session, company.id, _request())
    with pytest.raises(Conflict):
        claim(session, company.id, _request())


@pytest.fixture
def committed_url(tmp_path: Path) -> Iterator[str]:
    with committing_database(tmp_path) as url:
        yield url


def test_of_two_transactions_with_one_key_only_the_first_goes_on(committed_url: str) -> None:
    """The first claims the key and holds its transaction open; the second, meanwhile, must
    not claim it: PostgreSQL makes it wait and then replays the first's answer, SQLite's one
    writer makes it give up with a 409 (it then replays when repeated)."""
    engine = make_engine(committed_url)
    with transaction(engine) as setup:
        company_id = create_company(setup, "race", "Race", "ES", "EUR", "Europe/Madrid").id
    outcome: list[object] = []
    first = transaction(engine)
    session = first.__enter__()
    assert claim(session, company_id, _request()) is None

    def second() -> None:
        try:
            with transaction(engine) as other:
                outcome.append(claim(other, company_id, _request()))
        except Conflict as exc:
            outcome.append(exc)

    racer = threading.Thread(target=second)
    racer.start()
    racer.join(timeout=0.5)  # it waits (PostgreSQL, SQLite's busy timeout) or gave up
    remember(session, company_id, "k-1", Answer(201, '{"id":7}'))
    first.__exit__(None, None, None)  # commit
    racer.join(timeout=30)
    assert not racer.is_alive()
    assert len(outcome) == 1
    assert outcome[0] == Answer(201, '{"id":7}') or isinstance(outcome[0], Conflict)
    with transaction(engine) as after:  # and, repeated, it replays
        assert claim(after, company_id, _request()) == Answer(201, '{"id":7}')
    engine.dispose()
