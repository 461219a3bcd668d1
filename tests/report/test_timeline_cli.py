"""`cobro customers timeline`: the story of a customer, filtered by kind; an unknown kind or
customer is a one-line error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cobro.cli import app as cli_app
from tests.factories.ledger import make_customer, make_payment
from tests.support.cli import acme, cli_database, cli_ok, cli_refused


def test_the_cli_prints_the_story_and_refuses_an_unknown_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        customer = make_customer(session, company, "C-9")
        make_payment(session, company, customer, 75_00, received_on=date(2026, 3, 2))
    output = cli_ok(cli_app, "customers", "timeline", "C-9")
    assert "payment" in output
    assert "75.00 EUR" in output
    only_tasks = cli_ok(cli_app, "customers", "timeline", "C-9", "--kind", "task")
    assert "Nothing has happened with this customer yet." in only_tasks
    assert "kind 'gossip'" in cli_refused(
        cli_app, "customers", "timeline", "C-9", "--kind", "gossip"
    )
    assert "no customer" in cli_refused(cli_app, "customers", "timeline", "NOPE").lower()
