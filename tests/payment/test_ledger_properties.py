"""Whatever happens to a ledger, in whatever order, its books balance.

A random story of invoices, payments, allocations, credit notes, write-offs, reversals and
corrected totals runs through the real services on the real database. A refused operation
(Invalid, Conflict) must change nothing; after every story the ledger must satisfy its formula,
hold integer money only, and the aging of any day must equal the ledger as it stood that day.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import CobroError
from cobro.invoice.models import CreditNote, Invoice, WriteOff
from cobro.invoice.rules import InvoiceIn
from cobro.invoice.service import add_credit_note, upsert_invoice, write_off
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import (
    PaymentIn,
    allocate,
    check_ledger,
    record_payment,
    reverse_allocation,
)
from cobro.report.service import aging
from tests.factories.ledger import make_company, make_customer

START = date(2026, 1, 1)
amounts = st.integers(min_value=1, max_value=500_00)
days = st.integers(min_value=0, max_value=120)
pick = st.integers(min_value=0, max_value=30)  # the n-th existing row, modulo how many exist
currencies = st.sampled_from(["EUR", "EUR", "USD"])


@dataclass(frozen=True)
class NewInvoice:
    customer: int
    total: int
    issued: int
    due_in: int
    currency: str


@dataclass(frozen=True)
class NewPayment:
    customer: int | None
    amount: int
    received: int
    currency: str
    invoices: tuple[int, ...]
    oldest_first: bool


@dataclass(frozen=True)
class Allocate:
    payment: int
    invoice: int
    amount: int | None  # None: as much as fits
    day: int


@dataclass(frozen=True)
class Credit:
    invoice: int
    amount: int
    day: int


@dataclass(frozen=True)
class WriteOffOp:
    invoice: int
    amount: int | None
    day: int


@dataclass(frozen=True)
class Reverse:
    allocation: int


@dataclass(frozen=True)
class NewTotal:
    invoice: int
    total: int


operations = st.one_of(
    st.builds(NewInvoice, st.integers(0, 1), amounts, days, st.integers(0, 60), currencies),
    st.builds(
        NewPayment,
        st.one_of(st.none(), st.integers(0, 1)),
        amounts,
        days,
        currencies,
        st.lists(pick, max_size=3).map(tuple),
        st.booleans(),
    ),
    st.builds(Allocate, pick, pick, st.one_of(st.none(), amounts), days),
    st.builds(Credit, pick, amounts, days),
    st.builds(WriteOffOp, pick, st.one_of(st.none(), amounts), days),
    st.builds(Reverse, pick),
    st.builds(NewTotal, pick, amounts),
)


class Story:
    """Plays operations against the services, remembering what it created."""

    def __init__(self, session: Session, company: Company, customers: list[Customer]) -> None:
        self.session, self.company, self.customers = session, company, customers
        self.invoices: list[InvoiceIn] = []
        self.payments: list[str] = []
        self.credit_notes = 0

    def play(self, op: object) -> None:
        match op:
            case NewInvoice():
                data = InvoiceIn(
                    number=f"F-{len(self.invoices)}",
                    customer=self.customers[op.customer].external_id,
                    issue_date=START + timedelta(op.issued),
                    due_date=START + timedelta(op.issued + op.due_in),
                    total=op.total,
                    currency=op.currency,
                )
                upsert_invoice(self.session, self.company, data)
                self.invoices.append(data)
            case NewPayment():
                data_in = PaymentIn(
                    external_id=f"P-{len(self.payments)}",
                    received_on=START + timedelta(op.received),
                    amount=op.amount,
                    currency=op.currency,
                    customer=None
                    if op.customer is None
                    else self.customers[op.customer].external_id,
                    invoices=tuple(inv.number for inv in self._nth(self.invoices, op.invoices)),
                )
                record_payment(self.session, self.company, data_in, apply_oldest=op.oldest_first)
                self.payments.append(data_in.external_id)
            case Allocate() if self.payments and self.invoices:
                payment = self._row(Payment, Payment.external_id, self.payments, op.payment)
                invoice = self._invoice(op.invoice)
                amount = op.amount or min(payment.unapplied, invoice.open_amount)
                allocate(self.session, payment, invoice, amount, START + timedelta(op.day))
            case Credit() if self.invoices:
                self.credit_notes += 1
                number = f"CN-{self.credit_notes}"
                day = START + timedelta(op.day)
                add_credit_note(
                    self.session, self.company, self._invoice(op.invoice), number, day, op.amount
                )
            case WriteOffOp() if self.invoices:
                day = START + timedelta(op.day)
                write_off(self.session, self._invoice(op.invoice), op.amount, day, "test")
            case Reverse():
                allocations = self.session.scalars(select(Allocation).order_by(Allocation.id)).all()
                if allocations:
                    reverse_allocation(self.session, allocations[op.allocation % len(allocations)])
            case NewTotal() if self.invoices:
                index = op.invoice % len(self.invoices)
                corrected = replace(self.invoices[index], total=op.total)
                upsert_invoice(self.session, self.company, corrected)
                self.invoices[index] = corrected

    def _invoice(self, n: int) -> Invoice:
        number = self.invoices[n % len(self.invoices)].number
        invoice: Invoice = self._row(Invoice, Invoice.number, [number], 0)
        return invoice

    def _row(self, model: Any, key: Any, keys: list[str], n: int) -> Any:
        return self.session.scalars(
            select(model).where(model.company_id == self.company.id, key == keys[n % len(keys)])
        ).one()

    @staticmethod
    def _nth(rows: list[InvoiceIn], picks: tuple[int, ...]) -> Iterator[InvoiceIn]:
        return (rows[n % len(rows)] for n in picks) if rows else iter(())


def snapshot(session: Session, company_id: int) -> list[tuple[Any, ...]]:
    """Every money figure and date of the company's ledger, as the database has it now."""
    rows: list[tuple[Any, ...]] = []
    for query in (
        select(Invoice.number, Invoice.total, Invoice.open_amount, Invoice.settled_on)
        .where(Invoice.company_id == company_id)
        .order_by(Invoice.number),
        select(Payment.external_id, Payment.amount, Payment.unapplied, Payment.customer_id)
        .where(Payment.company_id == company_id)
        .order_by(Payment.external_id),
        select(Allocation.payment_id, Allocation.invoice_id, Allocation.amount).order_by(
            Allocation.id
        ),
        select(CreditNote.number, CreditNote.amount).order_by(CreditNote.id),
        select(WriteOff.invoice_id, WriteOff.amount).order_by(WriteOff.id),
    ):
        rows.extend(tuple(row) for row in session.execute(query))
    return rows


