"""What the policy, rules and settings commands share: a TOML or JSON table read from a file,
and the reminder that a segment has no customer yet."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.customer.models import Customer
from cobro.errors import Invalid


def read_table(
    file: Path, expected: str = "a table with code, name and stages"
) -> dict[str, object]:
    """The table in a .json file, else a TOML one; `Invalid` naming the file otherwise."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise Invalid(f"{file}: {exc.strerror}") from None
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise Invalid(f"{file}: {exc}") from None
    if not isinstance(data, dict):
        raise Invalid(f"{file}: expected {expected}")
    return data


def segment_note(session: Session, company_id: int, segment: str | None) -> str | None:
    """A reminder when no customer is in the segment yet (a typo, or segments still to set)."""
    if not segment:
        return None
    found = session.scalar(
        select(Customer.id)
        .where(Customer.company_id == company_id, Customer.segment == segment)
        .limit(1)
    )
    if found is not None:
        return None
    return (
        f"Note: no customer is in segment {escape(segment)!r} yet "
        "(`cobro customers segment ID SEGMENT` puts one there)."
    )
