from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import Change
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import CreditNote, Invoice
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import (
    LedgerBreak,
    PaymentIn,
    allocate,
    check_ledger,
    record_payment,
    reverse_allocation,
)
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


def _pay(
    session: Session,
    company: Company,
    external_id: str,
    amount: int,
    customer: str | None,
    invoices: tuple[str, ...] = (),
    received_on: date = date(2026, 2, 1),
    currency: str = "EUR",
) -> tuple[Payment, Change]:
    data = PaymentIn(external_id, received_on, amount, currency, customer, invoices=invoices)
    return record_payment(session, company, data)


def test_recording_the_same_payment_again_changes_nothing(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C-1")
    invoice = make_invoice(session, company, customer, total=100_00, number="F-1")
    first, change = _pay(session, company, "P-1", 40_00, "C-1", ("F-1",))
    assert change is Change.CREATED
    again, change = _pay(session, company, "P-1", 40_00, "C-1", ("F-1",))
    assert change is Change.UNCHANGED
    assert again is first
    assert invoice.open_amount == 60_00
    assert len(session.scalars(select(Allocation)).all()) == 1
    assert check_ledger(session, company.id) == []


@pytest.mark.parametrize(
    "edit",
    [
        {"amount": 41_00},
        {"received_on": date(2026, 2, 2)},
        {"currency": "USD"},
        {"customer": "C-2"},
    ],
)
def test_the_same_payment_id_with_other_content_is_a_conflict(
    session: Session, edit: dict[str, object]
) -> None:
    company = make_company(session)
    make_customer(session, company, "C-1")
    make_customer(session, company, "C-2")
    _pay(session, company, "P-1", 40_00, "C-1")
    fields: dict[str, object] = {"amount": 40_00, "customer": "C-1"} | edit
    with pytest.raises(Conflict, match="'P-1' already exists with other content"):
        _pay(session, company, "P-1", **fields)  # type: ignore[arg-type]


def test_an_unknown_payer_becomes_the_customer_of_the_invoice_it_pays(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C-1")
    invoice = make_invoice(session, company, customer, total=100_00, number="F-1")
    payment, _ = _pay(session, company, "BANK-1", 150_00, None)
    assert (payment.customer_id, payment.unapplied) == (None, 150_00)
    allocate(session, payment, invoice, 100_00, date(2026, 2, 3))
    assert payment.customer_id == customer.id
    assert payment.unapplied == 50_00
    again, change = _pay(session, company, "BANK-1", 150_00, None)  # the bank file, re-imported
    assert (again, change) == (payment, Change.UNCHANGED)
    assert check_ledger(session, company.id) == []


def test_an_allocation_is_dated_no_earlier_than_the_payment(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=100_00)
    payment, _ = _pay(session, company, "P-1", 100_00, None, received_on=date(2026, 2, 10))
    allocation = allocate(session, payment, invoice, 100_00, date(2026, 2, 1))
    assert allocation.applied_on == date(2026, 2, 10)
    assert invoice.settled_on == date(2026, 2, 10)


def test_reversing_an_allocation_reopens_the_invoice_and_restores_the_cash(
    session: Session,
) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=100_00)
    payment = make_payment(session, company, customer, 120_00, invoices=(invoice.number,))
    allocation = session.scalars(select(Allocation)).one()
    assert (invoice.open_amount, payment.unapplied) == (0, 20_00)
    reverse_allocation(session, allocation)
    assert (invoice.open_amount, invoice.settled_on) == (100_00, None)
    assert payment.unapplied == 120_00
    assert session.scalars(select(Allocation)).all() == []
    assert check_ledger(session, company.id) == []


@pytest.mark.parametrize(("amount", "why"), [(80_01, "left on payment"), (0, "must be positive")])
def test_an_allocation_never_exceeds_the_cash_left_and_is_positive(
    session: Session, amount: int, why: str
) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=100_00)
    payment, _ = _pay(session, company, "P-1", 80_00, None)
    with pytest.raises(Invalid, match=why):
        allocate(session, payment, invoice, amount, date(2026, 2, 1))
    assert (invoice.open_amount, payment.unapplied, payment.customer_id) == (100_00, 80_00, None)


def test_an_allocation_never_exceeds_the_open_amount(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=100_00)
    payment, _ = _pay(session, company, "P-1", 150_00, None)
    with pytest.raises(Invalid, match="exceeds the open amount 10000"):
        allocate(session, payment, invoice, 100_01, date(2026, 2, 1))
    assert payment.unapplied == 150_00


def test_a_customer_cannot_pay_another_customers_invoice(session: Session) -> None:
    company = make_company(session)
    make_customer(session, company, "C-1")
    bob = make_customer(session, company, "C-2")
    make_invoice(session, company, bob, number="F-BOB")
    with pytest.raises(Invalid, match="belongs to another customer"):
        _pay(session, company, "P-1", 10_00, "C-1", ("F-BOB",))


