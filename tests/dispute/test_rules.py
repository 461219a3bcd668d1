"""Dispute rules, without a database: reasons, descriptions, amounts, credits, evidence."""

from __future__ import annotations

from datetime import date

import pytest

from cobro.dispute import rules
from cobro.dispute.models import DISPUTE_REASONS, DISPUTE_SOURCES, DISPUTE_STATUSES
from cobro.errors import Invalid

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
TEXT = b"The goods arrived broken, see the driver's note.\n"


def test_the_rules_know_the_same_codes_as_the_tables() -> None:
    assert rules.REASONS == DISPUTE_REASONS
    assert rules.SOURCES == DISPUTE_SOURCES
    assert set(rules.STATUS_OF_OUTCOME.values()) == set(DISPUTE_STATUSES) - {"open"}


@pytest.mark.parametrize("reason", DISPUTE_REASONS)
def test_every_reason_code_is_accepted(reason: str) -> None:
    assert rules.check_reason(reason) == reason


def test_a_reason_code_is_read_without_case_or_spaces() -> None:
    assert rules.check_reason(" Price ") == "price"


def test_an_unknown_reason_is_refused_naming_the_codes() -> None:
    with pytest.raises(Invalid, match="not_received") as error:
        rules.check_reason("angry")
    assert error.value.field == "reason"


def test_a_description_is_required() -> None:
    with pytest.raises(Invalid) as error:
        rules.check_description("   ")
    assert error.value.field == "description"


def test_a_description_of_2000_characters_is_fine_and_2001_is_not() -> None:
    assert len(rules.check_description("x" * 2000)) == 2000
    with pytest.raises(Invalid, match="2000"):
        rules.check_description("x" * 2001)


def test_a_description_is_trimmed() -> None:
    assert rules.check_description("  broken  ") == "broken"


def ask(amount: int | None, open_amount: int = 100_00) -> rules.Ask:
    return rules.Ask("F-1", open_amount, "EUR", amount)


def test_no_amount_disputes_all_that_is_open() -> None:
    assert rules.disputed_amount(ask(None, 80_00)) == 80_00


def test_part_of_the_open_amount_may_be_disputed() -> None:
    assert rules.disputed_amount(ask(30_00)) == 30_00


def test_exactly_the_open_amount_may_be_disputed() -> None:
    assert rules.disputed_amount(ask(100_00)) == 100_00


def test_a_dispute_larger_than_the_open_amount_is_refused_naming_the_invoice() -> None:
    with pytest.raises(Invalid, match=r"invoice F-1.*larger than the open amount") as error:
        rules.disputed_amount(ask(100_01))
    assert error.value.field == "items"


@pytest.mark.parametrize("amount", [0, -5_00])
def test_a_disputed_amount_must_be_positive(amount: int) -> None:
    with pytest.raises(Invalid, match="F-1"):
        rules.disputed_amount(ask(amount))


def test_a_settled_invoice_cannot_be_disputed() -> None:
    with pytest.raises(Invalid, match="settled"):
        rules.disputed_amount(ask(None, 0))


def test_the_whole_open_amount_is_held_as_the_whole_invoice() -> None:
    assert rules.held_part(100_00, 100_00) is None
    assert rules.held_part(30_00, 100_00) == 30_00


def test_an_invoice_named_twice_or_none_is_refused() -> None:
    with pytest.raises(Invalid, match="twice"):
        rules.check_numbers(["F-1", "F-1"])
    with pytest.raises(Invalid, match="at least one"):
        rules.check_numbers([])


def test_the_due_date_defaults_to_the_companys_days_after_opening() -> None:
    assert rules.due_date(date(2026, 3, 1), 14) == date(2026, 3, 15)
    assert rules.due_date(date(2026, 3, 1), 14, date(2026, 3, 5)) == date(2026, 3, 5)


def test_a_due_date_before_the_opening_is_refused() -> None:
    with pytest.raises(Invalid) as error:
        rules.due_date(date(2026, 3, 1), 14, date(2026, 2, 28))
    assert error.value.field == "due_on"


@pytest.mark.parametrize("days", [0, 366])
def test_dispute_days_stay_within_a_year(days: int) -> None:
    with pytest.raises(Invalid):
        rules.check_days(days)


