"""The rules of cases and placements, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from cobro.errors import Conflict, Invalid
from cobro.legal import rules
from cobro.legal.models import CASE_STAGES, PLACEMENT_STATUSES

ON = date(2026, 3, 31)


def test_the_stages_are_the_tables_words() -> None:
    assert rules.STAGES == CASE_STAGES
    assert rules.STATUSES == PLACEMENT_STATUSES


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("pre_legal", "claim_filed"),
        ("claim_filed", "judgment"),
        ("judgment", "enforcement"),
        ("pre_legal", "closed"),
        ("enforcement", "closed"),
    ],
)
def test_a_case_moves_forward_one_stage_or_closes(current: str, target: str) -> None:
    rules.check_move(current, target)


@pytest.mark.parametrize(
    ("current", "target", "said"),
    [
        ("claim_filed", "pre_legal", "only moves forward"),
        ("judgment", "judgment", "only moves forward"),
        ("pre_legal", "judgment", "the next stage is claim_filed"),
        ("pre_legal", "appeal", "use one of"),
    ],
)
def test_a_case_does_not_go_back_skip_or_invent(current: str, target: str, said: str) -> None:
    with pytest.raises(Invalid, match=said) as refused:
        rules.check_move(current, target)
    assert refused.value.field == "stage"


def test_a_closed_case_is_final() -> None:
    with pytest.raises(Conflict, match="closed"):
        rules.check_move("closed", "closed")
    with pytest.raises(Conflict):
        rules.check_move("closed", "claim_filed")


def test_a_placement_needs_an_agency_and_a_commission_from_0_to_100() -> None:
    assert rules.check_agency("  Recobros Norte  ") == "Recobros Norte"
    with pytest.raises(Invalid) as refused:
        rules.check_agency("   ")
    assert refused.value.field == "agency"
    assert rules.check_commission(None) is None
    assert rules.check_commission("") is None
    assert rules.check_commission("15") == "15"
    assert rules.check_commission("12,50 %") == "12.5"
    assert rules.check_commission("0") == "0"
    assert rules.check_commission("100") == "100"
    for bad in ("-1", "100.01", "abc", "NaN", "1e9"):
        with pytest.raises(Invalid) as refused:
            rules.check_commission(bad)
        assert refused.value.field == "commission"


def test_a_placement_needs_an_open_invoice_in_one_currency() -> None:
    assert rules.check_placeable([("F-1", 100_00, "EUR"), ("F-2", 50_00, "EUR")]) == (
        150_00,
        "EUR",
    )
    with pytest.raises(Invalid, match="at least one open invoice"):
        rules.check_placeable([])
    with pytest.raises(Invalid, match="F-2 is paid"):
        rules.check_placeable([("F-1", 100_00, "EUR"), ("F-2", 0, "EUR")])
    with pytest.raises(Invalid, match="EUR, USD") as refused:
        rules.check_placeable([("F-1", 100_00, "EUR"), ("F-2", 5_00, "USD")])
    assert refused.value.field == "invoices"


def test_the_export_has_its_columns_in_order_and_blanks_for_what_is_missing() -> None:
    text = rules.export_csv([{"invoice": "F-1", "open_amount": "12.50", "unknown": "x"}])
    header, row = text.splitlines()
    assert header.split(",") == list(rules.EXPORT_COLUMNS)
    cells = row.split(",")
    assert cells[rules.EXPORT_COLUMNS.index("invoice")] == "F-1"
    assert cells[rules.EXPORT_COLUMNS.index("open_amount")] == "12.50"
    assert "x" not in cells


def test_a_payment_file_is_read_row_by_row() -> None:
    text = (
        "reference,invoice,date,amount,currency\n"
        "AG-1,F-1,2026-03-20,100.50,EUR\n"
        "\n"
        ',F-2,2026-03-21,"1.000,00",\n'
        "AG-3,,2026-03-22,5,eur\n"
    )
    rows = rules.read_sync_csv(text, "EUR", ON)
    assert [(r.row, r.reference, r.invoice, r.amount, r.currency) for r in rows] == [
        (2, "AG-1", "F-1", 100_50, "EUR"),
        (4, None, "F-2", 1000_00, "EUR"),
        (5, "AG-3", None, 5_00, "EUR"),
    ]
    assert rows[0].paid_on == date(2026, 3, 20)


def test_a_semicolon_file_with_other_header_names_is_read_too() -> None:
    text = "agency_reference;invoice_number;paid_on;amount\nX-9;F-1;2026-03-01;12,50\n"
    [row] = rules.read_sync_csv(text, "EUR", ON)
    assert (row.reference, row.invoice, row.amount) == ("X-9", "F-1", 12_50)


def test_every_bad_row_is_named_with_its_field_and_nothing_is_read() -> None:
    text = (
        "reference,invoice,date,amount,currency\n"
        "AG-1,F-1,2026-03-20,100,EUR\n"
        "AG-2,F-1,yesterday,100,EUR\n"
        "AG-3,F-1,2026-03-20,lots,EUR\n"
        ",,2026-03-20,1,EUR\n"
        "AG-5,F-1,2026-03-20,1,USD\n"
        "AG-6,F-1,2026-04-01,1,EUR\n"
        "AG-1,F-1,2026-03-20,100,EUR\n"
        "AG-8,F-1,2026-03-20,0,EUR\n"
    )
    with pytest.raises(Invalid) as refused:
        rules.read_sync_csv(text, "EUR", ON)
    message = refused.value.message
    for said in (
        "row 3, date",
        "row 4, amount",
        "row 5, reference",
        "row 6, currency",
        "row 7, date: 2026-04-01 is after today",
        "row 8, reference: AG-1 is on row 2 too",
        "row 9, amount: must be more than zero",
    ):
        assert said in message
    assert "row 2" not in message.split(";")[0]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "empty"),
        ("reference,invoice,date\nA,F,2026-01-01\n", "lacks amount"),
        ("date,amount\n2026-01-01,1\n", "reference or invoice"),
        ("reference,date,amount\n\n", "no payments"),
    ],
)
def test_a_file_without_what_it_needs_is_refused(text: str, said: str) -> None:
    with pytest.raises(Invalid, match=said):
        rules.read_sync_csv(text, "EUR", ON)


def test_a_payment_s_id_is_the_agency_s_reference_else_what_the_row_says() -> None:
    by_reference = rules.SyncRow(2, "AG-1", "F-1", ON, 100, "EUR")
    moved = rules.SyncRow(7, "AG-1", "F-1", ON, 100, "EUR")
    assert rules.payment_id(4, by_reference) == rules.payment_id(4, moved) == "agency-4-AG-1"
    plain = rules.SyncRow(3, None, "F-1", ON, 100, "EUR")
    assert rules.payment_id(4, plain) == "agency-4-r3-F-1-2026-03-31-100"
    assert rules.payment_id(5, plain) != rules.payment_id(4, plain)
    long = rules.SyncRow(3, None, "F" * 90, ON, 100, "EUR")
    assert len(rules.payment_id(4, long)) == 100
    other = rules.SyncRow(3, None, "F" * 91, ON, 100, "EUR")
    assert rules.payment_id(4, other) != rules.payment_id(4, long)


def test_the_moves_a_page_offers_are_the_next_stage_and_closing() -> None:
    assert rules.next_stages("pre_legal") == ("claim_filed", "closed")
    assert rules.next_stages("enforcement") == ("closed",)
    assert rules.next_stages("closed") == ()
    for current in rules.STAGES:
        for target in rules.next_stages(current):
            rules.check_move(current, target)
