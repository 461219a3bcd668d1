"""`cobro policies rules`, `cobro settings` and `cobro customers segment` end to end on a
migrated SQLite file: output, exit codes, one-line errors, nothing written on a refusal."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from cobro.cli import app
from cobro.db import make_engine, transaction
from cobro.policy.models import ChaseSetting, PolicyRule
from tests.factories.ledger import make_customer, make_invoice
from tests.support.cli import acme, cli_database, cli_ok, cli_refused


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        ana = make_customer(session, company, "C-1", name="Ana Pérez S.L.")
        make_invoice(session, company, ana, 100_00, date(2026, 1, 1), date(2026, 1, 31), "F-1")
        make_customer(session, company, "C-2", name="Bob GmbH", country="DE")
    return url


def rows(url: str, model: type[PolicyRule] | type[ChaseSetting]) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            if model is PolicyRule:
                return [
                    (r.position, r.segment, r.country, r.kind, r.grade, r.currency, r.min_amount)
                    for r in session.scalars(select(PolicyRule).order_by(PolicyRule.position))
                ]
            return [(s.scope, s.target, s.values) for s in session.scalars(select(ChaseSetting))]
    finally:
        engine.dispose()


ok = partial(cli_ok, app)
refused = partial(cli_refused, app)


# ---- assignment rules ---------------------------------------------------------------------------


def test_rules_are_added_listed_and_removed(db_url: str) -> None:
    assert "No assignment rules" in ok("policies", "rules")
    added = ok("policies", "rules", "add", "default", "--country", "es", "--grade", "c")
    assert "Rule 1 added: matching items follow 'default'." in added
    ok("policies", "rules", "add", "default", "--min-amount", "1.000,00")
    listing = ok("policies", "rules")
    assert "1,000.00 EUR" in listing  # the company's currency when none is given
    assert "2 rules" in listing
    assert rows(db_url, PolicyRule) == [
        (1, None, "ES", None, "C", None, None),
        (2, None, None, None, None, "EUR", 1_000_00),
    ]
    removed = ok("policies", "rules", "remove", "1")
    assert "Rule 1 removed (it sent country ES, grade C to 'default')." in removed
    assert [row[0] for row in rows(db_url, PolicyRule)] == [2]


def test_a_rule_for_a_segment_nobody_is_in_yet_comes_with_a_note(db_url: str) -> None:
    output = ok("policies", "rules", "add", "default", "--segment", "retail")
    assert "no customer is in segment 'retail' yet" in output
    ok("customers", "segment", "C-1", "retail")
    output = ok("policies", "rules", "add", "default", "--segment", "retail", "--kind", "business")
    assert "no customer" not in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "a rule needs at least one criterion"),
        (("--min-amount", "lots"), "--min-amount: 'lots' is not an amount"),
        (("--min-amount", "10", "--currency", "XYZ"), "--currency: unknown currency 'XYZ'"),
        (("--kind", "company"), "kind 'company': use business or consumer"),
        (("--country", "XX"), "unknown country 'XX'"),
    ],
)
def test_a_wrong_rule_is_one_line_and_nothing_is_added(
    db_url: str, args: tuple[str, ...], message: str
) -> None:
    assert message in refused("policies", "rules", "add", "default", *args)
    assert rows(db_url, PolicyRule) == []


def test_an_unknown_policy_or_position_is_a_clear_error(db_url: str) -> None:
    assert "no policy 'vip' (known: default)" in refused(
        "policies", "rules", "add", "vip", "--kind", "consumer"
    )
    assert "no assignment rule at position 3" in refused("policies", "rules", "remove", "3")


# ---- chase settings -----------------------------------------------------------------------------


def test_settings_are_set_per_layer_and_shown_with_where_each_value_comes_from(
    db_url: str,
) -> None:
    ok("customers", "segment", "C-1", "retail")
    output = ok("settings", "set", "window_start=08:30", "max_messages=2", "weekends=false")
    assert "Settings of the company layer: window_start=08:30, weekends=no, max_messages=2." in (
        output
    )
    ok("settings", "set", "--segment", "retail", "window_end=18:00")
    ok("settings", "set", "--customer", "C-1", "window_start=10:00")
    ok("settings", "set", "--invoice", "F-1", "min_days_between_stages=5")
    shown = ok("settings", "show", "--invoice", "F-1")
    assert "Resolved for invoice F-1 of customer C-1 (business, ES)" in shown
    lines = {line.split()[0]: line.split()[1:] for line in shown.splitlines() if line.strip()}
    assert lines["window_start"][-3:] == ["10:00", "customer", "C-1"]
    assert lines["window_end"][-3:] == ["18:00", "segment", "retail"]
    assert lines["max_messages"][-2:] == ["2", "company"]
    assert lines["min_days_between_stages"][-3:] == ["5", "invoice", "F-1"]
    assert lines["max_calls"][-2:] == ["3", "default"]
    everything = ok("settings", "show")
    for label in ("company", "segment retail", "customer C-1", "invoice F-1"):
        assert label in everything


def test_a_settings_file_is_read_and_inherit_removes_a_setting(db_url: str, tmp_path: Path) -> None:
    file = tmp_path / "settings.toml"
    file.write_text("window_start = 10:00:00\nweekends = true\nmax_calls = 2\n", encoding="utf-8")
    ok("settings", "set", "--customer", "C-2", "--file", str(file))
    ((scope, _target, values),) = rows(db_url, ChaseSetting)
    assert (scope, values) == (
        "customer",
        {"window_start": "10:00", "weekends": True, "max_calls": 2},
    )
    output = ok("settings", "set", "--customer", "C-2", "weekends=inherit", "max_calls=inherit")
    assert "Settings of the customer C-2 layer: window_start=10:00." in output
    assert "inherits everything" in ok("settings", "set", "--customer", "C-2", "window_start=null")
    assert rows(db_url, ChaseSetting) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("window_start=9am",), "window_start must be a time like 09:00, not '9am'"),
        (("max_mesages=2",), "unknown setting 'max_mesages'"),
        (("max_messages",), "'max_messages': expected key=value"),
        (("--customer", "C-9", "max_calls=1"), "no customer 'C-9'"),
        (("--customer", "C-1", "--segment", "x", "max_calls=1"), "at most one of --customer"),
        ((), "nothing to set"),
    ],
)
def test_a_wrong_setting_is_one_line_and_nothing_is_written(
    db_url: str, args: tuple[str, ...], message: str
) -> None:
    assert message in refused("settings", "set", *args)
    assert rows(db_url, ChaseSetting) == []


def test_settings_that_would_leave_a_customer_no_send_window_are_refused(db_url: str) -> None:
    ok("settings", "set", "--customer", "C-1", "window_end=10:00")
    output = refused("settings", "set", "window_start=11:00")
    assert "would have no valid send window" in output
    assert [row[0] for row in rows(db_url, ChaseSetting)] == ["customer"]


# ---- customer segment ---------------------------------------------------------------------------


def test_a_customer_is_put_in_a_segment_and_taken_out_again(db_url: str) -> None:
    assert "Customer C-1 is in segment 'retail'." in ok("customers", "segment", "C-1", "retail")
    assert "retail" in ok("customers", "show", "C-1")
    assert "Customer C-1 is in no segment now." in ok("customers", "segment", "C-1", "")
    assert "no customer 'C-9'" in refused("customers", "segment", "C-9", "retail")


def test_a_policy_is_pinned_on_a_customer_or_one_of_its_invoices(db_url: str) -> None:
    assert "Customer C-1 now follows 'default'." in ok("policies", "assign", "C-1", "default")
    pinned = ok("policies", "assign", "C-1", "default", "--invoice", "F-1")
    assert "Invoice F-1 now follows 'default'." in pinned
    assert "invoice F-1 is not customer C-2's" in refused(
        "policies", "assign", "C-2", "default", "--invoice", "F-1"
    )
    assert "no policy 'vip'" in refused("policies", "assign", "C-1", "vip", "--invoice", "F-1")
    assert "Invoice F-1 now follows 'rules'." in ok(
        "policies", "assign", "C-1", "rules", "--invoice", "F-1"
    )
