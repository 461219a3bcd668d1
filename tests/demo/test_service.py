"""The demo written to a real database: a balanced ledger, every behaviour visible, the same
seed giving the same rows, and an existing demo replaced only when asked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Select, Table, func, select, text
from sqlalchemy.orm import Session
from stdnum import iso11649

from cobro.audit.models import AuditEvent
from cobro.auth.models import ApiToken, Membership, User, WebSession
from cobro.auth.service import create_token, create_user, open_session
from cobro.company.models import Company
from cobro.customer.models import Contact, Customer
from cobro.customer.rules import CustomerIn
from cobro.customer.service import upsert_customer
from cobro.demo.behaviours import BAD_DEBT_REASONS, DISCOUNT_REASON, DISPUTE_REASONS
from cobro.demo.service import DemoOptions, DemoSummary, build_demo
from cobro.errors import Conflict
from cobro.invoice.models import CreditNote, Installment, Invoice, WriteOff
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import check_ledger
from cobro.report.catalog import Query, build
from cobro.report.rules import Bucket
from cobro.report.service import aging
from cobro.report.slices import By
from tests.factories.ledger import make_company, make_customer, make_invoice

ON = date(2026, 11, 24)
TABLES = (Customer, Contact, Invoice, Installment, Payment, Allocation, CreditNote, WriteOff)


def count(session: Session, query: Select[int]) -> int:
    return session.scalar(query) or 0


def small_demo(session: Session, **options: Any) -> tuple[Company, DemoSummary]:
    settings = {"on": ON, "customers": 60, **options}
    summary = build_demo(session, DemoOptions(**settings))
    company = session.scalars(select(Company).where(Company.code == summary.company)).one()
    return company, summary


def test_a_small_demo_keeps_the_ledger_balanced(session: Session) -> None:
    company, summary = small_demo(session)
    assert check_ledger(session, company.id) == []
    assert summary.rows["customer"] == 60
    assert summary.rows["invoice"] == 1_200  # 20 per customer
    invoices = select(Invoice).where(Invoice.company_id == company.id)
    for invoice in session.scalars(invoices):
        assert 0 <= invoice.open_amount <= invoice.total
        assert (invoice.settled_on is None) == (invoice.open_amount > 0)
        assert invoice.due_date >= invoice.issue_date
        assert iso11649.is_valid(invoice.payment_reference)
    # an invoice is settled on the date of the reduction that brought it to nothing
    latest = select(func.max(Allocation.applied_on)).where(Allocation.invoice_id == Invoice.id)
    late = session.scalar(
        select(func.count()).where(
            Invoice.company_id == company.id,
            Invoice.settled_on.is_not(None),
            latest.scalar_subquery() > Invoice.settled_on,
        )
    )
    assert late == 0
    # cash is applied on the day it is received, and never more than the payment holds
    mismatched = session.scalar(
        select(func.count())
        .select_from(Allocation)
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Payment.company_id == company.id, Allocation.applied_on != Payment.received_on)
    )
    assert mismatched == 0
    assert summary.open_by_currency.keys() == {"EUR", "GBP", "USD", "MXN"}


def test_the_aging_is_filled_in_every_bucket(session: Session) -> None:
    company, _ = small_demo(session)
    report = aging(session, company.id, ON)
    for bucket in Bucket:
        assert any(totals[bucket] > 0 for totals in report.totals.values()), bucket
    assert sum(1 for amount in report.totals["EUR"].values() if amount) >= 4
    assert any(line.buckets[Bucket.OVER_90] for line in report.lines)


def test_its_fx_rates_let_every_report_convert_every_currency(session: Session) -> None:
    """A rate per foreign currency and month: the collectors report (always in euros) and
    every slice work on the demo as they come."""
    company, summary = small_demo(session)
    assert summary.rows["fx_rate"] == 3 * 19  # GBP, MXN, USD × the months from June 2025
    rows = build(session, Query("collectors", company.id, date(2026, 9, 1), ON)).rows
    assert rows
    assert {row["currency"] for row in rows} == {"EUR"}
    sliced = build(session, Query("aging", company.id, ON, ON, By.COUNTRY))
    assert len(sliced.rows) > 1
    assert "1 USD = 0." in " ".join(sliced.notes)


def test_every_behaviour_leaves_its_mark_on_the_ledger(session: Session) -> None:
    company, _ = small_demo(session)
    notes = session.scalars(select(CreditNote.reason).where(CreditNote.company_id == company.id))
    reasons = set(notes)
    assert DISCOUNT_REASON in reasons  # punctual payers take the 2/10 discount
    assert reasons & set(DISPUTE_REASONS)  # disputers get credit notes
    of_company = select(Invoice.id).where(Invoice.company_id == company.id)
    written = set(
        session.scalars(select(WriteOff.reason).where(WriteOff.invoice_id.in_(of_company)))
    )
    assert written & set(BAD_DEBT_REASONS)  # those who never pay are written off
    parts = (
        select(Allocation.invoice_id)
        .where(Allocation.invoice_id.in_(of_company))
        .group_by(Allocation.invoice_id)
        .having(func.count() > 1)
    )
    assert count(session, select(func.count()).select_from(parts.subquery())) > 0  # partial
    runs = (
        select(Allocation.payment_id)
        .where(Allocation.invoice_id.in_(of_company))
        .group_by(Allocation.payment_id)
        .having(func.count() > 1)
    )
    assert count(session, select(func.count()).select_from(runs.subquery())) > 0  # payment runs
    overpaid = select(func.count()).where(Payment.company_id == company.id, Payment.unapplied > 0)
    assert count(session, overpaid) > 0  # unapplied cash from overpayers
    assert count(session, select(func.count()).where(Installment.invoice_id.in_(of_company))) > 0
    # chronically late payers: some invoices were paid more than 45 days after they were due
    paid = session.execute(
        select(Allocation.applied_on, Invoice.due_date)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(Invoice.company_id == company.id)
    )
    assert sum(1 for applied, due in paid if (applied - due).days > 45) > 0


def dump(session: Session, company_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the company, minus what names the company or terms rows by id (a new
    company row gets a new id on PostgreSQL)."""
    skip = {"company_id", "terms_id"}
    invoices = select(Invoice.id).where(Invoice.company_id == company_id)
    customers = select(Customer.id).where(Customer.company_id == company_id)
    owner = {
        Customer: Customer.company_id == company_id,
        Contact: Contact.customer_id.in_(customers),
        Invoice: Invoice.company_id == company_id,
        Installment: Installment.invoice_id.in_(invoices),
        Payment: Payment.company_id == company_id,
        Allocation: Allocation.invoice_id.in_(invoices),
        CreditNote: CreditNote.company_id == company_id,
        WriteOff: WriteOff.invoice_id.in_(invoices),
    }
    result = {}
    for model in TABLES:
        table = model.__table__
        assert isinstance(table, Table)
        columns = [c for c in table.columns if c.name not in skip]
        query = select(*columns).where(owner[model]).order_by(table.c.id)
        result[table.name] = [tuple(row) for row in session.execute(query)]
    return result


