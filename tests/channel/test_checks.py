from __future__ import annotations

import pytest

from cobro.channel.base import PermanentFailure
from cobro.channel.checks import email_address, phone_number, safe_name


@pytest.mark.parametrize(
    ("value", "display", "spec"),
    [
        ("ana@example.com", "", "ana@example.com"),
        ("Ana Debtor <ana@example.com>", "Ana Debtor", "ana@example.com"),
        (
            '"Debtor, Ana" <ana.d+dunning@mail.example.com>',
            "Debtor, Ana",
            "ana.d+dunning@mail.example.com",
        ),
        ("noreply@localhost", "", "noreply@localhost"),
    ],
)
def test_usual_mailboxes_are_accepted(value: str, display: str, spec: str) -> None:
    address = email_address(value)

    assert (address.display_name, address.addr_spec) == (display, spec)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("+34600123456", "+34600123456"),
        ("+34 600 12 34 56", "+34600123456"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("+49.30.1234567", "+49301234567"),
    ],
)
def test_phone_numbers_are_reduced_to_e164(value: str, number: str) -> None:
    assert phone_number(value) == number


@pytest.mark.parametrize(
    "value",
    ["600123456", "0034600123456", "+0600123456", "+1234567", "+1234567890123456", "+34abc"],
)
def test_a_number_that_is_not_e164_is_a_permanent_failure_naming_it(value: str) -> None:
    with pytest.raises(PermanentFailure, match=r"E\.164") as failure:
        phone_number(value)

    assert repr(value) in failure.value.reason


def test_a_plain_key_is_its_own_file_name() -> None:
    assert safe_name("action-1.email_2") == "action-1.email_2"


def test_keys_that_clean_up_alike_still_get_different_names() -> None:
    names = {safe_name(key) for key in ["a/b", "a_b", "a:b", "a\\b", "../a_b", ""]}

    assert len(names) == 6
    assert all(name and "/" not in name and not name.startswith(".") for name in names)


def test_a_long_key_gives_a_bounded_stable_name() -> None:
    key = "x" * 500

    assert safe_name(key) == safe_name(key)
    assert len(safe_name(key)) <= 93
