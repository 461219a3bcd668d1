"""Saving, loading and assigning policies. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.kit.codes import check_country
from cobro.kit.money import check_currency
from cobro.policy.assign import AssignmentRule
from cobro.policy.defaults import default_policy
from cobro.policy.document import policy_from_mapping, policy_to_mapping
from cobro.policy.models import CollectionPolicy, PolicyRule
from cobro.policy.rules import CustomerKind, Grade, Policy


@dataclass(frozen=True)
class Policies:
    """Everything the cycle needs to know about a company's policies, loaded once."""

    by_id: Mapping[int, Policy]
    default_id: int
    rules: tuple[AssignmentRule, ...]


def save_policy(
    session: Session, company: Company, data: Mapping[str, Any], *, default: bool = False
) -> CollectionPolicy:
    """Create or replace the policy with this code. Refused whole when any stage is wrong."""
    policy = policy_from_mapping(data)
    row = session.scalar(
        select(CollectionPolicy).where(
            CollectionPolicy.company_id == company.id, CollectionPolicy.code == policy.code
        )
    )
    if row is None:
        row = CollectionPolicy(company_id=company.id, code=policy.code)
        session.add(row)
    row.name = policy.name
    row.stages = policy_to_mapping(policy)["stages"]
    session.flush()
    if default:
        _make_default(session, company, row)
    return row


def _make_default(session: Session, company: Company, row: CollectionPolicy) -> None:
    session.execute(
        update(CollectionPolicy)
        .where(CollectionPolicy.company_id == company.id, CollectionPolicy.id != row.id)
        .values(is_default=False)
    )
    row.is_default = True
    session.flush()


def ensure_default_policy(session: Session, company: Company) -> CollectionPolicy:
    """The company's default policy; the built-in one is saved the first time it is needed."""
    row = session.scalar(
        select(CollectionPolicy).where(
            CollectionPolicy.company_id == company.id, CollectionPolicy.is_default.is_(True)
        )
    )
    if row is not None:
        return row
    return save_policy(session, company, policy_to_mapping(default_policy()), default=True)


def as_policy(row: CollectionPolicy) -> Policy:
    return policy_from_mapping({"code": row.code, "name": row.name, "stages": row.stages})


def get_policy(session: Session, company: Company, code: str) -> CollectionPolicy:
    row = session.scalar(
        select(CollectionPolicy).where(
            CollectionPolicy.company_id == company.id, CollectionPolicy.code == code
        )
    )
    if row is None:
        known = ", ".join(p.code for p in list_policies(session, company)) or "none yet"
        raise NotFound(f"no policy {code!r} (known: {known})", field="policy")
    return row


def list_policies(session: Session, company: Company) -> list[CollectionPolicy]:
    return list(
        session.scalars(
            select(CollectionPolicy)
            .where(CollectionPolicy.company_id == company.id)
            .order_by(CollectionPolicy.code)
        )
    )


def load_policies(session: Session, company: Company) -> Policies:
    default = ensure_default_policy(session, company)
    rows = list_policies(session, company)
    rules = session.scalars(
        select(PolicyRule).where(PolicyRule.company_id == company.id).order_by(PolicyRule.position)
    )
    return Policies(
        by_id={row.id: as_policy(row) for row in rows},
        default_id=default.id,
        rules=tuple(
            AssignmentRule(
                policy_id=rule.policy_id,
                segment=rule.segment,
                country=rule.country,
                kind=rule.kind,
                grade=rule.grade,
                currency=rule.currency,
                min_amount=rule.min_amount,
            )
            for rule in rules
        ),
    )


def add_rule(
    session: Session, company: Company, policy_code: str, criteria: AssignmentRule
) -> PolicyRule:
    """Append an assignment rule (tried after the existing ones) for the named policy."""
    policy = get_policy(session, company, policy_code)
    _check_criteria(criteria)
    last = session.scalar(
        select(func.max(PolicyRule.position)).where(PolicyRule.company_id == company.id)
    )
    rule = PolicyRule(
        company_id=company.id,
        position=(last or 0) + 1,
        policy_id=policy.id,
        segment=criteria.segment,
        country=criteria.country,
        kind=criteria.kind,
        grade=criteria.grade,
        currency=criteria.currency,
        min_amount=criteria.min_amount,
    )
    session.add(rule)
    session.flush()
    return rule


def _check_criteria(criteria: AssignmentRule) -> None:
    if criteria.country is not None:
        check_country(criteria.country)
    if criteria.currency is not None:
        check_currency(criteria.currency)
    if criteria.min_amount is not None and criteria.currency is None:
        raise Invalid("a minimum amount needs its currency", field="currency")
    if criteria.kind is not None and criteria.kind not in set(CustomerKind):
        raise Invalid(f"kind {criteria.kind!r}: use business or consumer", field="kind")
    if criteria.grade is not None and criteria.grade not in set(Grade):
        raise Invalid(f"grade {criteria.grade!r}: use A, B, C or D", field="grade")


def assign_to_customer(
    session: Session, company: Company, customer: Customer, policy_code: str | None
) -> None:
    """Pin a policy on one customer (None: back to the rules)."""
    customer.policy_id = (
        None if policy_code is None else get_policy(session, company, policy_code).id
    )
    session.flush()
