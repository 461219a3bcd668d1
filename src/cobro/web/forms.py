"""What the pages' forms share: a day typed in a date field (empty: none), and a service's
error keyed by the form field it is about, for the page to show next to that field."""

from __future__ import annotations

from datetime import date

from cobro.errors import CobroError, Invalid, NotFound


def form_errors(error: CobroError, fields: tuple[str, ...]) -> dict[str, str]:
    """The error keyed by the form's field it is about ("form": above the form). A NotFound
    without a field is the customer: the only thing these forms name that can be missing."""
    field = error.field or ("customer" if isinstance(error, NotFound) else "form")
    return {field if field in fields else "form": error.message}


def optional_day(text: str, field: str) -> date | None:
    """An optional day as the date field sends it: empty is none."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("give the day as YYYY-MM-DD", field=field) from None
