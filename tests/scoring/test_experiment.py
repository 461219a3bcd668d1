"""Champion/challenger experiments on a real, migrated database: the deterministic draw (checked
against the sha256 rule written again here), the challenger group switched and the rest left
alone, the refusals, the stop that gives policies back, the report and its significance, and
the `cobro experiments` commands run as a user runs them.

The ledger of `books()`: company in ES (EUR), the default policy saved, the "early" policy saved
as the challenger, and 60 customers without a policy of their own (so on the default).
"""

from __future__ import annotations

import hashlib
import re
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

from cobro.audit.actor import Actor
from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.dates import utcnow
from cobro.outbox.models import Action
from cobro.policy.models import CollectionPolicy
from cobro.policy.service import assign_to_customer, ensure_default_policy, save_policy
from cobro.scoring import experiment, experiment_report
from cobro.scoring.experiment_cli import experiments_app
from cobro.scoring.models import Experiment, ExperimentMember
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment
from tests.support.cli import acme, cli_database, cli_ok, cli_refused

START = date(2026, 3, 1)
ON = date(2026, 6, 30)
ACTOR = Actor(name="test")

EARLY: dict[str, Any] = {
    "code": "early",
    "name": "Early reminders",
    "stages": [
        {"code": "heads-up", "offset": -5, "tone": "friendly", "actions": ["email"]},
        {"code": "due", "offset": 0, "tone": "friendly", "actions": ["email"]},
        {"code": "reminder", "offset": 7, "tone": "friendly", "actions": ["email", "sms"]},
    ],
}


def expected_arm(code: str, customer_id: int, challenger: int, holdout: int) -> str | None:
    """The draw as the brief states it, written here again (not imported)."""
    number = int(hashlib.sha256(f"{code}:{customer_id}".encode()).hexdigest(), 16)
    slot = number % 100
    if slot < challenger:
        return "challenger"
    if challenger <= slot < challenger + holdout:
        return "holdout"
    return None


@dataclass(frozen=True)
class Books:
    session: Session
    company: Company
    default: CollectionPolicy
    early: CollectionPolicy
    customers: list[Customer]


def make_books(session: Session, company: Company, count: int = 60) -> Books:
    default = ensure_default_policy(session, company)
    early = save_policy(session, company, EARLY)
    customers = [make_customer(session, company, f"K{n:02d}") for n in range(count)]
    return Books(session, company, default, early, customers)


@pytest.fixture
def books(session: Session) -> Books:
    return make_books(session, make_company(session))


def members(session: Session, row: Experiment) -> dict[int, tuple[str, int | None]]:
    found = session.execute(
        select(
            ExperimentMember.customer_id,
            ExperimentMember.arm,
            ExperimentMember.previous_policy_id,
        ).where(ExperimentMember.experiment_id == row.id)
    )
    return {customer_id: (arm, previous) for customer_id, arm, previous in found}


def policies(session: Session, company: Company) -> dict[int, int | None]:
    session.expire_all()
    found = session.execute(
        select(Customer.id, Customer.policy_id).where(Customer.company_id == company.id)
    )
    return dict(found.all())


def start(books: Books, code: str = "trial", percents: tuple[int, int] = (30, 30)) -> Experiment:
    return experiment.start(
        books.session, books.company, code, "default", "early", *percents, START, ACTOR
    )


# ---- the draw --------------------------------------------------------------------------------


@given(st.text(max_size=40), st.integers(1, 10**9), st.integers(1, 50), st.integers(1, 50))
def test_the_draw_is_the_sha256_rule(code: str, customer_id: int, ch: int, ho: int) -> None:
    assert experiment.arm_of(code, customer_id, ch, ho) == expected_arm(code, customer_id, ch, ho)
    assert 0 <= experiment.bucket(code, customer_id) < 100


def test_known_buckets_and_the_arms_they_give() -> None:
    # int(sha256(...).hexdigest(), 16) % 100, computed once with hashlib on the command line
    assert [experiment.bucket(*key) for key in (("trial", 1), ("trial", 2), ("x", 7))] == [
        50,
        58,
        36,
    ]
    # 30/30: buckets 0–29 challenger, 30–59 holdout, 60–99 not drawn
    assert experiment.arm_of("trial", 1, 30, 30) == "holdout"  # 50
    assert experiment.arm_of("trial", 1, 50, 10) == "holdout"  # 50 is the first holdout one
    assert experiment.arm_of("trial", 1, 40, 10) is None  # 50 ≥ 40 + 10
    assert experiment.arm_of("trial", 2, 30, 20) is None  # 58 ≥ 50
    assert experiment.arm_of("x", 7, 37, 5) == "challenger"  # 36 < 37


