"""The payer map: accounts and names known to pay for a customer, taught by the matches a
person confirms. A parent company paying for its subsidiary, or a payer whose bank shortens
its name, is found by its account the next time without a reference."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking.models import PayerLink, StatementLine
from cobro.banking.rules import compact_account
from cobro.company.models import Company
from cobro.customer.models import Customer


def learn_payer(
    session: Session, company: Company, customer: Customer, line: StatementLine
) -> None:
    if line.counterparty_iban:
        _teach(session, company, customer, "iban", compact_account(line.counterparty_iban))
    name = (line.counterparty_name or "").strip()
    if name and name.casefold() != customer.name.strip().casefold():
        _teach(session, company, customer, "name", name[:200])


def _teach(session: Session, company: Company, customer: Customer, kind: str, value: str) -> None:
    link = session.scalar(
        select(PayerLink).where(
            PayerLink.company_id == company.id,
            PayerLink.kind == kind,
            PayerLink.value == value,
            PayerLink.customer_id == customer.id,
        )
    )
    if link is None:
        session.add(
            PayerLink(company_id=company.id, customer_id=customer.id, kind=kind, value=value)
        )
    else:
        link.confirmations += 1
