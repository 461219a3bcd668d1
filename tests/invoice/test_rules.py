"""The arithmetic of an invoice's life. No database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from cobro.errors import Invalid
from cobro.invoice.rules import (
    InvoiceIn,
    check_payment_reference,
    check_reduction,
    days_late,
    days_past_due,
    days_to_settle,
    open_amount,
    payment_reference,
    prepare_invoice,
)
from cobro.terms.rules import parse_terms

ISSUED = date(2026, 1, 15)
INVOICE = InvoiceIn(number="F-1", customer="C1", issue_date=ISSUED, total=121_00, currency="EUR")


def test_the_open_amount_is_the_total_less_every_reduction() -> None:
    assert open_amount(100_00, 30_00, 20_00, 10_00) == 40_00
    assert open_amount(100_00, 0, 0, 0) == 100_00
    assert open_amount(100_00, 60_00, 40_00, 0) == 0


def test_reductions_beyond_the_total_are_an_error_never_a_silent_zero() -> None:
    with pytest.raises(Invalid, match=r"reductions \(101\) exceed the invoice total \(100\)"):
        open_amount(100, 50, 50, 1)


def test_a_reduction_must_be_positive_and_fit_in_the_open_amount() -> None:
    check_reduction(50, 50, "payment")
    check_reduction(50, 1, "payment")
    with pytest.raises(Invalid, match="payment must be positive, got 0"):
        check_reduction(50, 0, "payment")
    with pytest.raises(Invalid, match="must be positive, got -5"):
        check_reduction(50, -5, "payment")
    with pytest.raises(Invalid, match="credit note of 51 exceeds the open amount 50"):
        check_reduction(50, 51, "credit note")


def test_days_to_settle_counts_from_issue() -> None:
    assert days_to_settle(ISSUED, ISSUED) == 0
    assert days_to_settle(ISSUED, date(2026, 2, 14)) == 30


def test_paid_on_the_due_date_is_not_late_and_the_day_after_is_one_day_late() -> None:
    due = date(2026, 2, 14)
    assert days_late(due, date(2026, 2, 1)) == 0
    assert days_late(due, due) == 0
    assert days_late(due, date(2026, 2, 15)) == 1
    assert days_late(due, date(2026, 3, 16)) == 30


def test_days_past_due_are_negative_before_the_due_date() -> None:
    due = date(2026, 2, 14)
    assert days_past_due(due, date(2026, 2, 10)) == -4
    assert days_past_due(due, due) == 0
    assert days_past_due(due, date(2026, 2, 15)) == 1


@pytest.mark.parametrize(
    ("number", "body"),
    [("F-2026/0001", "F20260001"), ("0000611365", "0000611365"), ("inv 7", "INV7"), ("Nº 1", "N1")],
)
def test_a_short_invoice_number_is_the_body_of_its_rf_reference(number: str, body: str) -> None:
    reference = payment_reference("acme", number)
    assert iso11649.is_valid(reference)
    assert reference.startswith("RF")
    assert reference[4:] == body


def test_the_reference_for_a_known_number_matches_the_standard_example() -> None:
    # ISO 11649's own example: RF18 5390 0754 7034
    assert payment_reference("acme", "539007547034") == "RF18539007547034"


@pytest.mark.parametrize("number", ["F-2026/000000000000000000001", "A" * 22, "---", "/ ."])
def test_long_or_punctuation_only_numbers_get_a_stable_digest_reference(number: str) -> None:
    reference = payment_reference("acme", number)
    assert iso11649.is_valid(reference)
    assert len(reference) <= 25
    assert reference == payment_reference("acme", number)
    assert reference != payment_reference("other", number)


def test_digest_references_differ_for_different_numbers() -> None:
    assert payment_reference("acme", "A" * 22) != payment_reference("acme", "A" * 23)
    assert payment_reference("acme", "---") != payment_reference("acme", "--")


@given(company=st.text(min_size=1, max_size=10), number=st.text(min_size=1, max_size=60))
def test_every_invoice_number_gets_a_valid_deterministic_reference(
    company: str, number: str
) -> None:
    reference = payment_reference(company, number)
    assert iso11649.is_valid(reference)
    assert check_payment_reference(reference) == reference
    assert reference == payment_reference(company, number)


def test_a_given_reference_is_checked_and_compacted() -> None:
    assert check_payment_reference("rf18 5390 0754 7034") == "RF18539007547034"
    with pytest.raises(Invalid, match="not a valid ISO 11649"):
        check_payment_reference("RF19 5390 0754 7034")
    with pytest.raises(Invalid, match="'hello'"):
        check_payment_reference("hello")


def test_an_explicit_due_date_wins_over_the_terms() -> None:
    data = replace(INVOICE, due_date=date(2026, 3, 1))
    prepared = prepare_invoice(data, parse_terms("NET30"), "acme", 2)
    assert prepared.due_date == date(2026, 3, 1)


def test_terms_give_the_due_date_and_the_discount() -> None:
    prepared = prepare_invoice(INVOICE, parse_terms("2/10 NET30"), "acme", 2)
    assert prepared.due_date == date(2026, 2, 14)
    assert prepared.discount_until == date(2026, 1, 25)
    assert prepared.discount_amount == 2_42
    assert prepared.installments == ()
    assert prepared.payment_reference == payment_reference("acme", "F-1")


def test_without_terms_or_due_date_the_invoice_is_due_on_issue() -> None:
    prepared = prepare_invoice(INVOICE, None, "acme", 2)
    assert prepared.due_date == ISSUED
    assert prepared.discount_until is None
    assert prepared.discount_amount == 0


def test_a_due_date_before_the_issue_date_is_invalid() -> None:
    with pytest.raises(Invalid, match="before the issue date"):
        prepare_invoice(replace(INVOICE, due_date=date(2026, 1, 14)), None, "acme", 2)


@pytest.mark.parametrize(("total", "tax"), [(100, -1), (100, 101)])
def test_tax_outside_zero_to_total_is_invalid(total: int, tax: int) -> None:
    with pytest.raises(Invalid, match="tax"):
        prepare_invoice(replace(INVOICE, total=total, tax=tax), None, "acme", 2)


@pytest.mark.parametrize("total", [0, -100])
def test_a_total_must_be_positive(total: int) -> None:
    with pytest.raises(Invalid, match="total must be positive"):
        prepare_invoice(replace(INVOICE, total=total), None, "acme", 2)


def test_an_empty_number_is_invalid() -> None:
    with pytest.raises(Invalid, match="number is empty"):
        prepare_invoice(replace(INVOICE, number="  "), None, "acme", 2)


def test_installments_are_kept_only_when_the_terms_split_the_total() -> None:
    split = prepare_invoice(INVOICE, parse_terms("50%@30 50%@60"), "acme", 2)
    assert split.installments == ((date(2026, 2, 14), 60_50), (date(2026, 3, 16), 60_50))
    assert split.due_date == date(2026, 3, 16)
    assert prepare_invoice(INVOICE, parse_terms("100%@30"), "acme", 2).installments == ()


def test_a_given_payment_reference_is_checked_not_derived() -> None:
    given_ref = replace(INVOICE, payment_reference="RF18 5390 0754 7034")
    assert prepare_invoice(given_ref, None, "acme", 2).payment_reference == "RF18539007547034"
    with pytest.raises(Invalid, match="ISO 11649"):
        prepare_invoice(replace(INVOICE, payment_reference="RF00123"), None, "acme", 2)


def test_installments_may_not_fall_after_an_explicit_due_date() -> None:
    data = InvoiceIn(
        number="F-9",
        customer="C",
        issue_date=date(2026, 1, 1),
        due_date=date(2026, 2, 1),
        total=100_00,
        currency="EUR",
    )
    with pytest.raises(Invalid, match="after the due date 2026-02-01"):
        prepare_invoice(data, parse_terms("50%@30 50%@60"), "acme", 2)
    later = prepare_invoice(
        replace(data, due_date=date(2026, 3, 2)), parse_terms("50%@30 50%@60"), "acme", 2
    )
    assert [day for day, _ in later.installments] == [date(2026, 1, 31), date(2026, 3, 2)]
