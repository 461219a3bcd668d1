"""Cash application: which open invoices a credit line pays, and when that is sure. No database."""

from __future__ import annotations

from datetime import date

from cobro.banking.match_text import normalise_name
from cobro.banking.matching import Book, MatchSettings, OpenItem, Party, Proposal, propose
from cobro.banking.statement import Line
from cobro.invoice.rules import payment_reference

ON = date(2026, 3, 5)
GARCIA_IBAN = "ES91 2100 0418 4502 0005 1332"


def item(
    invoice_id: int,
    number: str,
    customer_id: int,
    amount: int,
    *,
    currency: str = "EUR",
    due: date = date(2026, 3, 1),
    discount: int = 0,
    until: date | None = None,
    own_ids: frozenset[str] = frozenset(),
) -> OpenItem:
    return OpenItem(
        invoice_id=invoice_id,
        number=number,
        customer_id=customer_id,
        currency=currency,
        open_amount=amount,
        total=amount,
        due_date=due,
        issue_date=date(2026, 2, 1),
        payment_reference=payment_reference("ACME", number),
        discount_until=until,
        discount_amount=discount,
        end_to_end_ids=own_ids,
    )


ITEMS = [
    item(1, "F-2026-004211", 1, 1234_56, due=date(2026, 2, 20)),
    item(2, "F-2026-004212", 2, 500_00),
    item(3, "INV-2026-0042", 1, 99_99, due=date(2026, 2, 25)),
    item(4, "INV00042", 3, 70_00, discount=1_40, until=date(2026, 3, 10)),
    item(5, "F-2026-004221", 3, 888_00),
    item(6, "F-2026-004300", 1, 300_00, due=date(2026, 3, 2)),
    item(7, "F-2026-004400", 4, 2000_00, currency="USD"),
    item(8, "F-2026-004500", 2, 45_00, own_ids=frozenset({"PL-8-XK2"})),
]
PARTIES = [
    Party(1, "Construcciones García, S.L.", frozenset({GARCIA_IBAN.replace(" ", "")})),
    Party(2, "Müller GmbH"),
    Party(3, "Acme Ltd", aliases=frozenset({"Acme Holdings plc"})),
    Party(4, "Smith Trading B.V."),
]
BOOK = Book(ITEMS, PARTIES)


def credit(amount: int, currency: str = "EUR", **fields: str) -> Line:
    return Line(amount, currency, ON, ON, **fields)  # type: ignore[arg-type]


def best(proposal: Proposal) -> tuple[tuple[int, int], ...]:
    return proposal.candidates[0].shares


def codes(proposal: Proposal) -> set[str]:
    return {reason.code for reason in proposal.candidates[0].reasons}


# ---- structured references ----------------------------------------------------------------


def test_an_rf_reference_with_the_exact_amount_is_applied_automatically() -> None:
    line = credit(1234_56, structured_reference=payment_reference("ACME", "F-2026-004211"))
    proposal = propose(line, BOOK, ON)
    assert proposal.auto
    assert proposal.why_not_auto is None
    assert best(proposal) == ((1, 1234_56),)
    assert {"rf_reference", "amount_exact"} <= codes(proposal)


def test_an_rf_reference_printed_in_groups_in_the_remittance_text_is_found() -> None:
    reference = payment_reference("ACME", "F-2026-004211")
    grouped = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))
    proposal = propose(credit(1234_56, remittance=f"Pago {grouped} gracias"), BOOK, ON)
    assert proposal.auto
    assert best(proposal) == ((1, 1234_56),)
    assert "rf_reference" in codes(proposal)


def test_an_rf_reference_with_wrong_check_digits_is_not_taken_as_a_reference() -> None:
    reference = payment_reference("ACME", "F-2026-004211")
    broken = "RF00" + reference[4:] if reference[2:4] != "00" else "RF01" + reference[4:]
    proposal = propose(credit(1234_56, structured_reference=broken), BOOK, ON)
    assert "rf_reference" not in codes(proposal)
    assert best(proposal) == ((1, 1234_56),)  # the number in its body still names it


