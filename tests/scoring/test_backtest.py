"""The policy back-test on a real, migrated database: the ledger loaded as it went (payments,
credit notes, write-offs, in day order; what happened after the period unknown), the default
policy and an earlier-reminding candidate replayed over it, the comparison table, and the
`backtest_command` run as a user runs it.

The ledger of `ledger()` (company in ES, EUR; no chase settings, so 3 days at least between
stages), backtested over the 2 months ending 30 June 2026: 1 May to 30 June, simulated from
1 April (the 30-day warm-up, not counted). The default policy's stages: preventive −5 (grade C/D
or ≥ 5,000.00: none here) · due 0 email · reminder-1 +3 email · reminder-2 +10 email, sms ·
firm +20 email, call task · demand +30 letter, call task, interest claim · final +60 registered
letter, email, credit block, interest claim · escalation +90 escalate legal, internal task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.service import add_credit_note, write_off
from cobro.policy.models import CollectionPolicy
from cobro.policy.rules import ActionKind
from cobro.policy.service import ensure_default_policy, save_policy
from cobro.scoring.backtest import (
    LOOKBACK_DAYS,
    backtest,
    load_items,
    months_before,
    period_of,
)
from cobro.scoring.backtest_cli import backtest_command
from cobro.scoring.backtest_rules import ContactLoad
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

ON = date(2026, 6, 30)
START = date(2026, 5, 1)

# The candidate reminds earlier: a heads-up 5 days before the due date for every invoice (the
# default only warns risky customers or large invoices), then due, one reminder at +7 with an
# SMS, and a demand letter at +30 with a 10.00 fee per invoice.
EARLY: dict[str, Any] = {
    "code": "early",
    "name": "Early reminders",
    "stages": [
        {"code": "heads-up", "offset": -5, "tone": "friendly", "actions": ["email"]},
        {"code": "due", "offset": 0, "tone": "friendly", "actions": ["email"]},
        {"code": "reminder", "offset": 7, "tone": "friendly", "actions": ["email", "sms"]},
        {
            "code": "demand",
            "offset": 30,
            "tone": "formal",
            "actions": ["letter", "fee"],
            "fee": {"fixed": {"EUR": "10.00"}, "per": "invoice"},
        },
    ],
}


@dataclass(frozen=True)
class Ledger:
    company: Company
    a1: Invoice
    a2: Invoice
    b1: Invoice
    c3: Invoice
    c4: Invoice


def ledger(session: Session, company: Company) -> Ledger:
    a = make_customer(session, company, "A")
    b = make_customer(session, company, "B")
    c = make_customer(session, company, "C")
    # A1: 1,000.00 due 1 May, paid in full on 8 May
    a1 = make_invoice(session, company, a, 1_000_00, date(2026, 4, 1), date(2026, 5, 1))
    make_payment(session, company, a, 1_000_00, date(2026, 5, 8), (a1.number,))
    # A2: 500.00 issued 10 May, due 9 June; 100.00 credited on 20 May, the 400.00 left paid
    # on 12 June
    a2 = make_invoice(session, company, a, 500_00, date(2026, 5, 10), date(2026, 6, 9))
    add_credit_note(session, company, a2, "AB-1", date(2026, 5, 20), 100_00)
    make_payment(session, company, a, 400_00, date(2026, 6, 12), (a2.number,))
    # B1: 2,000.00 due 20 May; 500.00 paid on 25 May, the rest on 10 July, after the period
    b1 = make_invoice(session, company, b, 2_000_00, date(2026, 4, 20), date(2026, 5, 20))
    make_payment(session, company, b, 500_00, date(2026, 5, 25), (b1.number,))
    make_payment(session, company, b, 1_500_00, date(2026, 7, 10), (b1.number,))
    # C1: settled on 5 Nov 2025, more than 120 days before the period: not loaded
    c1 = make_invoice(session, company, c, 300_00, date(2025, 10, 1), date(2025, 10, 31))
    make_payment(session, company, c, 300_00, date(2025, 11, 5), (c1.number,))
    # C4: settled on 1 Jan 2026, exactly 120 days before 1 May: loaded (but chased on no day)
    c4 = make_invoice(session, company, c, 300_00, date(2025, 11, 1), date(2025, 12, 1))
    make_payment(session, company, c, 300_00, date(2026, 1, 1), (c4.number,))
    # C2: issued after the period: not loaded
    make_invoice(session, company, c, 300_00, date(2026, 7, 5), date(2026, 8, 4))
    # C3: 800.00 due 31 March, never paid
    c3 = make_invoice(session, company, c, 800_00, date(2026, 3, 1), date(2026, 3, 31))
    return Ledger(company, a1, a2, b1, c3, c4)


@pytest.fixture
def books(session: Session) -> Ledger:
    company = make_company(session)
    ensure_default_policy(session, company)
    save_policy(session, company, EARLY)
    return ledger(session, company)


def test_the_period_is_whole_months_ending_on_the_day() -> None:
    assert period_of(ON, 2) == (START, ON)  # 30 June is a month's end: May and June
    assert period_of(date(2026, 5, 31), 3) == (date(2026, 3, 1), date(2026, 5, 31))  # not 3 Mar
    assert period_of(date(2026, 3, 15), 1) == (date(2026, 2, 16), date(2026, 3, 15))
    assert period_of(date(2026, 1, 10), 6) == (date(2025, 7, 11), date(2026, 1, 10))
    assert months_before(date(2024, 3, 30), 1) == date(2024, 2, 29)  # no 30 Feb: its last day


@given(st.dates(date(1900, 1, 1), date(2999, 12, 31)), st.integers(1, 24))
def test_a_period_spans_exactly_the_months_asked_for(on: date, months: int) -> None:
    start, end = period_of(on, months)
    before = start - timedelta(days=1)
    assert end == on
    assert (on.year * 12 + on.month) - (before.year * 12 + before.month) == months
    # the day of the month is kept unless that month is too short, or `on` is a month's end
    last_day = (on + timedelta(days=1)).day == 1
    assert before.day == on.day or (before + timedelta(days=1)).day == 1
    if last_day:
        assert start.day == 1


def test_the_ledger_is_loaded_as_it_stood_at_the_end_of_the_period(books: Ledger) -> None:
    session = Session.object_session(books.a1)
    assert session is not None
    items, debtors = load_items(session, books.company.id, START, ON)
    by_id = {item.invoice_id: item for item in items}
    # C1 (settled long before) and C2 (issued after the end) are not there; C4 settled exactly
    # LOOKBACK_DAYS before the start is
    assert LOOKBACK_DAYS == 120
    assert list(by_id) == sorted(by_id)
    assert set(by_id) == {books.a1.id, books.a2.id, books.b1.id, books.c3.id, books.c4.id}
    assert by_id[books.a1.id].reductions == ((date(2026, 5, 8), 1_000_00),)
    assert by_id[books.a1.id].settled_on == date(2026, 5, 8)
    # the credit note, then the payment, with their own amounts
    a2 = by_id[books.a2.id]
    assert a2.reductions == ((date(2026, 5, 20), 100_00), (date(2026, 6, 12), 400_00))
    assert (a2.total, a2.issue_date, a2.due_date) == (500_00, date(2026, 5, 10), date(2026, 6, 9))
    # B1 was settled on 10 July: open at the end of June, and that payment not yet known
    b1 = by_id[books.b1.id]
    assert books.b1.settled_on == date(2026, 7, 10)
    assert (b1.reductions, b1.settled_on) == (((date(2026, 5, 25), 500_00),), None)
    assert by_id[books.c3.id].reductions == ()
    assert sorted(debtors) == sorted({item.customer_id for item in items})
    assert all(debtor.grade is None and not debtor.tags for debtor in debtors.values())


def test_reductions_of_all_three_kinds_come_in_day_order(session: Session) -> None:
    company = make_company(session)
    other = make_company(session)  # its invoices are none of ours
    customer = make_customer(session, company, "D", tags=("vip",))
    make_invoice(session, other, make_customer(session, other, "X"), 50_00)
    invoice = make_invoice(
        session, company, customer, 1_000_00, date(2026, 3, 1), date(2026, 3, 31)
    )
    # recorded in another order than their days: payment (10 Apr), credit note dated before it
    # (5 Apr), then the rest written off (20 Apr)
    make_payment(session, company, customer, 300_00, date(2026, 4, 10), (invoice.number,))
    add_credit_note(session, company, invoice, "AB-9", date(2026, 4, 5), 100_00)
    write_off(session, invoice, None, date(2026, 4, 20), "small balance")
    items, debtors = load_items(session, company.id, date(2026, 4, 1), date(2026, 4, 30))
    assert [item.invoice_id for item in items] == [invoice.id]
    assert items[0].reductions == (
        (date(2026, 4, 5), 100_00),
        (date(2026, 4, 10), 300_00),
        (date(2026, 4, 20), 600_00),  # 1,000.00 − 100.00 − 300.00
    )
    assert items[0].settled_on == date(2026, 4, 20)
    assert debtors[customer.id].tags == frozenset({"vip"})


def test_the_default_and_the_early_policy_over_two_months(books: Ledger) -> None:
    session = Session.object_session(books.a1)
    assert session is not None
    result = backtest(session, books.company, "early", None, 2, ON)
    assert (result.start, result.end, result.current_code, result.candidate_code) == (
        START,
        ON,
        "default",
        "early",
    )
    assert (result.items, result.customers, result.min_gap) == (5, 3, 3)
    # Default policy, day by day (C4 was settled before the warm-up: never chased):
    # A1 (due 1 May, paid 8 May): 1 May due email · 4 May reminder-1 email (3 days: the gap)
    # A2 (due 9 Jun, paid 12 Jun): 9 Jun due email; reminder-1 would be 12 June, paid that day
    # B1 (due 20 May, open all along): 20 May due email · 23 May reminder-1 email · 30 May
    #   reminder-2 email + sms · 9 Jun firm email + call task · 19 Jun demand letter + call
    #   task + interest claim · final would be 19 July, after the end
    # C3 (due 31 Mar, open all along): in the warm-up 1 Apr due (1 day late), 4 Apr reminder-1
    #   (the 3-day gap), 10 Apr reminder-2, 20 Apr firm, 30 Apr demand; counted: 30 May final
    #   registered letter + email + credit block + interest claim · 29 Jun escalation: legal +
    #   internal task
    # messages: A 3 emails + B 4 emails, 1 sms, 1 letter + C 1 registered letter, 1 email = 11
    now = result.current
    assert (now.messages, now.letters, now.fees) == (11, 2, {})
    assert dict(now.actions) == {
        ActionKind.EMAIL: 8,
        ActionKind.SMS: 1,
        ActionKind.LETTER: 1,
        ActionKind.REGISTERED_LETTER: 1,
        ActionKind.CALL_TASK: 2,
        ActionKind.INTERNAL_TASK: 1,
        ActionKind.INTEREST_CLAIM: 2,
        ActionKind.ESCALATE_LEGAL: 1,
        ActionKind.CREDIT_BLOCK: 1,
    }
    # Early policy (heads-up −5, due 0, reminder +7, demand +30 with a 10.00 fee):
    # A1: 26 Apr heads-up (warm-up) · 1 May due email; the reminder (8 May) comes too late
    # A2: 4 Jun heads-up email · 9 Jun due email; the reminder (16 Jun) after the payment
    # B1: 15 May heads-up email · 20 May due email · 27 May reminder email + sms · 19 Jun
    #   demand letter + 10.00 fee
    # C3: warm-up 1 Apr due, 7 Apr reminder, 30 Apr demand; no stage after it: nothing counted
    # messages: A 3 emails + B 3 emails, 1 sms, 1 letter = 8
    then = result.candidate
    assert (then.messages, then.letters, then.fees) == (8, 1, {"EUR": 10_00})
    assert dict(then.actions) == {
        ActionKind.EMAIL: 6,
        ActionKind.SMS: 1,
        ActionKind.LETTER: 1,
        ActionKind.FEE: 1,
    }
    # contacts (messages and call tasks) per customer and ISO week:
    # default: A weeks 18, 19, 24 one each; B week 21 (20 and 23 May) 2, week 22 email + sms 2,
    # week 24 email + call 2, week 25 letter + call 2; C week 22 registered letter + email 2
    # → 8 customer-weeks, 13 contacts: max 2, mean 1.625
    assert now.contacts_per_customer_week == ContactLoad(2, 1.625)
    # early: A weeks 18, 23, 24 one each; B weeks 20, 21, 25 one each, week 22 email + sms 2
    # → 7 customer-weeks, 8 contacts
    assert then.contacts_per_customer_week == ContactLoad(2, 8 / 7)
    # DSO: A2 was paid 3 days after the default's first contact (9 June); the early policy's
    # first contact on A2 is 4 June, so it would have been paid on 7 June: 5 days sooner.
    # A1 was paid 7 days after 1 May, the first contact of both: it does not move.
    # Open amount × days, 1 May to 30 June: A1 1,000.00 × 7 + A2 500.00 × 10 + 400.00 × 23
    # + B1 2,000.00 × 24 + 1,500.00 × 37 + C3 800.00 × 61 = 173,500.00; sales of the period:
    # A2 500.00 → 347.0 days. A2 paid on 7 June: 400.00 × 18, not × 23: 171,500.00 → 343.0
    assert (result.effect.current_dso, result.effect.candidate_dso) == (
        {"EUR": 347.0},
        {"EUR": 343.0},
    )
    assert (result.effect.moved, result.effect.days_moved) == (1, -5)
    assert result.rows() == [
        ("messages", "11", "8", "−3"),
        ("letters", "2", "1", "−1"),
        ("actions: email", "8", "6", "−2"),
        ("actions: sms", "1", "1", "0"),
        ("actions: letter", "1", "1", "0"),
        ("actions: registered letter", "1", "0", "−1"),
        ("actions: call task", "2", "0", "−2"),
        ("actions: internal task", "1", "0", "−1"),
        ("actions: fee", "0", "1", "+1"),
        ("actions: interest claim", "2", "0", "−2"),
        ("actions: escalate legal", "1", "0", "−1"),
        ("actions: credit block", "1", "0", "−1"),
        ("fees EUR", "0.00", "10.00", "+10.00"),
        ("contacts per customer-week, max", "2", "2", "0"),
        ("contacts per customer-week, mean", "1.62", "1.14", "−0.48"),
        ("DSO EUR (days)", "347.0", "343.0", "−4.0"),
        ("payments moved", "", "", "1"),
        ("days moved", "", "", "−5"),
    ]
    assert result.dso_lines() == ["DSO EUR 347.0 → 343.0 days (−4.0), estimated"]


def test_the_current_policy_can_be_named_and_the_sides_swapped(books: Ledger) -> None:
    session = Session.object_session(books.a1)
    assert session is not None
    swapped = backtest(session, books.company, "default", "early", 2, ON)
    assert (swapped.current_code, swapped.candidate_code) == ("early", "default")
    assert (swapped.current.messages, swapped.candidate.messages) == (8, 11)
    assert swapped.rows()[0] == ("messages", "8", "11", "+3")


@pytest.mark.parametrize("months", [0, -1, 25])
def test_months_outside_one_to_twenty_four_are_refused(books: Ledger, months: int) -> None:
    session = Session.object_session(books.a1)
    assert session is not None
    with pytest.raises(Invalid, match="months must be 1 to 24") as refused:
        backtest(session, books.company, "early", None, months, ON)
    assert refused.value.field == "months"


def test_an_unknown_policy_is_refused_naming_the_known_ones(books: Ledger) -> None:
    session = Session.object_session(books.a1)
    assert session is not None
    with pytest.raises(NotFound, match=r"no policy 'lenient' \(known: default, early\)") as ex:
        backtest(session, books.company, "lenient", None, 6, ON)
    assert ex.value.field == "policy"
    with pytest.raises(NotFound, match="no policy 'strict'"):
        backtest(session, books.company, "early", "strict", 6, ON)


def test_a_policy_compared_with_itself_is_refused(books: Ledger) -> None:
    session = Session.object_session(books.a1)
    assert session is not None
    for candidate, current in (("default", None), ("early", "early")):
        with pytest.raises(Invalid, match="compared with itself") as refused:
            backtest(session, books.company, candidate, current, 6, ON)
        assert refused.value.field == "current"


def test_a_company_without_a_saved_default_is_compared_with_the_built_in_one(
    session: Session,
) -> None:
    company = make_company(session)
    save_policy(session, company, EARLY)
    ledger(session, company)
    result = backtest(session, company, "early", None, 2, ON)
    # the same default stages as the saved one: the same 11 messages
    assert (result.current_code, result.current.messages, result.candidate.messages) == (
        "default",
        11,
        8,
    )
    # and it is not saved: a back-test writes nothing
    saved = session.scalars(
        select(CollectionPolicy.code).where(CollectionPolicy.company_id == company.id)
    )
    assert list(saved) == ["early"]


# ---- the command ---------------------------------------------------------------------------


def command_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Commands under test."""

    app.command("backtest")(backtest_command)
    return app


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):  # no saved default policy: the built-in one
        save_policy(session, company, EARLY)
        ledger(session, company)
    return url


