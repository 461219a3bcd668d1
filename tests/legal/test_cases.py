"""Legal cases: one open per customer, claiming what is open; moved forward stage by stage or
closed, each move a step and an audit event; another company's case is not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cobro.audit.actor import Actor
from cobro.audit.models import AuditEvent
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.pagination import PageRequest
from cobro.legal.cases import CaseIn, case_detail, cases_page, move_case, open_case
from cobro.legal.models import CaseStep
from tests.factories.ledger import make_customer, make_payment
from tests.legal.conftest import NOW, ON, Books

ANA = Actor(name="ana@example.com")


def audit(books: Books, case_id: int) -> list[str]:
    return list(
        books.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "legal_case", AuditEvent.entity_id == str(case_id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_case_claims_what_is_open_and_starts_at_the_pre_legal_demand(books: Books) -> None:
    make_payment(books.session, books.company, books.customer, 200_00,
                 invoices=("F-2026/001",))  # fmt: skip
    details = CaseIn(court="Juzgado de Primera Instancia nº 3 de Madrid", lawyer="L. Gómez",
                     guarantees="  Personal guarantee of the director  ")  # fmt: skip
    case = open_case(books.session, books.company, "ACME", ON, details, ANA, NOW)
    assert (case.stage, case.opened_on, case.amount, case.currency) == (
        "pre_legal",
        ON,
        1300_00,
        "EUR",
    )
    assert case.guarantees == "Personal guarantee of the director"
    row = case_detail(books.session, books.company.id, case.id)
    assert [(s.stage, s.reached_on, s.by) for s in row.steps] == [
        ("pre_legal", ON, "ana@example.com")
    ]
    assert (row.customer, row.customer_name) == ("ACME", "Acme Distribución S.L.")
    assert audit(books, case.id) == ["legal_case.opened"]


def test_one_open_case_per_customer_and_a_new_one_once_closed(books: Books) -> None:
    case = open_case(books.session, books.company, "ACME", ON)
    with pytest.raises(Conflict, match=f"open legal case \\({case.id}\\)"):
        open_case(books.session, books.company, "ACME", ON)
    move_case(books.session, books.company, case.id, "closed", ON, "settled out of court")
    again = open_case(books.session, books.company, "ACME", ON + timedelta(days=1))
    assert again.id != case.id


def test_a_customer_who_owes_nothing_has_no_case(books: Books) -> None:
    quiet = make_customer(books.session, books.company, "QUIET")
    with pytest.raises(Invalid, match="owes nothing") as refused:
        open_case(books.session, books.company, quiet.external_id, ON)
    assert refused.value.field == "customer"
    with pytest.raises(NotFound):
        open_case(books.session, books.company, "NOBODY", ON)


def test_a_case_moves_forward_through_its_stages_each_step_kept(books: Books) -> None:
    case = open_case(books.session, books.company, "ACME", ON)
    later = [ON + timedelta(days=n) for n in (10, 60, 90, 200)]
    for stage, day in zip(("claim_filed", "judgment", "enforcement", "closed"), later, strict=True):
        move_case(books.session, books.company, case.id, stage, day, f"to {stage}", ANA, NOW)
    assert (case.stage, case.closed_on) == ("closed", later[-1])
    steps = books.session.scalars(
        select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)
    ).all()
    assert [(s.stage, s.reached_on) for s in steps] == [
        ("pre_legal", ON),
        ("claim_filed", later[0]),
        ("judgment", later[1]),
        ("enforcement", later[2]),
        ("closed", later[3]),
    ]
    assert steps[1].note == "to claim_filed"
    assert audit(books, case.id) == ["legal_case.opened"] + ["legal_case.moved"] * 4
    with pytest.raises(Conflict):
        move_case(books.session, books.company, case.id, "closed", later[-1])


def test_a_move_out_of_order_or_before_the_case_is_refused(books: Books) -> None:
    case = open_case(books.session, books.company, "ACME", ON)
    with pytest.raises(Invalid, match="next stage is claim_filed"):
        move_case(books.session, books.company, case.id, "judgment", ON)
    with pytest.raises(Invalid) as refused:
        move_case(books.session, books.company, case.id, "claim_filed", ON - timedelta(days=1))
    assert refused.value.field == "on"
    assert case.stage == "pre_legal"


def test_another_company_s_case_is_not_found(books: Books) -> None:
    theirs = open_case(books.session, books.other_company, "OTHER", ON)
    with pytest.raises(NotFound):
        move_case(books.session, books.company, theirs.id, "closed", ON)
    with pytest.raises(NotFound):
        case_detail(books.session, books.company.id, theirs.id)
    mine = open_case(books.session, books.company, "ACME", ON)
    page = cases_page(books.session, books.company.id, PageRequest())
    assert [row.id for row in page.items] == [mine.id]
    assert cases_page(books.session, books.company.id, PageRequest(), stage="closed").items == []
