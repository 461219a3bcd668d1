"""The company's own details as its settings page edits them: name, time zone, the language of
its notices, where replies go, and the bank account its notices and the portal show. Services
change and flush; the caller commits.

The code, country and reporting currency are shown but not edited here: the code is how the
CLI and the operators name the company, and the country and currency decide the jurisdiction
and the unit every amount of the ledger is kept in; changing them under a running ledger would
misstate it, so they stay as `cobro init` set them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.errors import Invalid, NotFound
from cobro.kit.codes import check_language, check_timezone
from cobro.settings.rules import (
    check_bank_country,
    check_bic,
    check_email,
    check_iban,
    check_name,
    check_phone,
)

EDITABLE = ("name", "timezone", "language", "email", "phone", "iban", "bic")
SHOWN = ("code", "country", "currency", *EDITABLE)


def company_of(session: Session, company_id: int) -> Company:
    """The caller's company (its id comes from the caller, never from the request)."""
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("no such company")
    return company


def company_values(company: Company) -> dict[str, Any]:
    return {name: getattr(company, name) for name in SHOWN}


def _named(check: Callable[[str], str], field: str) -> Callable[[str | None], str | None]:
    """A `kit.codes` check that names the field its error is about."""

    def checked(value: str | None) -> str | None:
        clean = (value or "").strip()
        if not clean:
            if field == "timezone":
                raise Invalid("timezone: the company needs a time zone", field=field)
            return None
        try:
            return check(clean)
        except Invalid as error:
            raise Invalid(error.message, field=field) from None

    return checked


_CHECKS: dict[str, Callable[[str | None], str | None]] = {
    "name": check_name,
    "timezone": _named(check_timezone, "timezone"),
    "language": _named(check_language, "language"),
    "email": lambda value: check_email(value, "email"),
    "phone": check_phone,
    "iban": check_iban,
    "bic": check_bic,
}


def update_company(
    session: Session,
    company_id: int,
    changes: Mapping[str, str | None],
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> Company:
    """Check every given field, then change those that differ, recording before and after.
    A field not given is left alone; an empty one is cleared (the name and time zone cannot
    be)."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(f"{unknown[0]} cannot be changed here", field=unknown[0])
    company = company_of(session, company_id)
    clean = {name: _CHECKS[name](value) for name, value in changes.items()}
    check_bank_country(
        clean.get("iban", company.iban),
        clean.get("bic", company.bic),
    )
    changed = {name: value for name, value in clean.items() if getattr(company, name) != value}
    if not changed:
        return company
    before = {name: getattr(company, name) for name in changed}
    for name, value in changed.items():
        setattr(company, name, value)
    session.flush()
    record(
        session,
        "company.updated",
        at=now,
        entity_type="company",
        entity_id=company.id,
        actor_id=actor_id,
        company_id=company.id,
        before=before,
        after=changed,
        source=source,
    )
    return company