def test_the_command_prints_the_period_the_table_and_the_dso(cli_url: str) -> None:
    said = cli_ok(command_app(), "backtest", "early", "--months", "2", "--on", "2026-06-30")
    assert (
        "Policy early against default, 2026-05-01 to 2026-06-30: 5 invoices of 3 customers, "
        "3 days at least between stages." in said
    )
    assert "default (current)" in said
    assert "early (candidate)" in said
    for cells in ("messages 11 8 −3", "fees EUR 0.00 10.00 +10.00", "payments moved 1"):
        assert any(line.split() == cells.split() for line in said.splitlines()), cells
    assert "18 measures." in said
    assert "DSO EUR 347.0 → 343.0 days (−4.0), estimated" in said


def test_the_command_refuses_in_one_line(cli_url: str) -> None:
    app = command_app()
    said = cli_refused(app, "backtest", "early", "--months", "0", "--on", "2026-06-30")
    assert "months must be 1 to 24, not 0" in said
    assert "no policy 'nope'" in cli_refused(app, "backtest", "nope", "--on", "2026-06-30")
    said = cli_refused(app, "backtest", "early", "--current", "early", "--on", "2026-06-30")
    assert "compared with itself" in said


def test_the_help_says_what_is_compared_and_what_is_assumed(cli_url: str) -> None:
    said = cli_ok(command_app(), "backtest", "--help")
    assert "candidate policy" in said
    assert "estimate" in said
