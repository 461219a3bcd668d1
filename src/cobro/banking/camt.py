"""ISO 20022 camt reader: camt.052 (account report), camt.053 (statement) and camt.054
(debit/credit notification), versions .001.01 to .001.10. Pure.

Elements are matched by local name, never by namespace: banks send files with missing or odd
namespaces, and the names we read have not changed across versions except where handled here
(`V01` root names, `Sts/Cd` and `Pty/Nm` from v08, `TxDtls` straight under `Ntry` in v01).
Nothing is validated against the XSD: files that projects accept are accepted here; only what
would make money wrong or missing is refused.

One `Ntry` gives one `Line`. An entry detailing several transactions (`TxDtls`) with their own
amounts gives one line per transaction, but only when those amounts are in the entry's currency
and add up to the entry: otherwise the entry stays one line (the entry is what moved on the
account, so its amount is never replaced by amounts that do not make it up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from cobro.banking.statement import Balance, Line, ParsedStatement, StatementError
from cobro.errors import Invalid
from cobro.kit.money import to_minor

# message element (without the "V01" of version 1) → (message number, record element)
_MESSAGES = {
    "BkToCstmrAcctRpt": ("052", "Rpt"),
    "BkToCstmrStmt": ("053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("054", "Ntfctn"),
}
_NAMESPACE = re.compile(r"camt\.(05[234])\.001\.(\d{2})")
# xs:decimal without a sign: camt amounts are unsigned, the direction is CdtDbtInd
_AMOUNT = re.compile(r"^\+?(?:\d+(?:\.\d*)?|\.\d+)$")
_SIGNS = {"CRDT": 1, "DBIT": -1}


def read_camt(data: bytes) -> list[ParsedStatement]:
    """Every statement, report or notification of a camt file, in file order."""
    root = _parse(data)
    message = root
    if _local(root.tag) == "Document":
        message = next(iter(root), root)
    name = re.sub(r"V\d+$", "", _local(message.tag))
    if name not in _MESSAGES:
        raise StatementError(f"not a camt.05x file: root element is {_local(message.tag)}")
    number, record_name = _MESSAGES[name]
    found = _NAMESPACE.search(message.tag) or _NAMESPACE.search(root.tag)
    # the element name decides the message; the namespace only adds its version when it agrees
    form = f"camt.{number}"
    if found and found[1] == number:
        form = f"camt.{number}.001.{found[2]}"
    created = _datetime(_text(message, "GrpHdr/CreDtTm"), "GrpHdr CreDtTm")
    records = _all(message, record_name)
    if not records:
        raise StatementError(f"{form} file has no {record_name}: there is nothing to import")
    return [
        _record(record, f"{record_name} {index}", form, created)
        for index, record in enumerate(records, start=1)
    ]


def _parse(data: bytes) -> Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise StatementError(
            f"XML with a DTD or entity declarations is refused ({type(error).__name__})"
        ) from error
    except ParseError as error:
        line, column = error.position
        raise StatementError(
            f"not a camt file: broken XML at line {line}, column {column} ({error})"
        ) from error


# --- element access by local name ------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _all(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _find(element: Element | None, path: str) -> Element | None:
    """The first element down a "A/B/C" path of local names."""
    for name in path.split("/"):
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _text(element: Element | None, *paths: str) -> str | None:
    """The stripped text of the first path that has some; None when none has."""
    for path in paths:
        found = _find(element, path) if path else element
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


# --- values ----------------------------------------------------------------------------------


def _money(element: Element | None, where: str) -> tuple[int, str]:
    """Unsigned minor units and currency of an `Amt Ccy=".."` element."""
    if element is None:
        raise StatementError(f"{where}: the amount is missing")
    text, currency = (element.text or "").strip(), element.get("Ccy", "").strip()
    if not _AMOUNT.match(text):
        raise StatementError(f"{where}: {text!r} is not an amount")
    if not currency:
        raise StatementError(f"{where}: the amount {text} has no currency (Ccy)")
    try:
        # exact: "8.850" EUR is 885 cents, "8.855" EUR is refused rather than rounded
        return to_minor(Decimal(text), currency), currency.upper()
    except Invalid as error:
        raise StatementError(f"{where}: {error.message}") from error


def _sign(element: Element, where: str, default: int | None = None) -> int:
    indicator = _text(element, "CdtDbtInd")
    if indicator is None and default is not None:
        return default
    if indicator not in _SIGNS:
        raise StatementError(f"{where} CdtDbtInd: expected CRDT or DBIT, not {indicator!r}")
    return _SIGNS[indicator]


def _datetime(text: str | None, where: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise StatementError(f"{where}: {text!r} is not a date and time") from error
    # a time without an offset is read as UTC, so that every datetime we return is aware
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _date(element: Element | None, where: str) -> date | None:
    """A `Dt` or `DtTm` choice; a date-time gives its date as the bank wrote it."""
    text = _text(element, "Dt")
    if text is None:
        stamp = _datetime(_text(element, "DtTm"), where)
        return stamp.date() if stamp else None
    try:
        return date.fromisoformat(text[:10])  # xs:date may carry an offset: "2014-01-05+01:00"
    except ValueError as error:
        raise StatementError(f"{where}: {text!r} is not a date") from error


# --- statement level -------------------------------------------------------------------------


def _record(record: Element, where: str, form: str, created: datetime | None) -> ParsedStatement:
    account = _find(record, "Acct/Id")
    opening, closing = _balances(record, where)
    period = _find(record, "FrToDt")
    starts = _datetime(_text(period, "FrDtTm"), f"{where} FrDtTm")
    ends = _datetime(_text(period, "ToDtTm"), f"{where} ToDtTm")
    lines: list[Line] = []
    for index, entry in enumerate(_all(record, "Ntry"), start=1):
        lines.extend(_entry(entry, f"{where} Ntry {index}"))
    return ParsedStatement(
        format=form,
        identifier=_text(record, "Id"),
        account_iban=_text(account, "IBAN"),
        # v01 calls the non-IBAN account PrtryAcct (or BBAN/UPIC); v02+ Othr
        account_other=_text(account, "Othr/Id", "PrtryAcct/Id", "BBAN", "UPIC"),
        currency=_text(record, "Acct/Ccy"),
        created_at=_datetime(_text(record, "CreDtTm"), f"{where} CreDtTm") or created,
        from_date=starts.date() if starts else None,
        to_date=ends.date() if ends else None,
        opening=opening,
        closing=closing,
        lines=tuple(lines),
    )


def _balances(record: Element, where: str) -> tuple[Balance | None, Balance | None]:
    """Opening: OPBD, else PRCD (the previous closing booked, which is the same money).
    Closing: CLBD only: available (CLAV), forward or intraday (ITBD) balances include
    amounts that are not booked lines, so checking lines against them would be wrong."""
    found: dict[str, Balance] = {}
    for index, balance in enumerate(_all(record, "Bal"), start=1):
        code = _text(balance, "Tp/CdOrPrtry/Cd", "Tp/Cd")
        if code not in ("OPBD", "PRCD", "CLBD") or code in found:
            continue
        at = f"{where} Bal {index} ({code})"
        minor, currency = _money(_find(balance, "Amt"), f"{at} Amt")
        on = _date(_find(balance, "Dt"), f"{at} Dt")
        if on is None:
            raise StatementError(f"{at}: the balance has no date")
        found[code] = Balance(minor * _sign(balance, at, default=1), currency, on)
    return found.get("OPBD") or found.get("PRCD"), found.get("CLBD")


# --- lines -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Details:
    """What a line says beyond its amount; read from a `TxDtls`, all optional."""

    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    end_to_end_id: str | None = None
    structured_reference: str | None = None
    remittance: str | None = None
    return_reason: str | None = None
    mandate_id: str | None = None
    instruction_id: str | None = None
    bank_code: str | None = None


def _entry(entry: Element, where: str) -> list[Line]:
    amount, currency = _money(_find(entry, "Amt"), f"{where} Amt")
    sign = _sign(entry, where)
    # v01 puts TxDtls straight under Ntry, later versions under NtryDtls (one or several)
    transactions = _all(entry, "TxDtls") + [
        tx for group in _all(entry, "NtryDtls") for tx in _all(group, "TxDtls")
    ]
    split = _split(transactions, sign, amount, currency, where)
    if split is not None:
        return [
            _line(entry, where, part, currency, _details(tx, _sign(tx, where, sign) > 0))
            for tx, part in zip(transactions, split, strict=True)
        ]
    every = [_details(tx, sign > 0) for tx in transactions]
    return [_line(entry, where, sign * amount, currency, _agreed(every))]


def _split(
    transactions: list[Element], sign: int, amount: int, currency: str, where: str
) -> list[int] | None:
    """The signed amounts of several transactions, when they make up the entry exactly."""
    if len(transactions) < 2:
        return None
    parts: list[int] = []
    for index, tx in enumerate(transactions, start=1):
        at = f"{where} TxDtls {index}"
        element = _find(tx, "AmtDtls/TxAmt/Amt")
        element = _find(tx, "Amt") if element is None else element
        if element is None:
            return None
        minor, tx_currency = _money(element, f"{at} Amt")
        if tx_currency != currency:
            return None
        parts.append(minor * _sign(tx, at, default=sign))  # the entry's, unless it has its own
    return parts if sum(parts) == sign * amount else None


def _agreed(every: list[_Details]) -> _Details:
    """For an entry kept whole over several transactions: what they all say alike, nothing
    that belongs to one of them only (one payer's name on the whole batch would mislead)."""
    if not every:
        return _Details()
    merged: dict[str, str | None] = {}
    for field in fields(_Details):
        values = {getattr(details, field.name) for details in every}
        merged[field.name] = values.pop() if len(values) == 1 else None
    return _Details(**merged)


def _details(tx: Element, credit: bool) -> _Details:
    # on a credit the other party is the one who paid (debtor), on a debit the one paid
    side = "Dbtr" if credit else "Cdtr"
    parties, refs = _find(tx, "RltdPties"), _find(tx, "Refs")
    name = _text(
        parties,
        f"{side}/Nm",
        f"{side}/Pty/Nm",  # v08+
        f"{side}/Agt/FinInstnId/Nm",  # v08+: a bank as the party
        f"Ultmt{side}/Nm",
        f"Ultmt{side}/Pty/Nm",
    )
    end_to_end = _text(refs, "EndToEndId")
    information = _find(tx, "RmtInf")
    unstructured = [] if information is None else _all(information, "Ustrd")
    remittance = [part.text.strip() for part in unstructured if part.text and part.text.strip()]
    return _Details(
        counterparty_name=name,
        counterparty_iban=_text(parties, f"{side}Acct/Id/IBAN", f"{side}Acct/Id/Othr/Id"),
        counterparty_bic=_text(tx, f"RltdAgts/{side}Agt/FinInstnId/BIC")
        or _text(tx, f"RltdAgts/{side}Agt/FinInstnId/BICFI"),
        end_to_end_id=None if (end_to_end or "").upper() == "NOTPROVIDED" else end_to_end,
        structured_reference=_text(tx, "RmtInf/Strd/CdtrRefInf/Ref"),
        remittance=" ".join(remittance) or _text(tx, "AddtlTxInf"),
        return_reason=_text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
        mandate_id=_text(refs, "MndtId"),
        instruction_id=_text(refs, "InstrId", "PmtInfId"),
        bank_code=_bank_code(_find(tx, "BkTxCd")),
    )


def _bank_code(code: Element | None) -> str | None:
    """ "PMNT/RCDT/ESCT" from the ISO domain, else the proprietary code."""
    parts = [_text(code, p) for p in ("Domn/Cd", "Domn/Fmly/Cd", "Domn/Fmly/SubFmlyCd")]
    iso = "/".join(part for part in parts if part)
    return iso or _text(code, "Prtry/Cd")


def _line(entry: Element, where: str, amount: int, currency: str, details: _Details) -> Line:
    status = _text(entry, "Sts/Cd", "Sts/Prtry", "Sts") or "BOOK"
    return Line(
        amount=amount,
        currency=currency,
        booking_date=_date(_find(entry, "BookgDt"), f"{where} BookgDt"),
        value_date=_date(_find(entry, "ValDt"), f"{where} ValDt"),
        counterparty_name=details.counterparty_name,
        counterparty_iban=details.counterparty_iban,
        counterparty_bic=details.counterparty_bic,
        end_to_end_id=details.end_to_end_id,
        structured_reference=details.structured_reference,
        # the entry's own text when the transaction has none (batch credits name the batch)
        remittance=details.remittance or _text(entry, "AddtlNtryInf"),
        # the entry's code first: it is what was booked (a batch's parts may say less)
        bank_code=_bank_code(_find(entry, "BkTxCd")) or details.bank_code,
        bank_reference=_text(entry, "AcctSvcrRef", "NtryRef"),
        return_reason=details.return_reason,
        mandate_id=details.mandate_id,
        instruction_id=details.instruction_id
        or _text(entry, "NtryDtls/Btch/PmtInfId", "Btch/PmtInfId"),
        reversal=(_text(entry, "RvslInd") or "").lower() in ("true", "1"),
        status=status.upper(),
    )
