"""pain.008 files: valid against the schemas, shaped like sepaxml's own samples, exact, stable."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
import xmlschema
from sepaxml.validation import ValidationError, try_valid_xml

from cobro.banking.pain008 import (
    MAX_AMOUNT,
    VERSIONS,
    Collection,
    Creditor,
    DebitBatch,
    PostalAddress,
    _schema_error,
    write_pain008,
)
from cobro.errors import Invalid
from tests.conftest import shared_file

CET = timezone(timedelta(hours=1))
CREATED = datetime(2026, 3, 2, 9, 30, 15, tzinfo=CET)
DUE = date(2026, 3, 4)

CREDITOR = Creditor(
    name="Cobro Demo GmbH",
    iban="DE89370400440532013000",
    creditor_id="DE98ZZZ09999999999",
    address=PostalAddress(
        street="Hauptstraße", building_number="12a", postal_code="50667", town="Köln", country="DE"
    ),
    bic="COBADEFFXXX",
)


def collection(number: int, **overrides: Any) -> Collection:
    fields: dict[str, Any] = {
        "end_to_end_id": f"E2E-{number}",
        "amount": 1000 + number,
        "mandate_id": f"MANDATE-{number}",
        "mandate_signed_on": date(2025, 6, 1),
        "sequence_type": "RCUR",
        "debtor_name": f"Debtor {number}",
        "debtor_iban": "DE02120300000000202051",
        "remittance": f"INV-2026-{number:04d}",
        "collection_date": DUE,
    }
    fields.update(overrides)
    return Collection(**fields)


def batch(*collections: Collection, **overrides: Any) -> DebitBatch:
    fields: dict[str, Any] = {
        "message_id": "COBRO-2026-03-02-1",
        "created_at": CREATED,
        "creditor": CREDITOR,
        "collections": collections or (collection(1),),
    }
    fields.update(overrides)
    return DebitBatch(**fields)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(document: bytes) -> ET.Element:
    return ET.fromstring(document)  # our own output: no untrusted input here


def find_all(root: ET.Element, path: str) -> list[ET.Element]:
    """Elements at a slash-separated path of local names, below root."""
    found = [root]
    for name in path.split("/"):
        found = [child for parent in found for child in parent if local(child.tag) == name]
    return found


def texts(root: ET.Element, path: str) -> list[str]:
    return [element.text or "" for element in find_all(root, path)]


@cache
def schema(version: str) -> Any:
    return xmlschema.XMLSchema(str(shared_file(f"schemas/sepaxml_2.7.0/{version}.xsd")))


def assert_valid(document: bytes, version: str) -> None:
    schema(version).validate(document.decode())


def refusal(make: Callable[[], object]) -> Invalid:
    with pytest.raises(Invalid) as caught:
        make()
    return caught.value


# --- against the schemas ---------------------------------------------------------------------

FULL_BATCH = batch(
    collection(1, sequence_type="FRST", debtor_bic="COBADEFFXXX"),
    collection(2, sequence_type="RCUR"),
    collection(3, sequence_type="FNAL", collection_date=DUE + timedelta(days=1)),
    collection(4, sequence_type="OOFF"),
    collection(
        5,
        sequence_type="RCUR",
        debtor_name="Ana Núñez",
        debtor_iban="ES9121000418450200051332",
        debtor_bic="CAIXESBBXXX",
        debtor_address=PostalAddress(
            street="Calle Mayor",
            building_number="1",
            postal_code="28013",
            town="Madrid",
            country="es",
        ),
    ),
    collection(6, sequence_type="FRST"),
)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_full_batch_validates_against_the_schema(version: str) -> None:
    assert_valid(write_pain008(FULL_BATCH, version), version)


@pytest.mark.parametrize("version", VERSIONS)
def test_sequence_types_and_dates_are_grouped_in_payment_blocks(version: str) -> None:
    root = parse(write_pain008(FULL_BATCH, version))
    blocks = find_all(root, "CstmrDrctDbtInitn/PmtInf")
    groups = {
        (texts(block, "PmtTpInf/SeqTp")[0], texts(block, "ReqdColltnDt")[0]): texts(
            block, "DrctDbtTxInf/PmtId/EndToEndId"
        )
        for block in blocks
    }
    assert groups == {
        ("FRST", "2026-03-04"): ["E2E-1", "E2E-6"],
        ("RCUR", "2026-03-04"): ["E2E-2", "E2E-5"],
        ("FNAL", "2026-03-05"): ["E2E-3"],
        ("OOFF", "2026-03-04"): ["E2E-4"],
    }
    assert [texts(block, "NbOfTxs")[0] for block in blocks] == ["2", "2", "1", "1"]
    assert texts(root, "CstmrDrctDbtInitn/GrpHdr/NbOfTxs") == ["6"]


# --- against sepaxml's own sample ------------------------------------------------------------

IBAN_NL, BIC_NL = "NL91ABNA0417164300", "ABNANL2A"
# the sample's creditor id and IBAN fail their checks, which ours refuses: read ours in their place
SAMPLE_VALUES = {
    "DE26ZZZ00000000000": CREDITOR.creditor_id,
    "NL50BANK1234567890": IBAN_NL,
    "BANKNL2A": BIC_NL,
}
IGNORED = {"MsgId", "CreDtTm", "PmtInfId", "EndToEndId"}  # random or clock values in the sample


def shape(root: ET.Element) -> list[tuple[str, str]]:
    """Every element as (path, text), in document order, with ids and timestamps blanked, and
    without the creditor's address (the sample has none, ours must have one)."""
    found: list[tuple[str, str]] = []

    def walk(element: ET.Element, path: str) -> None:
        name = local(element.tag)
        if name == "PstlAdr" and path.endswith("/Cdtr"):
            return
        text = (element.text or "").strip()
        found.append((f"{path}/{name}", "" if name in IGNORED else SAMPLE_VALUES.get(text, text)))
        for child in element:
            walk(child, f"{path}/{name}")

    walk(root, "")
    return found


