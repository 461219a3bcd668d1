"""Who works which customer of the worklist: each collector gets at most as many customers as
they can work, the most urgent ones first. Pure: no database, no clock.

The worklist ranks the customers with overdue money by the expected value of acting now
(`worklist.rules.priority`); a team has a few collectors, each able to work so many customers.
The split follows two wishes, in this order:

1. **Keep what works.** A collector who already follows a customer knows its history, its
   contacts, its excuses: moving the customer costs that knowledge. So, walking the ranking
   from the most urgent customer down (*pass 1*), a customer keeps its current collector while
   that collector still has room. A collector's own most urgent customers therefore stay with
   them; when they have more than they can work, the least urgent ones are the ones to move.
2. **Then spread the rest evenly.** Walking the ranking again (*pass 2*), each customer not
   yet placed (no collector, one not in the team, or one already full) goes to the collector
   with the **most room left** (ties: the name first alphabetically, so a run is repeatable),
   so nobody fills up while another sits idle, and the most urgent of them are placed first.
   When nobody has room left, the remaining customers (the least urgent) stay unplaced: they
   are listed, most urgent first, and keep whatever collector they had.

Why two passes and not one: in one pass, an urgent customer with no collector could take the
last place of a collector whose own, slightly less urgent customer would then be moved; a
customer staying with its collector is worth more than a few places in the ranking.

Capacity counts the worklist's customers only (overdue, not on hold): what the collector has
to work now, not every customer whose card bears their name.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cobro.errors import Invalid

COLLECTOR_MOST = 100  # characters: the length of `Customer.collector`


@dataclass(frozen=True)
class Assignment:
    """What `assign` decided."""

    changes: dict[int, str]  # customer id -> its new collector (only those that change)
    kept: int  # customers that keep their current collector
    unplaced: tuple[int, ...]  # customers nobody had room for, most urgent first
    load: dict[str, int]  # collector -> their worklist customers after (each one of `capacity`)

    @property
    def changed(self) -> int:
        return len(self.changes)


def check_capacity(capacity: Mapping[str, int]) -> None:
    """Every name a collector's (non-blank, no longer than a customer's collector field) and
    every capacity a count of customers (0 or more)."""
    for name, room in capacity.items():
        if not name.strip():
            raise Invalid("a collector's name cannot be empty", field="capacity")
        if name != name.strip():
            raise Invalid(f"collector {name!r} has spaces around the name", field="capacity")
        if len(name) > COLLECTOR_MOST:
            raise Invalid(
                f"collector {name[:20]!r}… is longer than {COLLECTOR_MOST} characters",
                field="capacity",
            )
        if isinstance(room, bool) or not isinstance(room, int) or room < 0:
            raise Invalid(
                f"the capacity of {name} must be 0 or more customers, not {room!r}",
                field="capacity",
            )


def assign(ranked: Sequence[tuple[int, str | None]], capacity: Mapping[str, int]) -> Assignment:
    """Place the customers of `ranked` ((customer id, current collector), most urgent first;
    those on hold already left out) with the collectors of `capacity` (name -> how many
    customers they can work): pass 1 keeps, pass 2 spreads (see the module's docstring)."""
    check_capacity(capacity)
    _check_ranked(ranked)
    room = dict(capacity)
    placed: dict[int, str] = {}
    for customer_id, current in ranked:  # pass 1: keep the current collector while they fit
        if current is not None and room.get(current, 0) > 0:
            placed[customer_id] = current
            room[current] -= 1
    kept = len(placed)
    changes, unplaced = _spread([cid for cid, _ in ranked if cid not in placed], room)
    load = {name: capacity[name] - room[name] for name in sorted(capacity)}
    return Assignment(changes=changes, kept=kept, unplaced=unplaced, load=load)


def _spread(waiting: Sequence[int], room: dict[str, int]) -> tuple[dict[int, str], tuple[int, ...]]:
    """Pass 2: each waiting customer, in rank order, to the collector with the most room left
    (ties: the first name), until nobody has room. `room` is used up as they are placed.

    A customer never lands here with its own collector: pass 1 left it waiting because that
    collector was full, and room only ever shrinks. So every placement is a change."""
    # (-room, name): the heap's smallest is the most room, then the first name
    most_room = [(-left, name) for name, left in room.items() if left > 0]
    heapq.heapify(most_room)
    changes: dict[int, str] = {}
    for at, customer_id in enumerate(waiting):
        if not most_room:
            return changes, tuple(waiting[at:])
        negative, name = heapq.heappop(most_room)
        changes[customer_id] = name
        room[name] -= 1
        if negative + 1 < 0:  # room left after this one
            heapq.heappush(most_room, (negative + 1, name))
    return changes, ()


def _check_ranked(ranked: Sequence[tuple[int, str | None]]) -> None:
    seen: set[int] = set()
    for customer_id, _ in ranked:
        if customer_id in seen:
            raise Invalid(f"customer {customer_id} is ranked twice", field="ranked")
        seen.add(customer_id)
