"""Bank statement files for tests: a camt.053 (or camt.054) document of one account with the
entries given, written the way banks write them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

NS = {
    "053": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    "054": "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02",
}


@dataclass(frozen=True)
class Entry:
    amount: int  # minor units, signed: money in > 0
    booked: date = date(2026, 3, 2)
    name: str | None = None
    iban: str | None = None
    e2e: str | None = None
    rf: str | None = None
    text: str | None = None
    reference: str | None = None  # AcctSvcrRef
    return_reason: str | None = None
    currency: str = "EUR"


def _money(minor: int) -> str:
    return str(Decimal(abs(minor)).scaleb(-2))


def _entry(entry: Entry) -> str:
    side = "CRDT" if entry.amount > 0 else "DBIT"
    party_role, account_role = ("Dbtr", "DbtrAcct") if entry.amount > 0 else ("Cdtr", "CdtrAcct")
    parties = ""
    if entry.name or entry.iban:
        name = f"<{party_role}><Nm>{escape(entry.name or '')}</Nm></{party_role}>"
        account = (
            f"<{account_role}><Id><IBAN>{entry.iban}</IBAN></Id></{account_role}>"
            if entry.iban
            else ""
        )
        parties = f"<RltdPties>{name}{account}</RltdPties>"
    refs = f"<Refs><EndToEndId>{escape(entry.e2e)}</EndToEndId></Refs>" if entry.e2e else ""
    remittance = ""
    if entry.rf or entry.text:
        strd = f"<Strd><CdtrRefInf><Ref>{entry.rf}</Ref></CdtrRefInf></Strd>" if entry.rf else ""
        ustrd = f"<Ustrd>{escape(entry.text)}</Ustrd>" if entry.text else ""
        remittance = f"<RmtInf>{ustrd}{strd}</RmtInf>"
    returned = (
        f"<RtrInf><Rsn><Cd>{entry.return_reason}</Cd></Rsn></RtrInf>" if entry.return_reason else ""
    )
    service_ref = f"<AcctSvcrRef>{entry.reference}</AcctSvcrRef>" if entry.reference else ""
    day = entry.booked.isoformat()
    return (
        f'<Ntry><Amt Ccy="{entry.currency}">{_money(entry.amount)}</Amt>'
        f"<CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>{service_ref}"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
        "</Domn></BkTxCd>"
        f"<NtryDtls><TxDtls>{refs}{parties}{remittance}{returned}</TxDtls></NtryDtls></Ntry>"
    )


def camt(
    account: str,
    entries: list[Entry],
    statement_id: str = "STMT-1",
    opening: int | None = 0,
    closing: int | None = None,
    kind: str = "053",
    currency: str = "EUR",
) -> bytes:
    """A camt.053 statement (balances: opening, and closing = opening + entries unless given)
    or a camt.054 notification (no balances)."""
    balances = ""
    if kind == "053" and opening is not None:
        end = opening + sum(e.amount for e in entries) if closing is None else closing
        balances = "".join(
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="{currency}">{_money(value)}</Amt>'
            f"<CdtDbtInd>{'CRDT' if value >= 0 else 'DBIT'}</CdtDbtInd>"
            "<Dt><Dt>2026-03-02</Dt></Dt></Bal>"
            for code, value in (("OPBD", opening), ("CLBD", end))
        )
    root, block = (
        ("BkToCstmrStmt", "Stmt") if kind == "053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    )
    body = "".join(_entry(e) for e in entries)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{NS[kind]}"><{root}>'
        "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-03-02T18:00:00Z</CreDtTm></GrpHdr>"
        f"<{block}><Id>{statement_id}</Id><CreDtTm>2026-03-02T18:00:00Z</CreDtTm>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
        f"{balances}{body}</{block}></{root}></Document>"
    ).encode()
