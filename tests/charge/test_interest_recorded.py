"""Statutory interest and the fixed compensation recorded per invoice against a real database:
at the stage that claims them, as increments, and up to the day a claimed invoice is paid."""

from __future__ import annotations

from sqlalchemy import select

from cobro.charge.interest import settled_interest
from cobro.charge.models import Charge
from cobro.charge.service import Item, record_stage_charges
from cobro.charge.store import Recorded, Terms, add, charges_off, new_charge
from cobro.policy.rules import ActionKind
from tests.charge.conftest import Books, on
from tests.factories.ledger import make_customer, make_invoice, make_payment


def charges(books: Books, kind: str) -> list[Charge]:
    return list(
        books.session.scalars(select(Charge).where(Charge.kind == kind).order_by(Charge.id))
    )


def claim(books: Books, items: list[Item], day: str) -> Recorded:
    return record_stage_charges(
        books.session, books.company, books.policies, books.customer, items, on(day)
    )


def test_the_demand_claims_the_interest_so_far_and_the_fixed_compensation(books: Books) -> None:
    """S1, claimed at +30: 30 days at 12.50 % on 10,000.00, and €40."""
    invoice = make_invoice(
        books.session, books.company, books.customer, 10_000_00, on("2024-02-14"), on("2024-03-15")
    )
    recorded = claim(books, [books.at(invoice, "demand")], "2024-04-14")
    (interest,) = charges(books, "interest")
    (compensation,) = charges(books, "compensation")
    assert interest.amount == 102_74
    assert (interest.accrued_from, interest.accrued_to) == (on("2024-03-16"), on("2024-04-14"))
    assert interest.detail["stretches"] == [
        {
            "first": "2024-03-16",
            "last": "2024-04-14",
            "days": 30,
            "rate": "12.50",
            "year_days": 365,
            "interest": "10273.9726",
            "base": 10_000_00,
        }
    ]
    assert compensation.amount == 40_00
    assert interest.mode == compensation.mode == "claim"
    for row in (interest, compensation):  # what claimed them, on the rows as inserted
        assert (row.policy_id, row.stage) == (books.policy_id, "demand")
    assert recorded.problems == []
    # the other actions of the stage, or a retry, record nothing twice
    claim(books, [books.at(invoice, "demand")], "2024-04-14")
    assert len(charges(books, "interest")) == len(charges(books, "compensation")) == 1


def test_paying_the_principal_does_not_lose_the_interest_accrued_to_the_payment(
    books: Books,
) -> None:
    """S1 paid on 14 May: the interest to that day is recorded at the next cycle, 205.48 in all."""
    invoice = make_invoice(
        books.session, books.company, books.customer, 10_000_00, on("2024-02-14"), on("2024-03-15")
    )
    claim(books, [books.at(invoice, "demand")], "2024-04-14")
    make_payment(
        books.session, books.company, books.customer, 10_000_00, on("2024-05-14"), (invoice.number,)
    )
    assert invoice.settled_on == on("2024-05-14")
    (added,) = settled_interest(books.session, books.company, on("2024-05-15"))
    assert added.amount == 102_74
    assert (added.accrued_from, added.accrued_to) == (on("2024-04-15"), on("2024-05-14"))
    assert sum(c.amount for c in charges(books, "interest")) == 205_48
    assert settled_interest(books.session, books.company, on("2024-05-16")) == []


def test_a_part_payment_lowers_the_base_from_the_next_day(books: Books) -> None:
    invoice = make_invoice(
        books.session, books.company, books.customer, 10_000_00, on("2024-02-14"), on("2024-03-15")
    )
    make_payment(
        books.session, books.company, books.customer, 5_000_00, on("2024-04-14"), (invoice.number,)
    )
    claim(books, [books.at(invoice, "demand")], "2024-05-14")
    (interest,) = charges(books, "interest")
    # 30 days on 10,000.00 (102.7397) and 30 days on 5,000.00 (51.3699), rounded once
    assert interest.amount == 154_11
    assert [s["base"] for s in interest.detail["stretches"]] == [10_000_00, 5_000_00]
    assert interest.detail["payments"] == [
        {"on": "2024-04-14", "amount": 5_000_00, "accrued": 102_74}
    ]


