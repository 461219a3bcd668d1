"""What cash application matches against, read from the database in a few set-based queries:
the company's open invoices, its customers as payers with the accounts and names learned for
them (and the accounts of their direct-debit mandates)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking.matching import Book, MatchSettings, OpenItem, Party
from cobro.banking.models import PayerLink, StatementLine
from cobro.banking.rules import compact_account
from cobro.banking.sepa_models import Mandate
from cobro.banking.statement import Line
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice


def settings_of(company: Company) -> MatchSettings:
    return MatchSettings(
        auto_threshold=company.match_threshold, charges_tolerance=company.charges_tolerance
    )


@dataclass(frozen=True)
class Directory:
    """What the candidates are worded with: invoice numbers and customers by id."""

    invoices: dict[int, str]
    customers: dict[int, tuple[str, str]]  # id -> (external id, name)


def load_book(session: Session, company: Company) -> tuple[Book, Directory]:
    items = [
        OpenItem(
            invoice_id=row.id,
            number=row.number,
            customer_id=row.customer_id,
            currency=row.currency,
            open_amount=row.open_amount,
            total=row.total,
            due_date=row.due_date,
            issue_date=row.issue_date,
            payment_reference=row.payment_reference,
            discount_until=row.discount_until,
            discount_amount=row.discount_amount,
        )
        for row in session.execute(
            select(
                Invoice.id,
                Invoice.number,
                Invoice.customer_id,
                Invoice.currency,
                Invoice.open_amount,
                Invoice.total,
                Invoice.due_date,
                Invoice.issue_date,
                Invoice.payment_reference,
                Invoice.discount_until,
                Invoice.discount_amount,
            ).where(Invoice.company_id == company.id, Invoice.open_amount > 0)
        )
    ]
    ibans: defaultdict[int, set[str]] = defaultdict(set)
    names: defaultdict[int, set[str]] = defaultdict(set)
    for customer_id, kind, value in session.execute(
        select(PayerLink.customer_id, PayerLink.kind, PayerLink.value).where(
            PayerLink.company_id == company.id
        )
    ):
        (ibans if kind == "iban" else names)[customer_id].add(value)
    for customer_id, iban in session.execute(
        select(Mandate.customer_id, Mandate.iban).where(Mandate.company_id == company.id)
    ):
        ibans[customer_id].add(iban)
    customers = {
        customer_id: (external_id, name)
        for customer_id, external_id, name in session.execute(
            select(Customer.id, Customer.external_id, Customer.name).where(
                Customer.company_id == company.id
            )
        )
    }
    parties = [
        Party(
            customer_id=customer_id,
            name=name,
            ibans=frozenset(ibans.get(customer_id, ())),
            aliases=frozenset(names.get(customer_id, ())),
        )
        for customer_id, (_external_id, name) in customers.items()
    ]
    directory = Directory({item.invoice_id: item.number for item in items}, customers)
    return Book(items, parties), directory


def to_line(row: StatementLine) -> Line:
    return Line(
        amount=row.amount,
        currency=row.currency,
        booking_date=row.booking_date,
        value_date=row.value_date,
        counterparty_name=row.counterparty_name,
        counterparty_iban=compact_account(row.counterparty_iban) if row.counterparty_iban else None,
        counterparty_bic=row.counterparty_bic,
        end_to_end_id=row.end_to_end_id,
        structured_reference=row.structured_reference,
        remittance=row.remittance,
        bank_code=row.bank_code,
        bank_reference=row.bank_reference,
        return_reason=row.return_reason,
        mandate_id=row.mandate_id,
        instruction_id=row.instruction_id,
        reversal=row.reversal,
    )
