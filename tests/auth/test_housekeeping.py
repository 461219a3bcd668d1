"""Forgetting old sign-in attempts, long-ended sessions and spent reset links — and nothing
that is still of use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.auth.housekeeping import prune_access
from cobro.auth.models import LoginAttempt, PasswordReset, WebSession
from cobro.auth.reset import request_reset
from cobro.auth.sessions import close_session, open_session
from tests.factories.access import NOW, make_user
from tests.factories.ledger import make_company


def test_old_rows_go_and_live_ones_stay(session: Session) -> None:
    acme = make_company(session)
    ana = make_user(session, acme)
    for days in (0, 6, 8, 40):
        session.add(
            LoginAttempt(at=NOW - timedelta(days=days), source_ip="10.0.0.1", email=ana.email,
                         succeeded=False)
        )  # fmt: skip
    _, live = open_session(session, ana, acme.id, NOW)
    _, old = open_session(session, ana, acme.id, NOW - timedelta(days=45))
    gone_token, signed_out = open_session(session, ana, acme.id, NOW - timedelta(days=50))
    close_session(session, gone_token, NOW - timedelta(days=50), None)
    recently_token, recent = open_session(session, ana, acme.id, NOW - timedelta(days=3))
    close_session(session, recently_token, NOW - timedelta(days=3), None)
    assert request_reset(session, ana.email, NOW - timedelta(days=9)) is not None
    assert request_reset(session, ana.email, NOW) is not None
    session.flush()

    pruned = prune_access(session, NOW)

    assert (pruned.attempts, pruned.sessions, pruned.resets) == (2, 2, 1)
    ages = sorted(NOW - at for at in session.scalars(select(LoginAttempt.at)))
    assert ages == [timedelta(0), timedelta(days=6)]
    kept = set(session.scalars(select(WebSession.id)))
    assert kept == {live.id, recent.id}
    assert old.id not in kept
    assert signed_out.id not in kept
    resets = session.scalars(select(PasswordReset.created_at)).all()
    assert resets == [NOW]
    assert prune_access(session, NOW) == type(pruned)(0, 0, 0)
