"""The 13-week cash-in forecast: chances per week from the residuals, intervals, the check."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.scoring.forecast_rules import (
    CheckSummary,
    Expected,
    Forecast,
    ForecastWeek,
    WeekCheck,
    compare,
    forecast,
    summary,
    week_starts,
)

# Wednesday 4 March 2026: week 1 is Monday 2 March .. Sunday 8 March, week 2 starts 9 March…
ON = date(2026, 3, 4)
MON = date(2026, 3, 2)
# z for a 90% two-sided interval: NormalDist().inv_cdf(0.95) = 1.6448536269514715


def day(month: int, number: int) -> date:
    return date(2026, month, number)


def week(result: Forecast, currency: str, start: date) -> tuple[int, int, int]:
    """(expected, low, high) of one week of the forecast."""
    for row in result.weeks:
        if row.currency == currency and row.start == start:
            return row.expected, row.low, row.high
    raise AssertionError(f"no {currency} week starting {start}")


def test_the_weeks_start_on_the_monday_of_the_forecast_day_and_run_thirteen_weeks() -> None:
    starts = week_starts(ON)
    assert len(starts) == 13
    assert starts[0] == MON
    assert starts[1] == day(3, 9)
    assert starts[-1] == day(5, 25)  # 2 March + 12 x 7 days
    assert week_starts(MON, 2) == [MON, day(3, 9)]  # a Monday is its own week's start
    assert week_starts(day(3, 8), 1) == [MON]  # and a Sunday belongs to the week before it


def test_two_items_with_three_residuals_land_in_the_weeks_worked_out_by_hand() -> None:
    items = [
        # A: 4 Mar -7/0/+7 -> 25 Feb (before ON: dropped), 4 Mar (week 1), 11 Mar (week 2):
        #    1/2 in week 1, 1/2 in week 2
        Expected(100_00, "EUR", ON),
        # B: Friday 13 Mar -> 6 Mar (week 1), 13 Mar (week 2), 20 Mar (week 3): 1/3 each
        Expected(60_00, "EUR", day(3, 13)),
    ]
    result = forecast(items, (-7, 0, 7), ON)
    # week 1: expected 10000/2 + 6000/3 = 5000 + 2000 = 7000
    #   variance 10000^2 x 1/2 x 1/2 + 6000^2 x 1/3 x 2/3 = 25,000,000 + 8,000,000 = 33,000,000
    #   sd 5744.5626, z x sd = 9449.06: low max(0, 7000 - 9449.06) = 0, high 16449.06 -> 16449
    assert week(result, "EUR", MON) == (7000, 0, 16449)
    # week 2: the same shares, so the same numbers
    assert week(result, "EUR", day(3, 9)) == (7000, 0, 16449)
    # week 3: only B's third: expected 2000, variance 8,000,000, sd 2828.43, z x sd = 4652.34
    #   low 0, high 6652.34 -> 6652
    assert week(result, "EUR", day(3, 16)) == (2000, 0, 6652)
    assert [row.expected for row in result.weeks[3:]] == [0] * 10
    assert result.later == {"EUR": 0}
    assert result.past_model == {}
    assert result.on == ON


def test_many_items_give_an_interval_that_does_not_touch_zero() -> None:
    # 100 items of 100.00, each 1/2 in week 1 and 1/2 in week 2 (residuals 0 and +7)
    items = [Expected(100_00, "EUR", ON)] * 100
    result = forecast(items, (0, 7), ON)
    # expected 100 x 10000 / 2 = 500,000; variance 100 x 10000^2 x 1/4 = 2.5e9, sd 50,000
    # z x sd = 82,242.68: low 417,757.32 -> 417,757, high 582,242.68 -> 582,243
    assert week(result, "EUR", MON) == (500_000, 417_757, 582_243)
    assert week(result, "EUR", day(3, 9)) == (500_000, 417_757, 582_243)
    # at level 0.5, z = inv_cdf(0.75) = 0.6744897502: z x sd = 33,724.49
    narrow = forecast(items, (0, 7), ON, level=0.5)
    assert week(narrow, "EUR", MON) == (500_000, 466_276, 533_724)


def test_an_item_predicted_before_the_forecast_day_is_spread_over_the_days_still_ahead() -> None:
    # predicted Monday 2 Mar, but still open on Wednesday 4 Mar. Residuals 0/+2/+7 -> 2 Mar
    # (before ON: cannot happen), 4 Mar (ON itself: kept, week 1), 9 Mar (week 2): 1/2 each
    result = forecast([Expected(100_00, "EUR", MON)], (0, 2, 7), ON)
    # expected 5000 each; variance 10000^2 / 4 = 25,000,000, sd 5000, z x sd = 8224.27
    # low 0, high 13224.27 -> 13224
    assert week(result, "EUR", MON) == (5000, 0, 13224)
    assert week(result, "EUR", day(3, 9)) == (5000, 0, 13224)
    assert result.past_model == {}


def test_an_item_later_than_every_outcome_goes_to_week_one_and_is_flagged() -> None:
    items = [
        # 1 Feb -7/0/+7 -> 25 Jan, 1 Feb, 8 Feb: all before ON, the model has no outcome left
        Expected(80_00, "EUR", day(2, 1)),
        Expected(30_00, "USD", day(3, 6)),  # 6 Mar -> 27 Feb (dropped), 6 Mar, 13 Mar
    ]
    result = forecast(items, (-7, 0, 7), ON)
    # certain: all 8000 in week 1, no spread
    assert week(result, "EUR", MON) == (8000, 8000, 8000)
    assert week(result, "EUR", day(3, 9)) == (0, 0, 0)
    assert result.past_model == {"EUR": 80_00}  # only currencies with such items
    # USD: 1/2 in week 1 and 1/2 in week 2: 1500 each, sd 3000 x 1/2 = 1500, z x sd = 2467.28
    assert week(result, "USD", MON) == (1500, 0, 3967)


def test_two_currencies_are_never_added_together() -> None:
    items = [Expected(100_00, "EUR", ON), Expected(70_00, "USD", ON), Expected(5_00, "EUR", ON)]
    result = forecast(items, (0,), ON)
    assert week(result, "EUR", MON) == (105_00, 105_00, 105_00)
    assert week(result, "USD", MON) == (70_00, 70_00, 70_00)
    # one full series per currency, EUR first, each in week order
    assert [(row.currency, row.start) for row in result.weeks] == [
        ("EUR", start) for start in week_starts(ON)
    ] + [("USD", start) for start in week_starts(ON)]


def test_a_currency_is_read_as_its_iso_code() -> None:
    result = forecast([Expected(10_00, "eur", ON), Expected(5_00, "EUR", ON)], (0,), ON, weeks=1)
    assert result.weeks == (ForecastWeek(MON, "EUR", 15_00, 15_00, 15_00),)


def test_outcomes_after_the_last_week_are_expected_later() -> None:
    # two weeks only. 11 Mar 0/+7/+14 -> 11 Mar (week 2), 18 Mar and 25 Mar (after week 2)
    result = forecast([Expected(90_00, "EUR", day(3, 11))], (0, 7, 14), ON, weeks=2)
    assert [row.expected for row in result.weeks] == [0, 3000]  # 9000 / 3
    assert result.later == {"EUR": 6000}  # 9000 x 2/3


def test_rounding_is_done_once_per_week_not_per_item() -> None:
    # three items of 1 cent, each 1/2 in week 1: 0.5 each (1 each if rounded per item, 3 in
    # all) but 1.5 for the week, which rounds half up to 2
    result = forecast([Expected(1, "EUR", ON)] * 3, (0, 7), ON, weeks=2)
    assert [row.expected for row in result.weeks] == [2, 2]


def test_bad_input_is_refused_naming_what_is_wrong() -> None:
    good = [Expected(10_00, "EUR", ON)]
    with pytest.raises(Invalid) as empty:
        forecast(good, (), ON)
    assert empty.value.field == "residuals"
    for weeks in (0, 53):
        with pytest.raises(Invalid) as many:
            forecast(good, (0,), ON, weeks=weeks)
        assert many.value.field == "weeks"
    with pytest.raises(Invalid) as short:
        week_starts(ON, 0)
    assert short.value.field == "weeks"
    for level in (0.0, 1.0, float("nan")):
        with pytest.raises(Invalid) as bad_level:
            forecast(good, (0,), ON, level=level)
        assert bad_level.value.field == "level"
    with pytest.raises(Invalid) as nothing_owed:
        forecast([*good, Expected(0, "EUR", ON)], (0,), ON)
    assert nothing_owed.value.field == "items[1].open_amount"
    assert "item 1" in nothing_owed.value.message
    with pytest.raises(Invalid) as unknown:
        forecast([Expected(10_00, "ZZZ", ON)], (0,), ON)
    assert unknown.value.field == "items[0].currency"


def test_no_items_give_an_empty_forecast() -> None:
    assert forecast([], (0,), ON) == Forecast(on=ON, weeks=(), later={}, past_model={})


PAST = Forecast(
    on=ON,
    weeks=(
        ForecastWeek(MON, "EUR", expected=1000, low=800, high=1200),
        ForecastWeek(day(3, 9), "EUR", expected=2000, low=1500, high=2500),
        ForecastWeek(day(3, 16), "EUR", expected=3000, low=2000, high=4000),
        ForecastWeek(MON, "USD", expected=500, low=400, high=600),
    ),
    later={"EUR": 0, "USD": 0},
    past_model={},
)
RECEIVED = {
    ("EUR", MON): 1100,
    ("EUR", day(3, 9)): 2600,
    ("EUR", day(3, 16)): 100,  # that week is not over on 16 Mar: not compared
    ("GBP", MON): 999,  # no GBP forecast: nothing to compare with
}


def test_only_weeks_that_are_over_are_compared_with_the_cash_received() -> None:
    checks = compare(PAST, RECEIVED, until=day(3, 16))
    assert checks == [
        WeekCheck(MON, "EUR", 1000, 800, 1200, received=1100, error=100, inside=True),
        # 2600 is above the high of 2500
        WeekCheck(day(3, 9), "EUR", 2000, 1500, 2500, received=2600, error=600, inside=False),
        # no USD came in: 0 received, 500 short
        WeekCheck(MON, "USD", 500, 400, 600, received=0, error=-500, inside=False),
    ]
    # on Sunday 15 Mar the week of 9 Mar is not over yet
    assert [check.start for check in compare(PAST, RECEIVED, until=day(3, 15))] == [MON, MON]


def test_the_summary_gives_error_bias_and_hit_rate_per_currency() -> None:
    result = summary(compare(PAST, RECEIVED, until=day(3, 16)))
    assert result == {
        # errors 100 and 600: MAE (100 + 600) / 2 = 350, bias 350; one week of two inside
        "EUR": CheckSummary(
            weeks=2, mae=350, bias=350, inside_share=0.5, expected=3000, received=3700
        ),
        "USD": CheckSummary(
            weeks=1, mae=500, bias=-500, inside_share=0.0, expected=500, received=0
        ),
    }
    assert summary([]) == {}


def test_the_summary_rounds_halves_away_from_zero() -> None:
    checks = [
        WeekCheck(MON, "EUR", 10, 0, 20, received=9, error=-1, inside=True),
        WeekCheck(day(3, 9), "EUR", 10, 0, 20, received=8, error=-2, inside=True),
    ]
    # mean error -3/2 = -1.5 -> -2; mean absolute error 1.5 -> 2
    assert summary(checks)["EUR"] == CheckSummary(2, 2, -2, 1.0, 20, 17)


def brute_force(
    items: list[Expected], residuals: list[int], on: date, weeks: int
) -> dict[tuple[str, int], Fraction]:
    """The exact expected cash per (currency, week index; weeks = later), one residual at a time."""
    first = on - timedelta(days=on.weekday())
    totals: dict[tuple[str, int], Fraction] = defaultdict(Fraction)
    for amount, currency, pay_on in items:
        days = [pay_on + timedelta(days=r) for r in residuals]
        ahead = [when for when in days if when >= on] or [on]
        for when in ahead:
            index = min((when - first).days // 7, weeks)
            totals[currency, index] += Fraction(amount, len(ahead))
    return totals


ITEMS = st.lists(
    st.builds(
        Expected,
        st.integers(1, 10**9),
        st.sampled_from(["EUR", "USD", "JPY"]),
        st.integers(-150, 250).map(lambda offset: ON + timedelta(days=offset)),
    ),
    max_size=30,
)
RESIDUALS = st.lists(st.integers(-90, 120), min_size=1, max_size=40)


@given(ITEMS, RESIDUALS, st.integers(-3, 3), st.integers(1, 52), st.floats(0.5, 0.995))
@settings(max_examples=200, deadline=None)
def test_the_forecast_keeps_every_amount_and_orders_its_intervals(
    items: list[Expected], residuals: list[int], shift: int, weeks: int, level: float
) -> None:
    on = ON + timedelta(days=shift)
    result = forecast(items, residuals, on, weeks=weeks, level=level)
    exact = brute_force(items, residuals, on, weeks)
    currencies = sorted({item.currency for item in items})
    assert [row.currency for row in result.weeks] == [c for c in currencies for _ in range(weeks)]
    for currency in currencies:
        rows = [row for row in result.weeks if row.currency == currency]
        assert [row.start for row in rows] == week_starts(on, weeks)
        owed = sum(item.open_amount for item in items if item.currency == currency)
        spread = sum(row.expected for row in rows) + result.later[currency]
        assert abs(spread - owed) * 2 <= weeks + 1  # at most half a unit per rounded figure
        for index, row in enumerate(rows):
            assert 0 <= row.low <= row.expected <= row.high
            assert abs(row.expected - exact[currency, index]) <= Fraction(1, 2)
        assert abs(result.later[currency] - exact[currency, weeks]) <= Fraction(1, 2)
        assert result.past_model.get(currency, 0) <= rows[0].expected


@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.integers(1, 52))
def test_week_starts_are_mondays_a_week_apart_with_the_day_in_the_first(
    on: date, weeks: int
) -> None:
    starts = week_starts(on, weeks)
    assert len(starts) == weeks
    assert all(start.weekday() == 0 for start in starts)
    assert all(later - earlier == timedelta(days=7) for earlier, later in pairwise(starts))
    assert starts[0] <= on <= starts[0] + timedelta(days=6)


def test_two_hundred_thousand_items_are_forecast_in_one_pass() -> None:
    draw = random.Random(9)
    residuals = [draw.randint(-30, 45) for _ in range(41)]
    items = [
        Expected(
            draw.randint(1, 5_000_00),
            draw.choice(("EUR", "USD", "GBP")),
            ON + timedelta(days=draw.randint(-120, 150)),
        )
        for _ in range(200_000)
    ]
    result = forecast(items, residuals, ON)
    assert len(result.weeks) == 3 * 13
    for currency in ("EUR", "GBP", "USD"):
        owed = sum(item.open_amount for item in items if item.currency == currency)
        spread = sum(row.expected for row in result.weeks if row.currency == currency)
        assert abs(spread + result.later[currency] - owed) <= 7  # 14 figures, half a unit each
