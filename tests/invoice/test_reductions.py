"""Credit notes and write-offs take money off an invoice, never more than is open."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.invoice.service import add_credit_note, last_reduction_on, write_off
from cobro.payment.service import check_ledger
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


@pytest.fixture
def customer(session: Session, company: Company) -> Customer:
    return make_customer(session, company)


@pytest.fixture
def invoice(session: Session, company: Company, customer: Customer) -> Invoice:
    return make_invoice(session, company, customer, total=100_00, number="F-1")


def test_a_credit_note_reduces_the_open_amount(
    session: Session, company: Company, invoice: Invoice
) -> None:
    note = add_credit_note(session, company, invoice, "CN-1", date(2026, 1, 10), 30_00, "return")
    assert invoice.open_amount == 70_00
    assert invoice.settled_on is None
    assert (note.currency, note.invoice_id, note.amount) == ("EUR", invoice.id, 30_00)
    assert check_ledger(session, company.id) == []


def test_a_credit_note_for_all_that_is_open_settles_the_invoice_on_its_date(
    session: Session, company: Company, invoice: Invoice
) -> None:
    add_credit_note(session, company, invoice, "CN-1", date(2026, 1, 10), 100_00)
    assert (invoice.open_amount, invoice.settled_on) == (0, date(2026, 1, 10))
    assert check_ledger(session, company.id) == []


@pytest.mark.parametrize("amount", [100_01, 0, -1])
def test_a_credit_note_beyond_the_open_amount_or_not_positive_is_invalid(
    session: Session, company: Company, invoice: Invoice, amount: int
) -> None:
    with pytest.raises(Invalid, match="credit note CN-1"):
        add_credit_note(session, company, invoice, "CN-1", date(2026, 1, 10), amount)
    assert invoice.open_amount == 100_00
    assert session.scalars(select(CreditNote)).all() == []


def test_a_credit_note_number_is_used_once(
    session: Session, company: Company, customer: Customer, invoice: Invoice
) -> None:
    add_credit_note(session, company, invoice, "CN-1", date(2026, 1, 10), 10_00)
    other = make_invoice(session, company, customer)
    with pytest.raises(Conflict, match="credit note 'CN-1' already exists"):
        add_credit_note(session, company, other, "CN-1", date(2026, 1, 11), 10_00)
    assert other.open_amount == 100_00


def test_a_partial_write_off_leaves_the_rest_open(
    session: Session, company: Company, invoice: Invoice
) -> None:
    entry = write_off(session, invoice, 40_00, date(2026, 6, 1), "small balance")
    assert (invoice.open_amount, invoice.settled_on) == (60_00, None)
    assert (entry.amount, entry.written_off_on) == (40_00, date(2026, 6, 1))
    assert check_ledger(session, company.id) == []


def test_writing_off_without_an_amount_writes_off_all_that_is_open(
    session: Session, company: Company, customer: Customer, invoice: Invoice
) -> None:
    make_payment(session, company, customer, 25_00, date(2026, 2, 1), (invoice.number,))
    entry = write_off(session, invoice, None, date(2026, 6, 1), "insolvent")
    assert entry.amount == 75_00
    assert (invoice.open_amount, invoice.settled_on) == (0, date(2026, 6, 1))
    assert check_ledger(session, company.id) == []


def test_a_settled_invoice_has_nothing_left_to_write_off(
    session: Session, company: Company, invoice: Invoice
) -> None:
    write_off(session, invoice, None, date(2026, 6, 1), "insolvent")
    with pytest.raises(Invalid, match="write-off on invoice F-1 must be positive, got 0"):
        write_off(session, invoice, None, date(2026, 6, 2), "again")
    with pytest.raises(Invalid, match="exceeds the open amount 0"):
        write_off(session, invoice, 1, date(2026, 6, 2), "again")
    assert len(session.scalars(select(WriteOff)).all()) == 1


def test_an_invoice_settled_by_a_backdated_reduction_is_settled_on_its_latest_one(
    session: Session, company: Company, customer: Customer, invoice: Invoice
) -> None:
    make_payment(session, company, customer, 60_00, date(2026, 2, 10), (invoice.number,))
    add_credit_note(session, company, invoice, "CN-1", date(2026, 2, 5), 40_00)
    assert invoice.open_amount == 0
    assert invoice.settled_on == date(2026, 2, 10)
    assert last_reduction_on(session, invoice.id) == date(2026, 2, 10)


def test_an_invoice_without_reductions_has_no_last_reduction(
    session: Session, invoice: Invoice
) -> None:
    assert last_reduction_on(session, invoice.id) is None
