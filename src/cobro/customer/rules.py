"""What a valid customer is. Pure: values in, checked values out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from cobro.errors import Invalid
from cobro.kit.codes import COUNTRY_DEFAULTS, check_country, check_language, check_timezone
from cobro.kit.money import check_currency

KINDS = ("business", "consumer")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{5,30}$")


@dataclass(frozen=True)
class ContactIn:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    building_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in vars(self).values())


@dataclass(frozen=True)
class CustomerIn:
    external_id: str
    name: str
    country: str
    kind: str = "business"
    language: str | None = None
    timezone: str | None = None
    currency: str | None = None
    credit_limit: int | None = None
    terms: str | None = None
    tax_id: str | None = None
    collector: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    contact: ContactIn | None = None
    paperless_since: date | None = None  # electronic bills since (None: not said)


def normalise_customer(data: CustomerIn, default_currency: str) -> CustomerIn:
    """Check every field and fill language, time zone and currency from the country if missing."""
    if not data.external_id.strip():
        raise Invalid("customer id is empty", field="external_id")
    if not data.name.strip():
        raise Invalid("customer name is empty", field="name")
    kind = data.kind.strip().lower()
    if kind not in KINDS:
        raise Invalid(f"customer kind {data.kind!r}: expected business or consumer", field="kind")
    country = _checked("country", check_country, data.country)
    language, zone, currency = COUNTRY_DEFAULTS.get(country, ("en", "UTC", default_currency))
    if data.credit_limit is not None and data.credit_limit < 0:
        raise Invalid(f"credit limit {data.credit_limit} is negative", field="credit_limit")
    return replace(
        data,
        external_id=data.external_id.strip(),
        name=data.name.strip(),
        kind=kind,
        country=country,
        language=_checked("language", check_language, data.language or language),
        timezone=_checked("timezone", check_timezone, data.timezone or zone),
        currency=_checked("currency", check_currency, data.currency or currency),
        tags=tuple(sorted({tag.strip() for tag in data.tags if tag.strip()})),
        contact=_normalise_contact(data.contact),
    )


def _normalise_contact(contact: ContactIn | None) -> ContactIn | None:
    if contact is None or contact.is_empty():
        return None
    if contact.email is not None and not _EMAIL.match(contact.email):
        raise Invalid(f"{contact.email!r} is not an email address", field="email")
    if contact.phone is not None and not _PHONE.match(contact.phone):
        raise Invalid(f"{contact.phone!r} is not a phone number", field="phone")
    country = (
        _checked("contact_country", check_country, contact.country) if contact.country else None
    )
    return replace(contact, country=country)


def _checked(name: str, check: Callable[[str], str], value: str) -> str:
    """Run a code check and say which field failed (an importer points at the column)."""
    try:
        return check(value)
    except Invalid as exc:
        raise Invalid(exc.message, field=name) from None


def check_contact(contact: ContactIn) -> ContactIn:
    """A contact as a person enters it (the API, a form): trimmed, blanks as None, at least one
    way to reach it, and each field checked under its own name."""
    clean = ContactIn(
        **{name: (value or "").strip() or None for name, value in vars(contact).items()}
    )
    if clean.is_empty():
        raise Invalid("a contact needs a name, an email, a phone or an address", field="name")
    if clean.email is not None and not _EMAIL.match(clean.email):
        raise Invalid(f"{clean.email!r} is not an email address", field="email")
    if clean.phone is not None and not _PHONE.match(clean.phone):
        raise Invalid(f"{clean.phone!r} is not a phone number", field="phone")
    if clean.country is None:
        return clean
    return replace(clean, country=_checked("country", check_country, clean.country))
