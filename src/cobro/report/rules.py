"""Aging buckets. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Bucket(StrEnum):
    CURRENT = "current"
    DAYS_1_30 = "1-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = "90+"


# (bucket, highest days past due it holds); aged from the due date, as collectors read it
BUCKET_LIMITS: tuple[tuple[Bucket, int | None], ...] = (
    (Bucket.CURRENT, 0),
    (Bucket.DAYS_1_30, 30),
    (Bucket.DAYS_31_60, 60),
    (Bucket.DAYS_61_90, 90),
    (Bucket.OVER_90, None),
)


def bucket_of(days_past_due: int) -> Bucket:
    for bucket, limit in BUCKET_LIMITS:
        if limit is None or days_past_due <= limit:
            return bucket
    raise AssertionError("unreachable: the last bucket has no limit")


class Basis(StrEnum):
    """What an invoice is aged from: its due date (how collectors read it) or its issue date
    (how a finance team reads the age of its sales)."""

    DUE = "due"
    ISSUE = "issue"


MOST_BUCKETS = 12


@dataclass(frozen=True)
class Scheme:
    """Configurable aging buckets: `limits` are the highest age (days) each bucket holds, in
    increasing order, the last bucket open-ended above the last limit. By due date the first
    bucket is "current" (not yet past due, age ≤ 0); by issue date it starts at day 0."""

    basis: Basis = Basis.DUE
    limits: tuple[int, ...] = (0, 30, 60, 90)

    def spans(self) -> tuple[tuple[str, int | None, int | None], ...]:
        """(label, lowest age, highest age) of each bucket; None: unbounded."""
        found: list[tuple[str, int | None, int | None]] = []
        lower: int | None = None
        for limit in self.limits:
            if lower is None:
                label = "current" if self.basis is Basis.DUE and limit == 0 else f"0-{limit}"
            else:
                label = f"{lower}-{limit}"
            found.append((label, lower, limit))
            lower = limit + 1
        found.append((f"{self.limits[-1]}+", lower, None))
        return tuple(found)

    def labels(self) -> tuple[str, ...]:
        return tuple(label for label, _lower, _upper in self.spans())

    def bucket_of(self, age: int) -> str:
        """The bucket of an amount `age` days from its due (or issue) date."""
        for label, _lower, upper in self.spans():
            if upper is None or age <= upper:
                return label
        raise AssertionError("unreachable: the last bucket has no limit")


DEFAULT_SCHEME = Scheme()


def parse_scheme(limits: str | None, basis: str | None = None) -> Scheme:
    """`--buckets 30,60,90,120` and `--aged-from due|issue` → a Scheme. By due date the
    current bucket (age ≤ 0) is always first; by issue date ages start at 0."""
    try:
        chosen = Basis(basis or Basis.DUE)
    except ValueError:
        raise ValueError(f"aged from {basis!r}: use due or issue") from None
    if not limits:
        return Scheme(chosen, (0, 30, 60, 90) if chosen is Basis.DUE else (30, 60, 90))
    try:
        numbers = [int(part) for part in limits.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError(f"buckets {limits!r}: give whole days, e.g. 30,60,90") from None
    if chosen is Basis.DUE and numbers[:1] != [0]:
        numbers.insert(0, 0)
    if not numbers or any(n < 0 for n in numbers) or numbers != sorted(set(numbers)):
        raise ValueError(f"buckets {limits!r}: give increasing days ≥ 0, e.g. 30,60,90")
    if chosen is Basis.ISSUE and numbers[0] == 0:
        raise ValueError(f"buckets {limits!r}: by issue date the first limit is above 0")
    if len(numbers) + 1 > MOST_BUCKETS:
        raise ValueError(f"buckets {limits!r}: at most {MOST_BUCKETS} buckets")
    return Scheme(chosen, tuple(numbers))
