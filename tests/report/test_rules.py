"""Aging buckets, counted from the due date. No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobro.report.rules import BUCKET_LIMITS, Bucket, bucket_of


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-400, Bucket.CURRENT),
        (-1, Bucket.CURRENT),
        (0, Bucket.CURRENT),
        (1, Bucket.DAYS_1_30),
        (30, Bucket.DAYS_1_30),
        (31, Bucket.DAYS_31_60),
        (60, Bucket.DAYS_31_60),
        (61, Bucket.DAYS_61_90),
        (90, Bucket.DAYS_61_90),
        (91, Bucket.OVER_90),
        (10_000, Bucket.OVER_90),
    ],
)
def test_days_past_due_fall_in_one_bucket(days: int, bucket: Bucket) -> None:
    assert bucket_of(days) is bucket


def test_the_buckets_are_in_order_and_only_the_last_is_open_ended() -> None:
    assert [bucket for bucket, _ in BUCKET_LIMITS] == list(Bucket)
    limits = [limit for _, limit in BUCKET_LIMITS]
    assert limits[-1] is None
    assert limits[:-1] == sorted(limit for limit in limits if limit is not None)


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_buckets_never_go_back_as_days_pass(days: int) -> None:
    order = list(Bucket)
    assert order.index(bucket_of(days)) <= order.index(bucket_of(days + 1))
