"""What a valid idempotency key is, and when two requests are the same one."""

from __future__ import annotations

import pytest

from cobro.errors import Invalid
from cobro.idempotency.rules import HEADER, check_key, check_same_request, fingerprint


@pytest.mark.parametrize("key", ["a", "0f8fad5b-d9cb-469f-a165-70867728950e", "x" * 200, "a b"])
def test_printable_keys_of_1_to_200_characters_are_accepted(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize("key", ["", "x" * 201, " padded", "tab\there", "ñandú", "line\n"])
def test_other_keys_are_refused_naming_the_header(key: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_key(key)
    assert refused.value.field == HEADER


def test_the_same_json_with_other_spacing_or_order_is_the_same_request() -> None:
    one = fingerprint("POST", "/api/payments", b'{"amount": 5, "currency": "EUR"}')
    other = fingerprint("post", "/api/payments", b'{"currency":"EUR","amount":5}')
    assert one == other


def test_method_path_and_body_each_make_another_request() -> None:
    base = fingerprint("POST", "/api/payments", b'{"amount": 5}')
    assert fingerprint("POST", "/api/payments", b'{"amount": 6}') != base
    assert fingerprint("POST", "/api/invoices", b'{"amount": 5}') != base
    assert fingerprint("PUT", "/api/payments", b'{"amount": 5}') != base
    assert fingerprint("POST", "/api/payments?x=1", b'{"amount": 5}') != base


def test_a_body_that_is_not_json_counts_byte_for_byte() -> None:
    assert fingerprint("POST", "/p", b"\xff\xfe") != fingerprint("POST", "/p", b"\xff")
    assert fingerprint("POST", "/p", b"") == fingerprint("POST", "/p", b"")


def test_a_key_reused_for_another_request_is_refused() -> None:
    check_same_request("k", "abc", "abc")
    with pytest.raises(Invalid) as refused:
        check_same_request("k", "abc", "abd")
    assert refused.value.field == HEADER
    assert "different request" in refused.value.message
