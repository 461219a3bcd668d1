"""Replaying a policy over a past ledger and its DSO estimate.

No database. The default policy's stages (printed from `default_policy()`):
preventive −5 email (grade C/D or ≥ 5,000.00) · due 0 email · reminder-1 +3 email ·
reminder-2 +10 email, sms · firm +20 email, call_task · demand +30 letter, call_task,
interest_claim (previous delivered) · final +60 registered_letter, email, credit_block,
interest_claim · escalation +90 escalate_legal, internal_task.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cobro.cycle.rules import Debtor, OpenItem, plan_customer
from cobro.errors import Invalid
from cobro.policy.defaults import default_policy
from cobro.policy.fees import Fee, FeeBasis, fee_amount
from cobro.policy.rules import (
    ALWAYS,
    CHANNELS,
    ActionKind,
    CustomerKind,
    Grade,
    Policy,
    Stage,
    Tone,
)
from cobro.scoring.backtest_rules import (
    ContactLoad,
    PastItem,
    Replay,
    dso_effect,
    open_on,
    replay,
)

E = ActionKind.EMAIL
START, END = date(2024, 3, 1), date(2024, 3, 31)  # 1 March 2024 is a Friday


def debtor(customer_id: int = 1, grade: Grade | None = Grade.B) -> Debtor:
    return Debtor(customer_id, CustomerKind.BUSINESS, grade, frozenset())


def item(
    invoice_id: int,
    issued: date,
    due: date,
    total: int,
    reductions: tuple[tuple[date, int], ...] = (),
    settled: date | None = None,
    customer_id: int = 1,
    currency: str = "EUR",
) -> PastItem:
    return PastItem(invoice_id, customer_id, currency, issued, due, total, reductions, settled)


def story() -> list[PastItem]:
    return [
        # 1,000.00: too small for the preventive stage; never paid
        item(1, date(2024, 2, 1), date(2024, 3, 2), 1_000_00),
        # 6,000.00: large, so preventive at −5 (7 March); paid in full on 14 March
        item(2, date(2024, 2, 10), date(2024, 3, 12), 6_000_00, ((date(2024, 3, 14), 6_000_00),),
             date(2024, 3, 14)),
    ]  # fmt: skip


def test_open_on_is_the_total_less_what_was_applied_up_to_that_day() -> None:
    paid = item(1, date(2024, 3, 1), date(2024, 3, 31), 100_00,
                ((date(2024, 3, 5), 30_00), (date(2024, 3, 9), 90_00)))  # fmt: skip
    assert open_on(paid, date(2024, 2, 29)) == 0  # not issued yet
    assert open_on(paid, date(2024, 3, 4)) == 100_00
    assert open_on(paid, date(2024, 3, 5)) == 70_00
    assert open_on(paid, date(2024, 3, 9)) == 0  # 120.00 applied: never below zero


def test_a_customer_with_two_invoices_gets_the_default_policys_messages_day_by_day() -> None:
    result = replay(story(), {1: debtor()}, default_policy(), START, END)
    # 2 Mar inv 1 due: email · 5 Mar inv 1 reminder-1: email · 7 Mar inv 2 preventive: email
    # 12 Mar inv 1 reminder-2 and inv 2 due: one email, one sms · 14 Mar inv 2 paid
    # 22 Mar inv 1 firm: email, call task · inv 1 demand would be 1 April, after the end
    assert result.actions == Counter({E: 5, ActionKind.SMS: 1, ActionKind.CALL_TASK: 1})
    assert (result.messages, result.letters, result.fees) == (6, 0, {})
    assert result.contacts == {
        1: (date(2024, 3, 2), date(2024, 3, 5), date(2024, 3, 12), date(2024, 3, 22)),
        2: (date(2024, 3, 7), date(2024, 3, 12)),
    }
    assert result.first_contact == {1: date(2024, 3, 2), 2: date(2024, 3, 7)}
    # ISO weeks: w9 (2 Mar) 1 email · w10 (5, 7 Mar) 2 emails · w11 (12 Mar) email + sms
    # · w12 (22 Mar) email + call task: max 2, mean 7 / 4
    assert result.contacts_per_customer_week == ContactLoad(2, 1.75)


def test_a_settled_invoice_is_no_longer_chased() -> None:
    result = replay(story(), {1: debtor()}, default_policy(), START, END)
    # invoice 2 was due 12 March: its reminder-1 (15 March) never goes, it was paid on the 14th
    assert result.contacts[2][-1] == date(2024, 3, 12)
    # nor is an item whose reductions cover it although no settlement day was recorded
    covered = item(3, date(2024, 2, 1), date(2024, 3, 2), 50_00, ((date(2024, 2, 20), 50_00),))
    assert replay([covered], {1: debtor()}, default_policy(), START, END).actions == Counter()


def test_the_warm_up_absorbs_the_jump_of_items_already_overdue() -> None:
    late = [item(1, date(2024, 1, 16), date(2024, 2, 15), 1_000_00)]
    warm = replay(late, {1: debtor()}, default_policy(), START, END)
    # simulated from 31 Jan: due 15 Feb, reminder-1 18 Feb, reminder-2 25 Feb (not counted);
    # counted: firm 6 Mar (email, call task), demand 16 Mar (letter, call task, interest)
    assert warm.actions == Counter(
        {E: 1, ActionKind.CALL_TASK: 2, ActionKind.LETTER: 1, ActionKind.INTEREST_CLAIM: 1}
    )
    assert warm.contacts == {1: (date(2024, 3, 6), date(2024, 3, 16))}
    cold = replay(late, {1: debtor()}, default_policy(), START, END, warmup_days=0)
    # without a warm-up, 1 March (15 days late) jumps straight to reminder-2: email and sms
    assert cold.contacts[1][0] == START
    assert cold.actions[ActionKind.SMS] == 1


def test_nothing_in_the_warm_up_is_counted() -> None:
    early = [item(1, date(2024, 1, 5), date(2024, 2, 5), 1_000_00,
                  ((date(2024, 2, 20), 1_000_00),), date(2024, 2, 20))]  # fmt: skip
    result = replay(early, {1: debtor()}, default_policy(), START, END)
    assert result == replay([], {}, default_policy(), START, END)
    assert result.contacts_per_customer_week == ContactLoad(0, 0.0)


def test_a_reversed_payment_puts_the_item_back_in_the_chase() -> None:
    bounced = [item(1, d(1, 2), d(1), 1_000_00, ((d(2), 1_000_00), (d(9), -1_000_00)))]
    result = replay(bounced, {1: debtor()}, default_policy(), START, END)
    # due 1 Mar: email; paid 2 Mar, so reminder-1 (4 Mar) is not sent; the payment bounces on
    # 9 Mar and the item, 8 days late, goes to reminder-1 that day, then reminder-2 on the 11th
    # (10 days late), firm on the 21st and the demand letter on the 31st (30 days late)
    assert result.contacts == {1: (d(1), d(9), d(11), d(21), d(31))}
    assert result.letters == 1


def test_a_reversal_that_brings_an_invoice_back_over_the_threshold_sends_the_preventive() -> None:
    # 6,000.00 due 20 Mar, half paid on 1 Mar: 3,000.00 open on 15 Mar (−5), below the
    # 5,000.00 of the preventive stage, so nothing then; the payment is reversed on 17 Mar and
    # the 6,000.00 open gets the preventive email that day (−3), then due 20, reminder-1 23,
    # reminder-2 30 Mar
    bounced = [item(1, d(1, 2), d(20), 6_000_00, ((d(1), 3_000_00), (d(17), -3_000_00)))]
    result = replay(bounced, {1: debtor()}, default_policy(), START, END)
    assert result.contacts == {1: (d(17), d(20), d(23), d(30))}


def fee_policy(fee: Fee) -> Policy:
    return Policy(
        "fees",
        "With a fee",
        (
            Stage("due", 0, Tone.FRIENDLY, (E,)),
            Stage("fee", 5, Tone.FIRM, (E, ActionKind.FEE), fee=fee),
        ),
    )


def two_due_on_the_first() -> list[PastItem]:
    # both due 1 March, so the fee stage is reached on 6 March; invoice 2 is 400.00 part paid
    return [
        item(1, date(2024, 2, 1), date(2024, 3, 1), 200_00),
        item(2, date(2024, 2, 1), date(2024, 3, 1), 1_000_00, ((date(2024, 3, 4), 400_00),)),
    ]


def test_a_fee_per_invoice_is_charged_on_each_items_open_amount() -> None:
    fee = Fee(fixed={"EUR": 10_00}, percent=Decimal("1.5"))
    result = replay(two_due_on_the_first(), {1: debtor()}, fee_policy(fee), START, END)
    # 10.00 + 1.5 % of 200.00 = 13.00; 10.00 + 1.5 % of 600.00 open = 19.00
    assert result.fees == {"EUR": 32_00}
    assert result.actions[ActionKind.FEE] == 1  # one fee action for the customer's day


def test_a_fee_per_notice_is_charged_once_on_the_customers_total() -> None:
    fee = Fee(fixed={"EUR": 10_00}, percent=Decimal("1.5"), per=FeeBasis.NOTICE)
    result = replay(two_due_on_the_first(), {1: debtor()}, fee_policy(fee), START, END)
    # 10.00 + 1.5 % of (200.00 + 600.00) = 22.00
    assert result.fees == {"EUR": 22_00}


def test_a_fee_that_says_nothing_for_the_currency_charges_nothing() -> None:
    dollars = [item(1, date(2024, 2, 1), date(2024, 3, 1), 200_00, currency="USD")]
    result = replay(dollars, {1: debtor()}, fee_policy(Fee(fixed={"EUR": 10_00})), START, END)
    assert (result.fees, result.actions[ActionKind.FEE]) == ({}, 1)


def test_bad_input_is_refused_with_what_is_wrong() -> None:
    with pytest.raises(Invalid, match="ends"):
        replay([], {}, default_policy(), END, START)
    with pytest.raises(Invalid, match="customer 7"):
        replay([item(1, START, END, 1_00, customer_id=7)], {}, default_policy(), START, END)
    with pytest.raises(Invalid, match="min_gap"):
        replay([], {}, default_policy(), START, END, min_gap=-1)
    with pytest.raises(Invalid, match="response days"):
        dso_effect([], contacted({}), contacted({}), START, END, response_days=-1)
    with pytest.raises(Invalid, match="twice"):
        replay([item(1, START, END, 1_00)] * 2, {1: debtor()}, default_policy(), START, END)


def contacted(contacts: dict[int, tuple[date, ...]]) -> Replay:
    return Replay(Counter(), 0, 0, {}, ContactLoad(0, 0.0), {}, contacts)


def d(day: int, month: int = 3) -> date:
    return date(2024, month, day)


def test_the_dso_estimate_moves_responders_only_and_never_before_issue() -> None:
    items = [
        item(1, d(1), d(15), 100_00, ((d(6), 100_00),), d(6)),  # A: paid 3 days after contact
        item(2, d(2), d(15), 50_00, ((d(5), 50_00),), d(5)),  # B: paid 2 days after contact
        item(3, d(1), d(15), 200_00, ((d(8), 200_00),), d(8)),  # C: 6 days after the 1st
        item(4, d(20, 2), d(1), 300_00, ((d(4), 100_00),)),  # D: issued before, part paid
        item(5, d(1), d(15), 100_00, ((d(9), 100_00),), d(9)),  # E: 8 days after: no response
        item(6, d(1, 2), d(15), 70_00, currency="USD"),  # no USD sales in the period
    ]
    current = contacted({1: (d(3),), 2: (d(3),), 3: (d(2), d(5)), 5: (d(1),)})
    # A: the candidate's 1st contact on 1 Mar + 3 = paid 4 Mar (−2 days)
    # B: 25 Feb + 2 = 27 Feb, before its issue on 2 Mar: paid on 2 Mar (−3 days)
    # C: the candidate never contacts it: unchanged; E: not a responder: unchanged
    candidate = contacted({1: (d(1),), 2: (d(25, 2),), 5: (d(28, 2),)})
    effect = dso_effect(items, current, candidate, d(1), d(10))
    # period 1–10 March (10 days); sales: A 100 + B 50 + C 200 + E 100 = 450.00 (D and F before)
    # open-days now: A 100×5 (1–5) + B 50×3 (2–4) + C 200×7 (1–7) + D 300×3 + 200×7 + E 100×8
    #   = 500 + 150 + 1,400 + 2,300 + 800 = 5,150 → 5,150 / 450 = 11.44 days
    # candidate: A 100×3 (1–3) + B 0 + the rest unchanged = 4,800 → 4,800 / 450 = 10.67 days
    assert effect.current_dso == {"EUR": 11.4}
    assert effect.candidate_dso == {"EUR": 10.7}
    assert effect.difference == {"EUR": -0.7}
    assert (effect.moved, effect.days_moved) == (2, -5)


def test_a_payment_moves_after_the_candidates_contact_of_the_same_ordinal() -> None:
    paid = [item(1, d(1), d(10), 100_00, ((d(9), 100_00),), d(9))]
    # paid 2 days after the current 2nd contact (7 Mar; the 1st on 1 Mar is 8 days before)
    current = contacted({1: (d(1), d(7))})
    later = dso_effect(paid, current, contacted({1: (d(2), d(8))}), d(1), d(31))
    assert (later.moved, later.days_moved) == (1, 1)  # 8 Mar + 2 = 10 Mar
    # 8 days is a response when the window is 8 days: the 1st contact (2 Mar + 8) is the cause
    window = dso_effect(paid, current, contacted({1: (d(2), d(9))}), d(1), d(31), 8)
    assert (window.moved, window.days_moved) == (1, 1)
    # only one candidate contact: it never makes the 2nd, so the payment stays
    assert dso_effect(paid, current, contacted({1: (d(2),)}), d(1), d(31)).moved == 0


def test_sending_the_first_reminder_five_days_earlier_pays_a_responder_five_days_sooner() -> None:
    current = default_policy()
    preventive = replace(current.stages[0], condition=ALWAYS)  # −5 for everyone
    candidate = replace(current, stages=(preventive, *current.stages[1:]))
    # a small invoice due 15 March, paid on the 17th: 2 days after the due-day email
    items = [item(1, d(1), d(15), 500_00, ((d(17), 500_00),), d(17))]
    now = replay(items, {1: debtor()}, current, START, END)
    then = replay(items, {1: debtor()}, candidate, START, END)
    assert now.first_contact == {1: d(15)}
    assert then.first_contact == {1: d(10)}
    effect = dso_effect(items, now, then, START, END)
    # paid 12 Mar instead of 17 Mar: open 11 days instead of 16 on sales of 500.00
    assert (effect.moved, effect.days_moved) == (1, -5)
    assert (effect.current_dso, effect.candidate_dso, effect.difference) == (
        {"EUR": 16.0},
        {"EUR": 11.0},
        {"EUR": -5.0},
    )


# -- properties ---------------------------------------------------------------------------------

FEE_POLICY = Policy(
    "fees",
    "Fees on the way",
    (
        Stage("early", -3, Tone.FRIENDLY, (E,)),
        Stage("due", 0, Tone.FRIENDLY, (E, ActionKind.FEE), fee=Fee(percent=Decimal(2))),
        Stage("firm", 12, Tone.FIRM, (ActionKind.LETTER, ActionKind.CALL_TASK)),
    ),
)


def settled_on(unsettled: PastItem) -> date | None:
    """The day from which nothing is open any more, if the item ends settled."""
    days = sorted({day for day, _ in unsettled.reductions})
    if not days or open_on(unsettled, days[-1]) > 0:
        return None
    while len(days) > 1 and open_on(unsettled, days[-2]) == 0:
        days.pop()
    return days[-1]


@st.composite
def ledgers(draw: st.DrawFn) -> list[PastItem]:
    """Up to 12 invoices of three customers, some part paid, some settled, in two currencies."""
    items = []
    for invoice_id in range(1, draw(st.integers(0, 12)) + 1):
        issued = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 110)))
        due = issued + timedelta(days=draw(st.integers(0, 45)))
        total = draw(st.sampled_from([50_00, 1_000_00, 6_000_00]))  # 6,000.00: preventive
        days = sorted(draw(st.lists(st.integers(1, 90), max_size=3)))
        # a negative amount is a reversal (a bounced payment): it opens the item again
        amounts = st.sampled_from([total // 2, total, -total // 2])
        reductions = tuple((issued + timedelta(days=day), draw(amounts)) for day in days)
        unsettled = PastItem(invoice_id, draw(st.integers(1, 3)),
                             draw(st.sampled_from(["EUR", "USD"])), issued, due, total,
                             reductions, None)  # fmt: skip
        items.append(unsettled._replace(settled_on=settled_on(unsettled)))
    return items


DEBTORS = {1: debtor(1, Grade.A), 2: debtor(2, Grade.C), 3: debtor(3, None)}
PERIOD = (date(2024, 3, 1), date(2024, 4, 30))


def daily(items: list[PastItem], policy: Policy, warmup: int, gap: int) -> Replay:
    """The plain loop the replay must agree with: every customer with an open item, every day."""
    state: dict[int, tuple[str | None, date | None]] = {}
    counted: Counter[ActionKind] = Counter()
    contacts: defaultdict[int, list[date]] = defaultdict(list)
    fees: Counter[str] = Counter()
    day = PERIOD[0] - timedelta(days=warmup)
    while day <= PERIOD[1]:
        for customer_id, debtor_ in DEBTORS.items():
            rows = [
                OpenItem(i.invoice_id, i.due_date, open_on(i, day), i.currency, 1,
                         *state.get(i.invoice_id, (None, None)),
                         state.get(i.invoice_id, (None,))[0], None, gap)
                for i in items
                if i.customer_id == customer_id and open_on(i, day) > 0
                and (i.settled_on is None or day < i.settled_on)
            ]  # fmt: skip
            plan = plan_customer(debtor_, rows, {1: policy}, {}, day)
            currency = {row.invoice_id: row.currency for row in rows}
            for step in plan.steps:
                state[step.invoice_id] = (step.stage, day)
                fee = policy.stages[policy.positions[step.stage]].fee
                charged = (
                    None
                    if fee is None
                    else fee_amount(fee, step.open_amount, currency[step.invoice_id])
                )
                if day >= PERIOD[0] and charged is not None:
                    fees[currency[step.invoice_id]] += charged
                if day >= PERIOD[0] and CHANNELS & set(plan.actions):
                    contacts[step.invoice_id].append(day)
            if day >= PERIOD[0]:
                counted.update(list(plan.actions))
        day += timedelta(days=1)
    frozen = {key: tuple(days) for key, days in sorted(contacts.items())}
    return Replay(counted, 0, 0, dict(sorted(fees.items())), ContactLoad(0, 0.0), {}, frozen)


@settings(max_examples=60, deadline=None)
@given(ledgers(), st.sampled_from([default_policy(), FEE_POLICY]), st.integers(0, 40),
       st.integers(0, 6))  # fmt: skip
def test_the_event_driven_replay_agrees_with_a_plain_daily_loop(
    items: list[PastItem], policy: Policy, warmup: int, gap: int
) -> None:
    result = replay(items, DEBTORS, policy, *PERIOD, warmup_days=warmup, min_gap=gap)
    expected = daily(items, policy, warmup, gap)
    assert result.actions == expected.actions
    assert result.contacts == expected.contacts
    assert result.fees == expected.fees


@settings(max_examples=40, deadline=None)
@given(ledgers(), st.sampled_from([default_policy(), FEE_POLICY]), st.randoms())
def test_the_order_of_the_items_changes_nothing(
    items: list[PastItem], policy: Policy, rng: random.Random
) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    assert replay(shuffled, DEBTORS, policy, *PERIOD) == replay(items, DEBTORS, policy, *PERIOD)


@settings(max_examples=40, deadline=None)
@given(ledgers(), st.sampled_from([default_policy(), FEE_POLICY]))
def test_a_candidate_identical_to_the_current_policy_changes_nothing(
    items: list[PastItem], policy: Policy
) -> None:
    now = replay(items, DEBTORS, policy, *PERIOD)
    same = replay(items, DEBTORS, replace(policy, code="copy"), *PERIOD)
    effect = dso_effect(items, now, same, *PERIOD)
    assert (effect.moved, effect.days_moved) == (0, 0)
    assert set(effect.difference.values()) <= {0.0}
    assert effect.current_dso == effect.candidate_dso


def test_fee_amounts_used_here_are_the_policy_modules() -> None:
    # the replay charges through `policy.fees.fee_amount`, the function the worker uses
    assert fee_amount(Fee(fixed={"EUR": 10_00}, percent=Decimal("1.5")), 600_00, "EUR") == 19_00
