"""Payment runs: learning a customer's run days, finding the next and last run, timing reminders.

Calendar facts of 2026 used below: Jan 2 is a Friday; Feb 13, Mar 13, Aug 14, Nov 13 are the
Fridays before a Sunday/Saturday 15th; Feb 28, Jan 31 and Oct 31 are Saturdays and May 31 is a
Sunday, so those "last days" are paid on Feb 27, Jan 30, Oct 30 and May 29.
"""

from __future__ import annotations

import calendar
import json
import random
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.policy.runs import (
    LEAD_DAYS,
    MOST_ADVANCE,
    PaymentRuns,
    RunKind,
    advance,
    last_run_by,
    learn_runs,
    next_run,
)

FRIDAYS = PaymentRuns(RunKind.WEEKDAY, (4,), 1.0, 8)
MID_AND_END = PaymentRuns(RunKind.MONTHDAY, (15, 31), 1.0, 24)
FIRSTS = PaymentRuns(RunKind.MONTHDAY, (1,), 1.0, 6)

# the days a customer paying on the 15th and the last day of each month paid in 2026, by hand:
# a 15th or last day on a weekend is paid on the Friday before
MID_AND_END_2026 = [
    date(2026, 1, 15), date(2026, 1, 30),  # Jan 31 is a Saturday
    date(2026, 2, 13), date(2026, 2, 27),  # Feb 15 is a Sunday, Feb 28 a Saturday
    date(2026, 3, 13), date(2026, 3, 31),  # Mar 15 is a Sunday
    date(2026, 4, 15), date(2026, 4, 30),
    date(2026, 5, 15), date(2026, 5, 29),  # May 31 is a Sunday
    date(2026, 6, 15), date(2026, 6, 30),
    date(2026, 7, 15), date(2026, 7, 31),
    date(2026, 8, 14), date(2026, 8, 31),  # Aug 15 is a Saturday
    date(2026, 9, 15), date(2026, 9, 30),
    date(2026, 10, 15), date(2026, 10, 30),  # Oct 31 is a Saturday
    date(2026, 11, 13), date(2026, 11, 30),  # Nov 15 is a Sunday
    date(2026, 12, 15), date(2026, 12, 31),
]  # fmt: skip


def fridays(count: int, first: date = date(2026, 1, 2)) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(count)]


def business_days(year: int) -> list[date]:
    start = date(year, 1, 1)
    days = (start + timedelta(days=i) for i in range(366 if calendar.isleap(year) else 365))
    return [day for day in days if day.weekday() < 5]


# ---- learning


def test_a_customer_who_pays_every_friday_has_a_friday_run() -> None:
    assert learn_runs(fridays(8)) == PaymentRuns(RunKind.WEEKDAY, (4,), 1.0, 8)


def test_a_friday_payer_with_one_odd_tuesday_keeps_its_friday_run() -> None:
    # 8 Fridays + Tuesday Jan 13: Friday explains 8 of 9; a Tuesday seen once is no run
    runs = learn_runs([*fridays(8), date(2026, 1, 13)])
    assert runs == PaymentRuns(RunKind.WEEKDAY, (4,), 8 / 9, 9)


def test_a_customer_paying_on_the_15th_and_the_last_day_has_both_runs() -> None:
    runs = learn_runs(MID_AND_END_2026)
    assert runs == PaymentRuns(RunKind.MONTHDAY, (15, 31), 1.0, 24)


