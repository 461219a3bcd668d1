"""The company's cash-in settings: when a match is applied without a person, how much bank
charges a payer may deduct, and for SEPA direct debit the creditor identifier, the structured
postal address pain.008 needs and the fee for a returned debit. Each change is audited with
the values before and after. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.banking.sepa_rules import check_creditor_id, to_sepa_text
from cobro.company.models import Company
from cobro.errors import Invalid

FIELDS = (
    "match_threshold",
    "charges_tolerance",
    "creditor_id",
    "street",
    "building_number",
    "postal_code",
    "town",
    "return_fee",
)
TEXT_SIZES = {"street": 70, "building_number": 16, "postal_code": 16, "town": 35}


@dataclass(frozen=True)
class BankSettings:
    match_threshold: int
    charges_tolerance: int
    creditor_id: str | None
    street: str | None
    building_number: str | None
    postal_code: str | None
    town: str | None
    return_fee: int


def bank_settings(company: Company) -> BankSettings:
    return BankSettings(**{name: getattr(company, name) for name in FIELDS})


def change_bank_settings(
    session: Session,
    company: Company,
    changes: dict[str, object],
    by: tuple[int | None, str],
    now: datetime,
) -> BankSettings:
    """Apply `changes` (field → value; None or "" clears a text); all checked first."""
    before = bank_settings(company)
    clean = {name: _check(name, value) for name, value in changes.items()}
    for name, value in clean.items():
        setattr(company, name, value)
    session.flush()
    after = bank_settings(company)
    record(
        session,
        "bank.settings_changed",
        at=now,
        entity_type="company",
        entity_id=company.id,
        actor_id=by[0],
        company_id=company.id,
        before={name: getattr(before, name) for name in clean},
        after={**{name: getattr(after, name) for name in clean}, "by": by[1]},
        source="bank",
    )
    return after


def _check(name: str, value: object) -> object:
    if name == "match_threshold":
        number = _whole(name, value)
        if not 50 <= number <= 100:
            raise Invalid("the threshold is a score from 50 to 100", field=name)
        return number
    if name in ("charges_tolerance", "return_fee"):
        number = _whole(name, value)
        if not 0 <= number <= 100_000:
            raise Invalid(f"{name} must be 0 to 100000 (minor units)", field=name)
        return number
    text = str(value).strip() if value is not None else ""
    if name == "creditor_id":
        return check_creditor_id(text, name) if text else None
    if name in TEXT_SIZES:
        return to_sepa_text(text, name, TEXT_SIZES[name]) if text else None
    raise Invalid(f"unknown setting {name!r}: use one of {', '.join(FIELDS)}", field=name)


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid(f"{name} must be a whole number", field=name)
    try:
        return int(value)
    except ValueError:
        raise Invalid(f"{name} must be a whole number, not {value!r}", field=name) from None