def sample_collection(number: int, amount: int, sequence_type: str, name: str) -> Collection:
    """A payment of sepaxml's test_two_debits, as a Collection."""
    on = date(2017, 1, 20)
    return collection(
        number,
        amount=amount,
        sequence_type=sequence_type,
        debtor_name=name,
        debtor_iban=IBAN_NL,
        debtor_bic=BIC_NL,
        remittance=f"Test transaction{number}",
        mandate_id="1234",
        mandate_signed_on=on,
        collection_date=on,
    )


@pytest.mark.parametrize(
    ("version", "sample"),
    [("pain.008.001.02", "00800102"), ("pain.008.001.08", "00800108")],
)
def test_same_inputs_give_the_elements_of_sepaxmls_sample(version: str, sample: str) -> None:
    path = shared_file(
        f"peer_tests/python-sepaxml/extracted_expected_xml/debit__test_{sample}__SAMPLE_RESULT.xml"
    )
    expected = ET.fromstring(path.read_bytes())
    ours = write_pain008(
        batch(
            sample_collection(1, 1012, "FRST", "Test von Testenstein"),
            sample_collection(2, 5000, "RCUR", "Test du Test"),
            creditor=dataclasses.replace(CREDITOR, name="TestCreditor", iban=IBAN_NL, bic=BIC_NL),
        ),
        version,
    )
    assert_valid(ours, version)
    assert shape(parse(ours)) == shape(expected)


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_amounts_are_exact_and_summed_into_ctrlsum(version: str) -> None:
    amounts = [1, 10, 99, 100, 1005, 33_333, MAX_AMOUNT]
    collections = [
        collection(i, amount=amount, sequence_type="FRST" if i % 2 else "RCUR")
        for i, amount in enumerate(amounts)
    ]
    document = write_pain008(batch(*collections), version)
    root = parse(document)
    assert texts(root, "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/InstdAmt") == [
        "0.01", "0.99", "10.05", "999999999.99", "0.10", "1.00", "333.33"
    ]  # fmt: skip
    for block in find_all(root, "CstmrDrctDbtInitn/PmtInf"):
        instructed = sum(Decimal(t) for t in texts(block, "DrctDbtTxInf/InstdAmt"))
        assert Decimal(texts(block, "CtrlSum")[0]) == instructed
    total = Decimal(texts(root, "CstmrDrctDbtInitn/GrpHdr/CtrlSum")[0])
    assert total == Decimal(sum(amounts)) / 100
    assert texts(root, "CstmrDrctDbtInitn/GrpHdr/CtrlSum") == ["1000000345.47"]
    assert_valid(document, version)


