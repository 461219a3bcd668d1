"""The EPC "SEPA QR" payload (EPC069-12 v002): field order, lengths, amounts, euro only, and
structured (RF) versus unstructured remittance."""

from __future__ import annotations

import pytest
from segno.helpers import make_epc_qr  # segno's own EPC encoder, to compare against

from cobro.errors import Invalid
from cobro.portal.epc import MAX_BYTES, Transfer, epc_amount, epc_payload, remittance
from cobro.portal.qr import epc_code

IBAN = "ES9121000418450200051332"
BIC = "CAIXESBBXXX"
RF = "RF18539007547034"


def transfer(**changes: object) -> Transfer:
    fields: dict[str, object] = {
        "name": "Acme Iberia S.L.",
        "iban": IBAN,
        "bic": BIC,
        "amount": 1_234_56,
        "currency": "EUR",
        "reference": RF,
    }
    fields.update(changes)
    return Transfer(**fields)  # type: ignore[arg-type]


def test_the_elements_come_in_the_order_of_the_standard() -> None:
    assert epc_payload(transfer()).split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        BIC,
        "Acme Iberia S.L.",
        IBAN,
        "EUR1234.56",
        "",  # no purpose code
        RF,  # structured: the RF creditor reference
    ]


@pytest.mark.parametrize(
    ("name", "reference", "text"),
    [("Ferretería Núñez", RF, None), ("Acme Iberia S.L.", None, "Invoice 2026/0042")],
)
def test_the_code_is_the_one_segno_makes_for_the_same_transfer(
    name: str, reference: str | None, text: str | None
) -> None:
    """segno's own EPC helper, given the same transfer, draws the very same symbol."""
    ours = epc_code(epc_payload(transfer(name=name, reference=reference or text)))
    theirs = make_epc_qr(
        name, IBAN, 1234.56, text=text, reference=reference, bic=BIC, encoding="utf-8"
    )
    assert (ours.version, ours.error) == (theirs.version, theirs.error)
    assert ours.matrix == theirs.matrix


def test_an_unstructured_reference_takes_the_eleventh_line() -> None:
    lines = epc_payload(transfer(reference="Invoice 2026/0042")).split("\n")
    assert lines[9] == ""
    assert lines[10] == "Invoice 2026/0042"
    assert len(lines) == 11


def test_the_information_line_is_twelfth_and_last() -> None:
    lines = epc_payload(transfer(information="Thank you")).split("\n")
    assert len(lines) == 12
    assert lines[9] == RF
    assert lines[10] == ""
    assert lines[11] == "Thank you"


def test_no_trailing_newline() -> None:
    assert not epc_payload(transfer()).endswith("\n")


def test_the_bic_is_optional() -> None:
    for bic in (None, "", "  "):
        assert epc_payload(transfer(bic=bic)).split("\n")[4] == ""


def test_spaced_and_lower_case_codes_are_compacted() -> None:
    lines = epc_payload(
        transfer(
            iban="es91 2100 0418 4502 0005 1332", bic="caixesbb", reference="rf18 5390 0754 7034"
        )
    ).split("\n")
    assert lines[6] == IBAN
    assert lines[4] == "CAIXESBB"
    assert lines[9] == RF


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1, "EUR0.01"),
        (10, "EUR0.10"),
        (100, "EUR1.00"),
        (1_234_56, "EUR1234.56"),
        (999_999_999_99, "EUR999999999.99"),
    ],
)
def test_amounts(amount: int, text: str) -> None:
    assert epc_amount(amount, "EUR") == text


@pytest.mark.parametrize("amount", [0, -1, -100, 1_000_000_000_00])
def test_amounts_out_of_range_are_refused(amount: int) -> None:
    with pytest.raises(Invalid) as refused:
        epc_payload(transfer(amount=amount))
    assert refused.value.field == "amount"


@pytest.mark.parametrize("currency", ["USD", "GBP", "CHF", "eur", ""])
def test_only_euro(currency: str) -> None:
    with pytest.raises(Invalid) as refused:
        epc_payload(transfer(currency=currency))
    assert refused.value.field == "currency"


def test_a_valid_rf_reference_is_structured() -> None:
    assert remittance(RF) == (RF, "")


@pytest.mark.parametrize("text", ["RF19539007547034", "RF", "INV-1", "12345", "RFXX"])
def test_anything_else_is_unstructured(text: str) -> None:
    assert remittance(text) == ("", text)


def test_no_reference_at_all() -> None:
    assert remittance("  ") == ("", "")
    assert epc_payload(transfer(reference="")).split("\n")[-1] == "EUR1234.56"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 71}, "name"),
        ({"reference": "x" * 141}, "reference"),
        ({"information": "x" * 71}, "information"),
        ({"iban": "ES9121000418450200051333"}, "iban"),
        ({"iban": "not an iban"}, "iban"),
        ({"bic": "NOTABIC"}, "bic"),
        ({"purpose": "GD"}, "purpose"),
        ({"purpose": "12AB"}, "purpose"),
    ],
)
def test_what_the_scheme_cannot_carry_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        epc_payload(transfer(**changes))
    assert refused.value.field == field


def test_limits_are_inclusive() -> None:
    assert len(epc_payload(transfer(name="n" * 70)).split("\n")[5]) == 70
    assert len(epc_payload(transfer(reference="r" * 140)).split("\n")[10]) == 140
    assert len(epc_payload(transfer(information="i" * 70)).split("\n")[11]) == 70


def test_a_purpose_code_is_upper_cased() -> None:
    assert epc_payload(transfer(purpose="gdds")).split("\n")[8] == "GDDS"


def test_line_breaks_in_text_cannot_shift_the_elements() -> None:
    lines = epc_payload(transfer(name="Acme\nIberia", reference="Invoice\n1\r\n2")).split("\n")
    assert lines[5] == "Acme Iberia"
    assert lines[10] == "Invoice 1 2"
    assert len(lines) == 11


def test_at_most_331_bytes() -> None:
    """Multi-byte characters count as bytes: the longest fields in two-byte letters go over."""
    longest = transfer(name="ñ" * 70, reference="é" * 140, information="ü" * 70)
    with pytest.raises(Invalid) as refused:
        epc_payload(longest)
    assert refused.value.field == "payload"
    fits = epc_payload(transfer(bic=None, name="n" * 70, reference="r" * 140, information="i" * 60))
    assert len(fits.encode("utf-8")) == 325
    over = transfer(bic=None, name="n" * 70, reference="r" * 140, information="i" * 67)
    with pytest.raises(Invalid):  # 332 bytes: every field within its own limit, the whole not
        epc_payload(over)
    assert MAX_BYTES == 331
