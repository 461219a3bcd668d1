"""Recording the fees and interest a stage claims.

The worker records a stage's charges when it carries out the first action of the stage for a
customer (usually the letter, which then lists them), keyed so that the other actions of the
stage, a retry or a crash in between record nothing twice. Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from cobro.charge import debit
from cobro.charge.fees import charge_fee
from cobro.charge.interest import claim_interest
from cobro.charge.store import Recorded, Terms
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.policy.fees import Fee, FeeBasis
from cobro.policy.rules import ActionKind, Stage
from cobro.policy.service import Policies

# (invoice, policy id, stage code): an open item at the stage it reached
Item = tuple[Invoice, int, str]
CHARGING = frozenset({ActionKind.FEE, ActionKind.INTEREST_CLAIM})


def record_stage_charges(
    session: Session,
    company: Company,
    policies: Policies,
    customer: Customer,
    items: Sequence[Item],
    on: date,
    action_id: int | None = None,
) -> Recorded:
    """Record the fees and interest of every stage among `items` that lists them, as of `on`;
    what was recorded before under the same keys is left as it is."""
    recorded = Recorded()
    terms = Terms.of(company)
    if terms.mode == "off":
        return recorded
    fees: dict[tuple[int, str, str, int | None], tuple[Fee, list[Invoice]]] = {}
    for invoice, policy_id, code in items:
        stage = _stage(policies, policy_id, code)
        if stage is None or invoice.kind != "invoice":
            continue  # a debit note earns neither fees nor interest
        where = (company, customer, invoice, policy_id, stage)
        if ActionKind.INTEREST_CLAIM in stage.actions:
            claim_interest(session, terms, where, on, action_id, recorded)
        fee = stage.fee if ActionKind.FEE in stage.actions else None
        if fee is not None:
            # a fee per notice is one for all the customer's items at the stage
            one = invoice.id if fee.per is FeeBasis.INVOICE else None
            key = (policy_id, stage.code, invoice.currency, one)
            fees.setdefault(key, (fee, []))[1].append(invoice)
    for (policy_id, code, currency, _one), (fee, invoices) in fees.items():
        at = (company, customer, policy_id, code, currency)
        charge_fee(session, terms, at, fee, invoices, on, action_id, recorded)
    if terms.mode == "charge" and recorded.charges:
        debit.issue(session, company, customer, recorded.charges, on)
    session.flush()
    return recorded


def _stage(policies: Policies, policy_id: int, code: str) -> Stage | None:
    policy = policies.by_id.get(policy_id)
    if policy is None:
        return None
    return next((stage for stage in policy.stages if stage.code == code), None)
