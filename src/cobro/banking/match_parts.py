"""How one payment amount can settle a set of open invoices. Pure; money in integer minor units.

The functions take plain (key, open amount, discount the payer may take) triples, oldest first,
so they know nothing of where the invoices come from; the key is whatever the caller finds its
invoice by again. The candidates the matcher scores are built from these in `match_candidates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cobro.payment.rules import plan_allocations

# the kinds of agreement between a payment's amount and a set of invoices, best first
EXACT = "exact"
DISCOUNT = "discount"
CHARGES = "charges"
OVERPAYMENT = "overpayment"
PARTIAL = "partial"

SEARCH_ITEMS = 24  # a subset search looks at no more than this many of a customer's invoices
SEARCH_NODES = 2500  # nor tries more partial sums than this, so one line costs little
SEARCH_FOUND = 6  # more solutions than a few only tell that the amount is ambiguous


@dataclass(frozen=True, slots=True)
class Due:
    """One open invoice as far as the amounts are concerned."""

    key: int
    open_amount: int
    discount: int  # what the payer may deduct now (0 once the discount date has passed)


@dataclass(frozen=True, slots=True)
class Settlement:
    kind: str
    shares: tuple[tuple[int, int], ...]  # (key, amount applied), each positive
    discount: int = 0
    charges: int = 0
    unapplied: int = 0


def settle(amount: int, dues: Sequence[Due], tolerance: int) -> Settlement:
    """The best reading of `amount` paid for exactly these invoices (oldest first).

    In order: the open amounts exactly; the open amounts less every discount on offer; less
    bank charges of at most `tolerance`; more than owed (the rest stays unapplied); less than
    owed (a part payment, applied oldest first).
    """
    total = sum(due.open_amount for due in dues)
    offered = sum(due.discount for due in dues)
    if amount == total:
        return Settlement(EXACT, tuple((due.key, due.open_amount) for due in dues))
    if offered and amount == total - offered:
        return Settlement(DISCOUNT, _less_discount(dues), discount=offered)
    charged = total - amount
    if 0 < charged <= tolerance:
        shares = _less_charges(dues, charged)
        if shares:
            return Settlement(CHARGES, shares, charges=charged)
    if amount > total:
        shares = tuple((due.key, due.open_amount) for due in dues)
        return Settlement(OVERPAYMENT, shares, unapplied=amount - total)
    plan = plan_allocations(amount, [(due.key, due.open_amount) for due in dues])
    return Settlement(PARTIAL, tuple(plan))


def _less_discount(dues: Sequence[Due]) -> tuple[tuple[int, int], ...]:
    return tuple((due.key, due.open_amount - due.discount) for due in dues)


def _less_charges(dues: Sequence[Due], charged: int) -> tuple[tuple[int, int], ...]:
    """The charges come off the largest invoice (a bank deducts them once per transfer); none
    when even that one is smaller than the charges (then it is no charge but a shortfall)."""
    largest = max(range(len(dues)), key=lambda i: dues[i].open_amount)
    if dues[largest].open_amount <= charged:
        return ()
    return tuple(
        (due.key, due.open_amount - (charged if i == largest else 0)) for i, due in enumerate(dues)
    )


def combinations(
    amount: int, dues: Sequence[Due], tolerance: int, most: int, charged_sets: bool
) -> Search:
    """Sets of up to `most` of these invoices that `amount` settles: exactly, less the discounts
    on offer, or less charges within `tolerance`.

    Each single invoice is tried (always all of them); sets of two or more are searched with
    bounds: the oldest `SEARCH_ITEMS` invoices, `SEARCH_NODES` steps (`complete` tells whether
    the search ran out). Charges on a set of several invoices are tried only with
    `charged_sets` (the payer named them): among a large customer's invoices some set nearly
    always falls within the tolerance by chance.
    """
    found = [
        settle(amount, [due], tolerance) for due in dues if _single_fits(amount, due, tolerance)
    ]
    found.extend(settle(amount, run, tolerance) for run in _runs(amount, dues, most))
    thorough = frozenset(found)
    fitting = [due for due in dues if due.open_amount - due.discount <= amount + tolerance]
    pool = fitting[:SEARCH_ITEMS]
    high = amount + tolerance if charged_sets else amount
    full = _subsets([due.open_amount for due in pool], amount, high, most)
    found.extend(settle(amount, [pool[i] for i in chosen], tolerance) for chosen in full.chosen)
    complete = full.complete and len(fitting) <= SEARCH_ITEMS
    if any(due.discount for due in pool):
        less = _subsets([due.open_amount - due.discount for due in pool], amount, amount, most)
        complete = complete and less.complete
        for chosen in less.chosen:
            picked = [pool[i] for i in chosen]
            if any(due.discount for due in picked):
                found.append(settle(amount, picked, tolerance))
    # a set whose largest invoice is smaller than the charges reads as a part payment: not one
    agreeing = tuple(s for s in found if s.kind in (EXACT, DISCOUNT, CHARGES))
    return Search(agreeing, complete, thorough)


def _runs(amount: int, dues: Sequence[Due], most: int) -> list[Sequence[Due]]:
    """Invoices next to each other in due order that add up to the amount exactly: a payer
    settling a statement's worth of invoices. Tried over all of them, however many, because
    it costs one pass."""
    found: list[Sequence[Due]] = []
    for start in range(len(dues)):
        total = 0
        for end in range(start, min(start + most, len(dues))):
            total += dues[end].open_amount
            if total >= amount:
                if total == amount and end > start:
                    found.append(dues[start : end + 1])
                break
    return found


def _single_fits(amount: int, due: Due, tolerance: int) -> bool:
    owed = due.open_amount
    return (
        owed == amount
        or (due.discount > 0 and owed - due.discount == amount)
        or (0 < owed - amount <= tolerance)
    )


@dataclass(frozen=True, slots=True)
class Search:
    settlements: tuple[Settlement, ...]
    complete: bool  # the search over sets ran to its end
    thorough: frozenset[Settlement]  # found by the passes that try everything: single, runs


@dataclass(frozen=True, slots=True)
class _Chosen:
    chosen: tuple[tuple[int, ...], ...]  # positions in the pool, ascending (oldest first)
    complete: bool


def _subsets(values: Sequence[int], low: int, high: int, most: int) -> _Chosen:
    """Index sets of at most `most` values whose sum lies in [low, high]: a depth-first
    search over the values in ascending order, cut where the sum passes `high` or where even
    the largest remaining values cannot reach `low`."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ordered = [values[i] for i in order]
    size = len(ordered)
    suffix = [0] * (size + 1)
    for i in range(size - 1, -1, -1):
        suffix[i] = suffix[i + 1] + ordered[i]
    found: list[tuple[int, ...]] = []
    steps = 0
    path: list[int] = []

    def walk(start: int, total: int) -> bool:
        """False once the search must stop (budget spent or enough found)."""
        nonlocal steps
        room = most - len(path) - 1  # how many more values may follow the next one
        for j in range(start, size):
            reached = total + ordered[j]
            if reached > high:
                return True  # ascending: every later value overshoots too
            steps += 1
            if steps > SEARCH_NODES:
                return False
            path.append(j)
            if reached >= low and len(path) > 1:  # single invoices are tried one by one
                found.append(tuple(sorted(order[k] for k in path)))
                if len(found) >= SEARCH_FOUND:
                    return False
            # the best the next values can add: the `room` largest after j
            deeper = room > 0 and reached + suffix[max(j + 1, size - room)] >= low
            if deeper and not walk(j + 1, reached):
                return False
            path.pop()
        return True

    complete = walk(0, 0)
    return _Chosen(tuple(found), complete)
