"""The demo's bank: the company's account and SEPA creditor details, and yesterday's statement
— a few payments Cobro is sure of (references), some it puts in the review queue (a payer
paying two invoices at once with the amount alone, a transfer no invoice explains), and the
bank's own fee — imported through the normal service, so the Bank and Review pages have
something to show."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking.imports import ImportResult, import_statements
from cobro.banking.statement import Balance, Line, ParsedStatement
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.invoice.models import Invoice

IBAN, BIC = "ES9121000418450200051332", "CAIXESBBXXX"
CREDITOR_ID = "ES97ZZZB12345678"
OPENING = 48_210_55


def demo_bank(
    session: Session, company: Company, on: date, seed: int, now: datetime
) -> ImportResult:
    company.iban, company.bic, company.creditor_id = IBAN, BIC, CREDITOR_ID
    company.street, company.building_number = "Calle de Alcalá", "48"
    company.postal_code, company.town = "28014", "Madrid"
    rng = random.Random(f"{seed}:bank")
    open_items = list(
        session.execute(
            select(Invoice, Customer)
            .join(Customer, Customer.id == Invoice.customer_id)
            .where(
                Invoice.company_id == company.id,
                Invoice.open_amount > 0,
                Invoice.currency == "EUR",
                Invoice.kind == "invoice",
            )
            .order_by(Invoice.id)
        ).all()
    )
    rng.shuffle(open_items)
    day = on - timedelta(days=1)
    lines = [_by_reference(invoice, customer, day) for invoice, customer in open_items[:4]]
    lines += [_in_words(invoice, customer, day) for invoice, customer in open_items[4:6]]
    lines.append(
        Line(
            amount=1_234_00,
            currency="EUR",
            booking_date=day,
            value_date=day,
            counterparty_name="Transportes Ibéricos",
            counterparty_iban="ES7620770024003102575766",
            remittance="ANTICIPO PEDIDO 7781",
            bank_reference=f"DEMO-{day:%Y%m%d}-90",
        )
    )
    lines.append(
        Line(
            amount=-12_50,
            currency="EUR",
            booking_date=day,
            value_date=day,
            remittance="COMISION MANTENIMIENTO",
            bank_code="ACMT/MDOP/CHRG",
            bank_reference=f"DEMO-{day:%Y%m%d}-91",
        )
    )
    total = sum(line.amount for line in lines)
    statement = ParsedStatement(
        format="camt.053.001.08",
        identifier=f"DEMO-{day:%Y%m%d}",
        account_iban=IBAN,
        account_other=None,
        currency="EUR",
        created_at=now,
        from_date=day,
        to_date=day,
        opening=Balance(OPENING, "EUR", day),
        closing=Balance(OPENING + total, "EUR", day),
        lines=tuple(lines),
    )
    return import_statements(session, company, [statement], on=on, now=now, by=(None, "demo"))


def _by_reference(invoice: Invoice, customer: Customer, day: date) -> Line:
    return Line(
        amount=invoice.open_amount,
        currency="EUR",
        booking_date=day,
        value_date=day,
        counterparty_name=customer.name.upper(),
        structured_reference=invoice.payment_reference,
        remittance=f"PAGO FACTURA {invoice.number}",
        bank_code="PMNT/RCDT/ESCT",
        bank_reference=f"DEMO-{day:%Y%m%d}-{invoice.id}",
    )


def _in_words(invoice: Invoice, customer: Customer, day: date) -> Line:
    """A payer who wrote neither reference nor number: only the amount and the name."""
    return Line(
        amount=invoice.open_amount,
        currency="EUR",
        booking_date=day,
        value_date=day,
        counterparty_name=customer.name.split()[0].upper(),
        remittance="TRANSFERENCIA",
        bank_code="PMNT/RCDT/ESCT",
        bank_reference=f"DEMO-{day:%Y%m%d}-{invoice.id}",
    )