def test_friday_payments_before_a_weekend_run_day_count_for_it() -> None:
    # only the months whose 15th or last day is on a weekend, all paid on the Friday before:
    # Feb 13/27, Mar 13, May 29, Aug 14, Oct 30, Nov 13
    shifted = [date(2026, 2, 13), date(2026, 2, 27), date(2026, 3, 13), date(2026, 5, 29)]
    shifted += [date(2026, 8, 14), date(2026, 10, 30), date(2026, 11, 13)]
    runs = learn_runs(shifted)
    # all are Fridays too: a Friday run explains 7 of 7 with one day, beating two month days
    assert runs == PaymentRuns(RunKind.WEEKDAY, (4,), 1.0, 7)
    # with weekday runs on the 15th and the 31st of other months, the 15th/last day wins
    runs = learn_runs([*shifted, date(2026, 4, 15), date(2026, 6, 15), date(2026, 7, 31)])
    assert runs == PaymentRuns(RunKind.MONTHDAY, (15, 31), 1.0, 10)
    # with Sep 30 instead of Jul 31 nothing tells "30" from "31" (Feb 27, May 29, Oct 30 fit
    # both): the 30th wins, as Sep 30 and Oct 30 are its own day, not a move to a Friday
    runs = learn_runs([*shifted, date(2026, 4, 15), date(2026, 6, 15), date(2026, 9, 30)])
    assert runs == PaymentRuns(RunKind.MONTHDAY, (15, 30), 1.0, 10)


def test_a_payment_on_the_weekend_run_day_itself_counts_too() -> None:
    # Jun 15 Mon, Jul 15 Wed, Aug 15 Sat (paid by card that day), Sep 15 Tue
    days = [date(2026, 6, 15), date(2026, 7, 15), date(2026, 8, 15), date(2026, 9, 15)]
    assert learn_runs(days) == PaymentRuns(RunKind.MONTHDAY, (15,), 1.0, 4)


def test_the_last_business_day_of_each_month_is_the_last_day_run_not_the_30th() -> None:
    # Jan 30 (31 Sat), Mar 31, Apr 30, May 29 (31 Sun), Jun 30, Jul 31: "31" explains 6 of 6;
    # "30" only Jan 30, Apr 30, May 29 (30 is a Saturday) and Jun 30, 4 of 6
    days = [date(2026, 1, 30), date(2026, 3, 31), date(2026, 4, 30)]
    days += [date(2026, 5, 29), date(2026, 6, 30), date(2026, 7, 31)]
    assert learn_runs(days) == PaymentRuns(RunKind.MONTHDAY, (31,), 1.0, 6)


def test_a_run_day_that_adds_little_beside_its_neighbour_is_left_out() -> None:
    # paying on the 15th, the 30th and the 31st of each month of 2026 (weekends on the Friday
    # before): the 31st is a day of its own only on Mar 31, Jul 31, Aug 31 and Dec 31; 4 of 28
    # days (0.14) is less than the 0.2 a third day must add. "15, 31" explains 24 too, but
    # only 8 of its last-day payments are on the day itself against 9 for the 30th
    thirtieths = [
        date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 30), date(2026, 4, 30),
        date(2026, 5, 29), date(2026, 6, 30), date(2026, 7, 30), date(2026, 8, 28),
        date(2026, 9, 30), date(2026, 10, 30), date(2026, 11, 30), date(2026, 12, 30),
    ]  # fmt: skip
    own_31sts = [date(2026, 3, 31), date(2026, 7, 31), date(2026, 8, 31), date(2026, 12, 31)]
    fifteenths = [day for day in MID_AND_END_2026 if day.day < 20]
    runs = learn_runs([*fifteenths, *thirtieths, *own_31sts])
    assert runs == PaymentRuns(RunKind.MONTHDAY, (15, 30), 24 / 28, 28)


def test_a_customer_paying_tuesdays_and_fridays_has_both_runs() -> None:
    days = [*fridays(5, date(2026, 1, 9)), *fridays(5, date(2026, 1, 6))]  # Tue Jan 6…
    # Tuesdays alone explain 5 of 10 (0.5): adding Fridays gains 0.5 >= 0.2
    assert learn_runs(days) == PaymentRuns(RunKind.WEEKDAY, (1, 4), 1.0, 10)


def test_an_extra_weekday_that_adds_less_than_a_fifth_is_left_out() -> None:
    # 9 Fridays and 2 Tuesdays: Tuesdays would add 2/11 = 0.18 < 0.2
    days = [*fridays(9), date(2026, 1, 6), date(2026, 1, 13)]
    assert learn_runs(days) == PaymentRuns(RunKind.WEEKDAY, (4,), 9 / 11, 11)