def test_our_own_end_to_end_id_names_the_invoice() -> None:
    proposal = propose(credit(45_00, end_to_end_id="PL-8-XK2"), BOOK, ON)
    assert proposal.auto
    assert best(proposal) == ((8, 45_00),)
    assert "end_to_end_id" in codes(proposal)


def test_reasons_are_in_words_and_their_points_make_the_score() -> None:
    line = credit(1234_56, structured_reference=payment_reference("ACME", "F-2026-004211"))
    candidate = propose(line, BOOK, ON).candidates[0]
    assert "F-2026-004211" in candidate.reasons[0].text
    assert candidate.score == min(100, sum(reason.points for reason in candidate.reasons))


# ---- invoice numbers in free text ---------------------------------------------------------


def test_an_invoice_number_in_the_text_with_the_exact_amount_is_applied() -> None:
    proposal = propose(credit(1234_56, remittance="Payment invoice F-2026-004211"), BOOK, ON)
    assert proposal.auto
    assert best(proposal) == ((1, 1234_56),)
    assert "invoice_number" in codes(proposal)


def test_separators_and_leading_zeros_do_not_matter() -> None:
    for written in ("F 2026 004211", "f2026/4211", "F2026004211", "F-2026-4211"):
        proposal = propose(credit(1234_56, remittance=f"fra {written}"), BOOK, ON)
        assert best(proposal) == ((1, 1234_56),), written


def test_a_number_written_without_its_prefix_is_read_by_its_digits() -> None:
    for written in ("2026 4211", "2026/004211", "2026004211"):
        proposal = propose(credit(1234_56, remittance=f"pago {written}"), BOOK, ON)
        assert best(proposal) == ((1, 1234_56),), written
        assert "invoice_number_digits" in codes(proposal)


def test_inv_2026_0042_is_recognised_as_written_2026_42_and_inv2026_0042() -> None:
    for written in ("2026 42", "inv2026/0042"):
        proposal = propose(credit(99_99, remittance=written), BOOK, ON)
        assert best(proposal) == ((3, 99_99),), written


def test_a_bare_short_number_does_not_match_by_accident() -> None:
    proposal = propose(credit(12_34, remittance="order 0042 thanks"), BOOK, ON)
    assert not any(
        invoice in (3, 4) for candidate in proposal.candidates for invoice, _ in candidate.shares
    )


def test_a_short_number_counts_when_the_account_is_known() -> None:
    line = credit(99_99, remittance="factura 0042", counterparty_iban=GARCIA_IBAN)
    proposal = propose(line, BOOK, ON)
    assert best(proposal) == ((3, 99_99),)
    assert "invoice_number_short" in codes(proposal)


def test_a_number_with_one_wrong_digit_matches_when_amount_and_payer_agree() -> None:
    line = credit(
        1234_56, remittance="invoice F-2026-004218", counterparty_name="Construcciones Garcia"
    )
    proposal = propose(line, BOOK, ON)
    assert proposal.auto
    assert best(proposal) == ((1, 1234_56),)
    assert "invoice_number_typo" in codes(proposal)


def test_a_missing_extra_or_swapped_digit_is_one_typo_too() -> None:
    for written in ("F-2026-00421", "F-2026-0042111", "F-2026-004121"):
        line = credit(1234_56, remittance=written, counterparty_name="Construcciones Garcia SL")
        assert best(propose(line, BOOK, ON)) == ((1, 1234_56),), written


def test_a_typo_that_is_another_invoices_number_loses_to_the_amount_and_payer() -> None:
    # F-2026-004221 exists (customer 3, 888.00); the payer meant F-2026-004211
    line = credit(1234_56, remittance="F-2026-004221", counterparty_name="Construcciones García")
    proposal = propose(line, BOOK, ON)
    assert proposal.auto
    assert best(proposal) == ((1, 1234_56),)


def test_a_typo_without_payer_evidence_is_only_a_suggestion() -> None:
    proposal = propose(credit(1234_56, remittance="F-2026-004218"), BOOK, ON)
    assert not proposal.auto
    assert best(proposal) == ((1, 1234_56),)


# ---- who paid -----------------------------------------------------------------------------


