"""Assignment rules: added in order, listed, removed; refused with the field at fault; and the
cycle sends the items they match to their policy."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import set_segment
from cobro.cycle.service import run_cycle
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.outbox.models import Action
from cobro.policy.assign import AssignmentRule
from cobro.policy.progress import progress_of
from cobro.policy.service import (
    add_rule,
    assign_to_customer,
    assign_to_invoice,
    ensure_default_policy,
    list_rules,
    remove_rule,
    save_policy,
)
from tests.factories.ledger import make_company, make_customer, make_invoice

DUE = date(2026, 3, 2)  # a Monday
RETAIL = {
    "code": "retail",
    "name": "Shops",
    "stages": [{"code": "nudge", "offset": 0, "tone": "friendly", "actions": ["sms"]}],
}


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    ensure_default_policy(session, company)
    save_policy(session, company, RETAIL)
    return company


def rule(**criteria: object) -> AssignmentRule:
    return AssignmentRule(policy_id=0, **criteria)  # type: ignore[arg-type]


def test_rules_are_listed_in_the_order_they_were_added_with_their_codes_cleaned(
    session: Session, company: Company
) -> None:
    add_rule(session, company, "retail", rule(segment=" shops ", kind="Consumer"))
    add_rule(session, company, "default", rule(country="es", grade="c"))
    add_rule(session, company, "retail", rule(currency="eur", min_amount=1_000_00))
    listed = list_rules(session, company)
    assert [(r.position, r.policy) for r in listed] == [
        (1, "retail"),
        (2, "default"),
        (3, "retail"),
    ]
    first, second, third = (r.criteria for r in listed)
    assert (first.segment, first.kind) == ("shops", "consumer")
    assert (second.country, second.grade) == ("ES", "C")
    assert (third.currency, third.min_amount) == ("EUR", 1_000_00)


def test_a_rule_without_any_criterion_is_refused(session: Session, company: Company) -> None:
    with pytest.raises(Invalid, match="at least one criterion") as refused:
        add_rule(session, company, "retail", rule(segment="  "))
    assert refused.value.field == "criteria"
    assert list_rules(session, company) == []


@pytest.mark.parametrize(
    ("criteria", "field", "message"),
    [
        ({"country": "XX"}, "country", "unknown country 'XX'"),
        ({"currency": "EURO"}, "currency", "unknown currency 'EURO'"),
        ({"min_amount": 100_00}, "currency", "needs its currency"),
        ({"currency": "EUR", "min_amount": -1}, "min_amount", "cannot be negative"),
        ({"kind": "company"}, "kind", "use business or consumer"),
        ({"grade": "E"}, "grade", "use A, B, C or D"),
        ({"segment": "s" * 41}, "segment", "at most 40 characters"),
    ],
)
def test_a_wrong_criterion_is_refused_naming_its_field(
    session: Session, company: Company, criteria: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message) as refused:
        add_rule(session, company, "retail", rule(**criteria))
    assert refused.value.field == field


def test_an_unknown_policy_is_not_found(session: Session, company: Company) -> None:
    with pytest.raises(NotFound, match="no policy 'vip'") as refused:
        add_rule(session, company, "vip", rule(kind="business"))
    assert refused.value.field == "policy"


def test_removing_a_rule_keeps_the_others_positions_and_a_new_one_goes_last(
    session: Session, company: Company
) -> None:
    for grade in "ABC":
        add_rule(session, company, "retail", rule(grade=grade))
    removed = remove_rule(session, company, 2)
    assert (removed.position, removed.policy, removed.criteria.grade) == (2, "retail", "B")
    add_rule(session, company, "default", rule(grade="D"))
    listed = [(r.position, r.criteria.grade) for r in list_rules(session, company)]
    assert listed == [(1, "A"), (3, "C"), (4, "D")]
    with pytest.raises(NotFound, match=r"no assignment rule at position 2 \(positions: 1, 3, 4\)"):
        remove_rule(session, company, 2)


def test_the_cycle_sends_the_items_a_rule_matches_to_its_policy(
    session: Session, company: Company
) -> None:
    shop = make_customer(session, company, "SHOP")
    other = make_customer(session, company, "OTHER")
    set_segment(session, company.id, "SHOP", "retail")
    for customer in (shop, other):
        make_invoice(session, company, customer, 300_00, date(2026, 1, 31), DUE)
    add_rule(session, company, "retail", rule(segment="retail"))

    run_cycle(session, company, DUE)

    retail = next(r for r in list_rules(session, company)).criteria.policy_id
    invoices = {i.id: i.customer_id for i in session.scalars(select(Invoice))}
    chases = {
        invoices[invoice_id]: (p.policy_id, p.stage)
        for invoice_id, p in progress_of(session, invoices).items()
    }
    assert chases[shop.id] == (retail, "nudge")
    assert chases[other.id][1] == "due"  # the default policy
    kinds = {(a.customer_id, a.kind) for a in session.scalars(select(Action))}
    assert kinds == {(shop.id, "sms"), (other.id, "email")}


def test_a_policy_pinned_on_an_invoice_wins_over_its_customers_and_can_be_unpinned(
    session: Session, company: Company
) -> None:
    shop = make_customer(session, company, "SHOP")
    pinned = make_invoice(session, company, shop, 300_00, date(2026, 1, 31), DUE, number="F-1")
    other = make_invoice(session, company, shop, 200_00, date(2026, 1, 31), DUE, number="F-2")
    assign_to_customer(session, company, shop, "default")
    assign_to_invoice(session, company, pinned, "retail")

    run_cycle(session, company, DUE)

    progress = progress_of(session, [pinned.id, other.id])
    assert progress[pinned.id].stage == "nudge"  # retail's, though the customer is on default
    assert progress[other.id].stage == "due"
    assign_to_invoice(session, company, pinned, None)
    assert pinned.policy_id is None
    with pytest.raises(NotFound, match="no policy 'vip'"):
        assign_to_invoice(session, company, other, "vip")
