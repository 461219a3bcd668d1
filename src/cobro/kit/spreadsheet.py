"""Text bound for a spreadsheet (CSV exports, error reports)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """`text` that a spreadsheet shows and never runs: a cell starting like a formula gets a
    leading apostrophe (CSV formula injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
