"""Invoices: created or updated by number; money already taken from them must not vanish."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import Change
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Installment, Invoice
from cobro.invoice.rules import InvoiceIn, payment_reference
from cobro.invoice.service import get_invoice, invoices_query, upsert_invoice
from cobro.payment.service import check_ledger
from cobro.terms.models import PaymentTerms
from tests.factories.ledger import make_company, make_customer, make_payment

ISSUED = date(2026, 1, 15)


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session, "acme")


@pytest.fixture
def customer(session: Session, company: Company) -> Customer:
    return make_customer(session, company, "C-1")


@pytest.fixture
def data(customer: Customer) -> InvoiceIn:
    return InvoiceIn(
        number="F-2026/0001",
        customer=customer.external_id,
        issue_date=ISSUED,
        due_date=date(2026, 2, 14),
        total=121_00,
        tax=21_00,
        currency="eur",
    )


def test_a_new_invoice_is_open_for_its_total(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    invoice, change = upsert_invoice(session, company, data)
    assert change is Change.CREATED
    assert (invoice.open_amount, invoice.settled_on, invoice.currency) == (121_00, None, "EUR")
    assert invoice.payment_reference == payment_reference("acme", "F-2026/0001")
    assert invoice.installments == []
    assert check_ledger(session, company.id) == []


def test_the_same_invoice_again_changes_nothing(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    first, _ = upsert_invoice(session, company, data)
    second, change = upsert_invoice(session, company, replace(data, number=" F-2026/0001 "))
    assert change is Change.UNCHANGED
    assert second is first


def test_a_new_due_date_updates_the_invoice(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, data)
    _, change = upsert_invoice(session, company, replace(data, due_date=date(2026, 3, 1)))
    assert change is Change.UPDATED
    session.expire_all()
    assert get_invoice(session, company.id, data.number).due_date == date(2026, 3, 1)


def test_without_a_due_date_the_customer_terms_apply(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    make_customer(session, company, "C-1", terms="EOM+30")
    invoice, _ = upsert_invoice(session, company, replace(data, due_date=None))
    assert invoice.due_date == date(2026, 3, 2)
    assert invoice.terms_id is not None
    assert session.get_one(PaymentTerms, invoice.terms_id).code == "EOM+30"


def test_an_explicit_due_date_ignores_the_customer_terms(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    make_customer(session, company, "C-1", terms="EOM+30")
    invoice, _ = upsert_invoice(session, company, data)
    assert invoice.due_date == date(2026, 2, 14)
    assert invoice.terms_id is None


def test_invoice_terms_beat_the_customer_terms_and_give_the_discount(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    make_customer(session, company, "C-1", terms="EOM+30")
    invoice, _ = upsert_invoice(session, company, replace(data, due_date=None, terms="2/10 NET30"))
    assert invoice.due_date == date(2026, 2, 14)
    assert (invoice.discount_until, invoice.discount_amount) == (date(2026, 1, 25), 2_42)


def test_installments_are_stored_in_order(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, replace(data, due_date=None, terms="50%@30 50%@60"))
    session.expire_all()
    invoice = get_invoice(session, company.id, data.number)
    assert [(i.sequence, i.due_date, i.amount) for i in invoice.installments] == [
        (1, date(2026, 2, 14), 60_50),
        (2, date(2026, 3, 16), 60_50),
    ]
    assert invoice.due_date == date(2026, 3, 16)


def test_updating_an_invoice_with_installments_replaces_them(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    split = replace(data, due_date=None, terms="50%@30 50%@60")
    upsert_invoice(session, company, split)
    _, change = upsert_invoice(session, company, replace(split, total=200_00))
    assert change is Change.UPDATED
    _, change = upsert_invoice(session, company, replace(split, total=200_00, reference="PO 7"))
    assert change is Change.UPDATED
    session.expire_all()
    invoice = get_invoice(session, company.id, data.number)
    assert [(i.sequence, i.amount) for i in invoice.installments] == [(1, 100_00), (2, 100_00)]
    rows = session.scalars(select(Installment).where(Installment.invoice_id == invoice.id))
    assert len(list(rows)) == 2


def test_dropping_the_terms_drops_the_installments(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, replace(data, due_date=None, terms="50%@30 50%@60"))
    invoice, change = upsert_invoice(session, company, data)
    assert change is Change.UPDATED
    assert invoice.installments == []
    assert invoice.terms_id is None


def test_a_new_total_keeps_what_was_already_paid(
    session: Session, company: Company, customer: Customer, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, data)
    make_payment(session, company, customer, 21_00, invoices=(data.number,))
    invoice, change = upsert_invoice(session, company, replace(data, total=150_00))
    assert change is Change.UPDATED
    assert invoice.open_amount == 129_00
    assert check_ledger(session, company.id) == []


def test_a_total_below_what_was_paid_is_a_conflict(
    session: Session, company: Company, customer: Customer, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, data)
    make_payment(session, company, customer, 50_00, invoices=(data.number,))
    with pytest.raises(Conflict, match="below the 5000 already paid"):
        upsert_invoice(session, company, replace(data, total=49_99, tax=0))
    assert get_invoice(session, company.id, data.number).total == 121_00


def test_a_total_cut_to_what_was_paid_settles_the_invoice_on_the_last_payment(
    session: Session, company: Company, customer: Customer, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, data)
    make_payment(session, company, customer, 30_00, date(2026, 2, 1), (data.number,))
    make_payment(session, company, customer, 20_00, date(2026, 2, 9), (data.number,))
    invoice, _ = upsert_invoice(session, company, replace(data, total=50_00, tax=0))
    assert invoice.open_amount == 0
    assert invoice.settled_on == date(2026, 2, 9)
    invoice, _ = upsert_invoice(session, company, replace(data, total=60_00, tax=0))
    assert (invoice.open_amount, invoice.settled_on) == (10_00, None)
    assert check_ledger(session, company.id) == []


def test_the_currency_cannot_change_once_money_was_applied(
    session: Session, company: Company, customer: Customer, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, data)
    make_payment(session, company, customer, 1_00, invoices=(data.number,))
    with pytest.raises(Conflict, match="cannot change the currency"):
        upsert_invoice(session, company, replace(data, currency="USD"))


def test_an_invoice_cannot_move_to_another_customer_once_money_was_applied(
    session: Session, company: Company, customer: Customer, data: InvoiceIn
) -> None:
    other = make_customer(session, company, "OTHER")
    upsert_invoice(session, company, data)
    make_payment(session, company, customer, 1_00, invoices=(data.number,))
    with pytest.raises(Conflict, match="another customer"):
        upsert_invoice(session, company, replace(data, customer=other.external_id))


def test_an_invoice_may_move_to_another_customer_while_nothing_was_applied(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    other = make_customer(session, company, "OTHER")
    upsert_invoice(session, company, data)
    invoice, change = upsert_invoice(session, company, replace(data, customer="OTHER"))
    assert (change, invoice.customer_id) == (Change.UPDATED, other.id)


def test_the_currency_may_change_while_nothing_was_applied(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, data)
    invoice, change = upsert_invoice(session, company, replace(data, currency="USD"))
    assert (change, invoice.currency) == (Change.UPDATED, "USD")


def test_an_invoice_for_an_unknown_customer_is_not_found(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    with pytest.raises(NotFound, match="no customer 'C-9'"):
        upsert_invoice(session, company, replace(data, customer="C-9"))


def test_an_invalid_invoice_stores_nothing(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    with pytest.raises(Invalid, match="before the issue date"):
        upsert_invoice(session, company, replace(data, due_date=date(2026, 1, 1)))
    with pytest.raises(Invalid, match="unknown currency"):
        upsert_invoice(session, company, replace(data, currency="EURO"))
    assert session.scalars(select(Invoice)).all() == []


def test_invoice_numbers_are_unique_per_company_only(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    upsert_invoice(session, company, data)
    other = make_company(session)
    make_customer(session, other, "C-1")
    invoice, change = upsert_invoice(session, other, data)
    assert change is Change.CREATED
    assert invoice.payment_reference == payment_reference(other.code, data.number)


def test_the_invoice_list_filters_by_customer_and_lateness(
    session: Session, company: Company, customer: Customer, data: InvoiceIn
) -> None:
    other = make_customer(session, company, "C-2")
    upsert_invoice(session, company, replace(data, number="A", due_date=date(2026, 1, 20)))
    upsert_invoice(session, company, replace(data, number="B", due_date=date(2026, 2, 14)))
    upsert_invoice(session, company, replace(data, number="C", customer="C-2"))
    paid = replace(data, number="D", due_date=date(2026, 1, 15))
    upsert_invoice(session, company, paid)
    make_payment(session, company, customer, 121_00, invoices=("D",))
    on = date(2026, 2, 14)

    def numbers(**filters: object) -> list[str]:
        query = invoices_query(company.id, on, **filters)  # type: ignore[arg-type]
        return [invoice.number for invoice in session.scalars(query)]

    assert numbers() == ["D", "A", "B", "C"]
    assert numbers(customer_id=other.id) == ["C"]
    assert numbers(open_only=True) == ["A", "B", "C"]
    assert numbers(overdue=True) == ["A"]
    assert numbers(min_days_past_due=25) == ["A"]
    assert numbers(min_days_past_due=26) == []


def test_a_stored_open_amount_outside_zero_to_total_is_refused_by_the_database(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    from sqlalchemy.exc import IntegrityError

    invoice, _ = upsert_invoice(session, company, data)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(update(Invoice).where(Invoice.id == invoice.id).values(open_amount=-1))


def test_an_invoice_number_longer_than_its_column_is_invalid_on_every_database(
    session: Session, company: Company, data: InvoiceIn
) -> None:
    too_long = r"invoice number 'N+'… is 61 characters long, at most 60"
    with pytest.raises(Invalid, match=too_long), session.begin_nested():
        upsert_invoice(session, company, replace(data, number="N" * 61))
    invoice, _ = upsert_invoice(session, company, replace(data, number="N" * 60))
    assert len(invoice.number) == 60