def test_an_extra_weekday_that_adds_exactly_a_fifth_is_kept() -> None:
    # 8 Fridays and 2 Tuesdays: Tuesdays add 2/10 = 0.2 exactly, which is enough
    days = [*fridays(8), date(2026, 1, 6), date(2026, 1, 13)]
    assert learn_runs(days) == PaymentRuns(RunKind.WEEKDAY, (1, 4), 1.0, 10)


def test_a_customer_paying_on_irregular_days_has_no_runs() -> None:
    # Mon, Wed, Thu, Tue, Fri, Mon, Wed, Tue, Thu, Fri, Mon, Wed: no weekday has 3, no month
    # day repeats
    days = [
        date(2026, 1, 5), date(2026, 1, 21), date(2026, 2, 5), date(2026, 2, 24),
        date(2026, 3, 6), date(2026, 3, 23), date(2026, 4, 8), date(2026, 4, 28),
        date(2026, 5, 7), date(2026, 5, 22), date(2026, 6, 8), date(2026, 6, 17),
    ]  # fmt: skip
    assert learn_runs(days) is None


def test_fewer_distinct_days_than_min_days_give_no_runs() -> None:
    assert learn_runs(fridays(3)) is None
    assert learn_runs([]) is None
    # min_days lowered to 3: three Fridays are a Friday run
    assert learn_runs(fridays(3), min_days=3) == PaymentRuns(RunKind.WEEKDAY, (4,), 1.0, 3)


def test_several_payments_on_one_day_are_one_run() -> None:
    assert learn_runs([date(2026, 1, 2)] * 6) is None  # one distinct day only
    runs = learn_runs(fridays(5) * 3)
    assert runs == PaymentRuns(RunKind.WEEKDAY, (4,), 1.0, 5)


def test_payment_times_of_the_same_day_count_once() -> None:
    stamps = [datetime(2026, 1, 2, 9), datetime(2026, 1, 2, 15)]  # noqa: DTZ001
    runs = learn_runs([*stamps, *fridays(4, date(2026, 1, 9))])
    assert runs == PaymentRuns(RunKind.WEEKDAY, (4,), 1.0, 5)


def test_a_stricter_min_share_turns_a_loose_pattern_down() -> None:
    # 6 Fridays and 3 scattered days (Mon, Wed, Thu): beyond its one free payment the Friday
    # run explains 5 of 8 = 0.625
    days = [*fridays(6), date(2026, 1, 5), date(2026, 1, 14), date(2026, 1, 22)]
    assert learn_runs(days) == PaymentRuns(RunKind.WEEKDAY, (4,), 6 / 9, 9)
    assert learn_runs(days, min_share=0.7) is None


def test_customers_paying_on_random_business_days_get_no_runs() -> None:
    pool = business_days(2026)
    found = [learn_runs(random.Random(seed).sample(pool, 40)) for seed in range(200)]
    # required: None in at least 95% of draws (in fact every one of these 200)
    assert sum(runs is None for runs in found) >= 190


def test_two_weekdays_need_four_fifths_of_the_payments_beyond_their_own_two() -> None:
    # Mon Jan 5, Mon Jan 12, Fri Jan 16, Fri Jan 23, Wed Jan 28: Mon+Fri explain 4 of 5
    # (0.8), but two of those picked the days; of the other 3 they explain 2 (0.67 < 0.8)
    days = [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 16)]
    days += [date(2026, 1, 23), date(2026, 1, 28)]
    assert learn_runs(days) is None
    # a sixth payment on a Monday makes it 3 of 4 others... still 0.75; a seventh, 4 of 5
    assert learn_runs([*days, date(2026, 1, 19)]) is None
    runs = learn_runs([*days, date(2026, 1, 19), date(2026, 1, 30)])
    assert runs == PaymentRuns(RunKind.WEEKDAY, (0, 4), 6 / 7, 7)