# --- schemes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_a_b2b_batch_says_b2b(version: str) -> None:
    document = write_pain008(
        batch(collection(1, scheme="B2B"), collection(2, scheme="B2B", sequence_type="FRST")),
        version,
    )
    root = parse(document)
    assert set(texts(root, "CstmrDrctDbtInitn/PmtInf/PmtTpInf/LclInstrm/Cd")) == {"B2B"}
    assert_valid(document, version)


def test_a_core_batch_says_core() -> None:
    root = parse(write_pain008(batch(), VERSIONS[0]))
    assert texts(root, "CstmrDrctDbtInitn/PmtInf/PmtTpInf/LclInstrm/Cd") == ["CORE"]


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_accents_are_transliterated(version: str) -> None:
    document = write_pain008(
        batch(collection(1, debtor_name="Jürgen Müller & Söhne", remittance="Rechnung Größe 5")),
        version,
    )
    root = parse(document)
    assert texts(root, "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/Dbtr/Nm") == ["Jurgen Muller + Sohne"]
    assert texts(root, "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/RmtInf/Ustrd") == [
        "Rechnung Grosse 5"
    ]
    assert texts(root, "CstmrDrctDbtInitn/PmtInf/Cdtr/Nm") == ["Cobro Demo GmbH"]
    assert_valid(document, version)


def test_long_names_are_cut_at_70() -> None:
    root = parse(write_pain008(batch(collection(1, debtor_name="N" * 90)), VERSIONS[1]))
    assert texts(root, "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/Dbtr/Nm") == ["N" * 70]


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"debtor_iban": "DE89370400440532013001"}, "debtor_iban", "not a valid IBAN"),
        ({"debtor_iban": "BR1800360305000010009795493C1"}, "debtor_iban", "not in SEPA"),
        ({"debtor_bic": "BNPAFRPP"}, "debtor_bic", "of FR"),
        ({"debtor_name": "Иван Петров"}, "debtor_name", "characters SEPA does not allow"),
        ({"remittance": "R" * 141}, "remittance", "longer than 140"),
        ({"debtor_address": PostalAddress("Berlin", "Germany")}, "debtor_address.country", "ISO"),
        ({"mandate_signed_on": DUE + timedelta(days=1)}, "mandate_signed_on", "signed after"),
        ({"sequence_type": "LAST"}, "sequence_type", "FRST, RCUR"),
        ({"scheme": "B2B"}, "scheme", "separate files"),  # in a CORE batch
        ({"amount": 0}, "amount", "cents"),
        ({"amount": -100}, "amount", "cents"),
        ({"amount": MAX_AMOUNT + 1}, "amount", "cents"),
        ({"amount": True}, "amount", "cents"),
        ({"amount": 10.5}, "amount", "cents"),
    ],
)
def test_a_bad_collection_is_refused_naming_it_and_the_field(
    overrides: dict[str, Any], field: str, says: str
) -> None:
    bad = collection(2, end_to_end_id="INV-77-1", **overrides)
    error = refusal(lambda: write_pain008(batch(collection(1), bad), VERSIONS[1]))
    assert error.field == f"collections[1].{field}"
    assert "INV-77-1" in error.message
    assert says in error.message


def test_the_creditor_is_checked() -> None:
    wrong_id = dataclasses.replace(CREDITOR, creditor_id="DE97ZZZ09999999999")
    error = refusal(lambda: write_pain008(batch(creditor=wrong_id), VERSIONS[1]))
    assert error.field == "creditor.creditor_id"
    wrong_iban = dataclasses.replace(CREDITOR, iban="DE00370400440532013000")
    assert refusal(lambda: write_pain008(batch(creditor=wrong_iban), VERSIONS[1])).field == (
        "creditor.iban"
    )


