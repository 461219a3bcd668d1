"""How a payment is spread over invoices. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cobro.errors import Conflict, Invalid


def check_payment_amount(amount: int) -> None:
    if amount <= 0:
        raise Invalid(f"payment amount must be positive, got {amount}", field="amount")


def check_same_payment(
    external_id: str,
    stored: tuple[int, str, date, int | None],
    given: tuple[int, str, date, int | None],
) -> None:
    """A payment recorded again must be the same money: (amount, currency, date, customer id).

    A row without a customer matches the stored one whatever customer it has since been given
    (applying cash to an invoice names the payer), so re-importing a file changes nothing.
    """
    *stored_money, stored_customer = stored
    *given_money, given_customer = given
    if stored_money != given_money or given_customer not in (None, stored_customer):
        raise Conflict(f"payment {external_id!r} already exists with other content")


def plan_allocations(available: int, targets: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spread `available` over (invoice id, open amount) pairs in the order given.

    Each invoice gets at most its open amount and the total never exceeds `available`; what is
    left stays unapplied on the payment.
    """
    plan: list[tuple[int, int]] = []
    left = available
    for invoice_id, open_amount in targets:
        if left <= 0:
            break
        take = min(left, open_amount)
        if take > 0:
            plan.append((invoice_id, take))
            left -= take
    return plan


def exact_allocations(
    available: int, invoice_ids: Sequence[int], amounts: Sequence[int]
) -> list[tuple[int, int]]:
    """(invoice id, amount) pairs as given, checked: one positive amount per invoice, their sum
    within `available` (each amount within the invoice's open amount is checked on applying)."""
    if len(invoice_ids) != len(amounts):
        raise Invalid(f"{len(amounts)} amounts given for {len(invoice_ids)} invoices")
    if any(amount <= 0 for amount in amounts):
        raise Invalid("every amount applied to an invoice must be positive")
    if sum(amounts) > available:
        raise Invalid(f"the amounts applied ({sum(amounts)}) exceed the payment ({available})")
    return list(zip(invoice_ids, amounts, strict=True))
