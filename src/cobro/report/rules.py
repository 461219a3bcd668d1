"""Aging buckets. Pure."""

from __future__ import annotations

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
