"""SEPA direct debit rules: mandates, creditor identifier, sequence types, dates, returns."""

from __future__ import annotations

from datetime import date

import pytest

from cobro.banking.sepa_rules import (
    RETURN_REASONS,
    CheckedMandate,
    check_creditor_id,
    check_identifier,
    check_mandate,
    earliest_collection,
    first_collected_after,
    is_target2_day,
    mandate_expired,
    prenotification,
    prenotification_due,
    return_is_final,
    return_reason,
    sequence_type,
    to_sepa_text,
)
from cobro.errors import Invalid

TODAY = date(2026, 3, 2)
IBAN_DE = "DE89370400440532013000"


def mandate(**overrides: object) -> CheckedMandate:
    fields: dict[str, object] = {
        "reference": "MANDATE-2026-001",
        "signed_on": date(2026, 1, 15),
        "scheme": "CORE",
        "iban": IBAN_DE,
        "bic": None,
        "on": TODAY,
    }
    fields.update(overrides)
    return check_mandate(**fields)  # type: ignore[arg-type]


def refused(field: str, **overrides: object) -> Invalid:
    with pytest.raises(Invalid) as caught:
        mandate(**overrides)
    assert caught.value.field == field
    return caught.value


# --- mandates --------------------------------------------------------------------------------


def test_a_good_mandate_is_normalised() -> None:
    checked = mandate(iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx", scheme="B2B")
    assert checked == CheckedMandate(
        reference="MANDATE-2026-001",
        signed_on=date(2026, 1, 15),
        scheme="B2B",
        iban=IBAN_DE,
        bic="COBADEFFXXX",
    )


@pytest.mark.parametrize(
    "reference",
    ["A", "a-z/A-Z 0-9?:().,'+", "x" * 35],
)
def test_references_of_the_sepa_set_are_accepted(reference: str) -> None:
    assert mandate(reference=reference).reference == reference


@pytest.mark.parametrize(
    "reference",
    ["", "x" * 36, "/LEADING", "TRAILING/", "DOUBLE//SLASH", "UMLAUT-Ü", "AT@SIGN", "UNDER_SCORE"],
)
def test_references_outside_the_rules_are_refused(reference: str) -> None:
    refused("reference", reference=reference)


def test_a_signature_in_the_future_is_refused() -> None:
    refused("signed_on", signed_on=date(2026, 3, 3))
    assert mandate(signed_on=TODAY).signed_on == TODAY


def test_only_core_and_b2b_are_schemes() -> None:
    refused("scheme", scheme="COR1")
    refused("scheme", scheme="core")


def test_an_iban_with_a_wrong_checksum_is_refused() -> None:
    error = refused("iban", iban="DE89370400440532013001")
    assert "not a valid IBAN" in error.message


def test_an_iban_outside_sepa_is_refused() -> None:
    error = refused("iban", iban="BR1800360305000010009795493C1")
    assert "BR is not in SEPA" in error.message


def test_sepa_countries_outside_the_eu_are_accepted() -> None:
    assert mandate(iban="CH9300762011623852957").iban == "CH9300762011623852957"
    assert mandate(iban="GB33BUKB20201555555555").iban == "GB33BUKB20201555555555"


def test_a_malformed_bic_is_refused() -> None:
    refused("bic", bic="COBA")


def test_a_bic_of_another_country_than_the_iban_is_refused() -> None:
    error = refused("bic", bic="BNPAFRPPXXX")
    assert "FR" in error.message


def test_a_jersey_bic_goes_with_a_gb_iban() -> None:
    assert mandate(iban="GB33BUKB20201555555555", bic="HBUKJESH").bic == "HBUKJESH"


def test_an_empty_bic_means_none() -> None:
    assert mandate(bic="  ").bic is None


# --- creditor identifier ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("DE98ZZZ09999999999", "DE98ZZZ09999999999"),  # the Bundesbank's test identifier
        ("de98 zzz 0999 9999 999", "DE98ZZZ09999999999"),
        ("FR72ZZZ123456", "FR72ZZZ123456"),
        ("IT66ZZZA1B2C3D4E5F6G7H8", "IT66ZZZA1B2C3D4E5F6G7H8"),
        ("AT61ZZZ01234567890", "AT61ZZZ01234567890"),
    ],
)
def test_valid_creditor_ids(given: str, expected: str) -> None:
    assert check_creditor_id(given) == expected


def test_the_business_code_is_left_out_of_the_check_digits() -> None:
    assert check_creditor_id("DE98ABC09999999999") == "DE98ABC09999999999"


