"""Writing chase-settings layers: merged with what is stored, checked (alone and together with
the other layers) before anything is written, stored the way the cycle reads them, and shown
with what they resolve to."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.service import set_segment
from cobro.cycle.service import run_cycle
from cobro.errors import Invalid, NotFound
from cobro.outbox.models import Action
from cobro.policy.chase_settings import (
    list_layers,
    resolved_to_mapping,
    set_settings,
    show_settings,
)
from cobro.policy.models import ChaseSetting
from tests.factories.ledger import make_company, make_customer, make_invoice

DUE = date(2026, 3, 2)  # a Monday; Madrid is UTC+1 in March


@pytest.fixture
def company(session: Session) -> Company:
    company = make_company(session)
    make_customer(session, company, "C-1")
    return company


def stored(session: Session, company: Company) -> dict[tuple[str, str], dict[str, object]]:
    rows = session.scalars(select(ChaseSetting).where(ChaseSetting.company_id == company.id))
    return {(row.scope, row.target): dict(row.values) for row in rows}


def test_values_are_merged_into_the_layer_and_stored_in_the_form_the_cycle_reads(
    session: Session, company: Company
) -> None:
    set_settings(session, company, "company", "", {"window_start": "08:30", "max_messages": 2})
    layer = set_settings(session, company, "company", "", {"weekends": True})
    assert dict(layer.values) == {"window_start": "08:30", "weekends": True, "max_messages": 2}
    assert stored(session, company) == {("company", ""): dict(layer.values)}


def test_inherit_or_null_removes_a_setting_and_an_empty_layer_is_deleted(
    session: Session, company: Company
) -> None:
    set_settings(session, company, "segment", "retail", {"max_calls": 2, "holidays": True})
    after = set_settings(session, company, "segment", "retail", {"max_calls": "Inherit"})
    assert dict(after.values) == {"holidays": True}
    emptied = set_settings(session, company, "segment", "retail", {"holidays": None})
    assert (emptied.label, dict(emptied.values)) == ("segment retail", {})
    assert stored(session, company) == {}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"window_start": "9am"}, "customer.window_start", "window_start must be a time"),
        ({"max_messages": 0}, "customer.max_messages", "max_messages must be at least 1"),
        ({"weekends": "yes"}, "customer.weekends", "weekends must be true or false"),
        ({"regulation": "gdpr"}, "customer.regulation", "unknown regulation 'gdpr'"),
        ({"send_at": "09:00"}, "customer.send_at", "unknown setting 'send_at'"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_setting_and_nothing_is_written(
    session: Session, company: Company, values: dict[str, object], field: str, message: str
) -> None:
    set_settings(session, company, "customer", "C-1", {"max_calls": 2})
    with pytest.raises(Invalid, match=message) as refused:
        set_settings(session, company, "customer", "C-1", {"period_days": 14, **values})
    assert refused.value.field == field
    assert list(stored(session, company).values()) == [{"max_calls": 2}]


def test_customer_and_invoice_layers_are_stored_by_row_id_and_shown_by_name(
    session: Session, company: Company
) -> None:
    customer = make_customer(session, company, "C-2")
    invoice = make_invoice(session, company, customer, 100_00, number="F-7")
    set_settings(session, company, "customer", "C-2", {"max_calls": 1})
    set_settings(session, company, "invoice", "F-7", {"min_days_between_stages": 7})
    assert set(stored(session, company)) == {
        ("customer", str(customer.id)),
        ("invoice", str(invoice.id)),
    }
    assert [layer.label for layer in list_layers(session, company)] == [
        "customer C-2",
        "invoice F-7",
    ]


def test_an_unknown_target_is_not_found(session: Session, company: Company) -> None:
    with pytest.raises(NotFound, match="no customer 'C-9'") as refused:
        set_settings(session, company, "customer", "C-9", {"max_calls": 1})
    assert refused.value.field == "customer"
    with pytest.raises(NotFound, match="no invoice 'F-9'"):
        set_settings(session, company, "invoice", "F-9", {"max_calls": 1})
    with pytest.raises(Invalid, match="needs the segment") as empty:
        set_settings(session, company, "segment", " ", {"max_calls": 1})
    assert empty.value.field == "segment"


def test_layers_that_together_leave_no_send_window_are_refused(
    session: Session, company: Company
) -> None:
    set_segment(session, company.id, "C-1", "retail")
    set_settings(session, company, "customer", "C-1", {"window_end": "10:00"})
    with pytest.raises(Invalid, match="no valid send window") as refused:
        set_settings(session, company, "company", "", {"window_start": "11:00"})
    assert refused.value.field == "company.window_end"
    assert ("company", "") not in stored(session, company)
    set_settings(session, company, "segment", "retail", {"window_start": "08:00"})
    # the segment's start now comes before the customer's end, whatever the company says
    set_settings(session, company, "company", "", {"window_start": "11:00"})


def test_the_cycle_sends_within_the_customer_s_own_window(
    session: Session, company: Company
) -> None:
    late = make_customer(session, company, "LATE")
    early = make_customer(session, company, "EARLY")
    for customer in (late, early):
        make_invoice(session, company, customer, 300_00, date(2026, 1, 31), DUE)
    set_settings(session, company, "customer", "LATE", {"window_start": "11:00"})

    run_cycle(session, company, DUE)

    times = {a.customer_id: a.not_before for a in session.scalars(select(Action))}
    assert times[late.id] == datetime(2026, 3, 2, 10, tzinfo=UTC)  # 11:00 in Madrid
    assert times[early.id] == datetime(2026, 3, 2, 8, tzinfo=UTC)  # the default 09:00


def test_show_lists_the_layers_that_apply_and_what_they_resolve_to(
    session: Session, company: Company
) -> None:
    make_customer(session, company, "US-1", country="US", kind="consumer")
    set_segment(session, company.id, "US-1", "retail")
    set_settings(session, company, "company", "", {"window_start": "07:00", "max_messages": 2})
    set_settings(session, company, "segment", "retail", {"weekends": False})

    view = show_settings(session, company, "customer", "US-1")

    assert [layer.label for layer in view.layers] == ["company", "segment retail", "customer US-1"]
    assert dict(view.layers[2].values) == {}  # no layer of its own: inherits everything
    resolved = resolved_to_mapping(view.resolved)
    # a US consumer: Regulation F, and a 07:00 start is tightened to its 08:00
    assert resolved["regulation"] == "reg_f"
    assert resolved["window_start"] == "08:00"
    assert view.resolved.clamped == ("window_start",)
    assert (resolved["max_messages"], resolved["weekends"]) == (2, False)
    assert view.profile == "customer US-1 (consumer, US)"
    company_view = show_settings(session, company)
    assert resolved_to_mapping(company_view.resolved)["window_start"] == "07:00"
