"""The EPC "SEPA QR" payload (EPC069-12, version 002): what a banking app reads from the code on
the portal to fill in a credit transfer. Pure: no database, no clock, no drawing.

One element per line, separated by LF, in this order (the last populated element ends the
payload: no trailing empty lines):

    1  BCD              service tag
    2  002              version
    3  1                character set: UTF-8
    4  SCT              SEPA credit transfer
    5  BIC              optional in version 002 (inside the EEA), else 8 or 11 characters
    6  name             the beneficiary, 1–70 characters
    7  IBAN             the beneficiary's account
    8  EUR<amount>      EUR0.01 … EUR999999999.99, a dot and at most two decimals
    9  purpose          optional SEPA purpose code, 4 letters
    10 structured       an ISO 11649 RF creditor reference (≤ 35), or empty …
    11 unstructured     … or free remittance text (≤ 140): never both
    12 information      optional note to the payer (≤ 70)

The whole payload is at most 331 bytes. Euro only: the scheme is a SEPA credit transfer.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import bic as bic_codes
from stdnum import iban as iban_codes
from stdnum import iso11649

from cobro.errors import Invalid

MAX_BYTES = 331
MAX_NAME = 70
MAX_STRUCTURED = 35
MAX_UNSTRUCTURED = 140
MAX_INFORMATION = 70
MIN_AMOUNT = 1  # minor units: EUR0.01
MAX_AMOUNT = 999_999_999_99  # EUR999999999.99
HEADER = ("BCD", "002", "1", "SCT")


@dataclass(frozen=True)
class Transfer:
    """A credit transfer to ask for: money in minor units, the currency must be EUR."""

    name: str
    iban: str
    amount: int
    currency: str
    reference: str  # an RF creditor reference goes structured; anything else as free text
    bic: str | None = None
    purpose: str | None = None
    information: str | None = None


def epc_payload(transfer: Transfer) -> str:
    """The payload of `transfer`; `Invalid` naming the field when the scheme cannot carry it."""
    structured, unstructured = remittance(transfer.reference)
    lines = [
        *HEADER,
        _bic(transfer.bic),
        _text(transfer.name, MAX_NAME, "name", required=True),
        _iban(transfer.iban),
        epc_amount(transfer.amount, transfer.currency),
        _purpose(transfer.purpose),
        structured,
        unstructured,
        _text(transfer.information or "", MAX_INFORMATION, "information"),
    ]
    while lines[-1] == "":  # the last populated element ends the payload
        lines.pop()
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > MAX_BYTES:
        raise Invalid(f"an EPC QR payload holds at most {MAX_BYTES} bytes", field="payload")
    return payload


def epc_amount(amount: int, currency: str) -> str:
    """ "EUR12.30" for 1230 minor units of euro; the scheme carries nothing else."""
    if currency != "EUR":
        raise Invalid(f"an EPC QR code is for euro only, not {currency}", field="currency")
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise Invalid("the amount must be between EUR0.01 and EUR999999999.99", field="amount")
    return f"EUR{amount // 100}.{amount % 100:02d}"


def remittance(reference: str) -> tuple[str, str]:
    """(structured, unstructured): a valid RF reference in its compact form goes structured;
    other text, unstructured (one line, at most 140 characters)."""
    compact = str(iso11649.compact(reference)) if reference.strip() else ""
    if compact.startswith("RF") and iso11649.is_valid(compact):
        return compact, ""
    return "", _text(reference, MAX_UNSTRUCTURED, "reference")


def _text(value: str, limit: int, field: str, required: bool = False) -> str:
    clean = " ".join(value.split())  # a line break would shift every later element
    if required and not clean:
        raise Invalid(f"the EPC QR {field} is required", field=field)
    if len(clean) > limit:
        raise Invalid(f"the EPC QR {field} holds at most {limit} characters", field=field)
    return clean


def _iban(value: str) -> str:
    compact = str(iban_codes.compact(value))
    if not iban_codes.is_valid(compact):
        raise Invalid(f"{value!r} is not a valid IBAN", field="iban")
    return compact


def _bic(value: str | None) -> str:
    if not value or not value.strip():
        return ""
    compact = str(bic_codes.compact(value))
    if not bic_codes.is_valid(compact):
        raise Invalid(f"{value!r} is not a valid BIC", field="bic")
    return compact


def _purpose(value: str | None) -> str:
    if not value:
        return ""
    clean = value.strip().upper()
    if len(clean) != 4 or not clean.isalpha():
        raise Invalid("a SEPA purpose code is four letters", field="purpose")
    return clean