# ---- start -----------------------------------------------------------------------------------


def test_starting_switches_exactly_the_challenger_share_drawn_by_the_hash(books: Books) -> None:
    session = books.session
    before = policies(session, books.company)
    row = start(books)
    drawn = members(session, row)
    expected = {c.id: arm for c in books.customers if (arm := expected_arm("trial", c.id, 30, 30))}
    assert {cid: arm for cid, (arm, _) in drawn.items()} == expected
    sizes = experiment.arm_sizes(session, row)
    assert sizes == {
        "challenger": sum(1 for arm in expected.values() if arm == "challenger"),
        "holdout": sum(1 for arm in expected.values() if arm == "holdout"),
    }
    assert sizes["challenger"] > 0
    assert sizes["holdout"] > 0
    after = policies(session, books.company)
    for customer in books.customers:
        arm = expected.get(customer.id)
        if arm == "challenger":
            assert after[customer.id] == books.early.id
            assert drawn[customer.id] == ("challenger", None)  # it had no policy of its own
        else:  # the holdout (the control) and the customers not drawn are untouched
            assert after[customer.id] == before[customer.id] is None
    assert (row.started_on, row.ended_on, row.champion_policy_id, row.challenger_policy_id) == (
        START,
        None,
        books.default.id,
        books.early.id,
    )
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "experiment"))
    assert event is not None
    assert event.action == "experiment.started"
    assert event.after == {"code": "trial", **sizes}


def test_only_the_champions_customers_are_drawn(books: Books) -> None:
    session = books.session
    pinned_early = make_customer(session, books.company, "PE")
    assign_to_customer(session, books.company, pinned_early, "early")
    pinned_default = make_customer(session, books.company, "PD")
    assign_to_customer(session, books.company, pinned_default, "default")
    # a code that puts both pinned customers where the draw would take them, found by the rule
    code = next(
        f"t{n}"
        for n in range(1000)
        if expected_arm(f"t{n}", pinned_early.id, 30, 30) == "challenger"
        and expected_arm(f"t{n}", pinned_default.id, 30, 30) == "challenger"
    )
    drawn = members(session, start(books, code))
    assert pinned_early.id not in drawn  # it follows "early", not the default
    # pinned on the default: it follows it, and its own choice is kept to give back
    assert drawn[pinned_default.id] == ("challenger", books.default.id)


def test_customers_in_a_running_experiment_are_not_drawn_again(books: Books) -> None:
    session = books.session
    first = members(session, start(books))
    switched = [cid for cid, (arm, _) in first.items() if arm == "challenger"]
    # now on "early": a second experiment with "early" as its champion may not take them
    second = experiment.start(
        session, books.company, "again", "early", "default", 50, 50, START, ACTOR
    )
    assert set(members(session, second)).isdisjoint(switched)
    assert members(session, second) == {}  # nobody else follows "early"


def test_a_second_experiment_on_the_same_champion_is_refused(books: Books) -> None:
    start(books)
    with pytest.raises(Invalid, match="'trial' is already running on policy 'default'") as no:
        start(books, "other")
    assert no.value.field == "champion"
    with pytest.raises(Conflict, match="experiment 'trial' already exists") as taken:
        start(books)
    assert taken.value.field == "code"


@pytest.mark.parametrize(
    ("percents", "field", "message"),
    [
        ((0, 30), "challenger_percent", "challenger percent must be 1 to 50, not 0"),
        ((51, 30), "challenger_percent", "challenger percent must be 1 to 50, not 51"),
        ((30, 0), "holdout_percent", "holdout percent must be 1 to 50, not 0"),
        ((30, 60), "holdout_percent", "holdout percent must be 1 to 50, not 60"),
    ],
)
def test_percents_outside_one_to_fifty_are_refused(
    books: Books, percents: tuple[int, int], field: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message) as refused:
        start(books, percents=percents)
    assert refused.value.field == field
    assert experiment.list_experiments(books.session, books.company) == []


