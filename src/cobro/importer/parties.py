"""Customer and payment files. They are the small files of a ledger (thousands of rows, not
millions), so pass 2 goes through the ledger services row by row: `upsert_customer` and
`record_payment` keep their own rules (change detection, contacts, allocation order). Pass 1
checks, against preloaded state, everything those services would refuse."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import ContactIn, CustomerIn, normalise_customer
from cobro.customer.service import upsert_customer
from cobro.errors import Conflict, Invalid
from cobro.importer.mapping import Columns
from cobro.importer.report import ImportReport
from cobro.importer.rows import RowParser, read_customer, read_payment, unknown_customer
from cobro.invoice.models import Invoice
from cobro.payment.models import Payment
from cobro.payment.rules import check_payment_amount, check_same_payment
from cobro.payment.service import record_payment
from cobro.terms.models import PaymentTerms
from cobro.terms.rules import parse_terms

_ID_LENGTH = int(getattr(Payment.__table__.c.external_id.type, "length", 100))


def _duplicate(seen: dict[str, tuple[int, int]], key: str, content: int, row: int) -> bool:
    """True for a repeat of an earlier row; an error when the repeat says something else."""
    earlier = seen.get(key)
    if earlier is None:
        seen[key] = (content, row)
        return False
    if earlier[0] != content:
        raise Invalid(f"{key!r} is already in row {earlier[1]} with other content")
    return True


def stored_customer(customer: Customer, terms: dict[int, str]) -> CustomerIn:
    contact = next((c for c in customer.contacts if c.role == "billing"), None)
    return CustomerIn(
        external_id=customer.external_id,
        name=customer.name,
        country=customer.country,
        kind=customer.kind,
        language=customer.language,
        timezone=customer.timezone,
        currency=customer.currency,
        credit_limit=customer.credit_limit,
        terms=terms.get(customer.terms_id) if customer.terms_id else None,
        tax_id=customer.tax_id,
        collector=customer.collector,
        tags=tuple(sorted(customer.tags or [])),
        contact=None
        if contact is None
        else ContactIn(
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            street=contact.street,
            building_number=contact.building_number,
            postal_code=contact.postal_code,
            city=contact.city,
            region=contact.region,
            country=contact.country,
        ),
    )


class CustomerImport:
    def __init__(
        self, session: Session, company: Company, report: ImportReport, default_country: str
    ) -> None:
        self.session, self.company, self.report = session, company, report
        self.default_country = default_country
        query = select(PaymentTerms.id, PaymentTerms.code).where(
            PaymentTerms.company_id == company.id
        )
        terms = dict(session.execute(query).all())
        customers = session.scalars(
            select(Customer)
            .where(Customer.company_id == company.id)
            .options(selectinload(Customer.contacts))
        )
        self.stored = {c.external_id: stored_customer(c, terms) for c in customers}
        self.seen: dict[str, tuple[int, int]] = {}

    def _read(self, parser: RowParser) -> CustomerIn:
        stored = self.stored.get(parser.text("external_id") or "")
        return read_customer(parser, stored, self.default_country, self.company.currency)

    def check(self, number: int, parser: RowParser) -> bool:
        data = self._read(parser)
        if data.terms:
            try:
                parse_terms(data.terms)
            except Invalid as exc:
                raise Invalid(exc.message, field="terms") from None
        return not _duplicate(self.seen, data.external_id, hash(data), number)

    def load(self, columns: Columns) -> None:
        pass

    def prepare(self) -> None:
        self.seen = {}

    def write(self, number: int, parser: RowParser) -> None:
        _, change = upsert_customer(self.session, self.company, self._read(parser))
        self.report.count("customers").add(change)

    def finish(self) -> None:
        pass


class PaymentImport:
    def __init__(
        self,
        session: Session,
        company: Company,
        report: ImportReport,
        create_customers: bool,
        apply_oldest: bool,
        default_country: str,
    ) -> None:
        self.session, self.company, self.report = session, company, report
        self.create_customers, self.apply_oldest = create_customers, apply_oldest
        self.default_country = default_country
        where = Customer.company_id == company.id
        query = select(Customer.external_id, Customer.id).where(where)
        self.customers = dict(session.execute(query).all())
        self.stored = {
            external_id: (amount, currency, received_on, customer_id)
            for external_id, amount, currency, received_on, customer_id in session.execute(
                select(
                    Payment.external_id,
                    Payment.amount,
                    Payment.currency,
                    Payment.received_on,
                    Payment.customer_id,
                ).where(Payment.company_id == company.id)
            )
        }
        self.invoices: dict[str, tuple[int, str]] = {}
        self.new_customers: dict[str, CustomerIn] = {}
        self.seen: dict[str, tuple[int, int]] = {}

    def load(self, columns: Columns) -> None:
        """The company's invoices, for files that name the invoices a payment pays."""
        if "invoices" not in columns.index:
            return
        self.invoices = {
            number: (customer_id, currency)
            for number, customer_id, currency in self.session.execute(
                select(Invoice.number, Invoice.customer_id, Invoice.currency).where(
                    Invoice.company_id == self.company.id
                )
            )
        }

    def _customer_id(self, external_id: str | None) -> int | None:
        if external_id is None:
            return None
        known = self.customers.get(external_id)
        if known is not None:
            return known
        if not self.create_customers:
            raise unknown_customer(external_id)
        return -1  # to be created: no stored payment or invoice can belong to it yet

    def check(self, number: int, parser: RowParser) -> bool:
        row = read_payment(parser)
        data = row.payment
        check_payment_amount(data.amount)
        if len(data.external_id) > _ID_LENGTH:
            raise Invalid(
                f"a payment id has at most {_ID_LENGTH} characters",
                field="external_id" if parser.has("external_id") else "reference",
            )
        customer_id = self._customer_id(data.customer)
        stored = self.stored.get(data.external_id)
        if stored is not None:
            given = (data.amount, data.currency, data.received_on, customer_id)
            try:
                check_same_payment(data.external_id, stored, given)
            except Conflict as exc:
                raise Conflict(exc.message, field="external_id") from None
        owners = {customer_id} if customer_id is not None else set()
        for invoice_number in data.invoices:
            invoice = self.invoices.get(invoice_number)
            if invoice is None:
                raise Invalid(f"no invoice {invoice_number!r}", field="invoices")
            if invoice[1] != data.currency:
                raise Invalid(
                    f"invoice {invoice_number} is in {invoice[1]}, the payment in {data.currency}",
                    field="invoices",
                )
            owners.add(invoice[0])
            if len(owners) > 1:
                raise Invalid(
                    f"invoice {invoice_number} belongs to another customer", field="invoices"
                )
        new = data.customer is not None and data.customer not in self.customers
        customer = (
            normalise_customer(
                CustomerIn(
                    external_id=data.customer or "",
                    name=data.payer_name or data.customer or "",
                    country=row.customer_country or self.default_country,
                ),
                self.company.currency,
            )
            if new
            else None
        )
        if _duplicate(self.seen, data.external_id, hash((data, row.customer_country)), number):
            return False
        if customer is not None:
            self.new_customers.setdefault(customer.external_id, customer)
        return True

    def prepare(self) -> None:
        self.seen = {}
        for external_id, data in self.new_customers.items():
            customer, change = upsert_customer(self.session, self.company, data)
            self.customers[external_id] = customer.id
            self.report.count("customers").add(change)

    def write(self, number: int, parser: RowParser) -> None:
        data = read_payment(parser).payment
        _, change = record_payment(self.session, self.company, data, self.apply_oldest)
        self.report.count("payments").add(change)

    def finish(self) -> None:
        pass
