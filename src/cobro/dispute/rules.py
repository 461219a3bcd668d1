"""What a dispute may be: its reason code, its description, the amount of each invoice it
contests, what a resolution credits, and the evidence files attached. Pure: no database, no
clock (the day comes in as `on`), no files.

Evidence is judged by its bytes, never by the name or the type a browser declares: a PDF starts
with `%PDF-`, a PNG with its 8-byte signature, a JPEG with FF D8 FF; plain text is UTF-8
without control bytes. Anything else (an executable renamed `.pdf`, an HTML page, a zip) is
refused, so a collector who opens an attachment opens what it says it is."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cobro.errors import Invalid
from cobro.kit.money import display

# the same codes as `dispute.models.DISPUTE_REASONS` (a test keeps them equal): rules may not
# import the models (SQLAlchemy)
REASONS = ("price", "quality", "not_received", "already_paid", "duplicate", "other")
SOURCES = ("call", "portal", "reply", "web", "api")
OUTCOMES = ("credit", "partial", "reject", "withdraw")
STATUS_OF_OUTCOME = {
    "credit": "credited",
    "partial": "partly_credited",
    "reject": "rejected",
    "withdraw": "withdrawn",
}
MAX_DESCRIPTION = 2000
MAX_NOTE = 300  # what a resolution's note may add to `Dispute.resolution` (500 in all)
MAX_RESOLUTION = 500
MAX_ITEMS = 50
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
MAX_FILENAME = 200
MAX_DAYS = 365  # a company's dispute_days: longer is a typo, not a policy

PDF, PNG, JPEG, TEXT = "application/pdf", "image/png", "image/jpeg", "text/plain"
ALLOWED_TYPES = (PDF, PNG, JPEG, TEXT)
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
# bytes no text file holds: C0 controls other than tab, line feed, form feed, carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNSAFE_NAME = re.compile(r"[^\w.()+, -]+")
_EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", TEXT: ".txt"}


def check_reason(reason: str) -> str:
    code = reason.strip().lower()
    if code not in REASONS:
        raise Invalid(f"reason {reason!r}: use one of {', '.join(REASONS)}", field="reason")
    return code


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise Invalid(f"source {source!r}: use one of {', '.join(SOURCES)}", field="source")
    return source


def check_description(text: str) -> str:
    """Why the debtor disputes, in their words or the collector's: required, 2000 characters
    at most."""
    clean = text.strip()
    if not clean:
        raise Invalid("say why the invoice is disputed", field="description")
    if len(clean) > MAX_DESCRIPTION:
        raise Invalid(
            f"the description is {len(clean)} characters: {MAX_DESCRIPTION} at most",
            field="description",
        )
    return clean


def check_owner(owner: str | None) -> str | None:
    clean = (owner or "").strip()
    if len(clean) > 100:
        raise Invalid("the owner's name is 100 characters at most", field="owner")
    return clean or None


@dataclass(frozen=True)
class Ask:
    """One invoice as a dispute names it: its number, what it has open, and the amount asked
    (None: all that is open)."""

    number: str
    open_amount: int
    currency: str
    amount: int | None = None


def check_numbers(numbers: Sequence[str]) -> None:
    if not numbers:
        raise Invalid("name at least one invoice to dispute", field="items")
    if len(numbers) > MAX_ITEMS:
        raise Invalid(f"a dispute names {MAX_ITEMS} invoices at most", field="items")
    seen: set[str] = set()
    for number in numbers:
        if number in seen:
            raise Invalid(f"invoice {number} is named twice", field="items")
        seen.add(number)


def disputed_amount(ask: Ask) -> int:
    """The minor units of the invoice the dispute contests: the amount asked, or all that is
    open. More than is open, nothing, or a settled invoice: Invalid naming the invoice."""
    if ask.open_amount <= 0:
        raise Invalid(f"invoice {ask.number} is settled: nothing is left to dispute", "items")
    if ask.amount is None:
        return ask.open_amount
    if ask.amount <= 0:
        raise Invalid(
            f"invoice {ask.number}: a disputed amount must be more than zero, not "
            f"{display(ask.amount, ask.currency)}",
            field="items",
        )
    if ask.amount > ask.open_amount:
        raise Invalid(
            f"invoice {ask.number}: a dispute of {display(ask.amount, ask.currency)} is larger "
            f"than the open amount ({display(ask.open_amount, ask.currency)})",
            field="items",
        )
    return ask.amount


def held_part(disputed: int, open_amount: int) -> int | None:
    """The amount a dispute's hold carries: None (the whole invoice) when all that is open is
    disputed, so a later payment of part of it cannot leave a stale part behind."""
    return None if disputed >= open_amount else disputed


def due_date(opened_on: date, days: int, due_on: date | None = None) -> date:
    """When the dispute should be resolved by: the day asked, or `days` after it opened."""
    if due_on is None:
        return opened_on + timedelta(days=days)
    if due_on < opened_on:
        raise Invalid(
            f"the due date ({due_on}) is before the dispute opens ({opened_on})", field="due_on"
        )
    return due_on


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"dispute days must be between 1 and {MAX_DAYS}, not {days}", "days")
    return days


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome {outcome!r}: use one of {', '.join(OUTCOMES)}", field="outcome")
    return outcome


def check_note(note: str | None) -> str | None:
    clean = (note or "").strip()
    if len(clean) > MAX_NOTE:
        raise Invalid(f"the note is {len(clean)} characters: {MAX_NOTE} at most", field="note")
    return clean or None


def check_credits(
    disputed: Mapping[str, int], credits: Mapping[str, int], currency: Mapping[str, str]
) -> dict[str, int]:
    """A partial credit's amounts by invoice number: each an invoice of the dispute, more than
    zero and at most what it disputes; at least one."""
    if not credits:
        raise Invalid("a partial credit names at least one invoice and amount", field="credits")
    checked: dict[str, int] = {}
    for number, amount in credits.items():
        if number not in disputed:
            raise Invalid(f"invoice {number} is not in this dispute", field="credits")
        if amount <= 0:
            raise Invalid(f"invoice {number}: a credit must be more than zero", field="credits")
        if amount > disputed[number]:
            code = currency.get(number, "EUR")
            raise Invalid(
                f"invoice {number}: a credit of {display(amount, code)} is more than the "
                f"{display(disputed[number], code)} disputed",
                field="credits",
            )
        checked[number] = amount
    return checked


def resolution_text(outcome: str, credited: Sequence[str], note: str | None) -> str:
    """What `Dispute.resolution` says: the outcome, the credit notes, the note."""
    said = {
        "credit": "Credited in full",
        "partial": "Credited in part",
        "reject": "Rejected: the chase resumes",
        "withdraw": "Withdrawn by the debtor",
    }[outcome]
    if credited:
        said += f" ({', '.join(credited)})"
    if note:
        said += f". {note}"
    return said[:MAX_RESOLUTION]


def credit_note_number(dispute_id: int, n: int) -> str:
    return f"CN-D{dispute_id}-{n}"


# ---- evidence -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff(content: bytes) -> str | None:
    """The type the bytes are, among ALLOWED_TYPES; None for anything else."""
    for signature, kind in _SIGNATURES:
        if content.startswith(signature):
            return kind
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or _CONTROL.search(text) or text.lstrip().lower().startswith("<"):
        return None  # HTML, SVG or XML would be rendered by a browser: not "plain text"
    return TEXT


def safe_filename(name: str, content_type: str) -> str:
    """A name safe to store and to send back in Content-Disposition: no folders, no control
    or shell characters, no leading dot, 200 characters at most, and an extension that says
    what the bytes are."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_NAME.sub("_", base).strip(" ._")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = _EXTENSIONS[content_type]
    if base.lower().endswith(".jpeg") and content_type == JPEG:
        extension = ".jpeg"
    stem = (stem or "evidence")[: MAX_FILENAME - len(extension)]
    return stem + extension