def test_bad_codes_and_policies_are_refused(books: Books) -> None:
    session, company = books.session, books.company
    with pytest.raises(Invalid, match="experiment code 'a b'") as bad:
        start(books, "a b")
    assert bad.value.field == "code"
    with pytest.raises(Invalid, match="challenger is the champion") as same:
        experiment.start(session, company, "x", "early", "early", 20, 20, START, ACTOR)
    assert same.value.field == "challenger"
    with pytest.raises(NotFound, match=r"no policy 'nope' \(known: default, early\)") as gone:
        experiment.start(session, company, "x", "default", "nope", 20, 20, START, ACTOR)
    assert gone.value.field == "challenger"


# ---- stop ------------------------------------------------------------------------------------


def test_stopping_gives_policies_back_except_one_changed_by_hand(books: Books) -> None:
    session, company = books.session, books.company
    pinned = make_customer(session, company, "PD")
    assign_to_customer(session, company, pinned, "default")
    code = next(
        f"s{n}" for n in range(1000) if expected_arm(f"s{n}", pinned.id, 30, 30) == "challenger"
    )
    row = start(books, code)
    drawn = members(session, row)
    switched = sorted(cid for cid, (arm, _) in drawn.items() if arm == "challenger")
    # a person moves one of the challenger customers back to the default by hand meanwhile
    by_hand = session.get(Customer, next(cid for cid in switched if cid != pinned.id))
    assert by_hand is not None
    assign_to_customer(session, company, by_hand, "default")
    done = experiment.stop(session, company, code, date(2026, 5, 31), ACTOR)
    assert (done.restored, done.kept) == (len(switched) - 1, 1)
    assert done.experiment.ended_on == date(2026, 5, 31)
    after = policies(session, company)
    assert after[pinned.id] == books.default.id  # its own choice from before, given back
    assert after[by_hand.id] == books.default.id  # the hand's choice, left alone
    for cid in switched:
        if cid not in (pinned.id, by_hand.id):
            assert after[cid] is None
    assert all(after[cid] is None for cid, (arm, _) in drawn.items() if arm == "holdout")
    with pytest.raises(Invalid, match="already stopped on 2026-05-31") as twice:
        experiment.stop(session, company, code, ON, ACTOR)
    assert twice.value.field == "code"
    # the champion is free again: a new experiment may start (and draw the same customers)
    assert start(books, "next").code == "next"


def test_an_experiment_cannot_stop_before_it_started(books: Books) -> None:
    start(books)
    with pytest.raises(Invalid, match="cannot stop on 2026-02-28") as early:
        experiment.stop(books.session, books.company, "trial", date(2026, 2, 28), ACTOR)
    assert early.value.field == "on"
    with pytest.raises(NotFound, match=r"no experiment 'nope' \(known: trial\)"):
        experiment.stop(books.session, books.company, "nope", ON, ACTOR)


# ---- the report ------------------------------------------------------------------------------


def pay_after(books: Books, customer: Customer, due: date, days: int, total: int) -> None:
    invoice = make_invoice(
        books.session, books.company, customer, total, due - timedelta(days=30), due
    )
    make_payment(
        books.session, books.company, customer, total, due + timedelta(days=days), (invoice.number,)
    )


def arms_of(books: Books, row: Experiment) -> dict[str, list[Customer]]:
    drawn = members(books.session, row)
    out: dict[str, list[Customer]] = {"challenger": [], "holdout": [], "none": []}
    for customer in books.customers:
        out[drawn.get(customer.id, ("none", None))[0]].append(customer)
    return out


def action(books: Books, customer: Customer, kind: str, day: date, status: str) -> Action:
    return Action(
        company_id=books.company.id,
        customer_id=customer.id,
        policy_id=0,
        stage="due",
        tone="friendly",
        kind=kind,
        cycle_on=day,
        status=status,
        not_before=utcnow(),
    )


