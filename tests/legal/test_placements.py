"""Agency placements: placing holds each invoice (one active placement per invoice), a recall
releases the holds, the export tells the agency everything, and a payment file is synced all
or nothing, the same file twice adding nothing; all paid closes the placement."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cobro.audit.actor import Actor
from cobro.audit.models import AuditEvent
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.pagination import PageRequest
from cobro.legal.agency_export import export_placement
from cobro.legal.placements import (
    place,
    placement_detail,
    placements_page,
    recall,
    sync_payments,
)
from cobro.payment.models import Allocation, Payment
from cobro.payment.service import check_ledger
from cobro.policy.holds import active_holds
from cobro.policy.models import Hold
from tests.legal.conftest import ON, Books

AGENCY = "Recobros Norte S.L."
BY = Actor(name="ana@example.com")


def payments(books: Books) -> int:
    return int(books.session.scalar(select(func.count()).select_from(Payment)) or 0)


def test_placing_holds_every_open_invoice_with_the_agency(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON, reference="RN-77",
                      commission="15", by=BY)  # fmt: skip
    assert (placement.status, placement.amount, placement.currency) == ("placed", 1500_00, "EUR")
    assert placement.commission_percent == "15"
    holds = books.session.scalars(select(Hold).where(Hold.placement_id == placement.id)).all()
    assert {h.invoice_id for h in holds} == {i.id for i in books.invoices}
    assert len(holds) == len(books.invoices)
    assert {(h.kind, h.ends_on, h.starts_on) for h in holds} == {("agency", None, ON)}
    held = active_holds(books.session, books.company.id, ON)
    assert all(held.invoices.get(i.id) == "agency" for i in books.invoices)
    row = placement_detail(books.session, books.company.id, placement.id)
    assert row.invoices == ("F-2026/001", "F-2026/002")
    events = books.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "placement")
    ).all()
    assert events == ["placement.placed"]


def test_one_active_placement_per_invoice(books: Books) -> None:
    first = place(books.session, books.company, "ACME", AGENCY, ON, invoices=["F-2026/001"])
    with pytest.raises(Conflict, match="F-2026/001 is placed already"):
        place(books.session, books.company, "ACME", "Other Agency", ON)
    second = place(books.session, books.company, "ACME", "Other Agency", ON,
                   invoices=["F-2026/002"])  # fmt: skip
    assert second.amount == 300_00
    recall(books.session, books.company, first.id, ON + timedelta(days=5))
    again = place(books.session, books.company, "ACME", "Other Agency", ON + timedelta(days=6),
                  invoices=["F-2026/001"])  # fmt: skip
    assert again.status == "placed"


@pytest.mark.parametrize(
    ("agency", "commission", "invoices", "field"),
    [
        ("  ", None, (), "agency"),
        (AGENCY, "120", (), "commission"),
        (AGENCY, None, ("SECRET-1",), None),
    ],
)
def test_a_bad_placement_is_refused_naming_the_field(
    books: Books, agency: str, commission: str | None, invoices: tuple[str, ...], field: str | None
) -> None:
    with pytest.raises((Invalid, NotFound)) as refused:
        place(books.session, books.company, "ACME", agency, ON, invoices=invoices,
              commission=commission)  # fmt: skip
    if field is not None:
        assert refused.value.field == field
    assert books.session.scalar(select(func.count()).select_from(Hold)) == 0


def test_a_customer_with_nothing_open_cannot_be_placed(books: Books) -> None:
    for invoice in books.invoices:
        invoice.open_amount, invoice.settled_on = 0, ON  # (a test's shortcut: no payment)
    with pytest.raises(Invalid, match="at least one open invoice"):
        place(books.session, books.company, "ACME", AGENCY, ON)


def test_a_recall_releases_the_holds_from_its_day(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON)
    day = ON + timedelta(days=20)
    recall(books.session, books.company, placement.id, day, BY)
    assert (placement.status, placement.recalled_on) == ("recalled", day)
    assert active_holds(books.session, books.company.id, day - timedelta(days=1)).invoices
    assert not active_holds(books.session, books.company.id, day).invoices
    with pytest.raises(Conflict, match="recalled"):
        recall(books.session, books.company, placement.id, day)


def test_the_csv_export_has_a_row_per_invoice_with_the_debtor(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON, reference="RN-77")
    text = export_placement(books.session, books.company, placement.id, "csv", ON)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["invoice"] for r in rows] == ["F-2026/001", "F-2026/002"]
    first = rows[0]
    assert (first["debtor_id"], first["debtor_name"], first["tax_id"]) == (
        "ACME",
        "Acme Distribución S.L.",
        "B12345678",
    )
    assert (first["email"], first["phone"], first["street"], first["city"]) == (
        "marta@acme.example",
        "+34600111222",
        "Calle Mayor",
        "Madrid",
    )
    assert (first["total"], first["open_amount"], first["currency"]) == ("1200.00", "1200.00",
                                                                         "EUR")  # fmt: skip
    assert first["payment_reference"] == books.invoices[0].payment_reference
    assert first["payment_reference"].startswith("RF")
    assert (first["language"], first["notes"], first["agency_reference"]) == ("es", "1", "RN-77")
    assert first["due_date"] == "2026-01-31"


def test_the_json_export_has_the_debtor_once_with_every_contact(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON, commission="12.5")
    data = json.loads(export_placement(books.session, books.company, placement.id, "json", ON))
    assert (data["agency"], data["amount"], data["commission_percent"]) == (AGENCY, "1500.00",
                                                                            "12.5")  # fmt: skip
    assert data["debtor"]["address"]["postal_code"] == "28013"
    assert [c["name"] for c in data["debtor"]["contacts"]] == ["Marta Ruiz"]
    assert [i["invoice"] for i in data["invoices"]] == ["F-2026/001", "F-2026/002"]
    assert data["invoices"][1]["open_amount"] == "300.00"
    with pytest.raises(Invalid) as refused:
        export_placement(books.session, books.company, placement.id, "xml", ON)
    assert refused.value.field == "format"


SYNC = (
    "reference,invoice,date,amount,currency\n"
    "AG-1,F-2026/002,2026-04-20,300.00,EUR\n"
    "AG-2,,2026-04-21,500.00,EUR\n"
)


def test_synced_payments_are_applied_and_the_same_file_twice_adds_nothing(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON)
    day = ON + timedelta(days=10)
    first = sync_payments(books.session, books.company, placement.id, SYNC, day, BY)
    assert (first.recorded, first.already, first.amount, first.closed) == (2, 0, 800_00, False)
    assert [i.open_amount for i in books.invoices] == [700_00, 0]
    methods = books.session.scalars(select(Payment.method).where(Payment.method == "agency"))
    assert len(methods.all()) == 2
    again = sync_payments(books.session, books.company, placement.id, SYNC, day, BY)
    assert (again.recorded, again.already) == (0, 2)
    assert payments(books) == 2
    assert books.session.scalar(select(func.count()).select_from(Allocation)) == 2
    assert check_ledger(books.session, books.company.id) == []


def test_a_bad_row_refuses_the_whole_file_naming_the_row(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON)
    day = ON + timedelta(days=10)
    bad = SYNC + "AG-3,F-2026/001,2026-04-22,oops,EUR\n"
    with pytest.raises(Invalid, match="row 4, amount"):
        sync_payments(books.session, books.company, placement.id, bad, day)
    elsewhere = SYNC + "AG-3,SECRET-1,2026-04-22,1.00,EUR\n"
    with pytest.raises(Invalid, match="row 4, invoice: SECRET-1 is not placed"):
        sync_payments(books.session, books.company, placement.id, elsewhere, day)
    assert payments(books) == 0
    assert [i.open_amount for i in books.invoices] == [1200_00, 300_00]


def test_a_row_the_ledger_refuses_leaves_none_of_the_others(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON)
    day = ON + timedelta(days=10)
    sync_payments(books.session, books.company, placement.id, SYNC, day)
    # AG-2 again with another amount: the ledger refuses it, and AG-9 before it is undone
    changed = "reference,date,amount\nAG-9,2026-04-22,10.00\nAG-2,2026-04-21,501.00\n"
    with pytest.raises(Invalid, match=r"row 3: payment 'agency-.*-AG-2' already exists"):
        sync_payments(books.session, books.company, placement.id, changed, day)
    assert payments(books) == 2
    assert [i.open_amount for i in books.invoices] == [700_00, 0]


def test_all_paid_closes_the_placement_and_releases_its_holds(books: Books) -> None:
    placement = place(books.session, books.company, "ACME", AGENCY, ON)
    day = ON + timedelta(days=10)
    paid = "invoice,date,amount\nF-2026/001,2026-04-20,1200.00\nF-2026/002,2026-04-20,300\n"
    result = sync_payments(books.session, books.company, placement.id, paid, day)
    assert result.closed
    assert placement.status == "closed"
    holds = books.session.scalars(select(Hold).where(Hold.placement_id == placement.id)).all()
    assert {h.released_on for h in holds} == {day}
    assert sync_payments(books.session, books.company, placement.id, paid, day).recorded == 0


def test_another_company_s_placement_is_not_found(books: Books) -> None:
    theirs = place(books.session, books.other_company, "OTHER", AGENCY, ON)
    for act in (
        lambda: recall(books.session, books.company, theirs.id, ON),
        lambda: export_placement(books.session, books.company, theirs.id, "csv", ON),
        lambda: sync_payments(books.session, books.company, theirs.id, SYNC, ON),
    ):
        with pytest.raises(NotFound):
            act()
    mine = place(books.session, books.company, "ACME", AGENCY, ON)
    page = placements_page(books.session, books.company.id, PageRequest())
    assert [row.id for row in page.items] == [mine.id]
    assert page.items[0].invoices == ("F-2026/001", "F-2026/002")
