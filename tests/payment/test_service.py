from datetime import date

import pytest
from sqlalchemy.orm import Session

from cobro.errors import Invalid
from cobro.payment.service import check_ledger
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment


def test_a_partial_payment_leaves_the_rest_open(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=100_00)
    make_payment(session, company, customer, 40_00, invoices=(invoice.number,))
    assert invoice.open_amount == 60_00
    assert invoice.settled_on is None
    assert check_ledger(session, company.id) == []


def test_an_overpayment_settles_the_invoice_and_keeps_the_rest_as_unapplied_cash(
    session: Session,
) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=100_00)
    payment = make_payment(
        session, company, customer, 130_00, received_on=date(2026, 2, 3), invoices=(invoice.number,)
    )
    assert invoice.open_amount == 0
    assert invoice.settled_on == date(2026, 2, 3)
    assert payment.unapplied == 30_00
    assert check_ledger(session, company.id) == []


def test_one_payment_over_several_invoices_pays_the_oldest_first(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    older = make_invoice(session, company, customer, total=50_00, due_date=date(2026, 1, 10))
    newer = make_invoice(session, company, customer, total=80_00, due_date=date(2026, 1, 20))
    make_payment(session, company, customer, 100_00, apply_oldest=True)
    assert older.open_amount == 0
    assert newer.open_amount == 30_00


def test_a_payment_in_another_currency_cannot_pay_the_invoice(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer)
    with pytest.raises(Invalid, match="USD"):
        make_payment(session, company, customer, 10_00, currency="USD", invoices=(invoice.number,))