def test_the_challenger_paying_sooner_is_significant(books: Books) -> None:
    session = books.session
    row = start(books)
    arms = arms_of(books, row)
    ch, ho = arms["challenger"], arms["holdout"]
    # 40 invoices a side, due from 2 March on, of 100.00 each, round-robin over the members:
    # challenger paid 3, 4, 5, 6, 7 days after the due date (8 of each: mean 5.0, all within 30)
    # holdout paid 20, 25, 30, 35, 40 days after (mean 30.0; 20, 25, 30 within: 24 of 40)
    for n in range(40):
        due = START + timedelta(days=1 + n)
        pay_after(books, ch[n % len(ch)], due, 3 + n % 5, 100_00)
        pay_after(books, ho[n % len(ho)], due, 20 + (n % 5) * 5, 100_00)
    # not counted as due since the start: due the day before it, still open (so overdue now)
    make_invoice(session, books.company, ho[0], 500_00, date(2026, 1, 28), date(2026, 2, 28))
    # a customer not drawn: none of its invoices count
    if arms["none"]:
        pay_after(books, arms["none"][0], START + timedelta(days=3), 90, 100_00)
    # messages: the challenger's first member 2 emails and an SMS; the holdout's first member
    # one letter, plus a call task (not a message), a cancelled email, and one before the start
    session.add_all(
        [
            action(books, ch[0], "email", START, "sent"),
            action(books, ch[0], "email", START + timedelta(days=3), "sent"),
            action(books, ch[0], "sms", START + timedelta(days=3), "queued"),
            action(books, ho[0], "letter", START + timedelta(days=9), "sent"),
            action(books, ho[0], "call_task", START + timedelta(days=9), "queued"),
            action(books, ho[0], "email", START + timedelta(days=12), "cancelled"),
            action(books, ho[0], "email", START - timedelta(days=1), "sent"),
        ]
    )
    session.flush()
    result = experiment_report.report(session, books.company, "trial", ON)
    assert (result.champion, result.challenger, result.until) == ("default", "early", ON)
    a, b = result.holdout, result.trial
    assert (a.customers, b.customers) == (len(ho), len(ch))
    assert (a.invoices, a.paid_within, b.invoices, b.paid_within) == (40, 24, 40, 40)
    assert (a.mean_days, b.mean_days) == (30.0, 5.0)
    assert (a.overdue, b.overdue) == ({"EUR": 500_00}, {})
    assert (a.contacts, b.contacts) == (1, 3)
    # pooled 64/80 = 0.8; z = 0.4 / √(0.8 × 0.2 × 2/40) = 4.47: p ≈ 8e-6
    assert result.paid_within.significant
    assert result.paid_within.p_value < 0.001
    assert result.days_past_due.difference == -25.0
    assert result.days_past_due.significant
    rows = result.rows()
    assert rows[:6] == [
        ("customers", str(len(ho)), str(len(ch)), signed(len(ch) - len(ho))),
        ("invoices due since the start", "40", "40", "0"),
        ("paid within 30 days", "24", "40", "+16"),
        ("paid within 30 days, share", "60.0 %", "100.0 %", "+40.0 points"),
        ("settled", "40", "40", "0"),
        ("days past due at settlement, mean", "30.0", "5.0", "\u221225.0"),
    ]
    assert rows[6] == ("overdue open now EUR", "500.00", "0.00", "\u2212500.00")
    per = (round(1 / len(ho), 2), round(3 / len(ch), 2))
    assert rows[7][:3] == ("messages per customer", f"{per[0]:.2f}", f"{per[1]:.2f}")
    assert result.verdict() == [
        "The challenger group on 'early' is paid within 30 days 40.0 percentage points more "
        "often than the holdout on 'default' (p < 0.001, significant at 5 %).",
        "The challenger group on 'early' pays 25.0 days sooner than the holdout on 'default' "
        "(p < 0.001, significant at 5 %).",
    ]


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else f"\u2212{-value}" if value < 0 else "0"