def test_without_a_creditor_bic_only_the_2019_version_is_written() -> None:
    no_bic = dataclasses.replace(CREDITOR, bic=None)
    document = write_pain008(batch(creditor=no_bic), "pain.008.001.08")
    assert texts(parse(document), "CstmrDrctDbtInitn/PmtInf/CdtrAgt/FinInstnId/Othr/Id") == [
        "NOTPROVIDED"
    ]
    assert_valid(document, "pain.008.001.08")
    error = refusal(lambda: write_pain008(batch(creditor=no_bic), "pain.008.001.02"))
    assert error.field == "creditor.bic"


# --- addresses -------------------------------------------------------------------------------


def test_the_2019_version_gets_structured_addresses() -> None:
    root = parse(write_pain008(FULL_BATCH, "pain.008.001.08"))
    creditor = find_all(root, "CstmrDrctDbtInitn/PmtInf/Cdtr/PstlAdr")[0]
    assert [(local(e.tag), e.text) for e in creditor] == [
        ("StrtNm", "Hauptstrasse"),
        ("BldgNb", "12a"),
        ("PstCd", "50667"),
        ("TwnNm", "Koln"),
        ("Ctry", "DE"),
    ]
    debtor = find_all(root, "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/Dbtr/PstlAdr")[0]
    assert texts(debtor, "TwnNm") == ["Madrid"]
    assert texts(debtor, "Ctry") == ["ES"]


def test_the_2009_version_gets_country_and_two_lines() -> None:
    root = parse(write_pain008(FULL_BATCH, "pain.008.001.02"))
    creditor = find_all(root, "CstmrDrctDbtInitn/PmtInf/Cdtr/PstlAdr")[0]
    assert [(local(e.tag), e.text) for e in creditor] == [
        ("Ctry", "DE"),
        ("AdrLine", "Hauptstrasse 12a"),
        ("AdrLine", "50667 Koln"),
    ]


# --- the batch -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_the_same_batch_gives_the_same_bytes(version: str) -> None:
    first = write_pain008(FULL_BATCH, version)
    assert write_pain008(FULL_BATCH, version) == first
    root = parse(first)
    assert texts(root, "CstmrDrctDbtInitn/GrpHdr/MsgId") == ["COBRO-2026-03-02-1"]
    assert texts(root, "CstmrDrctDbtInitn/GrpHdr/CreDtTm") == ["2026-03-02T09:30:15+01:00"]
    assert texts(root, "CstmrDrctDbtInitn/PmtInf/PmtInfId") == [
        f"COBRO-2026-03-02-1-000{n}" for n in range(1, 5)
    ]
    amendments = "CstmrDrctDbtInitn/PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInd"
    assert set(texts(root, amendments)) == {"false"}


NAIVE = datetime(2026, 3, 2, 9, 30)  # noqa: DTZ001 - the mistake under test


@pytest.mark.parametrize(
    ("wrong", "version", "field"),
    [
        (batch(collection(1), collection(1)), VERSIONS[1], "collections[1].end_to_end_id"),
        (batch(collections=()), VERSIONS[1], "collections"),
        (batch(created_at=NAIVE), VERSIONS[1], "created_at"),
        (batch(message_id="M" * 31), VERSIONS[1], "message_id"),
        (batch(), "pain.008.003.02", "version"),
    ],
)
def test_the_batch_itself_is_checked(wrong: DebitBatch, version: str, field: str) -> None:
    assert refusal(lambda: write_pain008(wrong, version)).field == field


def test_a_schema_error_becomes_invalid_naming_the_element() -> None:
    empty = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"/>'
    with pytest.raises(ValidationError) as caught:
        try_valid_xml(empty, "pain.008.001.08")
    error = _schema_error(caught.value)
    assert "does not validate at" in error.message
    assert error.field
