"""Vendor bill files: what the company owes customers who are also its suppliers (payables,
from the company's accounts-payable system), for the set-off hint (`cobro.setoff`).

A bill is one per customer and number: the same number of the same customer again updates
it, as invoices do. The customer must exist already (bills never create customers). The file's
open amount (default: the total) is the payables system's word, but it never gives back what
Cobro has itself set off on the bill since: that would pay the supplier twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import Change
from cobro.errors import Invalid
from cobro.importer.mapping import Columns
from cobro.importer.parties import _duplicate
from cobro.importer.report import ImportReport
from cobro.importer.rows import RowParser
from cobro.kit.dates import utcnow
from cobro.setoff.models import SetOffBill, VendorBill


@dataclass(frozen=True, slots=True)
class BillRow:
    customer: str
    number: str
    issue_date: date
    due_date: date
    currency: str
    total: int
    open_amount: int
    reference: str | None


def read_bill(p: RowParser) -> BillRow:
    """The checked bill a row describes; every problem of the row named by its field."""
    currency = p.currency()
    customer = p.required("customer")
    number = p.required("number")
    issued = p.day("issue_date", required=True)
    due = p.day("due_date", required=True)
    total = p.amount("total", currency, required=True)
    given = p.amount("open_amount", currency) if p.has("open_amount") else None
    if total is not None and total <= 0:
        p.fail("total", p.cell("total"), "a bill's total must be positive")
    if given is not None and total is not None and not 0 <= given <= total:
        p.fail("open_amount", p.cell("open_amount"), f"must be between 0 and the total {total}")
    if issued is not None and due is not None and due < issued:
        p.fail("due_date", p.cell("due_date"), "is before the issue date")
    reference = p.optional("reference")
    p.done()
    # after done() every required value is there: the fallbacks only satisfy the types
    amount = total or 0
    return BillRow(
        customer,
        number,
        issued or date.min,
        due or date.min,
        currency or "",
        amount,
        amount if given is None else given,
        reference,
    )


class VendorBillImport:
    def __init__(self, session: Session, company: Company, report: ImportReport) -> None:
        self.session, self.company, self.report = session, company, report
        query = select(Customer.external_id, Customer.id).where(Customer.company_id == company.id)
        self.customers: dict[str, int] = dict(session.execute(query).all())
        # what Cobro set off on each bill: the file may not reopen it
        set_off = (
            select(SetOffBill.bill_id, cast(func.sum(SetOffBill.amount), BigInteger))
            .join(VendorBill, VendorBill.id == SetOffBill.bill_id)
            .where(VendorBill.company_id == company.id)
            .group_by(SetOffBill.bill_id)
        )
        self.set_off: dict[int, int] = {k: int(v) for k, v in session.execute(set_off)}
        self.stored: dict[tuple[int, str], VendorBill] = {}
        self.seen: dict[str, tuple[int, int]] = {}

    def load(self, columns: Columns) -> None:
        bills = self.session.scalars(
            select(VendorBill).where(VendorBill.company_id == self.company.id)
        )
        self.stored = {(bill.customer_id, bill.number): bill for bill in bills}

    def _plan(self, row: BillRow) -> tuple[int, VendorBill | None, int]:
        """The customer's id, the stored bill (None: new) and the open amount to keep."""
        customer_id = self.customers.get(row.customer)
        if customer_id is None:
            raise Invalid(f"no customer {row.customer!r} (import customers first)", "customer")
        bill = self.stored.get((customer_id, row.number))
        set_off = self.set_off.get(bill.id, 0) if bill is not None else 0
        if set_off and bill is not None and row.currency != bill.currency:
            raise Invalid(
                f"bill {row.number} was set off in {bill.currency}: its currency stays",
                field="currency",
            )
        if set_off > row.total:
            raise Invalid(f"{set_off} of bill {row.number} is already set off", field="total")
        return customer_id, bill, min(row.open_amount, row.total - set_off)

    def check(self, number: int, parser: RowParser) -> bool:
        row = read_bill(parser)
        self._plan(row)
        return not _duplicate(self.seen, f"{row.customer}/{row.number}", hash(row), number)

    def prepare(self) -> None:
        self.seen = {}

    def write(self, number: int, parser: RowParser) -> None:
        row = read_bill(parser)
        customer_id, bill, open_amount = self._plan(row)
        values = {
            "issue_date": row.issue_date,
            "due_date": row.due_date,
            "currency": row.currency,
            "total": row.total,
            "open_amount": open_amount,
            "reference": row.reference,
        }
        if bill is None:
            bill = VendorBill(
                company_id=self.company.id, customer_id=customer_id, number=row.number, **values
            )
            self.session.add(bill)
            self.stored[(customer_id, row.number)] = bill
            change = Change.CREATED
        elif all(getattr(bill, name) == value for name, value in values.items()):
            change = Change.UNCHANGED
        else:
            for name, value in values.items():
                setattr(bill, name, value)
            change = Change.UPDATED
        if bill.open_amount == 0 and bill.settled_on is None:
            bill.settled_on = utcnow().date()  # the file gives no day: the day it said so
        elif bill.open_amount > 0:
            bill.settled_on = None
        self.report.count("vendor_bills").add(change)

    def finish(self) -> None:
        self.session.flush()


def bill_lengths() -> dict[str, int]:
    """How long each text field may be: its database column's length."""
    bill, customer = VendorBill.__table__.c, Customer.__table__.c
    columns = {"number": bill.number, "reference": bill.reference, "customer": customer.external_id}
    return {name: int(getattr(c.type, "length", 0) or 0) for name, c in columns.items()}