def check_evidence(name: str, content: bytes, already: int = 0) -> EvidenceFile:
    """One evidence file: a PDF, PNG, JPEG or plain text (by its bytes), 5 MiB at most, and
    room for it among the dispute's 10 files (`already` attached)."""
    shown = re.split(r"[\\/]", name)[-1][:MAX_FILENAME] or "the file"
    if already >= MAX_FILES:
        raise Invalid(f"a dispute holds {MAX_FILES} evidence files at most", field="evidence")
    if not content:
        raise Invalid(f"{shown} is empty", field="evidence")
    if len(content) > MAX_FILE_BYTES:
        raise Invalid(
            f"{shown} is {len(content) / 1024 / 1024:.1f} MiB: evidence files are 5 MiB at most",
            field="evidence",
        )
    kind = sniff(content)
    if kind is None:
        raise Invalid(
            f"{shown} is not a PDF, PNG, JPEG or plain-text file (judged by its content)",
            field="evidence",
        )
    return EvidenceFile(
        filename=safe_filename(name, kind),
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def check_evidence_files(
    files: Sequence[tuple[str, bytes]], already: int = 0
) -> list[EvidenceFile]:
    if already + len(files) > MAX_FILES:
        raise Invalid(f"a dispute holds {MAX_FILES} evidence files at most", field="evidence")
    return [check_evidence(name, content, already + i) for i, (name, content) in enumerate(files)]
