"""MT940 statements and MT942 intraday reports read into `ParsedStatement`s. Pure.

The `mt-940` library reads the SWIFT tags (`:20:`, `:25:`, `:28C:`, balances, `:61:`); this
module cuts the file into statements and tags itself, so that every error names its line, and
reads `:86:` itself, because the library joins or drops the subfields we need one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import mt940
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from cobro.banking.statement import Balance, Line, ParsedStatement, StatementError
from cobro.errors import Invalid
from cobro.kit.money import to_minor

# Every opt-in fix of the library: RC signed as the debit it is, :13D: offsets read as hours,
# lowercase marks, a blank :34F: mark, BOM stripped. 5.0.0-compatible defaults are wrong for us.
_OPTIONS = mt940.Options.all()
# A tag starts a line: ":61:", ":28C:", ":NS:". Tags the library does not know stay content of
# the tag before them, as in the library (":32:" at the start of an :86: line is text).
_TAG = re.compile(r"^:(?P<tag>[0-9]{2}|NS)(?P<sub>[A-Z])?:")
_KNOWN = frozenset(str(key)[:2] for key in mt940.tags.TAG_BY_ID)
_WIDTH = 65  # SWIFT line width: a full line was cut by the bank, not ended by the writer


_VARIANTS = (mt940.tags.Statement(), mt940.tags.StatementASNB(), mt940.tags.StatementGLS())


class Statement(mt940.tags.Statement):
    """:61: with the library's wider variants as fallbacks.

    ASN and SNS put the counterparty IBAN (up to 34 characters) where SWIFT allows 16 for the
    customer reference; GLS/Atruvia send longer references; ING wraps the supplementary details
    over several lines (read as one). The name must stay `Statement`: the library finds the
    tag's processors (date fix-ups) by a slug made from the class name.
    """

    def parse(self, transactions: mt940.models.Transactions, value: str) -> dict[str, str | None]:
        first, _, rest = value.partition("\n")
        values = (value, f"{first}\n{rest.replace(chr(10), '')}") if rest else (value,)
        for candidate in values:
            for variant in _VARIANTS:
                try:
                    return variant.parse(transactions, candidate)
                except RuntimeError:
                    continue
        raise RuntimeError(f"Unable to parse :61: from {value!r}")


class StatementNumber(mt940.tags.StatementNumber):
    """:28C: wrapped over two lines ("0000" then "0", as ING's old exports do) is one number."""

    def parse(self, transactions: mt940.models.Transactions, value: str) -> dict[str, str | None]:
        return super().parse(transactions, value.replace("\n", ""))


_TAGS: dict[int | str, mt940.tags.Tag] = {61: Statement(), 28: StatementNumber()}


@dataclass
class _Tag:
    name: str  # "61", "28C"
    line: int  # 1-based line number of the tag in the file
    text: list[str]  # the tag's value, line by line, as written (right-hand spaces kept)


def read_mt940(data: bytes) -> list[ParsedStatement]:
    """Every statement (one per :20:) of an MT940 or MT942 file; all or nothing."""
    blocks = _blocks(_tags(_decode(data)))
    if not blocks:
        raise StatementError("not an MT940/MT942 file: no :20:, :25:, :61: or balance tag found")
    return [_statement(block) for block in blocks]


def _decode(data: bytes) -> str:
    """UTF-8 when the bytes are UTF-8 (a BOM is dropped), else Windows-1252, which German and
    Dutch banks write; Latin-1 only for the five bytes cp1252 leaves undefined."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _tags(text: str) -> list[_Tag]:
    tags: list[_Tag] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\r", "")
        match = _TAG.match(line)
        if match and match["tag"] in _KNOWN:
            tags.append(_Tag(match["tag"] + (match["sub"] or ""), number, [line[match.end() :]]))
        elif tags and not _envelope(line):
            tags[-1].text.append(line)
    return tags


def _envelope(line: str) -> bool:
    """SWIFT framing and bank headers between statements, which belong to no tag: "{1:F01…",
    "-}{5:}", "-", "-XXX", blank lines."""
    stripped = line.strip()
    return not stripped or stripped.startswith(("{", "-}")) or stripped in ("-", "-XXX")


def _blocks(tags: list[_Tag]) -> list[list[_Tag]]:
    """One block per :20:; tags before the first :20: (a fragment) form a block of their own."""
    blocks: list[list[_Tag]] = []
    for tag in tags:
        if tag.name == "20" or not blocks:
            blocks.append([])
        blocks[-1].append(tag)
    return blocks


def _statement(block: list[_Tag]) -> ParsedStatement:
    parsed = mt940.models.Transactions(tags=dict(_TAGS), options=_OPTIONS)
    lines: list[tuple[_Tag, dict[str, Any], list[str]]] = []
    closed = False
    for tag in block:
        if tag.name in ("86", "NS"):
            # an :86: after the closing balance informs the account owner about the statement
            if tag.name == "86" and lines and not closed:
                lines[-1][2].extend(tag.text)
            continue
        _parse_tag(parsed, tag)
        closed = closed or tag.name[:2] in ("62", "64", "65", "90")
        if tag.name == "61":
            # popped so that the library never merges two :61: without a type code into one
            lines.append((tag, parsed.transactions.pop().data, []))
    return _assemble(parsed, block, lines)


def _parse_tag(parsed: mt940.models.Transactions, tag: _Tag) -> None:
    value = "\n".join(tag.text).strip()
    if tag.name[:2] == "25" and ("\n" in value or len(value) > 35):
        raise StatementError(f"line {tag.line}: :25: account is longer than 35 characters")
    try:
        parsed.parse(f":{tag.name}:{value}")
    except (RuntimeError, ValueError, ArithmeticError) as error:
        reason = "unreadable value" if isinstance(error, RuntimeError) else str(error)
        raise StatementError(f"line {tag.line}: :{tag.name}: {reason}: {value[:60]!r}") from error


def _assemble(
    parsed: mt940.models.Transactions,
    block: list[_Tag],
    lines: list[tuple[_Tag, dict[str, Any], list[str]]],
) -> ParsedStatement:
    data = parsed.data
    names = {tag.name for tag in block}
    intraday = not any(name[:2] in ("60", "62") for name in names) and bool(
        names & {"13D", "13", "34F", "34"}
    )
    status = "PDNG" if intraday else "BOOK"
    read = tuple(_line(tag, line, details, status) for tag, line, details in lines)
    opening = _balance(block, data, "60", ("final_opening", "intermediate_opening", "opening"))
    closing = _balance(block, data, "62", ("final_closing", "intermediate_closing", "closing"))
    created = data.get("date")
    created_at = created if isinstance(created, datetime) and created.tzinfo else None
    dates = [d for line in read for d in (line.booking_date, line.value_date) if d]
    iban, other = _account(str(data.get("account_identification") or "").strip())
    return ParsedStatement(
        format="mt942" if intraday else "mt940",
        identifier=_identifier(data),
        account_iban=iban,
        account_other=other,
        currency=parsed.currency,
        created_at=created_at,
        from_date=opening.on if opening else min(dates, default=None),
        to_date=closing.on if closing else max(dates, default=None),
        opening=opening,
        closing=closing,
        lines=read,
    )


def _balance(
    block: list[_Tag], data: dict[str, Any], tag: str, kinds: tuple[str, ...]
) -> Balance | None:
    for kind in kinds:
        found = data.get(f"{kind}_balance")
        if isinstance(found, mt940.models.Balance) and isinstance(
            found.amount, mt940.models.Amount
        ):
            currency = found.amount.currency or ""
            where = next(t for t in block if t.name[:2] == tag)
            amount = _minor(found.amount.amount, currency, where)
            return Balance(amount=amount, currency=currency, on=_date(found.date))
    return None


def _identifier(data: dict[str, Any]) -> str | None:
    parts = [data.get("transaction_reference"), data.get("statement_number")]
    if data.get("sequence_number"):
        parts.append(data["sequence_number"])
    text = "/".join(str(part).strip() for part in parts if part and str(part).strip())
    return text or None


def _account(value: str) -> tuple[str | None, str | None]:
    """(IBAN, None) when :25: holds a valid IBAN, possibly followed by the currency ("NL34RABO…
    EUR", "…EUR"); else (None, the account as written)."""
    if not value:
        return None, None
    compact = value.replace(" ", "")
    for candidate in (compact, compact[:-3] if re.search(r"[A-Z]{3}$", compact) else ""):
        if iban := _iban(candidate):
            return iban, None
    return None, value


def _iban(value: str | None) -> str | None:
    if not value or not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", value):
        return None
    try:
        return str(IBAN(value).compact)
    except SchwiftyException:
        return None


def _minor(amount: Decimal, currency: str, tag: _Tag) -> int:
    try:
        return to_minor(amount, currency)
    except Invalid as error:
        raise StatementError(f"line {tag.line}: :{tag.name}: {error.message}") from error


def _date(value: object) -> date:
    # the library's Date subclasses date; a plain date keeps dataclass equality simple
    assert isinstance(value, date)
    return date(value.year, value.month, value.day)


def _line(tag: _Tag, data: dict[str, Any], details: list[str], status: str) -> Line:
    amount = data["amount"]
    currency = amount.currency
    if not currency:
        raise StatementError(f"line {tag.line}: :61: no currency (no balance or :34F: before it)")
    info = read_details(details)
    customer_ref = _clean(data.get("customer_reference"))
    extra = _clean(data.get("extra_details"))
    iban = info.get("iban")
    name = info.get("name")
    if not iban:
        # Rabobank puts the counterparty IBAN on the :61: second line, ASN/SNS in the customer
        # reference, followed by the name
        for where in (customer_ref, extra):
            if iban := _iban(where):
                name = name or (extra if where == customer_ref else None)
                break
    entry = data.get("entry_date")
    return Line(
        amount=_minor(amount.amount, currency, tag),
        currency=currency,
        booking_date=_date(entry) if entry else None,
        value_date=_date(data["date"]),
        counterparty_name=name,
        counterparty_iban=iban,
        counterparty_bic=info.get("bic"),
        end_to_end_id=info.get("eref"),
        structured_reference=info.get("structured") or _rf(info.get("remittance")),
        remittance=info.get("remittance"),
        bank_code=info.get("gvc") or _clean(data.get("id")),
        bank_reference=_clean(data.get("bank_reference")) or customer_ref,
        return_reason=info.get("rtrn"),
        mandate_id=info.get("mref"),
        instruction_id=info.get("kref"),
        reversal=str(data.get("status") or "").upper().startswith("R"),
        status=status,
    )


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return None if not text or text.upper() in ("NONREF", "NOTPROVIDED") else text


# ---- :86: -------------------------------------------------------------------------------------

_GERMAN = re.compile(r"^(?P<gvc>\d{3})\s*(?P<sep>[?>])\d{2}")
_SUBFIELD = re.compile(r"[?>](\d{2})")
_SEPA_KEY = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|MDAT|RTRN)\+")
_DUTCH_KEY = re.compile(
    r"/(EREF|PREF|KREF|MARF|CSID|CNTP|REMI|ORDP|BENM|NAME|ADDR|ISDT|RTRN|IBAN|BIC|TRCD|PURP"
    r"|ULTC|ULTD|ULTB|SUM|SVCL|CDTRREF|CDTRREFTP|ISSR|ORIG|SRCOF|BUSP)/"
)
_RETURN = re.compile(r"(?:RTRN[+/]|R[UÜ]E?CKGABEGRUND:?\s*)([A-Z]{2}[0-9]{2}|[A-Z]{4})")
_RF = re.compile(r"\bRF[0-9]{2}[0-9A-Z]{1,21}\b")


def read_details(lines: list[str]) -> dict[str, str]:
    """The fields of an :86: text: German structured ("105?00…?20EREF+…?32Name"), Dutch
    ("/EREF/…/CNTP/IBAN/BIC/NAME/…/REMI/USTD//text/"), else free text as the remittance."""
    joined = "".join(lines)  # structured texts are cut at the line width, even mid-word
    if _GERMAN.match(joined):
        found = _german(joined)
    elif _DUTCH_KEY.match(joined.lstrip()):
        found = _dutch(joined.strip())
    else:
        found = {"remittance": _free_text(lines)}
    if (reason := _RETURN.search(joined.upper())) and not found.get("rtrn"):
        found["rtrn"] = reason.group(1)
    return {key: " ".join(value.split()) for key, value in found.items() if value and value.strip()}


def _free_text(lines: list[str]) -> str:
    """Lines joined by a space, except after a full line, which the bank cut mid-word."""
    text, previous = "", ""
    for line in lines:
        glue = "" if not text or len(previous) >= _WIDTH else " "
        text += glue + line
        previous = line
    return text


def _german(text: str) -> dict[str, str]:
    match = _GERMAN.match(text)
    assert match
    parts = _SUBFIELD.split(text[len(match["gvc"]) :].strip())
    fields: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        fields[key] = fields.get(key, "") + value
    purpose = "".join(v for k, v in sorted(fields.items()) if k[0] == "2")
    found = _sepa(purpose)
    # ?60–?63 continue the purpose beyond ?29: more remittance text, never a keyword's value
    more = "".join(v for k, v in sorted(fields.items()) if "60" <= k <= "63")
    found["remittance"] = f"{found['remittance']} {more}".strip()
    found["gvc"] = match["gvc"]
    found["bic"] = fields.get("30", "").strip()
    found["iban"] = fields.get("31", "").strip() or found.get("iban", "")
    found["name"] = (fields.get("32", "") + fields.get("33", "")).strip() or found.get("name", "")
    return found


def _sepa(purpose: str) -> dict[str, str]:
    """Purpose text with SEPA keywords (EREF+, MREF+, SVWZ+…); without them, all remittance."""
    parts = _SEPA_KEY.split(purpose)
    values: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        values.setdefault(key, value.strip())
    remittance = values.get("SVWZ") or (parts[0] if len(parts) == 1 else "")
    eref = values.get("EREF", "")
    return {
        "eref": "" if eref.upper() == "NOTPROVIDED" else eref,
        "kref": values.get("KREF", ""),
        "mref": values.get("MREF", ""),
        "remittance": remittance,
        "rtrn": values.get("RTRN", ""),
        "iban": values.get("IBAN", ""),
        "name": values.get("ABWA", "") or values.get("ABWE", ""),
    }


def _dutch(text: str) -> dict[str, str]:
    parts = _DUTCH_KEY.split(text)
    values: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        values.setdefault(key, value.strip("/ "))
    account, bic, name = [*values.get("CNTP", "").split("/"), "", "", ""][:3]
    remittance = values.get("REMI", "")
    structured = ""
    if kind := re.match(r"(USTD|STRD)/+(?:CUR/+)?", remittance):
        structured = remittance[kind.end() :] if kind[1] == "STRD" else ""
        remittance = remittance[kind.end() :]
    eref = values.get("EREF", "")
    return {
        "eref": "" if eref.upper() == "NOTPROVIDED" else eref,
        "kref": values.get("PREF", "") or values.get("KREF", ""),
        "mref": values.get("MARF", ""),
        "iban": account or values.get("IBAN", ""),
        "bic": bic or values.get("BIC", ""),
        "name": name or values.get("NAME", ""),
        "remittance": remittance,
        "structured": structured,
        "rtrn": values.get("RTRN", "").split("/")[0],
    }


def _rf(text: str | None) -> str | None:
    """The first RF creditor reference (ISO 11649) in the text whose check digits hold."""
    for candidate in _RF.findall(text or ""):
        digits = "".join(str(int(ch, 36)) for ch in candidate[4:] + candidate[:4])
        if int(digits) % 97 == 1:
            return str(candidate)
    return None
