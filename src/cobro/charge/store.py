"""What every kind of charge is recorded with: the company's terms, the result of a call,
and the idempotent insert by key. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobro.charge.models import Charge
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid
from cobro.interest.law import Applied, Tables, contractual_table
from cobro.interest.service import tables_of
from cobro.invoice.models import Invoice
from cobro.policy.rules import ActionKind, Stage

# where a charge is recorded: the company, the customer, the invoice, its policy and stage
Where = tuple[Company, Customer, Invoice, int, Stage]


@dataclass
class Recorded:
    """What one call recorded, and why something was not (in words, for the outbox)."""

    charges: list[Charge] = field(default_factory=list)
    problems: list[tuple[ActionKind, str]] = field(default_factory=list)

    def problems_of(self, kind: ActionKind) -> list[str]:
        return [text for of, text in self.problems if of is kind]

    def summary(self, kind: ActionKind) -> str:
        mine = [c for c in self.charges if (c.kind == "fee") == (kind is ActionKind.FEE)]
        said = [f"{len(mine)} charge(s) recorded"] if mine else []
        return "; ".join(said + self.problems_of(kind)) or "nothing new to charge"


@dataclass(frozen=True)
class Terms:
    """A company's charge settings, read once per call, and the rate tables its interest is
    computed from, read (with the imported periods) once per call too, when first needed."""

    jurisdiction: str | None
    mode: str  # "off", "claim" or "charge"
    contract_rate: Decimal | None
    _tables: dict[str, Tables] = field(default_factory=dict, compare=False, repr=False)

    def rates(self, session: Session, business: bool, interest_starts: date) -> Applied:
        """The rates of the company's law (and agreed rate) for a debt whose interest starts
        on `interest_starts`."""
        assert self.jurisdiction is not None
        if "all" not in self._tables:
            self._tables["all"] = tables_of(session)
        return contractual_table(
            self.jurisdiction,
            business,
            interest_starts,
            self.contract_rate,
            self._tables["all"],
        )

    @classmethod
    def of(cls, company: Company) -> Terms:
        rate = None
        if company.contract_rate:
            try:
                rate = Decimal(company.contract_rate)
            except InvalidOperation:
                raise Invalid(
                    f"the company's agreed rate {company.contract_rate!r} is not a number",
                    field="contract_rate",
                ) from None
        return cls(company.jurisdiction, company.charge_mode, rate)


def mode_of(terms: Terms) -> str:
    return "charge" if terms.mode == "charge" else "claim"


def exists(session: Session, company_id: int, key: str) -> bool:
    found = session.scalar(
        select(Charge.id).where(Charge.company_id == company_id, Charge.key == key)
    )
    return found is not None


def new_charge(
    terms: Terms,
    owner: tuple[Company, Customer, Invoice | None],
    key: str,
    kind: str,
    money: tuple[int, str],
    on: date,
    label: str,
    detail: dict[str, Any],
) -> Charge:
    """A charge not yet added: the caller may say more (its stage, the days of interest)."""
    company, customer, invoice = owner
    amount, currency = money
    return Charge(
        company_id=company.id,
        customer_id=customer.id,
        invoice_id=invoice.id if invoice is not None else None,
        key=key,
        kind=kind,
        currency=currency,
        amount=amount,
        computed_on=on,
        label=label,
        detail=detail,
        mode=mode_of(terms),
    )


def add(session: Session, charge: Charge) -> Charge | None:
    """Insert `charge`; None when another worker recorded the same key meanwhile (two actions
    of one stage carried out at once by two workers): theirs stands, and this one is nothing
    new."""
    try:
        with session.begin_nested():
            session.add(charge)
            session.flush()
    except IntegrityError:
        return None
    return charge


def charges_off(company: Company, kind: ActionKind) -> str | None:
    """Why the company records no charge of this kind (None: it does): the action is then
    skipped, saying so, rather than failed."""
    if company.charge_mode == "off":
        return "charges are off for this company (cobro charges settings --mode)"
    if kind is ActionKind.INTEREST_CLAIM and company.jurisdiction is None:
        return (
            "no statutory interest: the company has no jurisdiction set "
            "(cobro charges settings --jurisdiction)"
        )
    return None
