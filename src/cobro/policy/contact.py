"""How often a debtor may be contacted: caps per customer over rolling periods. Pure: no
database, no clock; the instant and the contact history come in as arguments.

Two caps, each "at most N in any P days", counted over **rolling** periods of P × 24 hours, so the
answer does not depend on any time zone and is never looser than counting calendar days:

- **messages**: email, SMS and WhatsApp together. Letters are not counted and not capped: post
  takes days to arrive, so the day it is sent says little about when the debtor is disturbed;
  letters are how formal and statutory notices go (a demand, the notice before legal action), and
  a cap must never hold those back; and no rule we follow caps them.
- **calls**: every call attempt counts, answered or not.

And one quiet period: no call in the N days after a **conversation** with the debtor (an event
marked `conversation`, on any channel: safer than Regulation F's "telephone conversation").

A contact is within the caps when, with it added to the history, no rolling period holds more
than the cap. An event leaves a period exactly P days after it happened. The history may hold
events later than the instant asked about (contacts already booked): they count too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from cobro.errors import Invalid
from cobro.policy.timing import SendWindow

CALL = "call"
MESSAGE_CHANNELS = frozenset({"email", "sms", "whatsapp"})
LETTER_CHANNELS = frozenset({"letter", "registered_letter"})
CHANNELS = MESSAGE_CHANNELS | LETTER_CHANNELS | {CALL}

# a period or a quiet time longer than a year is a typo rather than a policy
MAX_DAYS = 365

_TICK = timedelta(microseconds=1)  # the resolution of datetime


@dataclass(frozen=True)
class ContactEvent:
    """A contact made (or booked) with the debtor: when, by which channel, and whether it was a
    conversation (the debtor was reached and spoken with)."""

    at: datetime
    channel: str
    conversation: bool = False


@dataclass(frozen=True)
class ContactCaps:
    """Contact-frequency caps for one customer; None: no cap."""

    max_messages: int | None = None  # emails, SMS and WhatsApp messages together …
    period_days: int = 7  # … in any rolling period of this many days
    max_calls: int | None = None  # call attempts …
    call_period_days: int = 7  # … in any rolling period of this many days
    quiet_after_conversation_days: int | None = None  # no call this many days after a conversation


# Regulation F (12 CFR 1006.14(b)(2)): a collector is presumed to harass who calls about a debt more
# than 7 times in 7 days, or within 7 days after a telephone conversation about it. It caps calls
# only; 1006.6(b)(1)(i) forbids contact before 8:00 or after 21:00 at the consumer's location,
# on any day, so its window is 08:00–21:00 every day of the year.
REG_F_MAX_CALLS = 7
REG_F_DAYS = 7
REG_F = ContactCaps(
    max_calls=REG_F_MAX_CALLS,
    call_period_days=REG_F_DAYS,
    quiet_after_conversation_days=REG_F_DAYS,
)
REG_F_WINDOW = SendWindow(start=time(8), end=time(21), weekends=True, holidays=True)

# For everyone else: at most 3 messages a week is enough for the default policy (at most two
# messages on one stage, stages at least 3 days apart) and keeps an automatic chase from becoming a
# flood when stages come close together; at most 3 call attempts a week, because collectors'
# calls to a business are for following up, not for pressing. No quiet time after a conversation:
# between companies a call back the next day to confirm a remittance is ordinary.
DEFAULT_CAPS = ContactCaps(max_messages=3, period_days=7, max_calls=3, call_period_days=7)


def check_caps(caps: ContactCaps) -> ContactCaps:
    """Refuse caps that cannot be applied; return them unchanged when they can.

    A cap of zero is refused: stopping a channel altogether is an opt-out, kept with the customer
    where everybody sees it, not a cap.
    """
    for name, cap in (("max_messages", caps.max_messages), ("max_calls", caps.max_calls)):
        if cap is not None and cap < 1:
            raise Invalid(
                f"{name} must be at least 1 (to stop a channel, opt the customer out of it)",
                field=name,
            )
    for name, days in (
        ("period_days", caps.period_days),
        ("call_period_days", caps.call_period_days),
    ):
        if not 1 <= days <= MAX_DAYS:
            raise Invalid(f"{name} must be between 1 and {MAX_DAYS} days", field=name)
    quiet = caps.quiet_after_conversation_days
    if quiet is not None and not 0 <= quiet <= MAX_DAYS:
        raise Invalid(
            f"quiet_after_conversation_days must be between 0 and {MAX_DAYS} days",
            field="quiet_after_conversation_days",
        )
    return caps


def earliest_contact(
    channel: str, at: datetime, history: Sequence[ContactEvent], caps: ContactCaps
) -> datetime:
    """The earliest instant at or after `at` (aware), in UTC, at which one more contact on
    `channel` stays within the caps, given the contacts in `history`.

    When a cap is reached, that is the moment the oldest contact counted leaves the rolling
    period; after a conversation, calls wait until the quiet time is over. Letters are never
    capped. Hours, weekends and holidays are not judged here: see `cobro.policy.timing`.
    """
    _check_aware(at)
    for event in history:
        _check_aware(event.at)
    check_caps(caps)
    if channel not in CHANNELS:
        raise Invalid(
            f"unknown channel {channel!r}; use one of {', '.join(sorted(CHANNELS))}",
            field="channel",
        )
    return earliest_checked(channel, at, history, caps)


def earliest_checked(
    channel: str, at: datetime, history: Sequence[ContactEvent], caps: ContactCaps
) -> datetime:
    """`earliest_contact` for callers that have checked the arguments themselves: the cycle
    asks it for every message of a million items, with caps checked once when resolved and
    instants it made aware itself (the checks were a third of the time)."""
    if channel == CALL:
        counted = [event.at for event in history if event.channel == CALL]
        blocked = _cap_blocks(counted, caps.max_calls, caps.call_period_days)
        if caps.quiet_after_conversation_days:
            quiet = timedelta(days=caps.quiet_after_conversation_days)
            # [conversation, conversation + quiet): an open interval starting one tick earlier
            blocked += [
                (event.at - _TICK, event.at + quiet) for event in history if event.conversation
            ]
    elif channel in MESSAGE_CHANNELS:
        counted = [event.at for event in history if event.channel in MESSAGE_CHANNELS]
        blocked = _cap_blocks(counted, caps.max_messages, caps.period_days)
    else:
        blocked = []
    moment = at.astimezone(UTC)
    # a single pass in order of the intervals' starts is enough: once past an interval, the
    # moment only moves later, so it cannot fall back into one already passed
    for low, high in sorted(blocked):
        if low < moment < high:
            moment = high.astimezone(UTC)
    return moment


def _cap_blocks(
    counted: list[datetime], cap: int | None, period_days: int
) -> list[tuple[datetime, datetime]]:
    """The open intervals in which one more event would put more than `cap` in some period.

    One more event at x overflows a period exactly when x and `cap` of the counted events fit in
    it: when some run of `cap` consecutive events (in time order), from `first` to `last`, spans
    less than the period and x is in (last − period, first + period).
    """
    if cap is None or len(counted) < cap:
        return []
    period = timedelta(days=period_days)
    times = sorted(counted)
    runs = zip(times, times[cap - 1 :], strict=False)
    return [(last - period, first + period) for first, last in runs if last - first < period]


def _check_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} is a naive datetime; instants must be aware")
