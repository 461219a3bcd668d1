"""Splitting the worklist among collectors (`worklist.assign_rules`), without a database: a
customer keeps its collector while they have room, the rest go to whoever has most room left,
nobody is given more than they can work."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.errors import Invalid
from cobro.worklist.assign_rules import Assignment, assign


def test_customers_whose_collector_has_room_all_keep_them() -> None:
    done = assign([(1, "Ana"), (2, "Ana"), (3, "Luis")], {"Ana": 2, "Luis": 2})
    assert done == Assignment(changes={}, kept=3, unplaced=(), load={"Ana": 2, "Luis": 1})


def test_a_full_collector_keeps_their_most_urgent_customers_and_the_least_urgent_moves() -> None:
    # Ana can work 2 of her 3: customers 1 and 2 (more urgent) stay, 3 goes to Luis
    done = assign([(1, "Ana"), (2, "Ana"), (3, "Ana")], {"Ana": 2, "Luis": 5})
    assert done.changes == {3: "Luis"}
    assert done.kept == 2
    assert done.load == {"Ana": 2, "Luis": 1}


def test_a_customer_keeping_its_collector_comes_before_a_more_urgent_one_without() -> None:
    # pass 1 gives Ana's only place to her own customer 2; customer 1 (no collector) finds
    # nobody with room, though it ranks higher
    done = assign([(1, None), (2, "Ana")], {"Ana": 1})
    assert done == Assignment(changes={}, kept=1, unplaced=(1,), load={"Ana": 1})


def test_the_rest_go_to_whoever_has_most_room_ties_to_the_first_name() -> None:
    # room Luis 2, Ana 2, Bea 3: 1 -> Bea (3 left); then all three have 2: 2 -> Ana (first
    # name); Bea 2, Luis 2, Ana 1: 3 -> Bea; Luis 2, Ana 1, Bea 1: 4 -> Luis
    ranked = [(1, None), (2, None), (3, None), (4, None)]
    done = assign(ranked, {"Luis": 2, "Ana": 2, "Bea": 3})
    assert done.changes == {1: "Bea", 2: "Ana", 3: "Bea", 4: "Luis"}
    assert done.kept == 0
    assert done.unplaced == ()
    assert done.load == {"Ana": 1, "Bea": 2, "Luis": 1}  # by name


def test_a_collector_not_in_the_team_loses_the_customer() -> None:
    done = assign([(1, "Old"), (2, "")], {"Ana": 2})
    assert done.changes == {1: "Ana", 2: "Ana"}
    assert done.kept == 0


def test_a_collector_with_no_capacity_keeps_nobody() -> None:
    # Ana is away (0): 1 -> Luis, the only one with room; 2 finds nobody
    done = assign([(1, "Ana"), (2, "Ana")], {"Ana": 0, "Luis": 1})
    assert done == Assignment(
        changes={1: "Luis"}, kept=0, unplaced=(2,), load={"Ana": 0, "Luis": 1}
    )


def test_the_unplaced_are_listed_most_urgent_first() -> None:
    done = assign([(5, None), (3, None), (9, None)], {"Ana": 1})
    assert done.changes == {5: "Ana"}
    assert done.unplaced == (3, 9)
    assert done.changed == 1


def test_with_no_collectors_everyone_is_unplaced_and_nothing_is_an_empty_split() -> None:
    assert assign([(1, "Ana"), (2, None)], {}) == Assignment({}, 0, (1, 2), {})
    assert assign([], {"Ana": 3}) == Assignment({}, 0, (), {"Ana": 0})


@pytest.mark.parametrize(
    ("capacity", "said"),
    [
        ({"Ana": -1}, "the capacity of Ana must be 0 or more customers, not -1"),
        ({"": 3}, "a collector's name cannot be empty"),
        ({"   ": 3}, "a collector's name cannot be empty"),
        ({" Ana": 3}, "collector ' Ana' has spaces around the name"),
        ({"A" * 101: 3}, "is longer than 100 characters"),
    ],
)
def test_a_bad_capacity_is_refused_naming_what_is_wrong(
    capacity: dict[str, int], said: str
) -> None:
    with pytest.raises(Invalid) as raised:
        assign([(1, None)], capacity)
    assert said in raised.value.message
    assert raised.value.field == "capacity"


def test_a_customer_ranked_twice_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        assign([(1, "Ana"), (1, "Ana")], {"Ana": 2})
    assert raised.value.message == "customer 1 is ranked twice"


# ---- properties ------------------------------------------------------------------------------

TEAM = ("Ana", "Bea", "Luis", "Mar")
capacities = st.dictionaries(st.sampled_from(TEAM), st.integers(0, 6), max_size=4)
current = st.sampled_from((*TEAM, "Old", "", None))
rankings = st.lists(
    st.tuples(st.integers(1, 10_000), current), max_size=40, unique_by=lambda r: r[0]
)


def final_collector(ranked: list[tuple[int, str | None]], done: Assignment) -> dict[int, str]:
    """Customer -> its collector after, of the placed ones."""
    unplaced = set(done.unplaced)
    return {cid: done.changes.get(cid, name or "") for cid, name in ranked if cid not in unplaced}


@given(rankings, capacities)
def test_no_collector_is_given_more_than_they_can_work(
    ranked: list[tuple[int, str | None]], capacity: dict[str, int]
) -> None:
    done = assign(ranked, capacity)
    counted = Counter(final_collector(ranked, done).values())
    assert set(counted) <= set(capacity)
    for name, room in capacity.items():
        assert counted[name] == done.load[name] <= room


@given(rankings, capacities)
def test_every_customer_is_placed_or_unplaced_exactly_once(
    ranked: list[tuple[int, str | None]], capacity: dict[str, int]
) -> None:
    done = assign(ranked, capacity)
    ids = [cid for cid, _ in ranked]
    unplaced = set(done.unplaced)
    kept = [cid for cid in ids if cid not in done.changes and cid not in unplaced]
    assert len(kept) == done.kept
    assert not set(done.changes) & unplaced
    assert sorted(kept + list(done.changes) + list(done.unplaced)) == sorted(ids)
    assert list(done.unplaced) == [cid for cid in ids if cid in unplaced]  # in rank order
    assert sum(done.load.values()) == len(ids) - len(done.unplaced)


@given(rankings, capacities)
def test_when_the_team_can_work_everyone_nobody_is_unplaced(
    ranked: list[tuple[int, str | None]], capacity: dict[str, int]
) -> None:
    done = assign(ranked, capacity)
    if sum(capacity.values()) >= len(ranked):
        assert done.unplaced == ()
    else:  # the team is full: every place is taken
        assert done.load == capacity


@given(rankings, capacities)
def test_a_customer_whose_collector_still_has_room_in_rank_order_is_never_moved(
    ranked: list[tuple[int, str | None]], capacity: dict[str, int]
) -> None:
    done = assign(ranked, capacity)
    seen: Counter[str] = Counter()
    for cid, name in ranked:
        if name in capacity and seen[name] < capacity[name]:
            assert cid not in done.changes
            assert cid not in done.unplaced
        if name is not None:
            seen[name] += 1
    # and nobody is ever "moved" to the collector they already have
    assert all(done.changes[cid] != name for cid, name in ranked if cid in done.changes)
