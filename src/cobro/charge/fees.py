"""A stage's fee, per invoice or per notice (`cobro.policy.fees` computes it). Services flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from cobro.charge.rules import fee_key, notice_fee_key
from cobro.charge.store import Recorded, Terms, add, exists, new_charge
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.kit.money import format_minor
from cobro.policy.fees import Fee, FeeBasis, fee_amount
from cobro.policy.rules import ActionKind

# where a fee is charged: the company, the customer, the policy, the stage and the currency
FeeAt = tuple[Company, Customer, int, str, str]


def charge_fee(
    session: Session,
    terms: Terms,
    at: FeeAt,
    fee: Fee,
    invoices: Sequence[Invoice],
    on: date,
    action_id: int | None,
    recorded: Recorded,
) -> None:
    """The stage's fee on `invoices` (one, or all the customer's at the stage in a currency
    when the fee is per notice), unless recorded before."""
    company, customer, policy_id, code, currency = at
    one = invoices[0] if fee.per is FeeBasis.INVOICE else None
    if one is not None:
        key = fee_key(one.id, policy_id, code)
    else:
        key = notice_fee_key(customer.id, policy_id, code, on, currency)
    open_total = sum(invoice.open_amount for invoice in invoices)
    amount = fee_amount(fee, open_total, currency)
    if amount is None:
        about = f"invoice {one.number}: " if one is not None else ""
        recorded.problems.append(
            (ActionKind.FEE, f"{about}stage {code!r}'s fee sets no amount in {currency}")
        )
        return
    if amount <= 0 or exists(session, company.id, key):
        return
    numbers = ", ".join(invoice.number for invoice in invoices)
    text = f"{fee.describe(currency)}; open {format_minor(open_total, currency)} ({numbers})"
    label = f"Collection fee on {one.number} ({code})" if one else f"Collection fee ({code})"
    detail = {"text": text, "open": open_total, "invoices": [i.id for i in invoices]}
    charge = new_charge(
        terms, (company, customer, one), key, "fee", (amount, currency), on, label, detail
    )
    charge.policy_id, charge.stage, charge.action_id = policy_id, code, action_id
    if add(session, charge) is not None:
        recorded.charges.append(charge)
