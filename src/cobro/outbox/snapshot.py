"""The ledger as a claimed batch needs it, read in a handful of set-based queries.

Re-checking and composing an action reads its customer and contacts, the items still chased,
the holds in force, the cash not yet applied and the fees and interest claimed. Read action by
action that is half a dozen queries per message; read for the whole batch at once it is six
queries per round. The
snapshot is taken in the transaction that prepares the batch, so every action of the batch sees
the ledger as it is at that moment, as it did when each read its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cobro.charge.letters import open_claims
from cobro.charge.models import Charge
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice
from cobro.payment.repository import unapplied_cash
from cobro.policy.holds import in_force
from cobro.policy.models import Hold
from cobro.policy.progress import join_progress

# (invoice, policy id, stage): an open item at the stage it reached
ChasedItem = tuple[Invoice, int, str]


@dataclass(frozen=True)
class Snapshot:
    """Customers (with their contacts), their chased items not on hold, their unapplied cash."""

    today: date
    customers: Mapping[int, Customer]
    items: Mapping[int, list[ChasedItem]]
    cash: Mapping[int, dict[str, int]]
    # claimed fees and interest not waived; the worker adds those it records meanwhile
    claims: dict[int, list[Charge]]
    # the part of an invoice held (a dispute of part of it): not asked for, the rest is
    held: Mapping[int, int] = field(default_factory=dict)

    def customer(self, customer_id: int) -> Customer:
        return self.customers[customer_id]

    def chased(self, customer_id: int) -> list[ChasedItem]:
        """The customer's open items that have reached a stage and are not on hold today,
        oldest due first."""
        return self.items.get(customer_id, [])

    def claimed(self, customer_id: int) -> list[Charge]:
        return self.claims.get(customer_id, [])

    def unapplied(self, customer_id: int) -> dict[str, int]:
        """Cash received by today and not applied to any invoice, per currency."""
        return dict(self.cash.get(customer_id, {}))


def load_snapshot(session: Session, customer_ids: Collection[int], today: date) -> Snapshot:
    ids = sorted(set(customer_ids))
    customers = {
        customer.id: customer
        for customer in session.scalars(
            select(Customer).where(Customer.id.in_(ids)).options(selectinload(Customer.contacts))
        )
    }
    parts: dict[int, int] = defaultdict(int)
    return Snapshot(
        today=today,
        customers=customers,
        items=_chased_items(session, ids, today, parts),
        cash=unapplied_cash(session, today, customer_ids=ids),
        claims=open_claims(session, ids),
        held=parts,
    )


def _chased_items(
    session: Session, ids: list[int], today: date, parts: dict[int, int]
) -> dict[int, list[ChasedItem]]:
    """The chased items; `parts` gets the amount held of each invoice held in part."""
    held: dict[int, set[int | None]] = defaultdict(set)
    for customer_id, invoice_id, amount in session.execute(
        select(Hold.customer_id, Hold.invoice_id, Hold.amount).where(
            Hold.customer_id.in_(ids), in_force(today)
        )
    ):
        if amount is None or invoice_id is None:  # a part is always of one invoice
            held[customer_id].add(invoice_id)
        else:
            parts[invoice_id] += amount
    chased = [customer_id for customer_id in ids if None not in held[customer_id]]
    query = select(Invoice.customer_id, Invoice).where(
        Invoice.customer_id.in_(chased),
        Invoice.settled_on.is_(None),
        Invoice.open_amount > 0,
    )
    query, progress = join_progress(query, Invoice.id)
    rows = session.execute(
        query.add_columns(progress.policy_id, progress.stage)
        .where(progress.stage.is_not(None))
        .order_by(Invoice.due_date, Invoice.id)
    )
    items: dict[int, list[ChasedItem]] = defaultdict(list)
    for customer_id, invoice, policy_id, stage in rows:
        if invoice.id not in held[customer_id] and parts.get(invoice.id, 0) < invoice.open_amount:
            items[customer_id].append((invoice, policy_id, stage))
    return items
