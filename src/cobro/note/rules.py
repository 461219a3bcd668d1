"""What a note and a logged call may say, and which follow-up a call's outcome asks for. Pure:
no database, no clock (the day comes in as `on`).

The outcomes are the ones a collections team logs after dialling a debtor:

| outcome          | meaning                                             | follow-up call task |
|------------------|-----------------------------------------------------|---------------------|
| reached          | spoke to the right person, nothing promised         | no                  |
| no_answer        | nobody picked up                                    | yes, in 2 days      |
| left_message     | voicemail or a message with someone else            | yes, in 2 days      |
| wrong_number     | the number is not the debtor's                      | no (fix the contact)|
| promised_to_pay  | the debtor promised a payment                       | no                  |
| disputed         | the debtor disputes the debt or an invoice          | no                  |
| refused          | the debtor refuses to pay                           | no                  |
| call_back        | asked to be called back (on a day they name)        | yes, that day       |

A follow-up lands on a weekday: a Saturday or Sunday moves to the Monday after.
"""

from __future__ import annotations

from datetime import date, timedelta

from cobro.errors import Invalid

KINDS = ("note", "call")
OUTCOMES = (
    "reached",
    "no_answer",
    "left_message",
    "wrong_number",
    "promised_to_pay",
    "disputed",
    "refused",
    "call_back",
)
BODY_MAX = 2000  # a note is a few paragraphs, not a document
FOLLOW_UP_AFTER = {"no_answer": 2, "left_message": 2, "call_back": 1}  # days, by default
FOLLOW_UP_LONGEST = 366  # a call back more than a year away is a typo


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise Invalid(f"kind {kind!r}: use {' or '.join(KINDS)}", field="kind")
    return kind


def check_outcome(outcome: str) -> str:
    clean = outcome.strip().lower()
    if clean not in OUTCOMES:
        raise Invalid(f"outcome {outcome!r}: use one of {', '.join(OUTCOMES)}", field="outcome")
    return clean


def check_body(body: str | None, required: bool) -> str:
    """The text as stored: trimmed, at most BODY_MAX characters; a note must say something, a
    call may be logged with its outcome alone."""
    clean = (body or "").strip()
    if required and not clean:
        raise Invalid("write the note first", field="body")
    if len(clean) > BODY_MAX:
        raise Invalid(f"the text is too long: {BODY_MAX} characters at most", field="body")
    return clean


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:  # Saturday, Sunday
        day += timedelta(days=1)
    return day


def follow_up_on(outcome: str, on: date, asked: date | None = None) -> date | None:
    """The day of the follow-up call an outcome opens (None: none): the day the collector
    chose, else the default for the outcome; on a weekday, never before tomorrow."""
    if outcome not in FOLLOW_UP_AFTER:
        if asked is not None:
            raise Invalid(f"a call with outcome {outcome!r} opens no follow-up", "follow_up_on")
        return None
    if asked is not None:
        if asked <= on:
            raise Invalid("the follow-up must be after today", field="follow_up_on")
        if asked > on + timedelta(days=FOLLOW_UP_LONGEST):
            raise Invalid("the follow-up is more than a year away", field="follow_up_on")
        return weekday_on_or_after(asked)
    return weekday_on_or_after(on + timedelta(days=FOLLOW_UP_AFTER[outcome]))
