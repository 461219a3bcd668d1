"""Contact-frequency caps and Regulation F. No database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.policy.contact import (
    CALL,
    CHANNELS,
    DEFAULT_CAPS,
    LETTER_CHANNELS,
    MESSAGE_CHANNELS,
    REG_F,
    REG_F_WINDOW,
    ContactCaps,
    ContactEvent,
    check_caps,
    earliest_contact,
)
from cobro.policy.timing import SendWindow

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def calls(*days_ago: float, conversation: bool = False) -> list[ContactEvent]:
    return [ContactEvent(NOW - d * DAY, CALL, conversation) for d in days_ago]


def messages(channel: str, *days_ago: float) -> list[ContactEvent]:
    return [ContactEvent(NOW - d * DAY, channel) for d in days_ago]


def test_with_no_history_contact_is_allowed_at_once() -> None:
    for channel in CHANNELS:
        assert earliest_contact(channel, NOW, [], REG_F) == NOW
        assert earliest_contact(channel, NOW, [], DEFAULT_CAPS) == NOW


def test_the_answer_is_in_utc() -> None:
    at = NOW.astimezone(ZoneInfo("America/New_York"))
    answer = earliest_contact("email", at, [], DEFAULT_CAPS)
    assert answer == NOW
    assert answer.tzinfo is UTC


def test_six_calls_in_seven_days_leave_room_for_a_seventh() -> None:
    assert earliest_contact(CALL, NOW, calls(6, 5, 4, 3, 2, 1), REG_F) == NOW


def test_an_eighth_call_waits_until_the_oldest_of_seven_leaves_the_week() -> None:
    history = calls(6.5, 5, 4, 3, 2, 1, 0.5)
    assert earliest_contact(CALL, NOW, history, REG_F) == NOW + 0.5 * DAY


def test_a_call_exactly_seven_days_old_no_longer_counts() -> None:
    assert earliest_contact(CALL, NOW, calls(7, 6, 5, 4, 3, 2, 1), REG_F) == NOW


def test_after_a_conversation_two_days_ago_the_next_call_waits_seven_days_from_it() -> None:
    history = calls(2, conversation=True)
    assert earliest_contact(CALL, NOW, history, REG_F) == NOW + 5 * DAY


def test_a_conversation_more_than_seven_days_ago_does_not_hold_calls() -> None:
    assert earliest_contact(CALL, NOW, calls(8, conversation=True), REG_F) == NOW


def test_calls_do_not_hold_emails_or_letters() -> None:
    history = calls(6, 5, 4, 3, 2, 1, 0.5) + calls(0.1, conversation=True)
    for channel in MESSAGE_CHANNELS | LETTER_CHANNELS:
        assert earliest_contact(channel, NOW, history, REG_F) == NOW


def test_regulation_f_does_not_cap_messages() -> None:
    assert earliest_contact("email", NOW, messages("email", *range(10)), REG_F) == NOW


def test_messages_of_every_electronic_channel_count_together() -> None:
    history = messages("email", 6) + messages("sms", 4) + messages("whatsapp", 1)
    assert earliest_contact("email", NOW, history, DEFAULT_CAPS) == NOW + DAY
    assert earliest_contact("sms", NOW, history, DEFAULT_CAPS) == NOW + DAY


def test_letters_are_neither_counted_nor_capped() -> None:
    letters = messages("letter", 3, 2) + messages("registered_letter", 1)
    assert earliest_contact("email", NOW, letters, DEFAULT_CAPS) == NOW
    assert (
        earliest_contact("letter", NOW, letters + messages("email", 3, 2, 1), DEFAULT_CAPS) == NOW
    )


def test_calls_and_messages_have_separate_caps() -> None:
    history = calls(3, 2, 1)
    assert earliest_contact("email", NOW, history, DEFAULT_CAPS) == NOW
    assert earliest_contact(CALL, NOW, history, DEFAULT_CAPS) == NOW + 4 * DAY


def test_a_contact_booked_later_counts_as_well() -> None:
    once_a_week = ContactCaps(max_messages=1)
    booked = [ContactEvent(NOW + DAY, "email")]
    # sending today would make two in the week that ends with the booked one
    assert earliest_contact("email", NOW, booked, once_a_week) == NOW + 8 * DAY
    assert earliest_contact("email", NOW - 7 * DAY, booked, once_a_week) == NOW - 7 * DAY


def test_the_longest_wait_wins_when_caps_and_quiet_time_both_hold() -> None:
    history = calls(6.5, 5, 4, 3, 2, 1) + calls(0.5, conversation=True)
    assert earliest_contact(CALL, NOW, history, REG_F) == NOW + 6.5 * DAY


def test_regulation_f_allows_contact_08_to_21_every_day() -> None:
    assert SendWindow(start=time(8), end=time(21), weekends=True, holidays=True) == REG_F_WINDOW
    assert REG_F.max_calls == 7
    assert REG_F.call_period_days == 7
    assert REG_F.quiet_after_conversation_days == 7
    assert REG_F.max_messages is None


def test_unknown_channels_are_refused() -> None:
    with pytest.raises(Invalid, match="unknown channel 'fax'") as caught:
        earliest_contact("fax", NOW, [], REG_F)
    assert caught.value.field == "channel"


def test_naive_instants_are_refused() -> None:
    naive = datetime(2026, 3, 10, 15, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        earliest_contact("email", naive, [], REG_F)
    with pytest.raises(ValueError, match="naive"):
        earliest_contact("email", NOW, [ContactEvent(naive, "email")], REG_F)


@pytest.mark.parametrize(
    ("caps", "field"),
    [
        (ContactCaps(max_messages=0), "max_messages"),
        (ContactCaps(max_calls=0), "max_calls"),
        (ContactCaps(period_days=0), "period_days"),
        (ContactCaps(call_period_days=400), "call_period_days"),
        (ContactCaps(quiet_after_conversation_days=-1), "quiet_after_conversation_days"),
    ],
)
def test_caps_that_cannot_be_applied_are_refused(caps: ContactCaps, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_caps(caps)
    assert caught.value.field == field


# Properties: an independent, brute-force judge of the caps.


def _counts(channel: str, event: ContactEvent) -> bool:
    if channel == CALL:
        return event.channel == CALL
    return channel in MESSAGE_CHANNELS and event.channel in MESSAGE_CHANNELS


def within_caps(
    channel: str, at: datetime, history: Sequence[ContactEvent], caps: ContactCaps
) -> bool:
    """Whether one more contact at `at` keeps every rolling period that contains it within the
    cap, and keeps calls out of the quiet time after a conversation."""
    if channel == CALL:
        cap, days = caps.max_calls, caps.call_period_days
        quiet = caps.quiet_after_conversation_days
        if quiet and any(e.conversation and e.at <= at < e.at + quiet * DAY for e in history):
            return False
    elif channel in MESSAGE_CHANNELS:
        cap, days = caps.max_messages, caps.period_days
    else:
        return True
    if cap is None:
        return True
    period = days * DAY
    counted = [e.at for e in history if _counts(channel, e)] + [at]
    # the busiest period (end - period, end] containing `at` ends at `at` or at a later event
    ends = [t for t in counted if at <= t < at + period]
    return all(sum(end - period < t <= end for t in counted) <= cap for end in ends)


events = st.builds(
    ContactEvent,
    at=st.integers(-20 * 24 * 60, 5 * 24 * 60).map(lambda m: NOW + timedelta(minutes=m)),
    channel=st.sampled_from(sorted(CHANNELS)),
    conversation=st.booleans(),
)
caps = st.builds(
    ContactCaps,
    max_messages=st.none() | st.integers(1, 5),
    period_days=st.integers(1, 10),
    max_calls=st.none() | st.integers(1, 8),
    call_period_days=st.integers(1, 10),
    quiet_after_conversation_days=st.none() | st.integers(0, 8),
)


@given(st.sampled_from(sorted(CHANNELS)), st.lists(events, max_size=25), caps)
def test_the_earliest_contact_keeps_within_the_caps_and_nothing_earlier_does(
    channel: str, history: list[ContactEvent], limits: ContactCaps
) -> None:
    answer = earliest_contact(channel, NOW, history, limits)
    assert answer >= NOW
    assert within_caps(channel, answer, history, limits)
    if answer > NOW:
        assert not within_caps(channel, answer - timedelta(microseconds=1), history, limits)


@given(st.sampled_from(sorted(CHANNELS)), st.lists(events, max_size=25), caps, st.floats(0, 1))
def test_no_instant_before_the_earliest_contact_keeps_within_the_caps(
    channel: str, history: list[ContactEvent], limits: ContactCaps, fraction: float
) -> None:
    answer = earliest_contact(channel, NOW, history, limits)
    between = NOW + (answer - NOW) * fraction
    if between < answer:
        assert not within_caps(channel, between, history, limits)


@given(st.sampled_from(sorted(CHANNELS)), st.lists(events, max_size=25), caps)
def test_asking_again_at_the_answer_gives_the_answer(
    channel: str, history: list[ContactEvent], limits: ContactCaps
) -> None:
    answer = earliest_contact(channel, NOW, history, limits)
    assert earliest_contact(channel, answer, history, limits) == answer
