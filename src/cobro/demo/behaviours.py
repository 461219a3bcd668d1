"""How demo customers pay: the fate of one invoice as dated events, drawn from the payer's
behaviour. Pure: days are ordinals (`date.toordinal()`), money is integer minor units.

An event is `(day, kind, amount, reason)`. The generator keeps the events dated on or before
the demo's `on` day; later ones have not happened yet, so that invoice is (partly) open, which
is what fills the aging buckets.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Behaviour(StrEnum):
    PUNCTUAL = "punctual"
    SLOW = "slow"  # pays 15–30 days late
    ERRATIC = "erratic"  # sometimes on time, sometimes months late
    CHRONIC = "chronically late"  # 45–120 days late
    PARTIAL = "partial"  # pays in 2–3 parts
    DISPUTER = "disputer"  # disputes some invoices, which end in credit notes
    NEVER = "never pays"  # nothing; the oldest invoices end written off


# share of customers in percent; every behaviour gets at least one customer (see `spread`)
BEHAVIOUR_WEIGHTS: dict[Behaviour, int] = {
    Behaviour.PUNCTUAL: 40,
    Behaviour.SLOW: 22,
    Behaviour.ERRATIC: 12,
    Behaviour.CHRONIC: 9,
    Behaviour.PARTIAL: 7,
    Behaviour.DISPUTER: 7,
    Behaviour.NEVER: 3,
}

PAY, CREDIT, WRITE_OFF = 0, 1, 2
Event = tuple[int, int, int, str | None]

DISPUTE_REASONS = (
    "price differs from the order",
    "goods damaged in transit",
    "quantity short on delivery",
    "billed twice",
    "service not rendered as agreed",
)
DISCOUNT_REASON = "early-payment discount"
SMALL_BALANCE_REASON = "small balance"
BAD_DEBT_REASONS = ("uncollectable: no response", "customer insolvent")


@dataclass(frozen=True)
class Payer:
    """The paying habits of one customer."""

    behaviour: Behaviour
    run_weekday: int | None = None  # pays on this weekday only (0 = Monday), several at once
    direct_debit: bool = False  # collected on the due date, like clockwork


def spread(total: int, weights: Sequence[int], at_least_one: bool) -> list[int]:
    """Split `total` into whole counts proportional to `weights` (largest remainders), so the
    counts add up exactly; with `at_least_one`, every weight gets one when there are enough."""
    scale = sum(weights)
    counts = [total * w // scale for w in weights]
    if at_least_one and total >= len(weights):
        counts = [max(1, c) for c in counts]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % scale), i))
    index = 0
    while sum(counts) < total:
        counts[order[index % len(order)]] += 1
        index += 1
    while sum(counts) > total:  # the minimum of one took from the largest
        largest = max(range(len(counts)), key=lambda i: (counts[i], -i))
        counts[largest] -= 1
    return counts


def between(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in [low, high]: `randint` without its argument checks, which cost
    more than the draw itself a few million times over."""
    return low + int(rng.random() * (high - low + 1))


def weekday(day: int) -> int:
    """0 = Monday … 6 = Sunday, as `date.weekday()` (the ordinal 1 was a Monday)."""
    return (day - 1) % 7


def value_day(day: int, payer: Payer) -> int:
    """Money arrives on a bank day: a payment run's weekday, or else the next Monday."""
    if payer.run_weekday is not None:
        return day + (payer.run_weekday - weekday(day)) % 7
    dow = weekday(day)
    return day + (7 - dow if dow >= 5 else 0)


def delay(rng: random.Random, payer: Payer) -> int:
    """Days after the due date a payment is sent (negative: early)."""
    behaviour = payer.behaviour
    if payer.direct_debit:
        return 0
    if behaviour is Behaviour.PUNCTUAL:
        return between(rng, -8, 2)
    if behaviour is Behaviour.SLOW:
        return between(rng, 15, 30)
    if behaviour is Behaviour.CHRONIC:
        return between(rng, 45, 120)
    if behaviour is Behaviour.ERRATIC:
        draw = rng.random()
        if draw < 0.4:
            return between(rng, -5, 3)
        return between(rng, 5, 40) if draw < 0.75 else between(rng, 41, 150)
    return between(rng, 0, 20)  # partial payers' first part, disputers' undisputed invoices


