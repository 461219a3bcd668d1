"""SEPA direct-debit mandates: recording one (reference, signature date, CORE or B2B, the
debtor's IBAN checked with schwifty, BIC optional), listing and revoking them. A mandate's
account is known to pay for its customer, so cash application finds its transfers too.
Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.banking.sepa_models import Mandate
from cobro.banking.sepa_rules import check_mandate, mandate_expired, to_sepa_text
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class MandateIn:
    customer: str  # external id
    reference: str
    signed_on: date
    scheme: str = "CORE"
    iban: str = ""
    bic: str | None = None
    debtor_name: str | None = None  # default: the customer's name
    one_off: bool = False


def add_mandate(
    session: Session,
    company: Company,
    data: MandateIn,
    on: date,
    by: tuple[int | None, str],
    now: datetime,
) -> Mandate:
    customer = get_customer(session, company.id, data.customer)
    checked = check_mandate(data.reference, data.signed_on, data.scheme, data.iban, data.bic, on)
    if session.scalar(
        select(Mandate.id).where(
            Mandate.company_id == company.id, Mandate.reference == checked.reference
        )
    ):
        raise Conflict(f"mandate {checked.reference!r} already exists", field="reference")
    mandate = Mandate(
        company_id=company.id,
        customer_id=customer.id,
        reference=checked.reference,
        signed_on=checked.signed_on,
        scheme=checked.scheme,
        iban=checked.iban,
        bic=checked.bic,
        debtor_name=to_sepa_text(data.debtor_name or customer.name, "debtor_name", 140),
        state="active",
        next_sequence="OOFF" if data.one_off else "FRST",
    )
    session.add(mandate)
    session.flush()
    record(
        session,
        "mandate.added",
        at=now,
        entity_type="sepa_mandate",
        entity_id=mandate.id,
        actor_id=by[0],
        company_id=company.id,
        after={
            "customer": customer.external_id,
            "reference": mandate.reference,
            "scheme": mandate.scheme,
            "iban": mandate.iban,
            "by": by[1],
        },
        source="bank",
    )
    return mandate


def active_mandate(session: Session, customer_id: int) -> Mandate | None:
    """The customer's mandate in force (the latest signed), the one their debits are taken on."""
    return session.scalar(
        select(Mandate)
        .where(Mandate.customer_id == customer_id, Mandate.state == "active")
        .order_by(Mandate.signed_on.desc(), Mandate.id.desc())
        .limit(1)
    )


def get_mandate(session: Session, company: Company, reference: str) -> Mandate:
    mandate = session.scalar(
        select(Mandate).where(Mandate.company_id == company.id, Mandate.reference == reference)
    )
    if mandate is None:
        raise NotFound(f"no mandate {reference!r} in this company", field="reference")
    return mandate


def revoke_mandate(
    session: Session,
    company: Company,
    reference: str,
    reason: str,
    by: tuple[int | None, str],
    now: datetime,
) -> Mandate:
    """The debtor withdrew it (or the creditor ends it): nothing more is collected on it."""
    mandate = get_mandate(session, company, reference)
    if mandate.state != "active":
        raise Conflict(f"mandate {reference!r} is already {mandate.state}")
    clean = reason.strip()
    if not clean:
        raise Invalid("say why the mandate ends", field="reason")
    end(mandate, "revoked", clean)
    record(
        session,
        "mandate.revoked",
        at=now,
        entity_type="sepa_mandate",
        entity_id=mandate.id,
        actor_id=by[0],
        company_id=company.id,
        after={"reference": reference, "reason": clean, "by": by[1]},
        source="bank",
    )
    return mandate


def end(mandate: Mandate, state: str, reason: str) -> None:
    mandate.state = state
    mandate.ended_reason = reason[:200]


@dataclass(frozen=True)
class MandateRow:
    mandate: Mandate
    customer: str  # external id
    customer_name: str


def mandate_rows(session: Session, company: Company, on: date) -> list[MandateRow]:
    """Every mandate with its customer, oldest first (expiry marked as `list_mandates` does)."""
    list_mandates(session, company, on)
    return [
        MandateRow(mandate, external_id, name)
        for mandate, external_id, name in session.execute(
            select(Mandate, Customer.external_id, Customer.name)
            .join(Customer, Customer.id == Mandate.customer_id)
            .where(Mandate.company_id == company.id)
            .order_by(Mandate.id)
        ).all()
    ]


def list_mandates(session: Session, company: Company, on: date) -> list[Mandate]:
    """Every mandate; one unused for 36 months is marked expired on the way (rulebook)."""
    mandates = list(
        session.scalars(
            select(Mandate).where(Mandate.company_id == company.id).order_by(Mandate.id)
        )
    )
    for mandate in mandates:
        if mandate.state == "active" and mandate_expired(
            mandate.last_collected_on, mandate.signed_on, on
        ):
            end(mandate, "expired", "not used for 36 months")
    session.flush()
    return mandates