def test_a_partial_credit_is_at_most_what_is_disputed() -> None:
    disputed, currency = {"F-1": 30_00, "F-2": 10_00}, {"F-1": "EUR", "F-2": "EUR"}
    assert rules.check_credits(disputed, {"F-1": 30_00}, currency) == {"F-1": 30_00}
    with pytest.raises(Invalid, match="more than") as error:
        rules.check_credits(disputed, {"F-1": 30_01}, currency)
    assert error.value.field == "credits"


def test_a_partial_credit_names_invoices_of_the_dispute_and_positive_amounts() -> None:
    disputed, currency = {"F-1": 30_00}, {"F-1": "EUR"}
    with pytest.raises(Invalid, match="not in this dispute"):
        rules.check_credits(disputed, {"F-9": 1_00}, currency)
    with pytest.raises(Invalid, match="more than zero"):
        rules.check_credits(disputed, {"F-1": 0}, currency)
    with pytest.raises(Invalid, match="at least one"):
        rules.check_credits(disputed, {}, currency)


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(Invalid) as error:
        rules.check_outcome("maybe")
    assert error.value.field == "outcome"


def test_the_resolution_says_the_outcome_the_credit_notes_and_the_note() -> None:
    said = rules.resolution_text("partial", ["CN-D4-1"], "goodwill")
    assert said == "Credited in part (CN-D4-1). goodwill"
    assert len(rules.resolution_text("reject", [], "x" * 300)) <= rules.MAX_RESOLUTION


# ---- evidence -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (TEXT, "text/plain")],
)
def test_evidence_is_typed_by_its_bytes(content: bytes, kind: str) -> None:
    assert rules.sniff(content) == kind


def test_a_program_named_pdf_is_refused() -> None:
    with pytest.raises(Invalid, match="not a PDF, PNG, JPEG or plain-text") as error:
        rules.check_evidence("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00")
    assert error.value.field == "evidence"


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"  <svg xmlns='http://www.w3.org/2000/svg'/>",
        b"PK\x03\x04zipzip",
        b"GIF89a\x01\x00",
        b"text with a \x00 NUL",
        b"\xff\xfe not utf-8 \xff",
    ],
)
def test_html_svg_archives_gifs_and_binary_text_are_refused(content: bytes) -> None:
    assert rules.sniff(content) is None


def test_a_file_of_5_mib_is_accepted_and_one_byte_more_is_not() -> None:
    limit = PDF + b"0" * (rules.MAX_FILE_BYTES - len(PDF))
    assert rules.check_evidence("a.pdf", limit).size == rules.MAX_FILE_BYTES
    with pytest.raises(Invalid, match="5 MiB"):
        rules.check_evidence("a.pdf", limit + b"0")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Invalid, match="empty"):
        rules.check_evidence("a.txt", b"")


def test_a_dispute_holds_ten_files_at_most() -> None:
    assert rules.check_evidence("a.txt", TEXT, already=9).content_type == "text/plain"
    with pytest.raises(Invalid, match="10 evidence files"):
        rules.check_evidence("a.txt", TEXT, already=10)
    with pytest.raises(Invalid, match="10 evidence files"):
        rules.check_evidence_files([("a.txt", TEXT)] * 3, already=8)


def test_the_evidence_keeps_its_hash() -> None:
    checked = rules.check_evidence("a.txt", TEXT)
    assert len(checked.sha256) == 64
    assert checked.size == len(TEXT)


@pytest.mark.parametrize(
    ("name", "kind", "safe"),
    [
        ("../../etc/passwd", "text/plain", "passwd.txt"),
        ("C:\\Users\\ana\\albarán 12.pdf", "application/pdf", "albarán 12.pdf"),
        ('photo"; filename=x.png', "image/png", "photo_ filename_x.png"),
        (".hidden.png", "image/png", "hidden.png"),
        ("", "image/jpeg", "evidence.jpg"),
        ("scan.jpeg", "image/jpeg", "scan.jpeg"),
        ("report.exe", "application/pdf", "report.pdf"),
        ("a\r\nb.txt", "text/plain", "a_b.txt"),
    ],
)
def test_filenames_are_made_safe(name: str, kind: str, safe: str) -> None:
    assert rules.safe_filename(name, kind) == safe


def test_a_long_filename_is_cut_keeping_its_extension() -> None:
    name = rules.safe_filename("x" * 500 + ".pdf", "application/pdf")
    assert len(name) == rules.MAX_FILENAME
    assert name.endswith(".pdf")
