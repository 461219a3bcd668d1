"""What a note and a call may say, and the follow-up a call's outcome opens: no database."""

from __future__ import annotations

from datetime import date

import pytest

from cobro.errors import Invalid
from cobro.note.rules import (
    BODY_MAX,
    OUTCOMES,
    check_body,
    check_kind,
    check_outcome,
    follow_up_on,
    weekday_on_or_after,
)

WEDNESDAY = date(2026, 11, 25)
THURSDAY = date(2026, 11, 26)


def test_the_outcomes_are_those_a_collections_team_logs() -> None:
    assert set(OUTCOMES) == {
        "reached",
        "no_answer",
        "left_message",
        "wrong_number",
        "promised_to_pay",
        "disputed",
        "refused",
        "call_back",
    }


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_each_outcome_is_accepted_in_any_case(outcome: str) -> None:
    assert check_outcome(f" {outcome.upper()} ") == outcome


def test_an_unknown_outcome_is_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as refused:
        check_outcome("maybe")
    assert refused.value.field == "outcome"


def test_a_note_is_a_note_or_a_call() -> None:
    assert check_kind("call") == "call"
    with pytest.raises(Invalid, match="kind"):
        check_kind("email")


def test_a_note_must_say_something() -> None:
    with pytest.raises(Invalid) as refused:
        check_body("   ", required=True)
    assert refused.value.field == "body"


def test_a_call_may_be_logged_with_its_outcome_alone() -> None:
    assert check_body(None, required=False) == ""


def test_the_text_is_trimmed_and_length_limited() -> None:
    assert check_body("  hola  ", required=True) == "hola"
    assert check_body("x" * BODY_MAX, required=True) == "x" * BODY_MAX
    with pytest.raises(Invalid, match="too long") as refused:
        check_body("x" * (BODY_MAX + 1), required=True)
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    ("outcome", "day"),
    [
        ("no_answer", date(2026, 11, 27)),  # Friday
        ("left_message", date(2026, 11, 27)),
        ("call_back", THURSDAY),
    ],
)
def test_outcomes_that_need_another_call_open_a_follow_up(outcome: str, day: date) -> None:
    assert follow_up_on(outcome, WEDNESDAY) == day


@pytest.mark.parametrize(
    "outcome",
    ["reached", "wrong_number", "promised_to_pay", "disputed", "refused"],
)
def test_other_outcomes_open_none(outcome: str) -> None:
    assert follow_up_on(outcome, WEDNESDAY) is None


def test_a_follow_up_that_falls_on_a_weekend_moves_to_monday() -> None:
    friday = date(2026, 11, 27)
    assert follow_up_on("no_answer", friday) == date(2026, 11, 30)
    assert weekday_on_or_after(date(2026, 11, 29)) == date(2026, 11, 30)
    assert weekday_on_or_after(WEDNESDAY) == WEDNESDAY


def test_the_debtor_names_the_day_to_call_back() -> None:
    assert follow_up_on("call_back", WEDNESDAY, date(2026, 12, 2)) == date(2026, 12, 2)


@pytest.mark.parametrize("asked", [WEDNESDAY, date(2026, 11, 1), date(2027, 12, 1)])
def test_a_follow_up_today_in_the_past_or_over_a_year_away_is_refused(asked: date) -> None:
    with pytest.raises(Invalid) as refused:
        follow_up_on("call_back", WEDNESDAY, asked)
    assert refused.value.field == "follow_up_on"


def test_a_follow_up_day_for_an_outcome_without_one_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        follow_up_on("reached", WEDNESDAY, date(2026, 12, 2))
    assert refused.value.field == "follow_up_on"