def test_a_handful_of_invoices_is_too_early_to_tell(books: Books) -> None:
    row = start(books)
    arms = arms_of(books, row)
    for n in range(3):
        due = START + timedelta(days=10 + n)
        pay_after(books, arms["challenger"][n], due, 2, 50_00)  # 2 days late each
        pay_after(books, arms["holdout"][n], due, 12 + n, 50_00)  # 12, 13, 14: mean 13
    # stopped on 31 March: an invoice due after that is not counted, its payment or not
    experiment.stop(books.session, books.company, "trial", date(2026, 3, 31), ACTOR)
    pay_after(books, arms["holdout"][0], date(2026, 4, 10), 0, 50_00)
    result = experiment_report.report(books.session, books.company, "trial", ON)
    assert (result.until, result.holdout.invoices, result.trial.invoices) == (
        date(2026, 3, 31),
        3,
        3,
    )
    assert result.days_past_due.difference == -11.0
    share, days = result.verdict()
    assert share == (
        "Too early to tell: 3 invoices due since the start in the holdout and 3 in the "
        "challenger group, 30 a side are needed. So far: The challenger group on 'early' is "
        "paid within 30 days the same as the holdout on 'default' (p = 1.000, not significant "
        "at 5 %)."
    )
    assert days.startswith("Too early to tell: 3 invoices settled in the holdout and 3")
    assert "pays 11.0 days sooner than the holdout on 'default'" in days


def test_a_payment_after_the_report_day_is_not_known_yet(books: Books) -> None:
    row = start(books)
    customer = arms_of(books, row)["holdout"][0]
    pay_after(books, customer, date(2026, 3, 10), 20, 100_00)  # paid 30 March
    on = date(2026, 3, 20)
    result = experiment_report.report(books.session, books.company, "trial", on)
    assert (result.holdout.invoices, result.holdout.paid_within) == (1, 0)
    assert result.holdout.days_past_due == ()
    with pytest.raises(Invalid, match="nothing to report on 2026-02-01") as before:
        experiment_report.report(books.session, books.company, "trial", date(2026, 2, 1))
    assert before.value.field == "on"


# ---- the commands ----------------------------------------------------------------------------


def command_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Commands under test."""

    app.add_typer(experiments_app, name="experiments")
    return app


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = cli_database(tmp_path, monkeypatch)
    with acme(url) as (session, company):
        make_books(session, company, 40)
    return url


def test_the_commands_start_report_stop_and_list(cli_url: str) -> None:
    app = command_app()
    said = cli_ok(
        app, "experiments", "start", "trial", "--champion", "default", "--challenger", "early",
        "--challenger-percent", "25", "--holdout-percent", "25", "--on", "2026-03-01",
    )  # fmt: skip
    found = re.search(
        r"Experiment trial started on 2026-03-01: (\d+) customers switched from default to "
        r"early \(the challenger\), (\d+) kept on default \(the holdout\)\.",
        " ".join(said.split()),
    )
    assert found is not None, said
    switched = int(found.group(1))
    said = cli_ok(app, "experiments", "list")
    assert "trial default early 25 % 25 % 2026-03-01 running" in [
        " ".join(line.split()) for line in said.splitlines()
    ]
    said = cli_ok(app, "experiments", "report", "trial", "--on", "2026-04-30")
    flat = " ".join(said.split())
    assert "Experiment trial (running): early (challenger) against default (holdout)" in flat
    assert "invoices due since the start 0 0 0" in flat
    assert "Too early to tell: 0 invoices due since the start" in flat
    said = cli_ok(app, "experiments", "stop", "trial", "--on", "2026-05-01")
    assert (
        f"Experiment trial stopped on 2026-05-01: {switched} customers switched back to their "
        "policy from before." in " ".join(said.split())
    )
    assert "2026-05-01" in cli_ok(app, "experiments", "list")
    said = cli_refused(app, "experiments", "stop", "trial", "--on", "2026-05-02")
    assert "already stopped on 2026-05-01" in said


def test_the_commands_refuse_in_one_line(cli_url: str) -> None:
    app = command_app()
    said = cli_refused(
        app, "experiments", "start", "t", "--champion", "default", "--challenger", "early",
        "--challenger-percent", "70",
    )  # fmt: skip
    assert "challenger percent must be 1 to 50, not 70" in said
    said = cli_refused(app, "experiments", "report", "nope")
    assert "no experiment 'nope' (known: none yet)" in said


def test_the_help_says_the_holdout_is_the_control_and_stop_switches_back(cli_url: str) -> None:
    app = command_app()
    said = " ".join(cli_ok(app, "experiments", "start", "--help").split())
    assert "holdout share stays on the champion as the control" in said
    said = " ".join(cli_ok(app, "experiments", "stop", "--help").split())
    assert "challenger customers are switched back" in said
