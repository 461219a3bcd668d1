"""The storing side of an invoice import: what the database holds for each invoice number
(loaded once, so that no row needs a query) and the chunked statements that write new and
changed invoices, their installments and the payments that settled dates stand for.

The open amount and settled date are set in the same statements as the allocations that
explain them, so `payment.service.check_ledger` holds after any import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, literal, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from cobro.bulk import BulkInsert, table_of
from cobro.customer.service import Change
from cobro.importer.rows import InvoiceRow
from cobro.invoice.models import Installment, Invoice
from cobro.payment.models import Allocation, Payment
from cobro.payment.rules import plan_allocations

CHUNK = 10_000
IN_BATCH = 5_000  # keys per IN (...): well under SQLite's limit on parameters
SETTLE_PREFIX = "SETTLE-"
SETTLE_METHOD = "settlement"

# the stored fields that make an invoice's content, in the order of Plan.values
CONTENT = (
    "customer_id",
    "issue_date",
    "due_date",
    "currency",
    "total",
    "tax",
    "terms_id",
    "discount_until",
    "discount_amount",
    "purchase_order",
    "reference",
    "payment_reference",
)
NEW_INVOICE = ("company_id", "number", *CONTENT, "open_amount", "settled_on", "created_at",
               "updated_at")  # fmt: skip
_PART = ("invoice_id", "sequence", "due_date", "amount")
_PAYMENT = ("company_id", "customer_id", "external_id", "received_on", "currency", "amount",
            "unapplied", "method", "reference", "created_at")  # fmt: skip
_ALLOCATION = ("payment_id", "invoice_id", "amount", "applied_on", "created_at")


def settle_id(number: str) -> str:
    """The payment that a settled date in an invoice file stands for; derived from the number
    so that importing the file again finds it instead of paying twice."""
    return SETTLE_PREFIX + number


class Stored(NamedTuple):
    """What the database holds for an invoice number: enough to classify and check a row."""

    id: int
    fingerprint: int
    total: int
    open_amount: int
    settled_on: date | None
    currency: str
    settle: tuple[date, int] | None  # the SETTLE-<number> payment: (date, amount)
    customer_id: int


@dataclass(slots=True)
class Plan:
    """What one row of the file asks for, as pass 1 checked it and pass 2 writes it."""

    row: InvoiceRow
    change: Change
    values: tuple[Any, ...]  # in CONTENT order
    installments: tuple[tuple[date, int], ...]
    stored: Stored | None
    settle: int  # amount of a settle payment to record now (0: none)
    settle_change: Change | None


def load_stored(session: Session, company_id: int, with_settlements: bool) -> dict[str, Stored]:
    """The company's invoices by number (with their settle payments, when the file may have
    settled dates): a fingerprint of the content, and what an update must respect."""
    settle = aliased(Payment)
    wanted = [Invoice.number, Invoice.id, Invoice.open_amount, Invoice.settled_on]
    wanted += [getattr(Invoice, name) for name in CONTENT]
    query = select(*wanted).where(Invoice.company_id == company_id)
    if with_settlements:
        query = query.add_columns(settle.received_on, settle.amount).outerjoin(
            settle,
            and_(
                settle.company_id == Invoice.company_id,
                settle.external_id == literal(SETTLE_PREFIX) + Invoice.number,
            ),
        )
    stored: dict[str, Stored] = {}
    # one object per distinct currency and date instead of one per row: a million stored
    # invoices then take a third less memory
    shared: dict[Any, Any] = {}
    for result in session.execute(query.execution_options(yield_per=CHUNK)):
        row: tuple[Any, ...] = tuple(result)
        values = row[4:16]
        currency = shared.setdefault(values[3], values[3])
        settled_on = shared.setdefault(row[3], row[3])
        paid = None
        if with_settlements and row[16] is not None:
            paid = (shared.setdefault(row[16], row[16]), row[17])
        stored[row[0]] = Stored(
            row[1], hash(values), values[4], row[2], settled_on, currency, paid, values[0]
        )
    return stored


class InvoiceWriter:
    """Collects planned rows and writes them CHUNK at a time."""

    def __init__(self, session: Session, company_id: int, now: datetime) -> None:
        self.session, self.company_id, self.now = session, company_id, now
        self._new: list[tuple[tuple[Any, ...], Plan]] = []
        self._changed: list[tuple[dict[str, Any], Plan]] = []
        connection = session.connection()
        self._insert_invoices = BulkInsert(connection, table_of(Invoice), NEW_INVOICE)
        self._insert_parts = BulkInsert(connection, table_of(Installment), _PART)
        self._insert_payments = BulkInsert(connection, table_of(Payment), _PAYMENT)
        self._insert_allocations = BulkInsert(connection, table_of(Allocation), _ALLOCATION)

    def add_new(self, row: tuple[Any, ...], plan: Plan) -> None:
        """`row` in NEW_INVOICE order, less `updated_at`."""
        self._new.append((row, plan))
        if len(self._new) >= CHUNK:
            self.flush()

    def add_changed(self, values: dict[str, Any], plan: Plan) -> None:
        self._changed.append((values, plan))
        if len(self._changed) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        session, new, changed = self.session, self._new, self._changed
        self._new, self._changed = [], []
        self._insert_invoices.write([(*row, self.now) for row, _ in new])
        if changed:
            session.execute(update(Invoice), [values for values, _ in changed])
            session.execute(
                delete(Installment).where(
                    Installment.invoice_id.in_([values["id"] for values, _ in changed])
                )
            )
        needy = [plan.row.invoice.number for _, plan in new if plan.installments or plan.settle]
        ids = self._ids(Invoice.id, Invoice.company_id, Invoice.number, needy)
        done = [(ids[p.row.invoice.number], p) for _, p in new if p.row.invoice.number in ids]
        done += [(values["id"], plan) for values, plan in changed]
        self._insert_parts.write(
            [
                (id_, index, due, amount)
                for id_, plan in done
                for index, (due, amount) in enumerate(plan.installments, start=1)
            ]
        )
        self._record_settlements([(id_, plan) for id_, plan in done if plan.settle])

    def _record_settlements(self, settled: list[tuple[int, Plan]]) -> None:
        """One payment per settled invoice, applied to it in full (the amount was chosen as
        what is left open, so the allocation plan takes all of it)."""
        if not settled:
            return
        plans = [plan_allocations(plan.settle, [(id_, plan.settle)]) for id_, plan in settled]
        keys = [settle_id(plan.row.invoice.number) for _, plan in settled]
        self._insert_payments.write(
            [
                (
                    self.company_id,
                    plan.values[0],
                    key,
                    plan.row.settled_on,
                    plan.row.invoice.currency,
                    plan.settle,
                    plan.settle - sum(take for _, take in allocations),
                    SETTLE_METHOD,
                    plan.row.invoice.number,
                    self.now,
                )
                for key, (_, plan), allocations in zip(keys, settled, plans, strict=True)
            ]
        )
        found = self._ids(Payment.id, Payment.company_id, Payment.external_id, keys)
        self._insert_allocations.write(
            [
                (found[key], invoice_id, take, plan.row.settled_on, self.now)
                for key, (_, plan), planned in zip(keys, settled, plans, strict=True)
                for invoice_id, take in planned
            ]
        )

    def _ids(
        self,
        id_column: InstrumentedAttribute[int],
        company_column: InstrumentedAttribute[int],
        key_column: InstrumentedAttribute[str],
        keys: list[str],
    ) -> dict[str, int]:
        """Ids of rows just inserted, found by their unique key. (RETURNING would give them,
        but SQLAlchemy returns rows in order on SQLite only by inserting them one by one.)"""
        found: dict[str, int] = {}
        for start in range(0, len(keys), IN_BATCH):
            query = select(key_column, id_column).where(
                company_column == self.company_id, key_column.in_(keys[start : start + IN_BATCH])
            )
            found.update((key, id_) for key, id_ in self.session.execute(query))
        return found
