"""What a letter lists, from the charges recorded: pure, no database."""

from __future__ import annotations

from cobro.charge.rules import Claimed, letter_lines


def interest(number: str, amount: int, last: str) -> Claimed:
    stretch = {"first": "2024-03-16", "last": last, "days": 1, "rate": "12.50"}
    return Claimed(
        "interest", number, f"Interest on {number}", amount, "EUR", {"stretches": [stretch]}
    )


def test_an_invoice_s_interest_rows_are_one_line_shown_by_the_latest_computation() -> None:
    lines = letter_lines(
        [
            interest("F-1", 102_74, "2024-04-14"),
            Claimed("compensation", "F-1", "€40", 40_00, "EUR", {}),
            interest("F-2", 5_00, "2024-04-14"),
            interest("F-1", 102_74, "2024-05-14"),
            Claimed("fee", None, "Fee", 10_00, "EUR", {"text": "10.00"}),
        ]
    )
    assert [(line.kind, line.invoice, line.amount) for line in lines] == [
        ("interest", "F-1", 205_48),
        ("interest", "F-2", 5_00),
        ("compensation", "F-1", 40_00),
        ("fee", None, 10_00),
    ]
    assert lines[0].detail["stretches"][0]["last"] == "2024-05-14"


def test_nothing_claimed_lists_nothing() -> None:
    assert letter_lines([]) == []