def fate(
    rng: random.Random,
    payer: Payer,
    issued: int,
    total: int,
    parts: Sequence[tuple[int, int]],
    offer: tuple[int, int] | None,
) -> list[Event]:
    """Everything that will happen to an invoice of `total` issued on `issued`, due in `parts`
    ((due day, amount) adding up to the total; one part unless it has installments), with an
    early-payment `offer` (last day, amount off). The events never take more than the total."""
    behaviour = payer.behaviour
    if behaviour is Behaviour.NEVER:
        if rng.random() < 0.7:
            day = parts[-1][0] + between(rng, 150, 300)
            return [(day, WRITE_OFF, total, rng.choice(BAD_DEBT_REASONS))]
        return []
    if offer is not None and behaviour is Behaviour.PUNCTUAL and rng.random() < 0.7:
        return _take_discount(rng, issued, total, offer)
    if len(parts) > 1:  # installments: each paid on its own due date, as the payer pays
        return [(_pay_day(rng, payer, issued, due), PAY, amount, None) for due, amount in parts]
    due = parts[0][0]
    if behaviour is Behaviour.PARTIAL:
        return _in_parts(rng, payer, issued, due, total)
    if behaviour is Behaviour.DISPUTER and rng.random() < 0.3:
        return _disputed(rng, payer, issued, due, total)
    return [(_pay_day(rng, payer, issued, due), PAY, total, None)]


def _pay_day(rng: random.Random, payer: Payer, issued: int, due: int) -> int:
    return value_day(max(issued, due + delay(rng, payer)), payer)


def _take_discount(
    rng: random.Random, issued: int, total: int, offer: tuple[int, int]
) -> list[Event]:
    last_day, off = offer
    day = between(rng, min(issued + 2, last_day), last_day)
    if weekday(day) >= 5:  # pay on the Friday before, unless that is before the invoice
        day = day - weekday(day) + 4 if day - weekday(day) + 4 >= issued else day
    if off <= 0 or off >= total:
        return [(day, PAY, total, None)]
    return [(day, PAY, total - off, None), (day, CREDIT, off, DISCOUNT_REASON)]


def _in_parts(rng: random.Random, payer: Payer, issued: int, due: int, total: int) -> list[Event]:
    count = rng.choice((2, 2, 3))
    if count == 2:
        shares = [total * between(rng, 30, 60) // 100]
    else:
        first = total * between(rng, 25, 45) // 100
        shares = [first, total * between(rng, 25, 40) // 100]
    shares.append(total - sum(shares))
    if min(shares) <= 0:  # too small to split: one payment
        return [(_pay_day(rng, payer, issued, due), PAY, total, None)]
    events: list[Event] = []
    day = _pay_day(rng, payer, issued, due)
    for index, amount in enumerate(shares):
        if index:
            day = value_day(day + between(rng, 15, 45), payer)
        events.append((day, PAY, amount, None))
    residue = min(total // 100, 2_000)
    if residue > 0 and rng.random() < 0.2 and shares[-1] > residue:
        # the last part falls a little short; the small balance is written off a month later
        events[-1] = (day, PAY, shares[-1] - residue, None)
        events.append((day + between(rng, 25, 40), WRITE_OFF, residue, SMALL_BALANCE_REASON))
    return events


def _disputed(rng: random.Random, payer: Payer, issued: int, due: int, total: int) -> list[Event]:
    settled = issued + between(rng, 10, 60)
    full = rng.random() < 0.25  # goods returned: the whole invoice is credited
    credit = total if full else max(1, total * between(rng, 5, 40) // 100)
    events: list[Event] = [(settled, CREDIT, credit, rng.choice(DISPUTE_REASONS))]
    if credit < total:
        day = value_day(max(due, settled) + between(rng, 3, 25), payer)
        events.append((day, PAY, total - credit, None))
    return events