def test_a_known_account_and_an_exact_amount_are_enough() -> None:
    proposal = propose(credit(300_00, counterparty_iban=GARCIA_IBAN), BOOK, ON)
    assert proposal.auto
    assert best(proposal) == ((6, 300_00),)
    assert {"iban", "only_match"} <= codes(proposal)


def test_a_payer_name_alone_with_an_exact_amount_is_not_enough() -> None:
    line = credit(300_00, counterparty_name="Construcciones Garcia SL")
    proposal = propose(line, BOOK, ON)
    assert best(proposal) == ((6, 300_00),)
    assert not proposal.auto
    assert proposal.why_not_auto


def test_accents_and_legal_forms_do_not_change_a_name() -> None:
    assert normalise_name("Construcciones García, S.L.") == "CONSTRUCCIONES GARCIA"
    assert normalise_name("CONSTRUCCIONES GARCIA SL") == "CONSTRUCCIONES GARCIA"
    assert normalise_name("Müller GmbH & Co. KG") == "MULLER"
    assert normalise_name("Smith Trading B. V.") == normalise_name("Smith Trading BV")


def test_the_payer_name_is_recognised_without_accents_and_legal_form() -> None:
    line = credit(1234_56, remittance="F-2026-004211", counterparty_name="CONSTRUCCIONES GARCIA")
    names = [r for r in propose(line, BOOK, ON).candidates[0].reasons if r.code == "name"]
    assert names
    assert names[0].points == 25


def test_a_payer_name_learned_as_an_alias_counts_for_its_customer() -> None:
    line = credit(888_00, remittance="F-2026-004221", counterparty_name="ACME HOLDINGS")
    assert "alias" in codes(propose(line, BOOK, ON))


# ---- amounts ------------------------------------------------------------------------------


def test_the_discount_taken_within_its_window_settles_the_invoice() -> None:
    proposal = propose(credit(68_60, remittance="INV00042"), BOOK, ON)
    candidate = proposal.candidates[0]
    assert proposal.auto
    assert candidate.shares == ((4, 68_60),)
    assert candidate.discount == 1_40
    assert "amount_discount" in codes(proposal)


def test_no_discount_once_its_last_day_has_passed() -> None:
    late = Line(68_60, "EUR", date(2026, 3, 11), date(2026, 3, 11), remittance="INV00042")
    proposal = propose(late, BOOK, date(2026, 3, 11))
    assert all(candidate.discount == 0 for candidate in proposal.candidates)


def test_bank_charges_within_the_tolerance_settle_the_invoice() -> None:
    line = credit(1220_00, remittance="F-2026-004211", counterparty_name="Construcciones García")
    proposal = propose(line, BOOK, ON)
    candidate = proposal.candidates[0]
    assert proposal.auto
    assert candidate.shares == ((1, 1220_00),)
    assert candidate.charges == 14_56


def test_a_shortfall_over_the_charges_tolerance_is_a_part_payment() -> None:
    proposal = propose(credit(1200_00, remittance="F-2026-004211"), BOOK, ON)
    candidate = proposal.candidates[0]
    assert candidate.charges == 0
    assert "partial" in codes(proposal)
    assert not proposal.auto


def test_the_charges_tolerance_is_a_setting() -> None:
    line = credit(1220_00, remittance="F-2026-004211")
    proposal = propose(line, BOOK, ON, MatchSettings(charges_tolerance=10_00))
    assert proposal.candidates[0].charges == 0


def test_one_payment_for_several_named_invoices_of_one_customer() -> None:
    line = credit(1234_56 + 99_99, remittance="F-2026-004211, INV-2026-0042")
    proposal = propose(line, BOOK, ON)
    assert proposal.auto
    assert set(best(proposal)) == {(1, 1234_56), (3, 99_99)}


def test_a_combination_is_found_among_the_payers_open_invoices() -> None:
    proposal = propose(credit(99_99 + 300_00, counterparty_iban=GARCIA_IBAN), BOOK, ON)
    assert set(best(proposal)) == {(3, 99_99), (6, 300_00)}
    assert "amount_combined" in codes(proposal)


