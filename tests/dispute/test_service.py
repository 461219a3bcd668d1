"""Disputes against the real migrated database: what opening one holds and raises, what is
refused with nothing written, and what each resolution credits and releases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.audit.models import AuditEvent
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.rules import ContactIn
from cobro.cycle.service import run_cycle
from cobro.dispute.manage import reassign, set_dispute_days
from cobro.dispute.models import Dispute, DisputeEvidence, DisputeItem
from cobro.dispute.queries import DisputeFilter, dispute_detail, disputes_page
from cobro.dispute.resolve import resolve_dispute
from cobro.dispute.service import EvidenceIn, ItemIn, add_evidence, get_evidence, open_dispute
from cobro.errors import CobroError, Conflict, Invalid, NotFound
from cobro.invoice.models import CreditNote, Invoice
from cobro.kit.pagination import PageRequest
from cobro.policy.holds import active_holds
from cobro.policy.models import ChaseStep, Hold
from cobro.task.models import Task
from cobro.validation.models import ValidationDispute
from cobro.validation.rules import Itemization
from cobro.validation.service import send_notice, verification_sent
from tests.factories.ledger import make_company, make_customer, make_invoice

ON = date(2026, 3, 10)
PDF = b"%PDF-1.4\nthe delivery note\n"


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


@pytest.fixture
def customer(session: Session, company: Company) -> Customer:
    customer = make_customer(session, company, "ACME", name="Acme S.L.")
    customer.collector = "ana@example.com"
    return customer


def invoice(
    session: Session, company: Company, customer: Customer, number: str, total: int = 1000_00
) -> Invoice:
    return make_invoice(
        session, company, customer, total, date(2026, 1, 1), date(2026, 1, 31), number
    )


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_whole_dispute_holds_the_invoice_raises_a_review_and_is_audited(
    session: Session, company: Company, customer: Customer
) -> None:
    f1 = invoice(session, company, customer, "F-1")
    dispute = open_dispute(
        session,
        company,
        "ACME",
        [ItemIn("F-1")],
        "quality",
        "Arrived broken",
        ON,
        "call",
        by=Actor(name="bob@example.com"),
        evidence=[EvidenceIn("albarán.pdf", PDF)],
    )
    assert (dispute.status, dispute.owner, dispute.due_on) == (
        "open",
        "ana@example.com",
        date(2026, 3, 24),
    )
    item = session.scalars(select(DisputeItem)).one()
    assert (item.invoice_id, item.amount, item.credited) == (f1.id, 1000_00, 0)
    hold = session.scalars(select(Hold).where(Hold.dispute_id == dispute.id)).one()
    assert (hold.kind, hold.invoice_id, hold.amount, hold.starts_on, hold.ends_on) == (
        "dispute",
        f1.id,
        None,
        ON,
        None,
    )
    assert active_holds(session, company.id, ON).invoices == {f1.id: "dispute"}
    task = session.scalars(select(Task)).one()
    assert (task.kind, task.assignee, task.due_on, task.status) == (
        "review",
        "ana@example.com",
        date(2026, 3, 24),
        "open",
    )
    evidence = session.scalars(select(DisputeEvidence)).one()
    assert (evidence.filename, evidence.content_type, evidence.content) == (
        "albarán.pdf",
        "application/pdf",
        PDF,
    )
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "dispute")
    ).all() == ["dispute.opened"]


def test_a_partial_dispute_holds_its_part_and_the_cycle_chases_the_rest(
    session: Session, company: Company, customer: Customer
) -> None:
    f1 = invoice(session, company, customer, "F-1")
    open_dispute(
        session, company, "ACME", [ItemIn("F-1", 300_00)], "price", "Wrong price", ON, "web"
    )
    assert active_holds(session, company.id, ON).parts == {f1.id: (300_00, "dispute")}
    run_cycle(session, company, ON)
    step = session.scalars(select(ChaseStep).where(ChaseStep.invoice_id == f1.id)).first()
    assert step is not None
    assert step.open_amount == 700_00


def test_one_dispute_may_name_several_invoices(
    session: Session, company: Company, customer: Customer
) -> None:
    f1, f2 = (
        invoice(session, company, customer, "F-1"),
        invoice(session, company, customer, "F-2", 50_00),
    )
    dispute = open_dispute(
        session,
        company,
        "ACME",
        [ItemIn("F-1", 100_00), ItemIn("F-2")],
        "duplicate",
        "Billed twice",
        ON,
        "api",
        owner="carla",
        due_on=date(2026, 3, 12),
    )
    assert (dispute.owner, dispute.due_on) == ("carla", date(2026, 3, 12))
    row = dispute_detail(session, company.id, dispute.id, ON)
    assert [(i.invoice, i.amount) for i in row.items] == [("F-1", 100_00), ("F-2", 50_00)]
    assert row.amount == 150_00
    assert active_holds(session, company.id, ON).parts == {f1.id: (100_00, "dispute")}
    assert active_holds(session, company.id, ON).invoices == {f2.id: "dispute"}


@pytest.mark.parametrize(
    ("items", "error", "field"),
    [
        ([ItemIn("F-1", 1000_01)], Invalid, "items"),
        ([ItemIn("F-1", 0)], Invalid, "items"),
        ([ItemIn("F-9")], NotFound, "items"),
        ([ItemIn("THEIRS")], Invalid, "items"),
        ([ItemIn("F-1"), ItemIn("F-1")], Invalid, "items"),
        ([], Invalid, "items"),
    ],
)
def test_a_refused_dispute_writes_nothing(
    session: Session,
    company: Company,
    customer: Customer,
    items: list[ItemIn],
    error: type[CobroError],
    field: str,
) -> None:
    invoice(session, company, customer, "F-1")
    other = make_customer(session, company, "OTHER")
    invoice(session, company, other, "THEIRS")
    before = [count(session, m) for m in (Dispute, DisputeItem, Hold, Task, AuditEvent)]
    with pytest.raises(error) as refused:
        open_dispute(session, company, "ACME", items, "price", "why", ON, "web")
    assert refused.value.field == field
    assert [count(session, m) for m in (Dispute, DisputeItem, Hold, Task, AuditEvent)] == before


@pytest.mark.parametrize(
    ("reason", "text", "files", "field"),
    [
        ("nonsense", "why", [], "reason"),
        ("price", " ", [], "description"),
        ("price", "why", [EvidenceIn("virus.pdf", b"MZ\x90\x00")], "evidence"),
        ("price", "why", [EvidenceIn("big.pdf", PDF + b"0" * (5 * 1024 * 1024))], "evidence"),
    ],
)
def test_a_bad_reason_text_or_file_is_refused_before_anything_is_written(
    session: Session,
    company: Company,
    customer: Customer,
    reason: str,
    text: str,
    files: list[EvidenceIn],
    field: str,
) -> None:
    invoice(session, company, customer, "F-1")
    with pytest.raises(Invalid) as refused:
        open_dispute(
            session, company, "ACME", [ItemIn("F-1")], reason, text, ON, "web", evidence=files
        )
    assert refused.value.field == field
    assert count(session, Dispute) == count(session, Hold) == count(session, DisputeEvidence) == 0


def test_an_invoice_already_in_an_open_dispute_is_a_conflict(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice(session, company, customer, "F-1")
    first = open_dispute(session, company, "ACME", [ItemIn("F-1", 10_00)], "price", "a", ON, "web")
    with pytest.raises(Conflict, match=f"open dispute {first.id}"):
        open_dispute(session, company, "ACME", [ItemIn("F-1", 10_00)], "price", "b", ON, "web")
    assert count(session, Dispute) == 1
    resolve_dispute(session, company, first.id, "reject", ON)
    open_dispute(session, company, "ACME", [ItemIn("F-1", 10_00)], "price", "b", ON, "web")


def test_a_full_credit_credits_each_invoice_releases_the_holds_and_closes_the_task(
    session: Session, company: Company, customer: Customer
) -> None:
    f1, f2 = (
        invoice(session, company, customer, "F-1"),
        invoice(session, company, customer, "F-2", 50_00),
    )
    dispute = open_dispute(
        session, company, "ACME", [ItemIn("F-1", 100_00), ItemIn("F-2")], "price", "x", ON, "web"
    )
    resolved = resolve_dispute(
        session, company, dispute.id, "credit", date(2026, 3, 20), note="agreed"
    )
    assert (resolved.status, resolved.resolved_on) == ("credited", date(2026, 3, 20))
    assert (
        resolved.resolution == f"Credited in full (CN-D{dispute.id}-1, CN-D{dispute.id}-2). agreed"
    )
    notes = session.scalars(select(CreditNote).order_by(CreditNote.number)).all()
    assert [(n.number, n.amount, n.invoice_id) for n in notes] == [
        (f"CN-D{dispute.id}-1", 100_00, f1.id),
        (f"CN-D{dispute.id}-2", 50_00, f2.id),
    ]
    assert (f1.open_amount, f2.open_amount, f2.settled_on) == (900_00, 0, date(2026, 3, 20))
    items = session.scalars(select(DisputeItem).order_by(DisputeItem.invoice_id)).all()
    assert [(i.credited, i.credit_note_id) for i in items] == [(n.amount, n.id) for n in notes]
    assert {h.released_on for h in session.scalars(select(Hold))} == {date(2026, 3, 20)}
    task = session.scalars(select(Task)).one()
    assert (task.status, task.outcome) == ("done", resolved.resolution)
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["invoice.credited", "invoice.credited", "dispute.resolved"]


def test_a_credit_takes_no_more_than_is_still_open(
    session: Session, company: Company, customer: Customer
) -> None:
    f1 = invoice(session, company, customer, "F-1", 100_00)
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "price", "x", ON, "web")
    f1.open_amount = 40_00  # paid in part meanwhile
    resolve_dispute(session, company, dispute.id, "credit", ON)
    assert session.scalars(select(CreditNote.amount)).one() == 40_00


def test_a_partial_credit_credits_the_amounts_given(
    session: Session, company: Company, customer: Customer
) -> None:
    f1 = invoice(session, company, customer, "F-1")
    dispute = open_dispute(
        session, company, "ACME", [ItemIn("F-1", 300_00)], "price", "x", ON, "web"
    )
    with pytest.raises(Invalid, match="more than") as refused:
        resolve_dispute(session, company, dispute.id, "partial", ON, credits={"F-1": 300_01})
    assert refused.value.field == "credits"
    assert dispute.status == "open"
    assert count(session, CreditNote) == 0
    resolved = resolve_dispute(session, company, dispute.id, "partial", ON, credits={"F-1": 120_00})
    assert resolved.status == "partly_credited"
    assert f1.open_amount == 880_00
    assert session.scalars(select(DisputeItem.credited)).one() == 120_00
    assert active_holds(session, company.id, ON).parts == {}


def test_a_rejected_dispute_releases_its_holds_and_credits_nothing(
    session: Session, company: Company, customer: Customer
) -> None:
    f1 = invoice(session, company, customer, "F-1")
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "quality", "x", ON, "web")
    resolve_dispute(
        session, company, dispute.id, "reject", date(2026, 3, 11), note="photos show no damage"
    )
    assert dispute.status == "rejected"
    assert f1.open_amount == 1000_00
    assert count(session, CreditNote) == 0
    assert active_holds(session, company.id, date(2026, 3, 11)).invoices == {}
    with pytest.raises(Conflict, match="already rejected"):
        resolve_dispute(session, company, dispute.id, "credit", date(2026, 3, 11))


def test_a_withdrawn_dispute_is_withdrawn(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice(session, company, customer, "F-1")
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "other", "x", ON, "portal")
    resolve_dispute(session, company, dispute.id, "withdraw", ON)
    assert dispute.status == "withdrawn"
    assert session.scalars(select(Task.status)).one() == "done"


def test_credits_go_with_a_partial_credit_only(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice(session, company, customer, "F-1")
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "other", "x", ON, "web")
    with pytest.raises(Invalid) as refused:
        resolve_dispute(session, company, dispute.id, "reject", ON, credits={"F-1": 1_00})
    assert refused.value.field == "credits"


def test_another_companys_dispute_is_not_found(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice(session, company, customer, "F-1")
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "other", "x", ON, "web")
    other = make_company(session)
    with pytest.raises(NotFound):
        resolve_dispute(session, other, dispute.id, "credit", ON)
    with pytest.raises(NotFound):
        add_evidence(session, other, dispute.id, "a.txt", b"hello")


def test_evidence_is_added_up_to_ten_and_read_back(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice(session, company, customer, "F-1")
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "other", "x", ON, "web")
    rows = [
        add_evidence(session, company, dispute.id, f"n{i}.txt", b"note %d" % i) for i in range(10)
    ]
    with pytest.raises(Invalid, match="10 evidence files"):
        add_evidence(session, company, dispute.id, "n11.txt", b"one too many")
    assert get_evidence(session, company, dispute.id, rows[3].id).content == b"note 3"
    with pytest.raises(NotFound):
        get_evidence(session, company, dispute.id + 1000, rows[3].id)


def test_reassigning_moves_the_owner_and_due_date_and_the_review_task(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice(session, company, customer, "F-1")
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "other", "x", ON, "web")
    reassign(session, company, dispute.id, owner="luis", due_on=date(2026, 4, 1))
    task = session.scalars(select(Task)).one()
    assert (dispute.owner, dispute.due_on, task.assignee, task.due_on) == (
        "luis",
        date(2026, 4, 1),
        "luis",
        date(2026, 4, 1),
    )


def test_the_company_sets_its_days_to_resolve(
    session: Session, company: Company, customer: Customer
) -> None:
    set_dispute_days(session, company, 30)
    invoice(session, company, customer, "F-1")
    dispute = open_dispute(session, company, "ACME", [ItemIn("F-1")], "other", "x", ON, "web")
    assert dispute.due_on == date(2026, 4, 9)
    with pytest.raises(Invalid):
        set_dispute_days(session, company, 0)


def test_the_list_filters_by_status_customer_owner_and_overdue(
    session: Session, company: Company, customer: Customer
) -> None:
    invoice(session, company, customer, "F-1")
    invoice(session, company, customer, "F-2")
    late = open_dispute(
        session,
        company,
        "ACME",
        [ItemIn("F-1")],
        "other",
        "x",
        date(2026, 1, 1),
        "web",
        owner="ana",
    )
    done = open_dispute(
        session, company, "ACME", [ItemIn("F-2")], "other", "y", ON, "web", owner="bo"
    )
    resolve_dispute(session, company, done.id, "reject", ON)

    def ids(**where: object) -> list[int]:
        page = disputes_page(session, company.id, PageRequest(), ON, DisputeFilter(**where))  # type: ignore[arg-type]
        return [row.id for row in page.items]

    assert ids() == [done.id, late.id]
    assert ids(status="open") == [late.id]
    assert ids(owner="bo") == [done.id]
    assert ids(overdue=True) == [late.id]
    assert ids(overdue=False) == [done.id]
    assert ids(customer="NOBODY") == []


# ---- Regulation F -------------------------------------------------------------------------------

SENT = date(2025, 11, 3)  # the validation period ends 2025-12-10
ITEM = Itemization.of("charge_off", date(2025, 6, 30), 2234_56, 75_00, 25_00, 50_00)


def us_consumer(session: Session) -> tuple[Company, Customer]:
    company = make_company(session, country="US", currency="USD")
    address = ContactIn(
        street="Main St",
        building_number="123",
        postal_code="62701",
        city="Springfield",
        region="IL",
        country="US",
    )
    consumer = make_customer(
        session, company, "J-1", name="Jane Doe", kind="consumer", country="US", contact=address
    )
    make_invoice(session, company, consumer, 2284_56, date(2025, 6, 1), date(2025, 6, 30), "US-1")
    return company, consumer


def test_a_us_consumer_inside_the_validation_period_gets_the_validation_dispute_too(
    session: Session,
) -> None:
    company, consumer = us_consumer(session)
    send_notice(session, company, consumer, SENT, ITEM)
    on = date(2025, 12, 1)
    dispute = open_dispute(
        session, company, "J-1", [ItemIn("US-1", 100_00)], "price", "not mine", on, "portal"
    )
    linked = session.get_one(ValidationDispute, dispute.validation_dispute_id)
    assert (linked.received_on, linked.amount, linked.timely) == (on, 100_00, True)
    # resolving ours keeps the law's hold: the whole invoice, until the verification is sent
    resolve_dispute(session, company, dispute.id, "reject", date(2025, 12, 2))
    holds = active_holds(session, company.id, date(2025, 12, 3))
    assert holds.invoices == {dispute_invoice(session, "US-1"): "dispute"}
    verification_sent(session, company, linked.id, date(2025, 12, 5))
    assert active_holds(session, company.id, date(2025, 12, 6)).invoices == {}


def dispute_invoice(session: Session, number: str) -> int:
    return session.scalars(select(Invoice.id).where(Invoice.number == number)).one()


def test_a_us_consumer_after_the_validation_period_gets_no_validation_dispute(
    session: Session,
) -> None:
    company, consumer = us_consumer(session)
    send_notice(session, company, consumer, SENT, ITEM)
    dispute = open_dispute(
        session, company, "J-1", [ItemIn("US-1")], "price", "late", date(2025, 12, 11), "web"
    )
    assert dispute.validation_dispute_id is None
    assert count(session, ValidationDispute) == 0