def test_a_seen_once_weekday_cannot_make_a_two_weekday_run() -> None:
    # 4 Fridays and a Monday: Mon+Fri would explain 5 of 5, gaining 0.2 over Friday alone
    # (4 of 5), but a Monday seen once is no habit: Friday alone
    days = [*fridays(4), date(2026, 1, 5)]
    assert learn_runs(days) == PaymentRuns(RunKind.WEEKDAY, (4,), 0.8, 5)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_days": 0}, "min_days"),
        ({"min_share": 0}, "min_share"),
        ({"min_share": 1.5}, "min_share"),
    ],
)
def test_learning_thresholds_out_of_range_are_invalid(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        learn_runs(fridays(5), **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_payment_day_that_is_not_a_date_is_invalid() -> None:
    with pytest.raises(Invalid, match="must be a date"):
        learn_runs([*fridays(4), "2026-01-30"])  # type: ignore[list-item]


# ---- next_run and last_run_by


def test_the_next_friday_run_of_a_friday_is_that_friday() -> None:
    assert next_run(FRIDAYS, date(2026, 3, 6)) == date(2026, 3, 6)
    assert next_run(FRIDAYS, date(2026, 3, 7)) == date(2026, 3, 13)  # from the Saturday
    assert next_run(FRIDAYS, date(2026, 3, 2)) == date(2026, 3, 6)  # from the Monday


def test_the_next_of_two_weekday_runs_is_the_nearer() -> None:
    runs = PaymentRuns(RunKind.WEEKDAY, (1, 4), 1.0, 10)
    assert next_run(runs, date(2026, 3, 7)) == date(2026, 3, 10)  # Sat -> Tue
    assert next_run(runs, date(2026, 3, 11)) == date(2026, 3, 13)  # Wed -> Fri


def test_the_last_day_run_of_february_2026_is_friday_the_27th() -> None:
    # "31" is Feb 28 in February 2026, a Saturday: the run is made on Friday Feb 27
    last = PaymentRuns(RunKind.MONTHDAY, (31,), 1.0, 6)
    assert next_run(last, date(2026, 2, 20)) == date(2026, 2, 27)
    assert next_run(MID_AND_END, date(2026, 2, 16)) == date(2026, 2, 27)
    # on Saturday the 28th that run is past: the next is the 15th of March, a Sunday -> Mar 13
    assert next_run(MID_AND_END, date(2026, 2, 28)) == date(2026, 3, 13)


def test_the_next_run_of_a_run_day_is_that_day() -> None:
    assert next_run(MID_AND_END, date(2026, 3, 13)) == date(2026, 3, 13)
    assert next_run(MID_AND_END, date(2026, 3, 14)) == date(2026, 3, 31)
    assert next_run(MID_AND_END, date(2026, 4, 15)) == date(2026, 4, 15)


def test_a_run_on_the_first_can_fall_in_the_month_before() -> None:
    # Aug 1 2026 is a Saturday: the run is on Friday Jul 31
    assert next_run(FIRSTS, date(2026, 7, 20)) == date(2026, 7, 31)
    # from Aug 1 itself that run is past: Sep 1 is a Tuesday
    assert next_run(FIRSTS, date(2026, 8, 1)) == date(2026, 9, 1)
    # Jan 31 2026 (Sat): Feb 1 (Sun) was run on Jan 30, Mar 1 (Sun) is run on Feb 27
    assert next_run(FIRSTS, date(2026, 1, 31)) == date(2026, 2, 27)


def test_next_run_crosses_the_year_end() -> None:
    last = PaymentRuns(RunKind.MONTHDAY, (31,), 1.0, 6)
    assert next_run(last, date(2026, 12, 31)) == date(2026, 12, 31)
    # Jan 31 2027 is a Sunday -> Friday Jan 29
    assert next_run(last, date(2027, 1, 1)) == date(2027, 1, 29)


def test_last_run_by_is_the_last_run_on_or_before_the_day_after_issue() -> None:
    wed = date(2026, 3, 4)
    assert last_run_by(FRIDAYS, wed, after=date(2026, 2, 20)) == date(2026, 2, 27)
    assert last_run_by(FRIDAYS, wed, after=date(2026, 2, 27)) is None  # strictly after
    assert last_run_by(FRIDAYS, date(2026, 3, 6), after=date(2026, 3, 1)) == date(2026, 3, 6)


def test_last_run_by_moves_weekend_month_days_to_the_friday() -> None:
    aug_1 = date(2026, 8, 1)
    assert last_run_by(MID_AND_END, date(2026, 8, 16), after=aug_1) == date(2026, 8, 14)
    assert last_run_by(MID_AND_END, date(2026, 8, 14), after=aug_1) == date(2026, 8, 14)
    assert last_run_by(MID_AND_END, date(2026, 8, 13), after=aug_1) is None
    assert last_run_by(MID_AND_END, date(2026, 8, 13), after=date(2026, 7, 1)) == date(2026, 7, 31)
    # the run of Sat Aug 1 is made on Fri Jul 31
    assert last_run_by(FIRSTS, date(2026, 7, 31), after=date(2026, 7, 2)) == date(2026, 7, 31)
    assert last_run_by(FIRSTS, date(2026, 7, 30), after=date(2026, 6, 2)) == date(2026, 7, 1)


# ---- advance


def test_no_runs_or_a_stage_on_or_after_due_is_not_advanced() -> None:
    due, issued = date(2026, 3, 6), date(2026, 2, 4)
    assert advance(None, due=due, issued=issued, offset=-1) == 0
    assert advance(FRIDAYS, due=due, issued=issued, offset=0) == 0
    assert advance(FRIDAYS, due=due, issued=issued, offset=5) == 0


def test_a_reminder_already_lead_days_before_the_run_stays() -> None:
    # due Fri Mar 6 (a run), reminder 3 days before on Mar 3 = run - 3: early enough
    assert advance(FRIDAYS, due=date(2026, 3, 6), issued=date(2026, 2, 4), offset=-3) == 0
    assert advance(FRIDAYS, due=date(2026, 3, 6), issued=date(2026, 2, 4), offset=-7) == 0


def test_a_late_reminder_is_brought_forward_before_the_run() -> None:
    # due Fri Mar 6; stage at -1 = Mar 5; wanted = Mar 6 - 3 = Mar 3: 2 days earlier
    assert advance(FRIDAYS, due=date(2026, 3, 6), issued=date(2026, 2, 4), offset=-1) == 2
    # due Thu Mar 5: last run Fri Feb 27, wanted Feb 24; stage at -1 = Mar 4: 8 days earlier
    assert advance(FRIDAYS, due=date(2026, 3, 5), issued=date(2026, 2, 4), offset=-1) == 8
    # with no lead, wanted is the run itself: Mar 4 -> Feb 27 is 5 days
    assert advance(FRIDAYS, due=date(2026, 3, 5), issued=date(2026, 2, 4), offset=-1, lead=0) == 5


def test_a_reminder_is_not_brought_forward_more_than_most_days() -> None:
    # due Sun Mar 29: last run the 15th (Sun) on Fri Mar 13, wanted Mar 10; stage at -2 = Mar 27
    # would move 17 days > 10: left alone
    due, issued = date(2026, 3, 29), date(2026, 2, 20)
    assert advance(MID_AND_END, due=due, issued=issued, offset=-2) == 0
    assert advance(MID_AND_END, due=due, issued=issued, offset=-2, most=17) == 17
    assert advance(MID_AND_END, due=due, issued=issued, offset=-2, most=16) == 0


def test_a_reminder_is_never_brought_forward_to_or_before_the_issue_day() -> None:
    # due Fri Mar 6, stage -1 = Mar 5, wanted Mar 3
    due = date(2026, 3, 6)
    assert advance(FRIDAYS, due=due, issued=date(2026, 3, 3), offset=-1) == 0  # wanted = issue
    assert advance(FRIDAYS, due=due, issued=date(2026, 3, 2), offset=-1) == 2


def test_a_run_before_the_issue_day_is_not_aimed_at() -> None:
    # due Thu Mar 5, issued Sat Feb 28: the last run, Fri Feb 27, was before the invoice
    assert advance(FRIDAYS, due=date(2026, 3, 5), issued=date(2026, 2, 28), offset=-1) == 0


def test_the_defaults_are_three_days_lead_and_ten_at_most() -> None:
    assert (LEAD_DAYS, MOST_ADVANCE) == (3, 10)


def test_negative_lead_or_most_is_invalid() -> None:
    with pytest.raises(Invalid):
        advance(FRIDAYS, due=date(2026, 3, 6), issued=date(2026, 2, 4), offset=-1, lead=-1)
    with pytest.raises(Invalid):
        advance(FRIDAYS, due=date(2026, 3, 6), issued=date(2026, 2, 4), offset=-1, most=-1)


# ---- words and json


@pytest.mark.parametrize(
    ("runs", "words"),
    [
        (FRIDAYS, "every Friday"),
        (PaymentRuns(RunKind.WEEKDAY, (0,), 1.0, 4), "every Monday"),
        (PaymentRuns(RunKind.WEEKDAY, (1, 4), 1.0, 4), "Tuesdays and Fridays"),
        (PaymentRuns(RunKind.WEEKDAY, (0, 2, 4), 1.0, 4), "Mondays, Wednesdays and Fridays"),
        (MID_AND_END, "on the 15th and the last day of the month"),
        (FIRSTS, "on the 1st of the month"),
        (PaymentRuns(RunKind.MONTHDAY, (31,), 1.0, 4), "on the last day of the month"),
        (
            PaymentRuns(RunKind.MONTHDAY, (1, 2, 3, 11, 12, 13, 21, 22, 23, 30, 31), 1.0, 4),
            "on the 1st, the 2nd, the 3rd, the 11th, the 12th, the 13th, the 21st, the 22nd, "
            "the 23rd, the 30th and the last day of the month",
        ),
    ],
)
def test_runs_are_described_in_words(runs: PaymentRuns, words: str) -> None:
    assert runs.describe() == words


def test_runs_are_written_to_json_as_a_plain_dict() -> None:
    runs = PaymentRuns(RunKind.MONTHDAY, (15, 31), 2 / 3, 9)
    assert runs.to_json() == {"kind": "monthday", "days": [15, 31], "support": 0.667, "seen": 9}


def _runs() -> st.SearchStrategy[PaymentRuns]:
    weekdays = st.sets(st.integers(0, 6), min_size=1, max_size=2)
    monthdays = st.sets(st.integers(1, 31), min_size=1, max_size=3)
    return st.one_of(
        st.builds(lambda days: (RunKind.WEEKDAY, tuple(sorted(days))), weekdays),
        st.builds(lambda days: (RunKind.MONTHDAY, tuple(sorted(days))), monthdays),
    ).flatmap(
        lambda pair: st.builds(
            PaymentRuns,
            st.just(pair[0]),
            st.just(pair[1]),
            st.integers(0, 1000).map(lambda n: n / 1000),
            st.integers(0, 500),
        )
    )


@given(_runs())
def test_runs_round_trip_through_json(runs: PaymentRuns) -> None:
    assert PaymentRuns.from_json(json.loads(json.dumps(runs.to_json()))) == runs


@given(_runs(), st.floats(0, 1))
def test_json_keeps_support_to_three_places(runs: PaymentRuns, support: float) -> None:
    raw = PaymentRuns(runs.kind, runs.days, support, runs.seen).to_json()
    assert PaymentRuns.from_json(raw).to_json() == raw
    assert raw["support"] == round(support, 3)


GOOD = {"kind": "weekday", "days": [4], "support": 1.0, "seen": 8}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([4], "runs"),
        ({k: v for k, v in GOOD.items() if k != "days"}, "days"),
        ({k: v for k, v in GOOD.items() if k != "seen"}, "seen"),
        ({**GOOD, "kind": "fortnight"}, "kind"),
        ({**GOOD, "days": "4"}, "days"),
        ({**GOOD, "days": []}, "days"),
        ({**GOOD, "days": [7]}, "days"),
        ({**GOOD, "kind": "monthday", "days": [0]}, "days"),
        ({**GOOD, "kind": "monthday", "days": [32]}, "days"),
        ({**GOOD, "days": [4, 1]}, "days"),
        ({**GOOD, "days": [4, 4]}, "days"),
        ({**GOOD, "days": [True]}, "days"),
        ({**GOOD, "days": [4.0]}, "days"),
        ({**GOOD, "support": 1.5}, "support"),
        ({**GOOD, "support": -0.1}, "support"),
        ({**GOOD, "support": float("nan")}, "support"),
        ({**GOOD, "support": "1"}, "support"),
        ({**GOOD, "support": True}, "support"),
        ({**GOOD, "seen": -1}, "seen"),
        ({**GOOD, "seen": 8.0}, "seen"),
        ({**GOOD, "seen": True}, "seen"),
    ],
)
def test_malformed_json_is_invalid(data: object, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        PaymentRuns.from_json(data)
    assert caught.value.field == field


def test_json_with_an_unknown_key_is_read() -> None:
    assert PaymentRuns.from_json({**GOOD, "note": "later"}) == FRIDAYS


# ---- properties


def _run_days_by_hand(runs: PaymentRuns, around: date) -> list[date]:
    """Every run day of the 3 years around `around`, computed the plain way."""
    out: list[date] = []
    for year in range(around.year - 1, around.year + 2):
        for month in range(1, 13):
            if runs.kind is RunKind.WEEKDAY:
                continue
            length = calendar.monthrange(year, month)[1]
            for day in runs.days:
                nominal = date(year, month, min(day, length))
                out.append(nominal - timedelta(days=max(0, nominal.weekday() - 4)))
    if runs.kind is RunKind.WEEKDAY:
        start = date(around.year - 1, 1, 1)
        out = [start + timedelta(days=i) for i in range(3 * 366)]
        out = [day for day in out if day.weekday() in runs.days]
    return sorted(out)


DAYS = st.dates(date(2020, 1, 1), date(2035, 12, 31))


@given(_runs(), DAYS)
def test_next_run_is_the_first_run_day_on_or_after_the_day(runs: PaymentRuns, on: date) -> None:
    run = next_run(runs, on)
    assert run >= on
    if runs.kind is RunKind.WEEKDAY:
        assert run.weekday() in runs.days
        assert (run - on).days < 7
    assert run == min(day for day in _run_days_by_hand(runs, on) if day >= on)


@given(_runs(), DAYS, st.integers(0, 60))
def test_last_run_by_is_the_last_run_day_in_the_window(
    runs: PaymentRuns, day: date, span: int
) -> None:
    after = day - timedelta(days=span)
    inside = [d for d in _run_days_by_hand(runs, day) if after < d <= day]
    assert last_run_by(runs, day, after) == (max(inside) if inside else None)
    # the next run from any day is the last run by that run day
    run = next_run(runs, day)
    assert last_run_by(runs, run, after=day - timedelta(days=1)) == run


def _told_apart(runs: PaymentRuns) -> bool:
    """Whether a year of payments tells each of the runs' days apart: month days 1 or 2 apart
    often share the Friday before a weekend, and days after the 28th share February's last day
    (checked for every such pattern of 2024..2030 when this test was written)."""
    days = runs.days
    if runs.kind is RunKind.WEEKDAY:
        return True
    return all(b - a >= 3 for a, b in pairwise(days)) and sum(d > 28 for d in days) <= 1


@given(_runs().filter(_told_apart), st.integers(2024, 2030))
def test_a_customer_paying_on_every_run_day_of_a_year_is_learnt_back(
    runs: PaymentRuns, year: int
) -> None:
    start, end = date(year, 1, 1), date(year, 12, 31)
    paid, day = [], next_run(runs, start)
    while day <= end:
        paid.append(day)
        day = next_run(runs, day + timedelta(days=1))
    learnt = learn_runs(paid)
    assert learnt is not None
    assert (learnt.kind, learnt.days, learnt.support) == (runs.kind, runs.days, 1.0)


@given(_runs(), DAYS, DAYS, st.integers(-30, 10))
def test_advance_stays_within_most_and_after_issue(
    runs: PaymentRuns, due: date, issued: date, offset: int
) -> None:
    shift = advance(runs, due=due, issued=issued, offset=offset)
    assert 0 <= shift <= MOST_ADVANCE
    if shift:
        assert offset < 0
        moved = due + timedelta(days=offset - shift)
        assert moved > issued
        run = last_run_by(runs, due, after=issued)
        assert run is not None
        assert moved == run - timedelta(days=LEAD_DAYS)