def test_a_refused_payment_is_not_recorded_at_all(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C-1")
    make_invoice(session, company, customer, number="F-1")
    with pytest.raises(Invalid, match="USD"):
        _pay(session, company, "P-1", 10_00, "C-1", ("F-1",), currency="USD")
    with pytest.raises(NotFound, match="no invoice 'F-9'"):
        _pay(session, company, "P-2", 10_00, "C-1", ("F-9",))
    assert session.scalars(select(Payment)).all() == []


def test_an_invoice_named_twice_is_paid_once(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company, "C-1")
    invoice = make_invoice(session, company, customer, total=100_00, number="F-1")
    payment, _ = _pay(session, company, "P-1", 150_00, "C-1", ("F-1", "F-1"))
    assert (invoice.open_amount, payment.unapplied) == (0, 50_00)
    assert check_ledger(session, company.id) == []


def test_paying_the_oldest_first_skips_other_currencies_and_settled_invoices(
    session: Session,
) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    settled = make_invoice(session, company, customer, total=10_00, due_date=date(2026, 1, 2))
    make_payment(session, company, customer, 10_00, invoices=(settled.number,))
    dollars = make_invoice(
        session, company, customer, 50_00, due_date=date(2026, 1, 5), currency="USD"
    )
    euros = make_invoice(session, company, customer, total=50_00, due_date=date(2026, 1, 9))
    payment = make_payment(session, company, customer, 70_00, apply_oldest=True)
    assert (dollars.open_amount, euros.open_amount, payment.unapplied) == (50_00, 0, 20_00)
    assert check_ledger(session, company.id) == []


def test_a_payment_must_be_positive(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(Invalid, match="must be positive"):
        _pay(session, company, "P-1", 0, None)


def test_the_ledger_check_finds_a_corrupted_open_amount(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, total=100_00, number="F-1")
    make_payment(session, company, customer, 40_00, invoices=("F-1",))
    assert check_ledger(session, company.id) == []
    session.execute(update(Invoice).where(Invoice.id == invoice.id).values(open_amount=50_00))
    breaks = check_ledger(session, company.id)
    assert breaks == [LedgerBreak("invoice", "F-1", 50_00, 60_00)]
    assert all(type(b.stored) is int and type(b.computed) is int for b in breaks)


def test_the_ledger_check_finds_corrupted_unapplied_cash(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    make_invoice(session, company, customer, total=100_00, number="F-1")
    payment, _ = _pay(session, company, "P-1", 150_00, None, ("F-1",))
    session.execute(update(Payment).where(Payment.id == payment.id).values(unapplied=0))
    breaks = check_ledger(session, company.id)
    assert breaks == [LedgerBreak("payment", "P-1", 0, 50_00)]
    assert all(type(b.stored) is int and type(b.computed) is int for b in breaks)


def test_the_ledger_check_looks_at_one_company(session: Session) -> None:
    company = make_company(session)
    other = make_company(session)
    customer = make_customer(session, other)
    invoice = make_invoice(session, other, customer, total=100_00)
    session.execute(update(Invoice).where(Invoice.id == invoice.id).values(open_amount=1))
    assert check_ledger(session, company.id) == []
    assert len(check_ledger(session, other.id)) == 1


def test_a_payment_cannot_pay_another_companys_invoice(session: Session) -> None:
    ours, theirs = make_company(session), make_company(session)
    payment = make_payment(session, ours, make_customer(session, ours), 10_00)
    invoice = make_invoice(session, theirs, make_customer(session, theirs))
    with pytest.raises(Invalid, match="another company"):
        allocate(session, payment, invoice, 10_00, date(2026, 2, 1))
    assert invoice.open_amount == invoice.total


@pytest.mark.parametrize(
    ("received", "paid", "open_after"),
    [
        (date(2026, 1, 11), 98_00, 0),  # inside the 10 days, less 2 %: the discount is taken
        (date(2026, 1, 12), 98_00, 2_00),  # a day late: the 2 % stays owed
        (date(2026, 1, 5), 97_00, 3_00),  # short by more than the discount: nothing is taken
    ],
)
def test_a_payment_inside_the_discount_window_takes_the_discount(
    session: Session, received: date, paid: int, open_after: int
) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, 100_00, terms="2/10 NET30")
    assert (invoice.discount_amount, invoice.discount_until) == (2_00, date(2026, 1, 11))
    make_payment(session, company, customer, paid, received, (invoice.number,))
    assert invoice.open_amount == open_after
    notes = session.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id)).all()
    assert [(n.amount, n.reason) for n in notes] == (
        [(2_00, "early-payment discount taken")] if open_after == 0 else []
    )
    assert check_ledger(session, company.id) == []


def test_an_allocation_by_hand_takes_the_discount_too(session: Session) -> None:
    company = make_company(session)
    customer = make_customer(session, company)
    invoice = make_invoice(session, company, customer, 100_00, terms="2/10 NET30")
    payment = make_payment(session, company, customer, 98_00, date(2026, 1, 8))
    allocate(session, payment, invoice, 98_00, date(2026, 2, 20))  # applied later, paid in time
    assert (invoice.open_amount, invoice.settled_on) == (0, date(2026, 2, 20))
