"""A company whose policy claims interest at +30 and charges fees at +5 and +10."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.policy.service import Policies, load_policies, save_policy
from tests.factories.ledger import make_company, make_customer

POLICY: dict[str, Any] = {
    "code": "charges",
    "name": "Fees and interest",
    "stages": [
        {
            "code": "first",
            "offset": 5,
            "tone": "friendly",
            "actions": ["email", "fee"],
            "fee": {"fixed": {"EUR": "10.00"}},
        },
        {
            "code": "second",
            "offset": 10,
            "tone": "firm",
            "actions": ["email", "fee"],
            "fee": {"percent": "15"},
        },
        {
            "code": "notice",
            "offset": 20,
            "tone": "firm",
            "actions": ["email", "fee"],
            "fee": {"fixed": {"EUR": "5.00"}, "per": "notice"},
        },
        {"code": "demand", "offset": 30, "tone": "formal", "actions": ["email", "interest_claim"]},
    ],
}


@dataclass
class Books:
    session: Session
    company: Company
    customer: Customer
    policies: Policies

    @property
    def policy_id(self) -> int:
        return next(
            iter(p for p, policy in self.policies.by_id.items() if policy.code == "charges")
        )

    def at(self, invoice: Invoice, stage: str) -> tuple[Invoice, int, str]:
        return (invoice, self.policy_id, stage)


@pytest.fixture
def books(session: Session) -> Books:
    company = make_company(session)
    company.jurisdiction = "ES"
    save_policy(session, company, POLICY, default=True)
    customer = make_customer(session, company, "ACME", name="Acme Ibérica S.L.")
    return Books(session, company, customer, load_policies(session, company))


def on(text: str) -> date:
    return date.fromisoformat(text)
