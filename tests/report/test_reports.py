"""The receivables reports as tables: aging in configurable buckets by due or issue date, the
KPI reports, trends; sliced by collector, segment or country with amounts converted at the
dated FX rates; as of a past date nothing that happened after it counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.actor import NOBODY
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.dispute.models import Dispute
from cobro.errors import Invalid
from cobro.fx.service import MissingRate, set_rate
from cobro.invoice.models import Invoice
from cobro.invoice.service import add_credit_note, write_off
from cobro.promise.models import Promise
from cobro.report.catalog import REPORTS, Query, build, default_start
from cobro.report.rules import Basis, Scheme, parse_scheme
from cobro.report.service import aging
from cobro.report.slices import By, parse_by
from cobro.report.table import Cell, ChartKind, Report
from tests.factories.activity import make_dispute_row, make_message, make_promise_row
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

ON = date(2026, 6, 30)


def by_currency(report: Report) -> dict[str, dict[str, Cell]]:
    return {str(row["currency"]): row for row in report.rows}


def by_slice(report: Report) -> dict[str, dict[str, Cell]]:
    return {str(row["slice"]): row for row in report.rows}


def amount(cell: Cell) -> int:
    assert isinstance(cell, int)
    return cell


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


def test_the_default_aging_report_matches_the_aging(session: Session, company: Company) -> None:
    customer = make_customer(session, company)
    for total, due in (
        (100_00, ON),
        (200_00, ON - timedelta(days=1)),
        (300_00, ON - timedelta(days=45)),
        (400_00, ON - timedelta(days=120)),
    ):
        make_invoice(session, company, customer, total, date(2026, 1, 1), due)  # fmt: skip
    report = build(session, Query("aging", company.id, ON, ON))
    [row] = report.rows
    expected = aging(session, company.id, ON).totals["EUR"]
    assert {k: row[k.value] for k in expected} == expected
    assert (row["total"], row["overdue_share"]) == (1000_00, Decimal("90.00"))
    [chart] = report.charts
    assert (chart.kind, chart.labels, [s.name for s in chart.series]) == (
        ChartKind.STACKED_BARS, ("EUR",), ["current", "1-30", "31-60", "61-90", "90+"],
    )  # fmt: skip


def test_aging_by_issue_date_in_buckets_of_one_s_own(session: Session, company: Company) -> None:
    customer = make_customer(session, company)
    week = timedelta(days=7)
    make_invoice(session, company, customer, 100_00, ON - week, ON + week)
    make_invoice(session, company, customer, 200_00, ON - timedelta(days=100), ON)
    make_invoice(session, company, customer, 400_00, ON - timedelta(days=400), ON)
    scheme = parse_scheme("30,180,365", "issue")
    [row] = build(session, Query("aging", company.id, ON, ON, scheme=scheme)).rows
    assert (row["0-30"], row["31-180"], row["181-365"], row["365+"]) == (100_00, 200_00, 0, 400_00)
    assert "overdue_share" not in row  # by issue date nothing says what is overdue


def test_bucket_schemes_are_checked() -> None:
    assert parse_scheme(None).labels() == ("current", "1-30", "31-60", "61-90", "90+")
    assert parse_scheme("15, 45", "due").labels() == ("current", "1-15", "16-45", "45+")
    assert parse_scheme(None, "issue").labels() == ("0-30", "31-60", "61-90", "90+")
    for limits, basis in (
        ("60,30", "due"),
        ("a,b", "due"),
        ("0,30", "issue"),
        ("30,30", "due"),
        (",".join(str(n) for n in range(1, 20)), "due"),
        ("30", "paid"),
    ):
        with pytest.raises(ValueError, match=r"buckets|aged from"):
            parse_scheme(limits, basis)


@given(
    limits=st.lists(st.integers(1, 400), min_size=1, max_size=8, unique=True).map(sorted),
    basis=st.sampled_from(Basis),
    age=st.integers(-500, 2000),
)
def test_every_age_falls_in_exactly_one_bucket(limits: list[int], basis: Basis, age: int) -> None:
    scheme = Scheme(basis, tuple([0, *limits] if basis is Basis.DUE else limits))
    holding = [label for label, low, high in scheme.spans()
               if (low is None or age >= low) and (high is None or age <= high)]  # fmt: skip
    assert holding == [scheme.bucket_of(age)]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    invoices=st.lists(
        st.tuples(st.integers(1, 10_000_00), st.integers(-60, 400), st.integers(0, 100)),
        min_size=1,
        max_size=8,
    ),
    limits=st.lists(st.integers(1, 200), min_size=1, max_size=5, unique=True).map(sorted),
    basis=st.sampled_from(Basis),
)
def test_the_buckets_partition_the_open_balance_exactly(
    session: Session, invoices: list[tuple[int, int, int]], limits: list[int], basis: Basis
) -> None:
    """(total, days past due, % paid) invoices: the buckets add up to what is open, cent for
    cent, whatever the buckets."""
    company = make_company(session)
    customer = make_customer(session, company)
    open_total = 0
    for total, late, paid_share in invoices:
        due = ON - timedelta(days=late)
        invoice = make_invoice(session, company, customer, total, min(due, ON), due)
        paid = total * paid_share // 100
        if paid:
            make_payment(
                session, company, customer, paid, ON - timedelta(days=1), (invoice.number,)
            )
        open_total += total - paid
    scheme = Scheme(basis, tuple([0, *limits] if basis is Basis.DUE else limits))
    rows = build(session, Query("aging", company.id, ON, ON, scheme=scheme)).rows
    assert sum(amount(row[label]) for row in rows for label in scheme.labels()) == open_total
    assert sum(amount(row["total"]) for row in rows) == open_total


def test_slices_convert_at_the_rate_of_the_day_and_name_a_missing_one(
    session: Session, company: Company
) -> None:
    ana = make_customer(session, company, country="ES", collector="ana")
    ana.segment = "retail"
    bob = make_customer(session, company, country="US", collector="bob")
    make_invoice(session, company, ana, 100_00, date(2026, 6, 1), date(2026, 7, 1))
    june = date(2026, 6, 1)
    make_invoice(session, company, bob, 100_00, june, date(2026, 6, 10), currency="USD")
    make_invoice(session, company, bob, 50_00, date(2026, 6, 2), date(2026, 7, 2))
    with pytest.raises(MissingRate, match=r"USD.*2026-06-30"):
        build(session, Query("aging", company.id, ON, ON, By.COUNTRY))
    set_rate(session, company.id, "USD", date(2026, 6, 1), Decimal("0.9"), None, NOBODY)
    set_rate(session, company.id, "USD", date(2026, 7, 1), Decimal("2"), None, NOBODY)  # later
    report = build(session, Query("aging", company.id, ON, ON, By.COUNTRY))
    rows = by_slice(report)
    assert (rows["ES"]["total"], rows["US"]["total"]) == (100_00, 140_00)  # 90.00 + 50.00
    assert rows["US"]["currency"] == "EUR"
    assert "1 USD = 0.9 EUR" in " ".join(report.notes)
    segments = by_slice(build(session, Query("dso", company.id, date(2026, 6, 1), ON, By.SEGMENT)))
    assert segments["retail"]["credit_sales"] == 100_00
    assert segments["(none)"]["credit_sales"] == 140_00
    # by currency nothing is converted, and no rate is needed
    assert by_currency(build(session, Query("aging", company.id, ON, ON)))["USD"]["total"] == 100_00


def ledger(session: Session, company: Company) -> Customer:
    customer = make_customer(session, company, collector="ana")
    old = make_invoice(session, company, customer, 1000_00, date(2026, 4, 1), date(2026, 5, 1))
    make_payment(session, company, customer, 400_00, date(2026, 5, 20), (old.number,))
    make_invoice(session, company, customer, 500_00, date(2026, 6, 3), date(2026, 7, 3))
    make_promise_row(session, customer, 100_00, date(2026, 6, 10), "kept", date(2026, 6, 15))
    make_promise_row(session, customer, 200_00, date(2026, 6, 25))  # open on ON
    make_dispute_row(session, customer, date(2026, 6, 5), [(old, 50_00)])
    return customer


def after(session: Session, company: Company, customer: Customer) -> None:
    """Everything that happens after ON: none of it may change a report as of ON."""
    make_invoice(session, company, customer, 700_00, date(2026, 7, 2), date(2026, 7, 9))
    for invoice in list(session.scalars(select(Invoice).where(Invoice.company_id == company.id))):
        if invoice.issue_date <= ON:
            make_payment(session, company, customer, 50_00, date(2026, 7, 5), (invoice.number,))
            add_credit_note(session, company, invoice, f"CN-{invoice.id}", date(2026, 7, 6), 10_00)
            write_off(session, invoice, 5_00, date(2026, 7, 7), "rounding")
    promise = session.scalars(
        select(Promise).where(Promise.company_id == company.id, Promise.status == "open")
    ).one()
    promise.status, promise.resolved_on = "broken", date(2026, 7, 3)
    for dispute in session.scalars(select(Dispute).where(Dispute.company_id == company.id)):
        dispute.status, dispute.resolved_on = "rejected", date(2026, 7, 4)
    make_promise_row(session, customer, 300_00, date(2026, 7, 4))
    make_message(session, company, customer, datetime(2026, 7, 5, 10, tzinfo=UTC))
    session.flush()


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_report_as_of_a_past_date_ignores_what_came_after(
    session: Session, company: Company, name: str
) -> None:
    customer = ledger(session, company)
    query = Query(name, company.id, date(2026, 4, 1), ON, By.COLLECTOR)
    before = build(session, query)
    after(session, company, customer)
    assert build(session, query) == before
    assert before.rows, "the ledger gives each report something to show"


def test_trends_give_a_row_per_month_and_charts(session: Session, company: Company) -> None:
    ledger(session, company)
    report = build(session, Query("trends", company.id, date(2026, 4, 15), ON, By.COLLECTOR))
    assert [row["month"] for row in report.rows] == ["2026-04", "2026-05", "2026-06"]
    # the months read together give what each month gives alone
    firsts = (date(2026, 4, 15), date(2026, 5, 1), date(2026, 6, 1))
    for row, first in zip(report.rows, firsts, strict=True):
        last = min(ON, date(first.year, first.month + 1, 1) - timedelta(days=1))
        [alone] = build(session, Query("kpis", company.id, first, last, By.COLLECTOR)).rows
        assert {key: row[key] for key in alone} == alone
    dso, cei = report.charts
    assert dso.labels == ("2026-04", "2026-05", "2026-06")
    assert cei.kind is ChartKind.LINES
    with pytest.raises(Invalid, match="36 months"):
        build(session, Query("trends", company.id, date(2020, 1, 1), ON))


def test_bad_queries_are_refused_naming_the_field(session: Session, company: Company) -> None:
    with pytest.raises(Invalid) as refused:
        build(session, Query("dso", company.id, ON, ON - timedelta(days=1)))
    assert refused.value.field == "to"
    with pytest.raises(Invalid) as unknown:
        build(session, Query("velocity", company.id, ON, ON))
    assert unknown.value.field == "report"
    with pytest.raises(Invalid) as slice_:
        parse_by("planet")
    assert slice_.value.field == "by"
    assert default_start(ON) == date(2026, 4, 1)


def test_an_empty_company_has_no_rows(session: Session, company: Company) -> None:
    for name in REPORTS:
        assert build(session, Query(name, company.id, date(2026, 4, 1), ON)).rows == ()