def reductions(session: Session, company_id: int) -> dict[int, list[tuple[date, int]]]:
    """(date, amount) of every allocation, credit note and write-off, per invoice id."""
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    invoice_ids = select(Invoice.id).where(Invoice.company_id == company_id)
    for query in (
        select(Allocation.invoice_id, Allocation.applied_on, Allocation.amount),
        select(CreditNote.invoice_id, CreditNote.issue_date, CreditNote.amount),
        select(WriteOff.invoice_id, WriteOff.written_off_on, WriteOff.amount),
    ):
        for invoice_id, day, amount in session.execute(
            query.where(query.selected_columns[0].in_(invoice_ids))
        ):
            assert type(amount) is int
            found[invoice_id].append((day, amount))
    return found


def assert_books_balance(session: Session, company_id: int) -> None:
    reduced = reductions(session, company_id)
    invoices = session.execute(
        select(Invoice.id, Invoice.total, Invoice.open_amount, Invoice.settled_on).where(
            Invoice.company_id == company_id
        )
    ).all()
    for invoice_id, total, open_amount, settled_on in invoices:
        assert type(total) is int
        assert type(open_amount) is int
        taken = reduced.get(invoice_id, [])
        assert open_amount == total - sum(amount for _, amount in taken)
        assert 0 <= open_amount <= total
        assert (settled_on is not None) == (open_amount == 0)
        if settled_on is not None:
            assert settled_on == max(day for day, _ in taken)
    payments = session.execute(
        select(Payment.id, Payment.amount, Payment.unapplied).where(
            Payment.company_id == company_id
        )
    ).all()
    for payment_id, amount, unapplied in payments:
        assert type(amount) is int
        assert type(unapplied) is int
        applied = session.scalars(
            select(Allocation.amount).where(Allocation.payment_id == payment_id)
        ).all()
        assert sum(applied) <= amount
        assert unapplied == amount - sum(applied)
    assert check_ledger(session, company_id) == []


def assert_aging_is_the_ledger_of_that_day(session: Session, company_id: int, on: date) -> None:
    reduced = reductions(session, company_id)
    expected: dict[str, int] = defaultdict(int)
    for invoice_id, issued, total, currency in session.execute(
        select(Invoice.id, Invoice.issue_date, Invoice.total, Invoice.currency).where(
            Invoice.company_id == company_id
        )
    ):
        if issued <= on:
            expected[currency] += total - sum(
                a for day, a in reduced.get(invoice_id, []) if day <= on
            )
    report = aging(session, company_id, on)
    assert {c: report.total(c) for c in report.totals} == {c: v for c, v in expected.items() if v}
    for line in report.lines:
        assert all(type(amount) is int and amount >= 0 for amount in line.buckets.values())


@settings(
    max_examples=int(os.environ.get("LEDGER_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    story=st.lists(operations, min_size=1, max_size=14),
    look_back=st.lists(st.integers(min_value=-5, max_value=200), min_size=1, max_size=3),
)
def test_any_story_keeps_the_books_balanced(
    session: Session, story: list[object], look_back: list[int]
) -> None:
    example = session.begin_nested()
    try:
        company = make_company(session)
        customers = [make_customer(session, company, f"C{n}") for n in range(2)]
        player = Story(session, company, customers)
        for op in story:
            before = snapshot(session, company.id)
            step = session.begin_nested()
            try:
                player.play(op)
            except CobroError:
                after = snapshot(session, company.id)
                step.rollback()
                assert after == before, f"refused {op} changed the ledger"
            else:
                step.commit()
            assert check_ledger(session, company.id) == []
        assert_books_balance(session, company.id)
        for offset in look_back:
            assert_aging_is_the_ledger_of_that_day(session, company.id, START + timedelta(offset))
    finally:
        example.rollback()
