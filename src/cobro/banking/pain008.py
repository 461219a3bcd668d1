"""Write SEPA direct debit files (pain.008) with the `sepaxml` library. Pure.

`write_pain008(batch, version)` checks every field first, so a mistake is reported as an
`Invalid` naming the collection and the field rather than as a schema error deep in a file;
sepaxml then builds the XML and validates it against its bundled XSD.

Same input, same bytes: sepaxml draws random message and payment-information ids and stamps
the file with the local clock, so a small subclass overwrites them with the batch's message id,
numbered payment-information ids ("<message id>-0001", …) and the batch's `created_at`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sepaxml import SepaDD
from sepaxml.validation import ValidationError

from cobro.banking.sepa_rules import (
    SEQUENCE_TYPES,
    Scheme,
    check_bic,
    check_creditor_id,
    check_iban,
    check_identifier,
    check_scheme,
    to_sepa_text,
)
from cobro.errors import Invalid

VERSIONS = ("pain.008.001.02", "pain.008.001.08")

# The schema allows 11 digits with 2 decimals; the EPC caps a collection at 999 999 999.99 EUR.
MAX_AMOUNT = 99_999_999_999

# sepaxml truncates names to 70 characters (the EPC limit) and so do we: a name is shown to the
# debtor, never matched, and every bank cuts it there anyway.
NAME_LENGTH = 70
REMITTANCE_LENGTH = 140
# Payment-information ids are "<message id>-NNNN" and may be 35 characters long.
MESSAGE_ID_LENGTH = 30


@dataclass(frozen=True)
class PostalAddress:
    """A structured address: banks reject unstructured ones from November 2026."""

    town: str
    country: str  # ISO 3166 alpha-2
    street: str | None = None
    building_number: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    creditor_id: str
    address: PostalAddress
    bic: str | None = None


@dataclass(frozen=True)
class Collection:
    """One direct debit: an amount (minor units, EUR) to take under a mandate on a date."""

    end_to_end_id: str
    amount: int
    mandate_id: str
    mandate_signed_on: date
    sequence_type: str  # FRST, RCUR, FNAL or OOFF (see sepa_rules.sequence_type)
    debtor_name: str
    debtor_iban: str
    remittance: str  # shown on the debtor's statement: the invoice numbers
    collection_date: date
    scheme: str = "CORE"
    debtor_bic: str | None = None
    debtor_address: PostalAddress | None = None


@dataclass(frozen=True)
class DebitBatch:
    """One pain.008 file."""

    message_id: str
    created_at: datetime  # aware
    creditor: Creditor
    collections: Sequence[Collection]


def write_pain008(batch: DebitBatch, version: str) -> bytes:
    """The pain.008 document for `batch`, validated against the version's schema."""
    if version not in VERSIONS:
        raise Invalid(f"version must be one of {', '.join(VERSIONS)}", field="version")
    message_id = check_identifier(batch.message_id, "message_id", MESSAGE_ID_LENGTH)
    if batch.created_at.utcoffset() is None:
        raise Invalid("created_at needs a time zone", field="created_at")
    if not batch.collections:
        raise Invalid("a batch needs at least one collection", field="collections")
    scheme = _batch_scheme(batch.collections)
    _check_unique_ids(batch.collections)
    payments = [_payment(i, c, version) for i, c in enumerate(batch.collections)]
    document = _DeterministicDD(
        _creditor_config(batch.creditor, version, scheme),
        schema=version,
        message_id=message_id,
        created_at=batch.created_at,
    )
    for payment in payments:
        document.add_payment(payment)
    try:
        out: bytes = document.export(validate=True)
    except ValidationError as error:
        raise _schema_error(error) from error
    return out


# --- checks ----------------------------------------------------------------------------------


def _batch_scheme(collections: Sequence[Collection]) -> Scheme:
    """The one scheme of the batch: sepaxml writes one LclInstrm for the whole file, and banks
    take CORE and B2B collections in separate files anyway."""
    schemes = [
        check_scheme(c.scheme, f"collections[{i}].scheme") for i, c in enumerate(collections)
    ]
    for index, scheme in enumerate(schemes):
        if scheme != schemes[0]:
            raise Invalid(
                f"collection {collections[index].end_to_end_id!r} is {scheme} but the batch is "
                f"{schemes[0]}: CORE and B2B go in separate files",
                field=f"collections[{index}].scheme",
            )
    return schemes[0]


def _check_unique_ids(collections: Sequence[Collection]) -> None:
    """End-to-end ids come back in returns and status reports: two alike could not be told apart."""
    seen: set[str] = set()
    for index, collection in enumerate(collections):
        if collection.end_to_end_id in seen:
            raise Invalid(
                f"end-to-end id {collection.end_to_end_id!r} is used twice in the batch",
                field=f"collections[{index}].end_to_end_id",
            )
        seen.add(collection.end_to_end_id)


def _name(value: str, field: str) -> str:
    return to_sepa_text(value, field, 1000)[:NAME_LENGTH].rstrip()


