"""Promises to pay against the real database: making one (holds placed), refusals that write
nothing, the daily review (kept, broken, cancelled) and the kept rates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.errors import Conflict, Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.invoice.service import add_credit_note
from cobro.kit.pagination import PageRequest
from cobro.policy.holds import customer_holds
from cobro.policy.models import Hold
from cobro.promise import queries, service
from cobro.promise.models import Promise, PromiseInvoice
from cobro.promise.settings import change_settings
from cobro.task.models import Task
from cobro.webhook.models import Delivery
from cobro.webhook.service import subscribe
from cobro.webhook.targets import ALLOW_PRIVATE
from tests.factories.ledger import make_company, make_customer, make_invoice, make_payment

ON = date(2026, 3, 10)
BY = date(2026, 3, 20)  # grace 3: held to the 23rd
NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


def world(session: Session) -> tuple[Company, Customer, Invoice, Invoice]:
    company = make_company(session)
    customer = make_customer(session, company, "ACME", name="Acme S.L.", collector="ana")
    first = make_invoice(session, company, customer, 300_00, date(2026, 1, 1), date(2026, 2, 1))
    second = make_invoice(session, company, customer, 200_00, date(2026, 1, 5), date(2026, 2, 5))
    return company, customer, first, second


def promise(
    session: Session,
    company: Company,
    amount: int = 300_00,
    due: date = BY,
    source: str = "web",
    invoices: Sequence[str] = (),
) -> Promise:
    return service.make_promise(session, company, "ACME", amount, None, due, ON, source, invoices)


def count(session: Session, model: type[Promise] | type[Hold] | type[PromiseInvoice]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def holds_of(session: Session, made: Promise) -> list[Hold]:
    return list(session.scalars(select(Hold).where(Hold.promise_id == made.id).order_by(Hold.id)))


def tasks(session: Session, company: Company) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.company_id == company.id)))


# ---- making a promise ---------------------------------------------------------------------------


def test_a_promise_over_named_invoices_holds_each_until_due_plus_grace(session: Session) -> None:
    company, customer, first, second = world(session)
    made = promise(session, company, 400_00, invoices=[first.number, second.number])
    assert (made.status, made.currency, made.collector, made.grace_days) == (
        "open",
        "EUR",
        "ana",
        3,
    )
    holds = holds_of(session, made)
    assert [(h.invoice_id, h.kind, h.starts_on, h.ends_on) for h in holds] == [
        (first.id, "promise", ON, date(2026, 3, 23)),
        (second.id, "promise", ON, date(2026, 3, 23)),
    ]
    assert customer_holds(session, customer.id, ON) == {first.id, second.id}
    assert customer_holds(session, customer.id, date(2026, 3, 24)) == set()
    covered = session.scalars(
        select(PromiseInvoice.invoice_id).where(PromiseInvoice.promise_id == made.id)
    )
    assert set(covered) == {first.id, second.id}
    audit = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "promise")
    ).all()
    assert audit == ["promise.made"]


def test_a_promise_naming_no_invoice_holds_the_whole_customer_once(session: Session) -> None:
    company, customer, _first, _second = world(session)
    made = promise(session, company, 500_00)
    holds = holds_of(session, made)
    assert [(h.invoice_id, h.customer_id) for h in holds] == [(None, customer.id)]
    assert count(session, PromiseInvoice) == 0


@pytest.mark.parametrize(
    ("amount", "due", "field", "text"),
    [
        (100_00, ON - timedelta(days=1), "due_on", "a promise in the past"),
        (100_00, ON + timedelta(days=61), "due_on", "60 days at most"),
        (500_01, BY, "amount", "more than is open"),
        (0, BY, "amount", "above zero"),
    ],
)
def test_a_promise_outside_the_guardrails_writes_nothing(
    session: Session, amount: int, due: date, field: str, text: str
) -> None:
    company, *_ = world(session)
    with pytest.raises(Invalid) as caught:
        promise(session, company, amount, due)
    assert caught.value.field == field
    assert text in caught.value.message
    assert (count(session, Promise), count(session, Hold)) == (0, 0)


def test_an_invoice_already_promised_is_refused(session: Session) -> None:
    company, _customer, first, second = world(session)
    promise(session, company, 100_00, invoices=[first.number])
    with pytest.raises(Conflict, match=f"invoice {first.number} is already under"):
        promise(session, company, 100_00, invoices=[second.number, first.number])
    with pytest.raises(Conflict):
        promise(session, company, 100_00)  # the whole balance takes the promised one in
    assert count(session, Promise) == 1
    promise(session, company, 100_00, invoices=[second.number])  # the other one is free


def test_a_whole_balance_promise_leaves_no_invoice_free(session: Session) -> None:
    company, _customer, first, _second = world(session)
    promise(session, company, 100_00)
    with pytest.raises(Conflict, match="whole balance"):
        promise(session, company, 100_00, invoices=[first.number])


def test_an_unknown_invoice_or_another_companys_customer_writes_nothing(session: Session) -> None:
    company, *_ = world(session)
    other = make_company(session)
    theirs = make_customer(session, other, "THEIRS")
    their_invoice = make_invoice(session, other, theirs, 100_00)
    with pytest.raises(NotFound):
        promise(session, company, 100_00, invoices=["NO-SUCH"])
    with pytest.raises(NotFound):
        promise(session, company, 100_00, invoices=[their_invoice.number])
    with pytest.raises(NotFound):
        service.make_promise(session, company, "THEIRS", 100_00, None, BY, ON, "web")
    assert (count(session, Promise), count(session, Hold)) == (0, 0)


def test_a_settled_invoice_or_an_unknown_source_is_refused(session: Session) -> None:
    company, customer, first, _second = world(session)
    make_payment(session, company, customer, 300_00, ON, invoices=(first.number,))
    with pytest.raises(Invalid, match="nothing open"):
        promise(session, company, 100_00, invoices=[first.number])
    with pytest.raises(Invalid) as caught:
        promise(session, company, 100_00, source="fax")
    assert caught.value.field == "source"


# ---- the review ---------------------------------------------------------------------------------


def test_paid_in_full_early_keeps_it_and_ends_its_holds_that_day(session: Session) -> None:
    company, customer, first, _second = world(session)
    made = promise(session, company, 300_00, invoices=[first.number])
    make_payment(session, company, customer, 300_00, ON + timedelta(days=2), (first.number,))
    assert service.review_promises(session, company, ON + timedelta(days=1)).kept == 0
    review = service.review_promises(session, company, ON + timedelta(days=2))
    assert (review.kept, review.broken, review.cancelled) == (1, 0, 0)
    assert (made.status, made.paid, made.resolved_on) == ("kept", 300_00, ON + timedelta(days=2))
    assert [h.released_on for h in holds_of(session, made)] == [ON + timedelta(days=2)]
    assert tasks(session, company) == []


def test_paid_on_the_last_grace_day_is_kept(session: Session) -> None:
    company, customer, _first, _second = world(session)
    made = promise(session, company, 200_00)  # the whole balance
    last = BY + timedelta(days=3)
    make_payment(session, company, customer, 200_00, last, apply_oldest=True)
    assert service.review_promises(session, company, last).kept == 1
    assert made.status == "kept"


def test_money_paid_before_the_promise_does_not_count(session: Session) -> None:
    company, customer, first, _second = world(session)
    make_payment(session, company, customer, 100_00, ON - timedelta(days=1), (first.number,))
    made = promise(session, company, 200_00, invoices=[first.number])
    make_payment(session, company, customer, 100_00, ON + timedelta(days=1), (first.number,))
    service.review_promises(session, company, ON + timedelta(days=1))
    assert (made.status, made.paid) == ("open", 100_00)


def test_unpaid_past_the_grace_is_broken_once_with_a_call_task_and_webhook(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")  # the subscription's local address
    company, _customer, first, _second = world(session)
    subscribe(
        session,
        company.id,
        "http://127.0.0.1:9/hook",
        ["promise.broken"],
        actor_id=None,
        now=NOW,
    )
    made = promise(session, company, 300_00, invoices=[first.number])
    assert service.review_promises(session, company, BY + timedelta(days=3)).broken == 0
    broken_on = BY + timedelta(days=4)
    review = service.review_promises(session, company, broken_on)
    assert review.broken == 1
    assert made.status == "broken"
    assert made.resolved_on == broken_on
    [task] = tasks(session, company)
    assert task.kind == "call"
    assert task.title.startswith("Promise broken: Acme S.L.")
    assert task.assignee == "ana"
    assert task.due_on == broken_on
    [event] = session.scalars(select(Delivery).where(Delivery.event == "promise.broken"))
    assert event.event_key == f"promise-{made.id}-broken"
    # the hold had run out already: it is left as it ended
    assert [h.released_on for h in holds_of(session, made)] == [None]
    again = service.review_promises(session, company, broken_on + timedelta(days=1))
    assert again == service.PromiseReview()
    assert len(tasks(session, company)) == 1


def test_a_credit_note_settling_the_invoices_cancels_the_promise(session: Session) -> None:
    company, _customer, first, _second = world(session)
    made = promise(session, company, 300_00, invoices=[first.number])
    add_credit_note(session, company, first, "CN-1", ON + timedelta(days=1), 300_00)
    review = service.review_promises(session, company, ON + timedelta(days=1))
    assert (review.cancelled, made.status) == (1, "cancelled")
    assert [h.released_on for h in holds_of(session, made)] == [ON + timedelta(days=1)]
    assert tasks(session, company) == []


def test_cancelling_releases_its_holds_and_cannot_be_done_twice(session: Session) -> None:
    company, customer, *_ = world(session)
    made = promise(session, company, 300_00)
    service.cancel_promise(session, company, made.id, ON + timedelta(days=1), now=NOW)
    assert made.status == "cancelled"
    assert customer_holds(session, customer.id, ON + timedelta(days=1)) == set()
    with pytest.raises(Conflict):
        service.cancel_promise(session, company, made.id, ON + timedelta(days=1))
    with pytest.raises(NotFound):
        service.cancel_promise(session, make_company(session), made.id, ON)


# ---- kept rates, listing, settings --------------------------------------------------------------


def test_kept_rates_by_collector_and_by_customer(session: Session) -> None:
    company, customer, first, second = world(session)
    bob = make_customer(session, company, "BOB", collector="bob")
    bob_invoice = make_invoice(session, company, bob, 100_00)
    kept = promise(session, company, 300_00, invoices=[first.number])
    promise(session, company, 200_00, invoices=[second.number])  # broken below
    service.make_promise(session, company, "BOB", 50_00, None, BY, ON, "call", [bob_invoice.number])
    make_payment(session, company, customer, 300_00, ON + timedelta(days=1), (first.number,))
    service.review_promises(session, company, ON + timedelta(days=1))
    service.review_promises(session, company, BY + timedelta(days=4))
    assert kept.status == "kept"
    rates = queries.kept_rates(session, company.id, ON, ON, by="collector")
    assert [(t.key, t.made, t.kept, t.broken, t.rate) for t in rates] == [
        ("ana", 2, 1, 1, 0.5),
        ("bob", 1, 0, 1, 0.0),
    ]
    by_customer = queries.kept_rates(session, company.id, ON, ON)
    assert [t.key for t in by_customer] == ["ACME", "BOB"]
    assert queries.kept_rates(session, company.id, ON + timedelta(days=1), BY) == []


def test_the_list_filters_by_status_and_customer(session: Session) -> None:
    company, _customer, first, second = world(session)
    one = promise(session, company, 100_00, invoices=[first.number, second.number])
    page = queries.promises_page(session, company.id, PageRequest(), status="open")
    assert [row.id for row in page.items] == [one.id]
    assert page.items[0].invoices == tuple(sorted([first.number, second.number]))
    assert queries.promises_page(session, company.id, PageRequest(), status="kept").items == []
    assert queries.promises_page(session, company.id, PageRequest(), customer="X").items == []
    with pytest.raises(Invalid):
        queries.promises_page(session, company.id, PageRequest(), status="late")


def test_settings_change_and_new_promises_use_them(session: Session) -> None:
    company, *_ = world(session)
    change_settings(session, company, 0, 10)
    with pytest.raises(Invalid) as caught:
        promise(session, company, 100_00, ON + timedelta(days=11))
    assert caught.value.field == "due_on"
    made = promise(session, company, 100_00, ON + timedelta(days=10))
    assert holds_of(session, made)[0].ends_on == ON + timedelta(days=10)
    with pytest.raises(Invalid):
        change_settings(session, company, -1, None)
