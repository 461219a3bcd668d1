"""Saving, loading and assigning policies. Services add and flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.kit.codes import check_country
from cobro.kit.money import check_currency
from cobro.policy.assign import AssignmentRule
from cobro.policy.defaults import default_policy
from cobro.policy.document import policy_from_mapping, policy_to_mapping
from cobro.policy.models import CollectionPolicy, PolicyRule
from cobro.policy.rules import CustomerKind, Grade, Policy

_SEGMENT_LENGTH = 40  # PolicyRule.segment, Customer.segment


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
    try:
        with session.begin_nested():
            return save_policy(session, company, policy_to_mapping(default_policy()), default=True)
    except IntegrityError:
        # another transaction saved it meanwhile (two first cycles at once on PostgreSQL): the
        # insert waited for it to commit, so it is there to read now
        row = session.scalar(
            select(CollectionPolicy).where(
                CollectionPolicy.company_id == company.id, CollectionPolicy.is_default.is_(True)
            )
        )
        if row is None:
            raise
        return row


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
        rules=tuple(_criteria(rule) for rule in rules),
    )


def add_rule(
    session: Session, company: Company, policy_code: str, criteria: AssignmentRule
) -> PolicyRule:
    """Append an assignment rule (tried after the existing ones) for the named policy."""
    policy = get_policy(session, company, policy_code)
    criteria = _check_criteria(criteria)
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


def _check_criteria(criteria: AssignmentRule) -> AssignmentRule:
    """The criteria as stored (codes upper-cased, the segment trimmed), or `Invalid` naming the
    field. A rule without any criterion is refused: it would send every item to its policy,
    shadowing the rules after it and the default (make that policy the default instead)."""
    segment = (criteria.segment or "").strip() or None
    if segment is not None and len(segment) > _SEGMENT_LENGTH:
        raise Invalid(f"a segment has at most {_SEGMENT_LENGTH} characters", field="segment")
    country = currency = None
    try:
        if criteria.country is not None:
            country = check_country(criteria.country)
    except Invalid as exc:
        raise Invalid(exc.message, field="country") from None
    try:
        if criteria.currency is not None:
            currency = check_currency(criteria.currency)
    except Invalid as exc:
        raise Invalid(exc.message, field="currency") from None
    if criteria.min_amount is not None and criteria.currency is None:
        raise Invalid("a minimum amount needs its currency", field="currency")
    if criteria.min_amount is not None and criteria.min_amount < 0:
        raise Invalid("the minimum amount cannot be negative", field="min_amount")
    kind = None if criteria.kind is None else criteria.kind.strip().lower()
    if kind is not None and kind not in set(CustomerKind):
        raise Invalid(f"kind {criteria.kind!r}: use business or consumer", field="kind")
    grade = None if criteria.grade is None else criteria.grade.strip().upper()
    if grade is not None and grade not in set(Grade):
        raise Invalid(f"grade {criteria.grade!r}: use A, B, C or D", field="grade")
    clean = replace(
        criteria, segment=segment, country=country, kind=kind, grade=grade, currency=currency
    )
    if clean == AssignmentRule(policy_id=criteria.policy_id):
        raise Invalid(
            "a rule needs at least one criterion (segment, country, kind, grade, currency or "
            "minimum amount): one without any would match every item; to send every item to "
            "a policy, make it the default instead",
            field="criteria",
        )
    return clean


@dataclass(frozen=True)
class ListedRule:
    """An assignment rule as shown: its position (the order rules are tried in), the code of
    its policy and its criteria."""

    position: int
    policy: str
    criteria: AssignmentRule


def list_rules(session: Session, company: Company) -> list[ListedRule]:
    """The company's assignment rules in the order they are tried."""
    rows = session.execute(
        select(PolicyRule, CollectionPolicy.code)
        .join(CollectionPolicy, CollectionPolicy.id == PolicyRule.policy_id)
        .where(PolicyRule.company_id == company.id)
        .order_by(PolicyRule.position)
    )
    return [ListedRule(rule.position, code, _criteria(rule)) for rule, code in rows]


def remove_rule(session: Session, company: Company, position: int) -> ListedRule:
    """Delete the rule at `position`; the others keep their positions (and their order)."""
    found = session.execute(
        select(PolicyRule, CollectionPolicy.code)
        .join(CollectionPolicy, CollectionPolicy.id == PolicyRule.policy_id)
        .where(PolicyRule.company_id == company.id, PolicyRule.position == position)
    ).one_or_none()
    if found is None:
        known = ", ".join(str(rule.position) for rule in list_rules(session, company))
        raise NotFound(
            f"no assignment rule at position {position} (positions: {known or 'none yet'})",
            field="position",
        )
    rule, code = found
    removed = ListedRule(rule.position, code, _criteria(rule))
    session.delete(rule)
    session.flush()
    return removed


def _criteria(rule: PolicyRule) -> AssignmentRule:
    return AssignmentRule(
        policy_id=rule.policy_id,
        segment=rule.segment,
        country=rule.country,
        kind=rule.kind,
        grade=rule.grade,
        currency=rule.currency,
        min_amount=rule.min_amount,
    )


def assign_to_customer(
    session: Session, company: Company, customer: Customer, policy_code: str | None
) -> None:
    """Pin a policy on one customer (None: back to the rules)."""
    _pin(session, company, customer, policy_code)


def assign_to_invoice(
    session: Session, company: Company, invoice: Invoice, policy_code: str | None
) -> None:
    """Pin a policy on one invoice, over its customer's (None: back to the customer's)."""
    _pin(session, company, invoice, policy_code)


def _pin(
    session: Session, company: Company, row: Customer | Invoice, policy_code: str | None
) -> None:
    row.policy_id = None if policy_code is None else get_policy(session, company, policy_code).id
    session.flush()