def test_a_consumer_owes_the_legal_rate_and_no_fixed_compensation(books: Books) -> None:
    person = make_customer(books.session, books.company, "ANA", name="Ana Gil", kind="consumer")
    invoice = make_invoice(
        books.session, books.company, person, 10_000_00, on("2024-02-14"), on("2024-03-15")
    )
    record_stage_charges(
        books.session,
        books.company,
        books.policies,
        person,
        [books.at(invoice, "demand")],
        on("2024-04-14"),
    )
    (interest,) = charges(books, "interest")
    assert interest.amount == 26_71  # interés legal 2024: 3.25 % × 30/365 on 10,000.00
    assert charges(books, "compensation") == []


def test_a_day_without_a_published_rate_is_said_and_nothing_is_guessed(books: Books) -> None:
    invoice = make_invoice(
        books.session, books.company, books.customer, 1_000_00, on("2026-05-01"), on("2026-06-01")
    )
    recorded = claim(books, [books.at(invoice, "demand")], "2026-07-15")
    assert charges(books, "interest") == []
    (problem,) = recorded.problems_of(ActionKind.INTEREST_CLAIM)
    assert invoice.number in problem
    assert "2026-07" in problem


def test_without_a_jurisdiction_no_interest_is_claimed_and_the_action_says_why(
    books: Books,
) -> None:
    books.company.jurisdiction = None
    invoice = make_invoice(
        books.session, books.company, books.customer, 1_000_00, on("2024-02-14"), on("2024-03-15")
    )
    claim(books, [books.at(invoice, "demand")], "2024-04-14")
    assert charges(books, "interest") == []
    why = charges_off(books.company, ActionKind.INTEREST_CLAIM)
    assert why is not None
    assert "jurisdiction" in why
    assert charges_off(books.company, ActionKind.FEE) is None
    books.company.charge_mode = "off"
    assert "off" in (charges_off(books.company, ActionKind.FEE) or "")


def test_the_fixed_compensation_is_claimed_once_per_invoice(books: Books) -> None:
    """S6: three invoices claimed together: three times €40; claimed again: nothing more."""
    invoices = [
        make_invoice(
            books.session, books.company, books.customer, 500_00, on("2024-02-14"), on("2024-03-15")
        )
        for _ in range(3)
    ]
    items = [books.at(invoice, "demand") for invoice in invoices]
    claim(books, items, "2024-04-14")
    claim(books, items, "2024-05-14")
    assert sum(c.amount for c in charges(books, "compensation")) == 120_00
    assert len(charges(books, "interest")) == 6  # two increments per invoice


def test_a_compensation_in_another_currency_is_said_and_the_interest_still_claimed(
    books: Books,
) -> None:
    invoice = make_invoice(
        books.session,
        books.company,
        books.customer,
        1_000_00,
        on("2024-02-14"),
        on("2024-03-15"),
        currency="USD",
    )
    recorded = claim(books, [books.at(invoice, "demand")], "2024-04-14")
    (interest,) = charges(books, "interest")
    assert (interest.amount, interest.currency) == (10_27, "USD")
    assert charges(books, "compensation") == []
    (problem,) = recorded.problems_of(ActionKind.INTEREST_CLAIM)
    assert "set in EUR" in problem
    assert recorded.charges == [interest]


def test_a_key_recorded_meanwhile_by_another_worker_adds_nothing(books: Books) -> None:
    invoice = make_invoice(books.session, books.company, books.customer, 1_000_00)
    terms = Terms.of(books.company)
    owner = (books.company, books.customer, invoice)

    def fee() -> Charge:
        return new_charge(terms, owner, "fee:race", "fee", (5_00, "EUR"), on("2026-03-01"), "", {})

    assert add(books.session, fee()) is not None
    assert add(books.session, fee()) is None  # the unique key; the session goes on
    assert len(charges(books, "fee")) == 1
