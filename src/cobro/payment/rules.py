"""How a payment is spread over invoices. Pure."""

from __future__ import annotations

from collections.abc import Sequence


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
