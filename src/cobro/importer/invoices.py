"""Invoice files, in bulk: one code path for ten rows or ten million.

Pass 1 (`check`) validates a row against what the database holds (preloaded into dictionaries
once) and against the rows before it; pass 2 (`write`) plans the same row again with the same
function and sends new and changed invoices to the database in chunks of Core statements. The
open amount and settled date are set in the same statements as the allocations that explain
them, so `payment.service.check_ledger` holds after any import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, literal, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import CustomerIn, normalise_customer
from cobro.customer.service import Change, upsert_customer
from cobro.errors import Conflict, Invalid
from cobro.importer.bulk import BulkInsert
from cobro.importer.mapping import Columns
from cobro.importer.report import ImportReport
from cobro.importer.rows import InvoiceRow, RowParser, read_invoice
from cobro.invoice.models import Installment, Invoice
from cobro.invoice.rules import applicable_terms, check_reduction, check_update, prepare_invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import exponent
from cobro.payment.models import Allocation, Payment
from cobro.payment.rules import plan_allocations
from cobro.terms.models import PaymentTerms
from cobro.terms.rules import Terms, parse_terms
from cobro.terms.service import ensure_terms

CHUNK = 10_000
IN_BATCH = 5_000  # keys per IN (...): well under SQLite's limit on parameters
SETTLE_PREFIX = "SETTLE-"
SETTLE_METHOD = "settlement"


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


@dataclass(slots=True)
class Plan:
    row: InvoiceRow
    change: Change
    values: tuple[Any, ...]
    installments: tuple[tuple[date, int], ...]
    stored: Stored | None
    settle: int  # amount of a settle payment to record now (0: none)
    settle_change: Change | None


# the stored fields that make an invoice's content, in the order of Plan.values
_CONTENT = (
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


_INVOICE_COLUMNS = (
    "company_id",
    "number",
    *_CONTENT,
    "open_amount",
    "settled_on",
    "created_at",
    "updated_at",
)
_PART_COLUMNS = ("invoice_id", "sequence", "due_date", "amount")
_PAYMENT_COLUMNS = ("company_id", "customer_id", "external_id", "received_on", "currency",
                    "amount", "unapplied", "method", "reference", "created_at")  # fmt: skip
_ALLOCATION_COLUMNS = ("payment_id", "invoice_id", "amount", "applied_on", "created_at")


class InvoiceImport:
    def __init__(
        self,
        session: Session,
        company: Company,
        report: ImportReport,
        create_customers: bool,
        default_country: str,
    ) -> None:
        self.session = session
        self.company = company
        # plain copies: an ORM attribute read costs a microsecond, a million rows read these
        self.company_id, self.company_code = company.id, company.code
        self.invoices = report.count("invoices")
        self.payments = report.count("payments")
        self.report = report
        self.create_customers = create_customers
        self.default_country = default_country
        self.customers: dict[str, tuple[int, int | None]] = {
            external_id: (id_, terms_id)
            for id_, external_id, terms_id in session.execute(
                select(Customer.id, Customer.external_id, Customer.terms_id).where(
                    Customer.company_id == company.id
                )
            )
        }
        self.terms: dict[int, Terms] = {}
        self.terms_ids: dict[str, int] = {}
        for id_, code in session.execute(
            select(PaymentTerms.id, PaymentTerms.code).where(PaymentTerms.company_id == company.id)
        ):
            self.terms[id_] = parse_terms(code)
            self.terms_ids[code] = id_
        self._parsed_terms: dict[str, Terms] = {}
        self.stored: dict[str, Stored] = {}
        self.seen: dict[str, tuple[int, int]] = {}  # number → (content, row) in this file
        # customers and terms that good rows need and pass 2 creates; until then each has a
        # stand-in id (negative: no stored row can have it)
        self.new_customers: dict[str, CustomerIn] = {}
        self.new_terms: set[str] = set()
        self._stand_ins: dict[tuple[str, str], int] = {}
        self._now = utcnow()
        self._new: list[tuple[tuple[Any, ...], Plan]] = []
        self._changed: list[tuple[dict[str, Any], Plan]] = []

    def load(self, columns: Columns) -> None:
        """Preload the company's invoices (and their settle payments, when the file can have
        them) so that no row needs a query."""
        with_settlements = "settled_on" in columns.index
        settle = aliased(Payment)
        wanted = [Invoice.number, Invoice.id, Invoice.open_amount, Invoice.settled_on]
        wanted += [getattr(Invoice, name) for name in _CONTENT]
        query = select(*wanted).where(Invoice.company_id == self.company.id)
        if with_settlements:
            query = query.add_columns(settle.received_on, settle.amount).outerjoin(
                settle,
                and_(
                    settle.company_id == Invoice.company_id,
                    settle.external_id == literal(SETTLE_PREFIX) + Invoice.number,
                ),
            )
        for result in self.session.execute(query.execution_options(yield_per=CHUNK)):
            row: tuple[Any, ...] = tuple(result)
            values = row[4:16]
            paid = (row[16], row[17]) if with_settlements and row[16] is not None else None
            self.stored[row[0]] = Stored(
                row[1], hash(values), values[4], row[2], row[3], values[3], paid
            )

    # pass 1 -------------------------------------------------------------------------------

    def check(self, number: int, parser: RowParser) -> bool:
        """Validate one row; False for a repeat of an earlier row (same content: skip it)."""
        row = read_invoice(parser)
        plan = self._plan(row)
        invoice_number = row.invoice.number
        content = hash((plan.values, row.settled_on))
        earlier = self.seen.get(invoice_number)
        if earlier is not None:
            if earlier[0] != content:
                raise Invalid(
                    f"invoice {invoice_number} is already in row {earlier[1]} with other content",
                    field="number",
                )
            return False
        if row.invoice.customer not in self.customers:
            self._remember_customer(row)
        code = self._parse_terms(row.invoice.terms).code if row.invoice.terms else None
        if code is not None and code not in self.terms_ids:
            self.new_terms.add(code)
        self.seen[invoice_number] = (content, number)
        return True

    def _remember_customer(self, row: InvoiceRow) -> None:
        """A customer to create from the first good row naming it (more rows add tags)."""
        external_id = row.invoice.customer
        pending = self.new_customers.get(external_id)
        if pending is None:
            data = CustomerIn(
                external_id=external_id,
                name=row.customer_name or external_id,
                country=row.customer_country or self.default_country,
                tags=row.tags,
            )
            self.new_customers[external_id] = normalise_customer(data, self.company.currency)
        elif not set(row.tags) <= set(pending.tags):
            tags = tuple(sorted({*pending.tags, *row.tags}))
            self.new_customers[external_id] = replace(pending, tags=tags)

    def _stand_in(self, what: str, key: str) -> int:
        return self._stand_ins.setdefault((what, key), -1 - len(self._stand_ins))

    def _customer(self, row: InvoiceRow) -> tuple[int, int | None]:
        external_id = row.invoice.customer
        known = self.customers.get(external_id)
        if known is not None:
            return known
        if not self.create_customers:
            raise Invalid(
                f"no customer {external_id!r} (import customers first, or use --create-customers)",
                field="customer",
            )
        return self._stand_in("customer", external_id), None

    def _parse_terms(self, text: str) -> Terms:
        terms = self._parsed_terms.get(text)
        if terms is None:
            try:
                terms = parse_terms(text)
            except Invalid as exc:
                raise Invalid(exc.message, field="terms") from None
            self._parsed_terms[text] = terms
        return terms

    def _terms_id(self, code: str) -> int:
        known = self.terms_ids.get(code)
        return known if known is not None else self._stand_in("terms", code)

    def _plan(self, row: InvoiceRow) -> Plan:
        data = row.invoice
        customer_id, customer_terms = self._customer(row)
        own = self._parse_terms(data.terms) if data.terms else None
        theirs = self.terms.get(customer_terms) if customer_terms is not None else None
        terms = applicable_terms(own, theirs, data.due_date)
        if own is not None:
            terms_id: int | None = self._terms_id(own.code)
        else:
            terms_id = customer_terms if terms is not None else None
        prepared = prepare_invoice(data, terms, self.company_code, exponent(data.currency))
        values = (
            customer_id,
            data.issue_date,
            prepared.due_date,
            data.currency,
            data.total,
            data.tax,
            terms_id,
            prepared.discount_until,
            prepared.discount_amount,
            data.purchase_order,
            data.reference,
            prepared.payment_reference,
        )
        stored = self.stored.get(data.number)
        if stored is None:
            change = Change.CREATED
        elif stored.fingerprint == hash(values):
            change = Change.UNCHANGED
        else:
            reduced = stored.total - stored.open_amount
            check_update(data.number, reduced, stored.currency, data.currency, data.total)
            change = Change.UPDATED
        settle, settle_change = self._settlement(row, stored)
        if settle and change is Change.UNCHANGED:
            change = Change.UPDATED  # same content, but now paid
        return Plan(row, change, values, prepared.installments, stored, settle, settle_change)

    def _settlement(self, row: InvoiceRow, stored: Stored | None) -> tuple[int, Change | None]:
        """The settle payment a settled date asks for: the amount left open once every other
        payment, credit note and write-off is counted; none when nothing is left."""
        on, data = row.settled_on, row.invoice
        if on is None:
            return 0, None
        if on < data.issue_date:
            raise Invalid(
                f"settled on {on}, before the issue date {data.issue_date}", field="settled_on"
            )
        if stored is None:
            return data.total, Change.CREATED
        earlier = stored.settle[1] if stored.settle else 0
        others = stored.total - stored.open_amount - earlier
        left = data.total - others
        if stored.settle is not None:
            if stored.settle == (on, left):
                return 0, Change.UNCHANGED
            raise Conflict(
                f"invoice {data.number} was settled by payment {settle_id(data.number)} of "
                f"{earlier} on {stored.settle[0]}; the file now asks for {left} on {on} "
                "(reverse that payment first)",
                field="settled_on",
            )
        if left <= 0:
            return 0, None  # other payments already paid it all
        return left, Change.CREATED

    # between the passes ---------------------------------------------------------------------

    def prepare(self) -> None:
        """Create the customers and terms that pass 1 found missing, so that every row of
        pass 2 refers to real ids."""
        self.seen = {}  # pass 2 needs no memory of the rows (duplicates are skipped by number)
        for external_id, data in self.new_customers.items():
            customer, change = upsert_customer(self.session, self.company, data)
            self.customers[external_id] = (customer.id, customer.terms_id)
            self.report.count("customers").add(change)
        self.new_customers = {}
        for code in sorted(self.new_terms):
            row = ensure_terms(self.session, self.company.id, code)
            self.terms_ids[code] = row.id
            self.terms[row.id] = parse_terms(row.code)
        self.new_terms = set()
        self._now = utcnow()
        session = self.session
        self._insert_invoices = BulkInsert(session, Invoice, _INVOICE_COLUMNS)
        self._insert_parts = BulkInsert(session, Installment, _PART_COLUMNS)
        self._insert_payments = BulkInsert(session, Payment, _PAYMENT_COLUMNS)
        self._insert_allocations = BulkInsert(session, Allocation, _ALLOCATION_COLUMNS)

    # pass 2 -------------------------------------------------------------------------------

    def write(self, number: int, parser: RowParser) -> None:
        plan = self._plan(read_invoice(parser))
        self.invoices.add(plan.change)
        if plan.settle_change is not None:
            self.payments.add(plan.settle_change)
        if plan.change is Change.UNCHANGED:
            return
        invoice = plan.row.invoice
        settled = plan.row.settled_on if plan.settle else None
        stored = plan.stored
        if stored is None:
            opened = invoice.total - plan.settle
            self._new.append(
                ((self.company_id, invoice.number, *plan.values, opened, settled, self._now), plan)
            )
        else:
            # as `invoice.service.upsert_invoice` does: what was taken off stays taken off
            opened = invoice.total - (stored.total - stored.open_amount)
            settled_on = stored.settled_on if opened == 0 else None
            if plan.settle:
                check_reduction(opened, plan.settle, f"settlement of invoice {invoice.number}")
                opened, settled_on = opened - plan.settle, settled
            values = dict(zip(_CONTENT, plan.values, strict=True))
            values.update(id=stored.id, open_amount=opened, settled_on=settled_on)
            values.update(updated_at=self._now)
            self._changed.append((values, plan))
        if len(self._new) + len(self._changed) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        session, new, changed = self.session, self._new, self._changed
        self._new, self._changed = [], []
        self._insert_invoices.execute([(*row, self._now) for row, _ in new])
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
        self._insert_parts.execute(
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
        self._insert_payments.execute(
            [
                (
                    self.company.id,
                    plan.values[0],
                    key,
                    plan.row.settled_on,
                    plan.row.invoice.currency,
                    plan.settle,
                    plan.settle - sum(take for _, take in allocations),
                    SETTLE_METHOD,
                    plan.row.invoice.number,
                    self._now,
                )
                for key, (_, plan), allocations in zip(keys, settled, plans, strict=True)
            ]
        )
        found = self._ids(Payment.id, Payment.company_id, Payment.external_id, keys)
        self._insert_allocations.execute(
            [
                (found[key], invoice_id, take, plan.row.settled_on, self._now)
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
                company_column == self.company.id, key_column.in_(keys[start : start + IN_BATCH])
            )
            found.update((key, id_) for key, id_ in self.session.execute(query))
        return found

    def finish(self) -> None:
        self.flush()
        # the bulk statements went around the identity map: objects the caller holds reload
        self.session.expire_all()
