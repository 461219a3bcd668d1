"""Rows of a side-by-side table (what, one, other, difference), as the back-test and the
experiment report print them. Pure."""

from __future__ import annotations

MINUS = "\u2212"  # a real minus sign: "−2.3" reads better than "-2.3" in a table

Row = tuple[str, str, str, str]


def signed(value: float, magnitude: str) -> str:
    """ "+3", "−3" or "0": the sign of `value` in front of its magnitude as already written."""
    if value > 0:
        return f"+{magnitude}"
    if value < 0:
        return f"{MINUS}{magnitude}"
    return magnitude


def count_row(what: str, one: int, other: int) -> Row:
    return what, str(one), str(other), signed(other - one, str(abs(other - one)))