@pytest.mark.parametrize(
    "creditor_id",
    [
        "DE97ZZZ09999999999",  # wrong check digits
        "ES12ZZZ12345678",  # the layout example: its digits do not check
        "DE98ZZZ0999999999X9",  # a changed national id
    ],
)
def test_wrong_check_digits_are_refused(creditor_id: str) -> None:
    with pytest.raises(Invalid, match="check digits") as caught:
        check_creditor_id(creditor_id)
    assert caught.value.field == "creditor_id"


@pytest.mark.parametrize("creditor_id", ["", "DE98", "DE98ZZZ", "D198ZZZ0999", "DE98ZZZ09999-99"])
def test_malformed_creditor_ids_are_refused(creditor_id: str) -> None:
    with pytest.raises(Invalid, match="must look like"):
        check_creditor_id(creditor_id)


def test_a_creditor_id_outside_sepa_is_refused() -> None:
    with pytest.raises(Invalid, match="not a SEPA country"):
        check_creditor_id("US98ZZZ09999999999")
    with pytest.raises(Invalid, match="not a SEPA country"):
        check_creditor_id("XX98ZZZ09999999999")


# --- text ------------------------------------------------------------------------------------


def test_accents_are_transliterated() -> None:
    assert to_sepa_text("Jürgen Müller-Lüdenscheidt", "name", 70) == "Jurgen Muller-Ludenscheidt"
    assert to_sepa_text("Straße Øster Łódź", "name", 70) == "Strasse Oster Lodz"
    assert to_sepa_text("Dupont & Fils", "name", 70) == "Dupont + Fils"
    assert to_sepa_text("  two\nlines  ", "name", 70) == "two lines"


@pytest.mark.parametrize("text", ["Иванов", "mail@example.com", "100 €", "a_b"])
def test_characters_without_a_sepa_form_are_refused_by_field(text: str) -> None:
    with pytest.raises(Invalid, match="characters SEPA does not allow") as caught:
        to_sepa_text(text, "debtor_name", 70)
    assert caught.value.field == "debtor_name"


def test_text_too_long_is_refused_not_cut() -> None:
    with pytest.raises(Invalid, match="longer than 140"):
        to_sepa_text("INV-1 " * 30, "remittance", 140)


def test_identifiers_are_checked_not_transliterated() -> None:
    with pytest.raises(Invalid):
        check_identifier("MÜLLER-1", "mandate_id")
    with pytest.raises(Invalid):
        check_identifier(" LEADING", "mandate_id")


# --- sequence types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_collected", "final", "one_off", "expected"),
    [
        (False, False, False, "FRST"),
        (False, True, False, "FRST"),  # first and last: FRST, never FNAL without a FRST
        (True, False, False, "RCUR"),
        (True, True, False, "FNAL"),
        (False, False, True, "OOFF"),
        (True, True, True, "OOFF"),
    ],
)
def test_sequence_type(first_collected: bool, final: bool, one_off: bool, expected: str) -> None:
    assert sequence_type(first_collected, final, one_off) == expected


def test_after_a_returned_first_collection_the_next_is_first_again() -> None:
    first_collected = first_collected_after(False, "FRST", came_back=True)
    assert sequence_type(first_collected, final=False, one_off=False) == "FRST"


def test_after_a_first_collection_went_through_the_next_is_recurrent() -> None:
    first_collected = first_collected_after(False, "FRST", came_back=False)
    assert sequence_type(first_collected, final=False, one_off=False) == "RCUR"


def test_a_returned_recurrent_collection_keeps_the_mandate_in_use() -> None:
    assert first_collected_after(True, "RCUR", came_back=True) is True


# --- expiry ----------------------------------------------------------------------------------


def test_a_mandate_expires_36_months_after_its_last_collection() -> None:
    last = date(2023, 3, 10)
    assert not mandate_expired(last, date(2020, 1, 1), date(2026, 3, 9))
    assert mandate_expired(last, date(2020, 1, 1), date(2026, 3, 10))


def test_a_never_used_mandate_expires_36_months_after_signature() -> None:
    assert not mandate_expired(None, date(2023, 5, 31), date(2026, 5, 30))
    assert mandate_expired(None, date(2023, 5, 31), date(2026, 5, 31))


