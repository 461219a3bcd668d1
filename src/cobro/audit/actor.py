"""Who does something, as services record it (`created_by`, `approved_by`, audit events)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """A user (their id, and their name: the email), or an edge without one (a CLI run, the
    portal, the cycle), named and with no id."""

    id: int | None = None
    name: str | None = None


NOBODY = Actor()
