"""Pure rules of statement import: which format a file is, how a statement and a line are
recognised when a file brings them again, and account numbers compared as banks write them."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from cobro.banking.statement import Line, ParsedStatement, StatementError
from cobro.errors import Invalid
from cobro.kit.money import parse_amount

FORMATS = ("camt", "mt940", "csv")


def compact_account(value: str) -> str:
    """An IBAN or account number without spaces, dashes or dots, upper-case: "DE89 3704 0044"
    and "de8937040044" are the same account."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def sniff_format(data: bytes) -> str:
    """camt (XML), mt940 (SWIFT tags) or csv, from the first bytes; `StatementError` otherwise."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise StatementError("the file is empty")
    if head.startswith(b"<"):
        return "camt"
    text = head.decode("latin-1")
    if _is_coda(text):
        raise StatementError(
            "this is a Belgian CODA statement, a format Cobro does not read: ask the bank for "
            "the same statement as camt.053 or MT940"
        )
    if (":20:" in text and (":25:" in text or ":61:" in text)) or text.startswith("{1:"):
        return "mt940"
    first = text.splitlines()[0] if text.splitlines() else ""
    if any(mark in first for mark in (";", ",", "\t")):
        return "csv"
    raise StatementError(
        "unknown statement format: expected camt.052/053/054 (XML), MT940/MT942 or CSV"
    )


def _is_coda(text: str) -> bool:
    """CODA: 128-character records, the first a header record "0…", the next "1…"."""
    records = text.splitlines()
    return (
        len(records) >= 2
        and records[0].startswith("0000")
        and len(records[0].rstrip("\r")) == 128
        and records[1].startswith("1")
    )


def _digest(*parts: object) -> str:
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()


def line_fingerprint(account: str, line: Line) -> str:
    """What makes a line the same movement in another file of the same account.

    The bank's own reference, with the amount and end-to-end id, where it gave one: a camt.054
    notification and the day's camt.053 word the same entry differently (dates as date-times,
    remittance cut elsewhere), so only what banks keep stable is compared. Without one, the
    whole line. The status is part of it: a pending intraday line is not the booked one.
    """
    if line.bank_reference:
        return _digest(account, line.status, line.bank_reference, line.amount, line.end_to_end_id)
    return _digest(
        account,
        line.status,
        line.booking_date,
        line.value_date,
        line.amount,
        line.currency,
        line.end_to_end_id,
        line.counterparty_iban,
        line.counterparty_name,
        line.structured_reference,
        line.remittance,
    )


def line_keys(account: str, lines: Iterable[Line]) -> list[str]:
    """One key per line, unique within the statement: two identical lines (two customers
    paying the same amount without references on the same day) are counted apart by their
    order, so both are kept, and a file that brings both again adds neither."""
    seen: Counter[str] = Counter()
    keys = []
    for line in lines:
        fingerprint = line_fingerprint(account, line)
        keys.append(_digest(fingerprint, seen[fingerprint]))
        seen[fingerprint] += 1
    return keys


def statement_key(account: str, statement: ParsedStatement, keys: Iterable[str]) -> str:
    """The statement's own id where it has one (with its kind and period, as banks reuse ids
    across years); else a digest of its lines and balances."""
    kind = statement.format.split(".")[1] if statement.format.startswith("camt.") else ""
    if statement.identifier:
        return _digest(account, kind, statement.identifier, statement.from_date, statement.to_date)
    return _digest(
        account,
        kind,
        statement.from_date,
        statement.to_date,
        statement.opening,
        statement.closing,
        *keys,
    )


def initial_state(line: Line) -> str:
    """Where a new line starts: pending lines and money out are kept but not matched."""
    if line.status != "BOOK":
        return "pending"
    if line.amount <= 0:
        return "debit"
    return "unmatched"


def parse_share(text: str, currency: str) -> tuple[str, int]:
    """ "F-1=120.50" → ("F-1", 12050): an invoice and the amount of a payment to apply to it,
    as a person types them (the CLI's arguments, a line of the page's form)."""
    invoice, sign, amount = text.rpartition("=")
    if not sign or not invoice.strip() or not amount.strip():
        raise Invalid(f"{text.strip()!r}: write invoice=amount, e.g. F-1=120.50", "shares")
    minor = parse_amount(amount, currency)
    if minor <= 0:
        raise Invalid(f"{text.strip()!r}: the amount must be more than zero", field="shares")
    return invoice.strip(), minor