def _address(address: PostalAddress, field: str, version: str) -> dict[str, Any]:
    """The address as sepaxml takes it.

    pain.008.001.08 (ISO 2019) has the structured elements and gets them. For pain.008.001.02
    the EPC implementation guidelines allow only the country and two address lines, so the same
    fields are written as "street number" and "postcode town" lines.
    """
    country = address.country.strip().upper()
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise Invalid(f"{field}.country must be a 2-letter ISO code", field=f"{field}.country")
    town = to_sepa_text(address.town, f"{field}.town", 35)
    parts = {
        "street": (address.street, 70),
        "building_number": (address.building_number, 16),
        "postal_code": (address.postal_code, 16),
    }
    clean = {
        name: to_sepa_text(value, f"{field}.{name}", limit)
        for name, (value, limit) in parts.items()
        if value is not None and value.strip()
    }
    if version == "pain.008.001.02":
        street = " ".join(clean[k] for k in ("street", "building_number") if k in clean)
        town_line = " ".join([clean.get("postal_code", ""), town]).strip()
        lines = [line for line in (street, town_line) if line]
        for line in lines:
            if len(line) > 70:
                raise Invalid(f"{field} makes an address line over 70 characters", field=field)
        return {"country": country, "lines": lines}
    structured = {
        "street_name": clean.get("street"),
        "building_number": clean.get("building_number"),
        "postcode": clean.get("postal_code"),
        "town": town,
        "country": country,
    }
    return {key: value for key, value in structured.items() if value}


def _creditor_config(creditor: Creditor, version: str, scheme: Scheme) -> dict[str, Any]:
    iban = check_iban(creditor.iban, "creditor.iban")
    config: dict[str, Any] = {
        "name": _name(creditor.name, "creditor.name"),
        "IBAN": iban,
        "batch": True,
        "creditor_id": check_creditor_id(creditor.creditor_id, "creditor.creditor_id"),
        "currency": "EUR",
        "instrument": scheme,
        "address": _address(creditor.address, "creditor.address", version),
    }
    bic = check_bic(creditor.bic, iban, "creditor.bic")
    if bic is not None:
        config["BIC"] = bic
    elif version == "pain.008.001.02":
        # the 2009 schema as sepaxml writes it has no "NOTPROVIDED" creditor agent
        raise Invalid(f"creditor.bic is required for {version}", field="creditor.bic")
    return config


def _payment(index: int, collection: Collection, version: str) -> dict[str, Any]:
    """The sepaxml payment for a collection; any refusal names the collection."""
    try:
        return _checked_payment(index, collection, version)
    except Invalid as error:
        raise Invalid(
            f"collection {collection.end_to_end_id!r}: {error.message}", field=error.field
        ) from error


def _checked_payment(index: int, collection: Collection, version: str) -> dict[str, Any]:
    field = f"collections[{index}]"
    amount = collection.amount
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise Invalid(
            f"{field}.amount must be a whole number of cents from 1 to {MAX_AMOUNT}",
            field=f"{field}.amount",
        )
    if collection.sequence_type not in SEQUENCE_TYPES:
        raise Invalid(
            f"{field}.sequence_type must be one of {', '.join(SEQUENCE_TYPES)}",
            field=f"{field}.sequence_type",
        )
    if collection.mandate_signed_on > collection.collection_date:
        raise Invalid(
            f"{field}: the mandate is signed after the collection date",
            field=f"{field}.mandate_signed_on",
        )
    iban = check_iban(collection.debtor_iban, f"{field}.debtor_iban")
    payment: dict[str, Any] = {
        "name": _name(collection.debtor_name, f"{field}.debtor_name"),
        "IBAN": iban,
        "amount": amount,  # sepaxml turns cents into "12.34" by string slicing, never floats
        "type": collection.sequence_type,
        "collection_date": collection.collection_date,
        "mandate_id": check_identifier(collection.mandate_id, f"{field}.mandate_id"),
        "mandate_date": collection.mandate_signed_on,
        "description": to_sepa_text(
            collection.remittance, f"{field}.remittance", REMITTANCE_LENGTH
        ),
        "endtoend_id": check_identifier(collection.end_to_end_id, f"{field}.end_to_end_id"),
    }
    bic = check_bic(collection.debtor_bic, iban, f"{field}.debtor_bic")
    if bic is not None:
        payment["BIC"] = bic
    if collection.debtor_address is not None:
        payment["address"] = _address(collection.debtor_address, f"{field}.debtor_address", version)
    return payment


def _schema_error(error: ValidationError) -> Invalid:
    """sepaxml's validation error, with the element and reason xmlschema found."""
    cause = error.__cause__
    path = getattr(cause, "path", None) or "pain.008"
    reason = getattr(cause, "reason", None) or str(error)
    return Invalid(f"the pain.008 file does not validate at {path}: {reason}", field=str(path))


# --- sepaxml with fixed ids ------------------------------------------------------------------


class _DeterministicDD(SepaDD):  # type: ignore[misc]  # sepaxml is untyped
    """SepaDD writing the ids and timestamp it is given instead of random ones and the clock.

    It hooks the two steps that fill them in (header, then payment-information blocks at
    export), which run before sepaxml serialises and validates, so validation sees the final
    document. It also writes AmdmntInd=false, as newer sepaxml releases do: Cobro does not send
    mandate amendments, and saying so is clearer to banks than leaving it out.
    """

    def __init__(
        self, config: dict[str, Any], schema: str, message_id: str, created_at: datetime
    ) -> None:
        self._fixed_message_id = message_id
        self._fixed_created_at = created_at
        super().__init__(config, schema=schema, clean=False)

    def _create_header(self) -> None:
        super()._create_header()
        header = self._xml.find("CstmrDrctDbtInitn/GrpHdr")
        header.find("MsgId").text = self._fixed_message_id
        header.find("CreDtTm").text = self._fixed_created_at.isoformat(timespec="seconds")

    def _finalize_batch(self) -> None:
        super()._finalize_batch()
        for number, node in enumerate(self._xml.iter("PmtInfId"), start=1):
            node.text = f"{self._fixed_message_id}-{number:04d}"
        for mandate in self._xml.iter("MndtRltdInf"):
            if mandate.find("AmdmntInd") is None:
                ET.SubElement(mandate, "AmdmntInd").text = "false"
