"""Invoice files, in bulk: one code path for ten rows or ten million.

Pass 1 (`check`) validates a row against what the database holds (preloaded into dictionaries
once) and against the rows before it; pass 2 (`write`) plans the same row again with the same
function and hands new and changed invoices to `invoice_store.InvoiceWriter`.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import CustomerIn, normalise_customer
from cobro.customer.service import Change, upsert_customer
from cobro.errors import Conflict, Invalid
from cobro.importer.invoice_store import (
    CONTENT,
    InvoiceWriter,
    Plan,
    Stored,
    load_stored,
    settle_id,
)
from cobro.importer.mapping import Columns
from cobro.importer.report import ImportReport
from cobro.importer.rows import InvoiceRow, RowParser, read_invoice, unknown_customer
from cobro.invoice.rules import applicable_terms, check_reduction, check_update, prepare_invoice
from cobro.kit.dates import utcnow
from cobro.kit.money import exponent
from cobro.terms.models import PaymentTerms
from cobro.terms.rules import Terms, parse_terms
from cobro.terms.service import ensure_terms

_ROW_BITS = 40
_ROW_MASK = (1 << _ROW_BITS) - 1


class InvoiceImport:
    """Checks (pass 1) and writes (pass 2) the rows of an invoice file."""

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
        self.seen: dict[str, int] = {}  # number → content and row in this file
        # customers and terms that good rows need and pass 2 creates; until then each has a
        # stand-in id (negative: no stored row can have it)
        self.new_customers: dict[str, CustomerIn] = {}
        self.new_terms: set[str] = set()
        self._stand_ins: dict[tuple[str, str], int] = {}
        self._now = utcnow()

    def load(self, columns: Columns) -> None:
        self.stored = load_stored(self.session, self.company_id, "settled_on" in columns.index)

    # pass 1 -------------------------------------------------------------------------------

    def check(self, number: int, parser: RowParser) -> bool:
        """Validate one row; False for a repeat of an earlier row (same content: skip it)."""
        row = read_invoice(parser)
        plan = self._plan(row)
        invoice_number = row.invoice.number
        # content and row number packed in one int: a tuple each would cost 1M × 90 bytes
        content = hash((plan.values, row.settled_on)) << _ROW_BITS
        earlier = self.seen.get(invoice_number)
        if earlier is not None:
            if earlier >> _ROW_BITS != content >> _ROW_BITS:
                first = earlier & _ROW_MASK
                raise Invalid(
                    f"invoice {invoice_number} is already in row {first} with other content",
                    field="number",
                )
            return False
        if row.invoice.customer not in self.customers:
            self._remember_customer(row)
        code = self._parse_terms(row.invoice.terms).code if row.invoice.terms else None
        if code is not None and code not in self.terms_ids:
            self.new_terms.add(code)
        self.seen[invoice_number] = content | number
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
                paperless_since=row.customer_paperless,
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
            raise unknown_customer(external_id)
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
            moved = customer_id != stored.customer_id
            check_update(data.number, reduced, stored.currency, data.currency, data.total, moved)
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
        self.writer = InvoiceWriter(self.session, self.company_id, self._now)

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
            row = (self.company_id, invoice.number, *plan.values, opened, settled, self._now)
            self.writer.add_new(row, plan)
        else:
            # as `invoice.service.upsert_invoice` does: what was taken off stays taken off
            opened = invoice.total - (stored.total - stored.open_amount)
            settled_on = stored.settled_on if opened == 0 else None
            if plan.settle:
                check_reduction(opened, plan.settle, f"settlement of invoice {invoice.number}")
                opened, settled_on = opened - plan.settle, settled
            values = dict(zip(CONTENT, plan.values, strict=True))
            values.update(id=stored.id, open_amount=opened, settled_on=settled_on)
            values.update(updated_at=self._now)
            self.writer.add_changed(values, plan)

    def finish(self) -> None:
        self.writer.flush()
        # the bulk statements went around the identity map: objects the caller holds reload
        self.session.expire_all()
