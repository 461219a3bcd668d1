"""What is wrong with the rows of a file refused whole (rate files, FX rates): each problem
names its row and field, and the message lists the first of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row of an imported file (row 1 is the header)."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


def listed(problems: Sequence[Problem], most: int, outcome: str) -> str:
    """ "3 problems, <outcome>:" and the first `most` of them, a line each."""
    lines = [str(problem) for problem in problems[:most]]
    if len(problems) > most:
        lines.append(f"… and {len(problems) - most} more")
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"{count}, {outcome}:\n  " + "\n  ".join(lines)