def test_a_combination_search_respects_the_most_invoices_setting() -> None:
    line = credit(99_99 + 300_00, counterparty_iban=GARCIA_IBAN)
    proposal = propose(line, BOOK, ON, MatchSettings(max_combined=1))
    assert all(len(candidate.shares) <= 1 for candidate in proposal.candidates)


def test_a_part_payment_by_invoice_number_is_not_applied_automatically() -> None:
    proposal = propose(credit(600_00, remittance="F-2026-004211"), BOOK, ON)
    assert best(proposal) == ((1, 600_00),)
    assert not proposal.auto
    assert "part payment" in (proposal.why_not_auto or "")


def test_a_part_payment_against_the_rf_reference_from_the_payer_is_applied() -> None:
    reference = payment_reference("ACME", "F-2026-004211")
    line = credit(600_00, structured_reference=reference, counterparty_name="Construcciones García")
    proposal = propose(line, BOOK, ON)
    assert proposal.auto
    assert best(proposal) == ((1, 600_00),)


def test_an_overpayment_settles_the_invoice_and_leaves_the_rest_unapplied() -> None:
    line = credit(1300_00, structured_reference=payment_reference("ACME", "F-2026-004211"))
    candidate = propose(line, BOOK, ON).candidates[0]
    assert candidate.shares == ((1, 1234_56),)
    assert candidate.unapplied == 65_44


def test_an_overpayment_named_by_number_only_is_not_applied_automatically() -> None:
    line = credit(1300_00, remittance="F-2026-004211", counterparty_name="Construcciones García")
    proposal = propose(line, BOOK, ON)
    assert proposal.candidates[0].unapplied == 65_44
    assert not proposal.auto
    assert "more than owed" in (proposal.why_not_auto or "")


def test_a_payment_in_another_currency_is_for_review_only() -> None:
    proposal = propose(credit(2000_00, remittance="F-2026-004400"), BOOK, ON)
    assert not proposal.auto
    assert proposal.candidates[0].score <= 50
    assert "USD" in (proposal.why_not_auto or "")
    assert "EUR" in (proposal.why_not_auto or "")


# ---- refusals -----------------------------------------------------------------------------


def test_a_debit_gets_no_candidates() -> None:
    proposal = propose(credit(-1234_56, remittance="F-2026-004211"), BOOK, ON)
    assert proposal.candidates == ()
    assert not proposal.auto


def test_two_customers_with_the_same_amount_and_no_reference_is_not_automatic() -> None:
    book = Book(
        [item(1, "A-1", 1, 150_00), item(2, "B-1", 2, 150_00)],
        [Party(1, "Alpha SL"), Party(2, "Beta SL")],
    )
    proposal = propose(credit(150_00, counterparty_name="Somebody Else"), book, ON)
    assert not proposal.auto
    assert {candidate.customer_id for candidate in proposal.candidates} == {1, 2}


def test_two_invoices_of_the_known_payer_with_the_same_amount_are_not_automatic() -> None:
    book = Book(
        [item(1, "A-1", 1, 150_00), item(2, "A-2", 1, 150_00)],
        [Party(1, "Alpha SL", frozenset({"DE89370400440532013000"}))],
    )
    proposal = propose(credit(150_00, counterparty_iban="DE89370400440532013000"), book, ON)
    assert not proposal.auto
    assert len(proposal.candidates) >= 2


def test_a_line_that_matches_nothing_says_so() -> None:
    proposal = propose(credit(777_77, remittance="refund"), BOOK, ON)
    assert proposal.candidates == ()
    assert not proposal.auto
    assert proposal.why_not_auto


def test_the_number_of_suggestions_is_a_setting() -> None:
    line = credit(600_00, counterparty_iban=GARCIA_IBAN, remittance="F-2026-004211 INV-2026-0042")
    proposal = propose(line, BOOK, ON, MatchSettings(suggestions=1))
    assert len(proposal.candidates) == 1


def test_a_higher_threshold_makes_fewer_matches_automatic() -> None:
    line = credit(99_99, remittance="2026 42")  # 95: digits 50, amount 35, the only match 10
    assert propose(line, BOOK, ON).candidates[0].score == 95
    assert propose(line, BOOK, ON).auto
    assert not propose(line, BOOK, ON, MatchSettings(auto_threshold=96)).auto
