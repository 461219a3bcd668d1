"""What every statement format is read into: a statement of one account with its lines. Pure.

camt.052/053/054, MT940/MT942 and CSV files each have a reader (`camt`, `mt940`, `csvfile`) that
returns `ParsedStatement`s; the import service stores them without knowing the format. Amounts
are integer minor units of the line's currency, signed: money in (a credit) is positive, money
out (a debit) negative. A reader that cannot read a file raises `StatementError` naming the
line or element at fault; it never returns half a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cobro.errors import Invalid


class StatementError(Invalid):
    """A statement file that cannot be read: the message names the line or element."""


@dataclass(frozen=True)
class Balance:
    amount: int  # signed minor units
    currency: str
    on: date


@dataclass(frozen=True)
class Line:
    """One movement on the account, as the bank reported it.

    For camt, one entry (`Ntry`) gives one line, or one line per transaction (`TxDtls`) when a
    batch entry details several with their own amounts; MT940 gives one per `:61:`.
    """

    amount: int  # signed minor units: credit > 0, debit < 0
    currency: str
    booking_date: date | None
    value_date: date | None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None  # or the other account id the bank gave
    counterparty_bic: str | None = None
    end_to_end_id: str | None = None  # "NOTPROVIDED" is read as None
    structured_reference: str | None = None  # RF creditor reference, ISR/QRR, or other Strd ref
    remittance: str | None = None  # unstructured remittance text, parts joined by a space
    bank_code: str | None = None  # "PMNT/RCDT/ESCT" (ISO domain/family/sub), else proprietary
    bank_reference: str | None = None  # the bank's own reference (AcctSvcrRef, :61: bank ref)
    return_reason: str | None = None  # ISO reason on a return/reject: AM04, MD06, MS03…
    mandate_id: str | None = None  # SEPA direct-debit mandate reference
    instruction_id: str | None = None  # InstrId / PmtInfId the line answers, where given
    reversal: bool = False  # the bank's reversal indicator (a storno)
    status: str = "BOOK"  # BOOK, PDNG, INFO (camt); MT942 lines are "PDNG"


@dataclass(frozen=True)
class ParsedStatement:
    """A statement (camt.053, MT940), an intraday report (camt.052, MT942) or a notification
    (camt.054) of one account."""

    format: str  # "camt.053.001.02", "mt940", "mt942", "csv:<preset>"
    identifier: str | None  # Stmt/Id, Rpt/Id, Ntfctn/Id, :20:+:28C:; None when the file has none
    account_iban: str | None
    account_other: str | None  # the account number where it is not an IBAN
    currency: str | None  # the account's currency, when stated
    created_at: datetime | None  # aware
    from_date: date | None
    to_date: date | None
    opening: Balance | None
    closing: Balance | None
    lines: tuple[Line, ...] = field(default=())

    @property
    def account(self) -> str | None:
        return self.account_iban or self.account_other

    def balance_gap(self) -> int | None:
        """closing − (opening + Σ lines) where the file states both balances; None otherwise.
        A file that does not add up is stored and shown, not refused (the bank said so)."""
        if self.opening is None or self.closing is None:
            return None
        booked = sum(line.amount for line in self.lines if line.status == "BOOK")
        return self.closing.amount - (self.opening.amount + booked)
