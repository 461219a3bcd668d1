"""The worklist's ranking and reasons, as a credit controller reads them: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cobro.worklist.rules import (
    Facts,
    age_weight,
    band_starts,
    describe,
    effort_percent,
    priority,
    rank,
    reasons,
    risk_permille,
)

ON = date(2026, 11, 25)


def facts(name: str, overdue: int, days: int, **more: object) -> Facts:
    """A customer owing `overdue` (minor units) in one item `days` overdue."""
    base = Facts(
        customer_id=more.pop("customer_id", abs(hash(name)) % 10_000),  # type: ignore[arg-type]
        external_id=name,
        name=name,
        currency=str(more.pop("currency", "EUR")),
        overdue=overdue,
        weighted=overdue * age_weight(days),
        oldest_due=date.fromordinal(ON.toordinal() - days),
        items=1,
    )
    return replace(base, **more)  # type: ignore[arg-type]


def euros(amount: int, currency: str) -> str:
    return f"€{amount / 100:,.2f}" if currency == "EUR" else f"{amount / 100:,.2f} {currency}"


def names(rows: list[Facts]) -> list[str]:
    return [row.name for row in rows]


@pytest.mark.parametrize(
    ("days", "weight"), [(1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (900, 4)]
)
def test_older_items_weigh_more_by_age_band(days: int, weight: int) -> None:
    assert age_weight(days) == weight


def test_the_bands_start_on_the_due_dates_sql_compares_with() -> None:
    assert band_starts(ON) == [
        (date(2026, 10, 26), 1),
        (date(2026, 9, 26), 2),
        (date(2026, 8, 27), 3),
        (None, 4),
    ]


def test_older_money_comes_before_a_larger_young_amount() -> None:
    young = facts("young", 12_000_00, 10)
    old = facts("old", 10_000_00, 45)
    assert names(rank([young, old])) == ["old", "young"]


def test_a_much_larger_amount_still_wins_over_a_small_old_one() -> None:
    small_old = facts("small", 500_00, 200)
    large = facts("large", 50_000_00, 5)
    assert names(rank([small_old, large])) == ["large", "small"]


def test_a_worse_grade_moves_a_customer_up() -> None:
    good = facts("good", 10_000_00, 20, grade="A")
    bad = facts("bad", 9_000_00, 20, grade="D")
    assert names(rank([good, bad])) == ["bad", "good"]


@pytest.mark.parametrize(("grade", "permille"), [("A", 200), ("B", 400), ("C", 650), ("D", 850)])
def test_without_a_model_score_the_grade_stands_for_the_chance_of_paying_late(
    grade: str, permille: int
) -> None:
    assert risk_permille(None, grade) == permille


def test_no_grade_and_no_score_count_as_even_odds() -> None:
    assert risk_permille(None, None) == 500


def test_the_models_chance_wins_over_the_grade_but_never_below_five_percent() -> None:
    assert risk_permille(720, "A") == 720
    assert risk_permille(10, "D") == 50


def test_a_customer_the_model_finds_likelier_to_pay_late_comes_first() -> None:
    safe = facts("safe", 10_000_00, 20, grade="C", late_permille=100)
    risky = facts("risky", 9_000_00, 20, grade="A", late_permille=900)
    assert names(rank([safe, risky])) == ["risky", "safe"]


def test_effort_grows_ten_percent_an_item_up_to_double() -> None:
    assert [effort_percent(n) for n in (1, 2, 5, 11, 40)] == [100, 110, 140, 200, 200]


def test_the_same_money_over_many_invoices_ranks_after_one_invoice() -> None:
    one = facts("one", 10_000_00, 20)
    many = facts("many", 10_000_00, 20, items=8)
    assert names(rank([many, one])) == ["one", "many"]


def test_an_open_call_task_moves_a_customer_up() -> None:
    plain = facts("plain", 10_000_00, 20)
    to_call = facts("to-call", 9_000_00, 20, call_tasks=1)
    assert names(rank([plain, to_call])) == ["to-call", "plain"]


def test_failed_messages_move_a_customer_up() -> None:
    plain = facts("plain", 10_000_00, 20)
    unreachable = facts("unreachable", 9_000_00, 20, failed_messages=2)
    assert names(rank([plain, unreachable])) == ["unreachable", "plain"]


def test_a_broken_promise_weighs_more_than_a_call_task() -> None:
    to_call = facts("to-call", 10_000_00, 20, call_tasks=1)
    broken = facts("broken", 10_000_00, 20, promise_broken_on=date(2026, 11, 20))
    assert names(rank([to_call, broken])) == ["broken", "to-call"]


def test_the_bumps_add_up() -> None:
    row = facts("x", 100, 10, call_tasks=3, failed_messages=1, promise_broken_on=ON)
    # 100 cents × weight 1 × even odds (500 ‰) × (100 + 25 + 25 + 50) % ÷ effort 100 %
    assert priority(row) == 100 * 1 * 500 * (100 + 25 + 25 + 50) // 100


def test_a_customer_on_hold_comes_after_everyone_else_however_large() -> None:
    held = facts("held", 1_000_000_00, 200, hold="dispute")
    small = facts("small", 10_00, 1)
    assert names(rank([held, small])) == ["small", "held"]


def test_customers_on_hold_are_ranked_among_themselves() -> None:
    a = facts("a", 100_00, 10, hold="manual")
    b = facts("b", 900_00, 10, hold="promise")
    assert names(rank([a, b])) == ["b", "a"]


def test_every_item_held_on_its_own_counts_as_on_hold() -> None:
    held_items = replace(facts("items", 0, 10), held=5_000_00, oldest_due=None, weighted=0)
    other = facts("other", 10_00, 1)
    assert held_items.on_hold
    assert names(rank([held_items, other])) == ["other", "items"]


def test_ties_are_broken_by_customer_then_currency() -> None:
    one = facts("one", 100_00, 10, customer_id=2, currency="USD")
    two = facts("two", 100_00, 10, customer_id=2, currency="EUR")
    three = facts("three", 100_00, 10, customer_id=1)
    assert names(rank([one, two, three])) == ["three", "two", "one"]


def test_the_reason_reads_like_a_credit_controller_would_say_it() -> None:
    row = facts("x", 12_400_00, 45, grade="D", call_tasks=1, stage="firm")
    assert describe(reasons(row, ON), euros) == (
        "€12,400.00 overdue, 45 days, stage firm, grade D, call task open, promise none"
    )


def test_the_reason_names_what_is_missing() -> None:
    row = facts("x", 50_00, 3)
    assert describe(reasons(row, ON), euros) == (
        "€50.00 overdue, 3 days, not chased yet, no grade, promise none"
    )


def test_the_reason_counts_tasks_and_failed_messages() -> None:
    one = facts("x", 50_00, 3, failed_messages=1)
    many = facts("x", 50_00, 3, call_tasks=2, failed_messages=3)
    assert "1 failed message," in describe(reasons(one, ON), euros)
    text = describe(reasons(many, ON), euros)
    assert "2 call tasks open, 3 failed messages" in text


def test_the_reason_shows_a_broken_promise_with_its_day() -> None:
    row = facts("x", 50_00, 40, promise_broken_on=date(2026, 11, 20))
    assert "promise broken 2026-11-20" in describe(reasons(row, ON), euros)


def test_the_reason_shows_a_hold_and_until_when() -> None:
    paused = facts("x", 50_00, 40, hold="manual", hold_until=date(2026, 12, 1))
    assert describe(reasons(paused, ON), euros).endswith("on hold: manual until 2026-12-01")
    open_ended = facts("x", 50_00, 40, hold="dispute")
    assert describe(reasons(open_ended, ON), euros).endswith("on hold: dispute")


def test_a_promise_in_force_is_the_promise_part() -> None:
    row = facts("x", 50_00, 40, hold="promise", hold_until=date(2026, 12, 3))
    text = describe(reasons(row, ON), euros)
    assert "promise until 2026-12-03" in text
    assert "promise none" not in text


def test_held_items_and_the_last_call_are_told() -> None:
    row = facts("x", 50_00, 40, held=20_00, last_call=("no_answer", date(2026, 11, 24)))
    text = describe(reasons(row, ON), euros)
    assert "€20.00 held" in text
    assert text.endswith("last call 2026-11-24: no answer")


def test_every_item_held_says_so() -> None:
    row = replace(facts("x", 0, 10), held=5_000_00, oldest_due=None, weighted=0)
    text = describe(reasons(row, ON), euros)
    assert text.startswith("€0.00 overdue, 0 days, €5,000.00 held")
    assert "every overdue item on hold" in text


def test_the_reason_is_translated_part_by_part() -> None:
    spanish = {
        "{amount} overdue": "{amount} vencido",
        "{days} days": "{days} días",
        "stage {stage}": "etapa {stage}",
        "grade {grade}": "calificación {grade}",
        "promise none": "sin promesa",
        "on hold: {hold} until {day}": "en espera: {hold} hasta {day}",
        "manual": "manual",
    }
    row = facts("x", 12_400_00, 45, grade="D", stage="firm", hold="manual", hold_until=ON)
    text = describe(
        reasons(row, ON),
        lambda amount, currency: f"{amount / 100:.2f} €",
        lambda text: spanish.get(text, text),
        lambda day: day.strftime("%d/%m/%Y"),
    )
    assert text == (
        "12400.00 € vencido, 45 días, etapa firm, calificación D, sin promesa, "
        "en espera: manual hasta 25/11/2026"
    )