def test_the_same_seed_builds_the_same_rows_and_another_seed_other_rows(
    session: Session,
) -> None:
    company, _ = small_demo(session, customers=30, seed=5)
    first = dump(session, company.id)
    company, _ = small_demo(session, customers=30, seed=5, replace=True)
    assert dump(session, company.id) == first
    company, _ = small_demo(session, customers=30, seed=6, replace=True)
    other = dump(session, company.id)
    assert other["invoice"] != first["invoice"]
    assert other["customer"] != first["customer"]


def test_an_existing_demo_is_kept_unless_replace_is_asked(session: Session) -> None:
    small_demo(session, customers=20, invoices=100)
    with pytest.raises(Conflict, match="--replace"):
        small_demo(session, customers=20, invoices=100)


def test_replace_deletes_that_company_s_data_only(session: Session) -> None:
    other = make_company(session, "acme")
    bystander = make_invoice(session, other, make_customer(session, other, "C00001"))
    company, _ = small_demo(session, customers=20, invoices=300)
    company, summary = small_demo(session, customers=10, invoices=50, replace=True)
    assert session.scalar(select(func.count()).where(Invoice.company_id == company.id)) == 50
    assert session.scalar(select(func.count()).where(Customer.company_id == company.id)) == 10
    assert session.scalar(select(func.count(Company.id)).where(Company.code == "demo")) == 1
    assert session.get(Invoice, bystander.id) is not None
    assert summary.rows["invoice"] == 50
    assert check_ledger(session, company.id) == []


def test_rows_added_after_the_demo_get_fresh_ids(session: Session) -> None:
    """The demo gives ids itself; on PostgreSQL the sequences must have been moved past them."""
    company, _ = small_demo(session, customers=10, invoices=50)
    customer, _ = upsert_customer(session, company, CustomerIn("NEW-1", "Nueva S.L.", "ES"))
    invoice = make_invoice(session, company, customer, number="F-NEW-1")
    highest = session.scalar(select(func.max(Invoice.id)))
    assert invoice.id == highest
    assert check_ledger(session, company.id) == []
    if session.get_bind().dialect.name == "postgresql":
        nextval = session.scalar(text("SELECT nextval(pg_get_serial_sequence('payment', 'id'))"))
        assert nextval is not None
        assert nextval > session.scalar(select(func.max(Payment.id)))


def test_replace_drops_the_company_s_roles_sessions_and_tokens_but_keeps_users_and_history(
    session: Session,
) -> None:
    company, _ = small_demo(session, customers=5, invoices=20)
    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    user = create_user(
        session, "ana@demo.example", "Ana", "a long enough passphrase", now, company, "collector"
    )
    open_session(session, user, company.id, now)
    create_token(session, user, company, "laptop", ["read"], now)
    events = session.scalar(select(func.count(AuditEvent.id)))
    assert events

    small_demo(session, customers=5, invoices=20, replace=True)

    for model in (Membership, WebSession, ApiToken):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model
    assert session.get(User, user.id) is not None
    assert session.scalar(select(func.count(AuditEvent.id))) == events  # history outlives it
