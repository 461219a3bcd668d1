"""`cobro prune`: the answers kept for idempotency keys are forgotten after KEEP_KEYS, the
sign-in leftovers as `auth.housekeeping` says; it says how many of each it deleted."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from cobro.cli import app
from cobro.db import make_engine, transaction
from cobro.idempotency.models import IdempotencyKey
from cobro.idempotency.service import KEEP_KEYS
from cobro.kit.dates import utcnow
from tests.support.cli import acme, cli_database, cli_ok

ok = partial(cli_ok, app)


def _key(company_id: int, key: str, age: timedelta) -> IdempotencyKey:
    return IdempotencyKey(
        company_id=company_id,
        key=key,
        request_hash="0" * 64,
        method="POST",
        path="/api/payments",
        status=201,
        body="{}",
        created_at=utcnow() - age,
    )


def test_prune_forgets_keys_past_keeping_and_says_what_it_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        session.add(_key(company.id, "old", KEEP_KEYS + timedelta(minutes=1)))
        session.add(_key(company.id, "recent", KEEP_KEYS - timedelta(minutes=1)))

    output = ok("prune")
    assert (
        "Deleted 0 sign-in attempts, 0 ended sessions, 0 spent password-reset links and "
        "1 idempotency keys older than 30 days." in output
    )
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            assert session.scalars(select(IdempotencyKey.key)).all() == ["recent"]
    finally:
        engine.dispose()
    assert "and 0 idempotency keys" in ok("prune")
