"""Named payment terms of a company."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.terms.models import PaymentTerms
from cobro.terms.rules import Terms, parse_terms


def ensure_terms(session: Session, company_id: int, text: str) -> PaymentTerms:
    """The company's terms row for this notation, created on first use (canonical code)."""
    terms = parse_terms(text)
    row = session.scalar(
        select(PaymentTerms).where(
            PaymentTerms.company_id == company_id, PaymentTerms.code == terms.code
        )
    )
    if row is None:
        row = PaymentTerms(company_id=company_id, code=terms.code, description=describe(terms))
        session.add(row)
        session.flush()
    return row


def terms_of(row: PaymentTerms) -> Terms:
    return parse_terms(row.code)


def describe(terms: Terms) -> str:
    if terms.installments:
        return f"{len(terms.installments)} installments"
    base = (
        f"end of month + {terms.net_days} days" if terms.end_of_month else f"net {terms.net_days}"
    )
    if terms.discount_percent:
        return f"{terms.discount_percent.normalize():f} % within {terms.discount_days} days, {base}"
    return base