def test_expiry_from_a_leap_day_lands_on_the_last_of_february() -> None:
    assert not mandate_expired(date(2024, 2, 29), date(2024, 1, 1), date(2027, 2, 27))
    assert mandate_expired(date(2024, 2, 29), date(2024, 1, 1), date(2027, 2, 28))


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "closed",
    [
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2026, 12, 25),
        date(2025, 12, 26),  # a Friday
        date(2026, 3, 7),  # Saturday
        date(2026, 3, 8),  # Sunday
    ],
)
def test_target2_closing_days(closed: date) -> None:
    assert not is_target2_day(closed)


@pytest.mark.parametrize(
    "open_day",
    [
        date(2026, 3, 2),
        date(2025, 10, 3),  # German Unity Day: a national holiday, TARGET2 is open
        date(2026, 12, 24),
        date(2026, 12, 31),
        date(2026, 5, 14),  # Ascension
    ],
)
def test_target2_open_days(open_day: date) -> None:
    assert is_target2_day(open_day)


@pytest.mark.parametrize(
    ("submitted", "earliest"),
    [
        (date(2026, 3, 5), date(2026, 3, 6)),  # Thursday → Friday
        (date(2026, 3, 6), date(2026, 3, 9)),  # Friday → Monday
        (date(2026, 3, 7), date(2026, 3, 10)),  # Saturday: processed Monday, due Tuesday
        (date(2026, 4, 2), date(2026, 4, 7)),  # before Easter: past Good Friday and Monday
        (date(2026, 12, 24), date(2026, 12, 28)),
        (date(2026, 12, 31), date(2027, 1, 4)),  # across the year and 1 January
    ],
)
@pytest.mark.parametrize("scheme", ["CORE", "B2B"])
def test_earliest_collection_is_one_target2_day_ahead(
    submitted: date, earliest: date, scheme: str
) -> None:
    assert earliest_collection(submitted, scheme) == earliest


def test_earliest_collection_needs_a_known_scheme() -> None:
    with pytest.raises(Invalid) as caught:
        earliest_collection(TODAY, "COR1")
    assert caught.value.field == "scheme"


# --- pre-notification ------------------------------------------------------------------------


def test_prenotification_is_due_14_days_before() -> None:
    assert prenotification_due(date(2026, 3, 20)) == date(2026, 3, 6)


def test_a_shorter_prenotification_period_may_be_agreed() -> None:
    assert prenotification_due(date(2026, 3, 20), days=2) == date(2026, 3, 18)
    with pytest.raises(Invalid) as caught:
        prenotification_due(date(2026, 3, 20), days=0)
    assert caught.value.field == "days"


def test_prenotification_facts() -> None:
    notice = prenotification(
        amount=12_345,
        collection_date=date(2026, 3, 20),
        mandate_reference="MANDATE-2026-001",
        creditor_id="de98zzz09999999999",
        creditor_name="Cobro Demo GmbH",
    )
    assert notice.amount == 12_345
    assert notice.currency == "EUR"
    assert notice.notify_by == date(2026, 3, 6)
    assert notice.creditor_id == "DE98ZZZ09999999999"
    assert notice.mandate_reference == "MANDATE-2026-001"


def test_prenotification_of_nothing_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        prenotification(0, date(2026, 3, 20), "M-1", "DE98ZZZ09999999999", "Cobro")
    assert caught.value.field == "amount"


# --- returns ---------------------------------------------------------------------------------


def test_the_usual_reason_codes_are_explained() -> None:
    usual = {
        *("AC01", "AC04", "AC06", "AG01", "AG02", "AM04", "AM05", "BE05", "CNOR", "DNOR"),
        *("FF01", "MD01", "MD02", "MD06", "MD07", "MS02", "MS03", "RC01", "SL01", "FOCR"),
        *("RR01", "RR02", "RR03", "RR04"),
    }
    assert usual <= set(RETURN_REASONS)
    assert all(meaning and meaning[0].isupper() for meaning in RETURN_REASONS.values())


@pytest.mark.parametrize("code", ["MD01", "AC04", "MD07", "MS02", "MD06", "AC01", "AM05", "FOCR"])
def test_returns_after_which_collecting_stops(code: str) -> None:
    assert return_is_final(code)


@pytest.mark.parametrize("code", ["AM04", "MS03", "am04", " MS03 "])
def test_returns_that_may_be_retried(code: str) -> None:
    assert not return_is_final(code)


def test_an_unknown_code_is_final_to_be_safe() -> None:
    assert return_is_final("ZZ99")
    assert "ZZ99" in return_reason("zz99")
    assert return_reason("AM04") == "Insufficient funds"
