"""Importing a statement file: read it whole, check every statement is for an account of the
company, store what is new, then run cash application on the new money in.

All or nothing: a file that cannot be read, or one statement of it for an account the company
does not own, writes nothing. Importing the same file, or the same entries in another file
(the intraday report, then the day's statement), adds nothing the second time. Services flush;
the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.banking import csvfile
from cobro.banking.accounts import owned_account
from cobro.banking.application import Outcome, apply_new_lines
from cobro.banking.camt import read_camt
from cobro.banking.models import BankAccount, Statement, StatementLine
from cobro.banking.mt940 import read_mt940
from cobro.banking.rules import initial_state, line_keys, sniff_format, statement_key
from cobro.banking.statement import Line, ParsedStatement, StatementError
from cobro.company.models import Company
from cobro.errors import Invalid


@dataclass
class StatementSummary:
    id: int | None  # None: imported before
    account: str
    format: str
    identifier: str | None
    lines: int
    new_lines: int
    balance_gap: int | None
    already_imported: bool


@dataclass
class ImportResult:
    statements: list[StatementSummary] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def new_lines(self) -> int:
        return sum(summary.new_lines for summary in self.statements)


def read_statements(
    data: bytes,
    fmt: str | None = None,
    mapping: str | Mapping[str, str] = "generic",
    currency: str | None = None,
    account: str | None = None,
) -> list[ParsedStatement]:
    """Every statement in the file; `StatementError` naming the line or element at fault."""
    kind = fmt or sniff_format(data)
    if kind == "camt":
        statements = read_camt(data)
    elif kind == "mt940":
        statements = read_mt940(data)
    elif kind == "csv":
        statements = csvfile.read_csv(data, mapping, account=account, currency=currency)
    else:
        raise StatementError(f"unknown format {fmt!r}: use camt, mt940 or csv")
    if not statements:
        raise StatementError("the file holds no statement")
    return statements


def import_statement_file(
    session: Session,
    company: Company,
    data: bytes,
    *,
    on: date,
    now: datetime,
    by: tuple[int | None, str],
    filename: str | None = None,
    fmt: str | None = None,
    mapping: str | Mapping[str, str] = "generic",
    account: str | None = None,
) -> ImportResult:
    statements = read_statements(data, fmt, mapping, account=account)
    return import_statements(
        session, company, statements, on=on, now=now, by=by, filename=filename, account=account
    )


def import_statements(
    session: Session,
    company: Company,
    statements: Sequence[ParsedStatement],
    *,
    on: date,
    now: datetime,
    by: tuple[int | None, str],
    filename: str | None = None,
    account: str | None = None,
) -> ImportResult:
    """Store statements already read (a file's, or the demo's) and apply their new money."""
    # every statement's account first: one foreign statement refuses the whole file
    accounts = [
        owned_account(session, company, statement.account or account) for statement in statements
    ]
    result = ImportResult()
    new_lines: list[StatementLine] = []
    for parsed, owner in zip(statements, accounts, strict=True):
        _check_currency(parsed, owner)
        summary, lines = _store(session, company, owner, parsed, filename, by[1])
        result.statements.append(summary)
        new_lines.extend(lines)
    result.outcome = apply_new_lines(session, company, new_lines, on=on)
    record(
        session,
        "bank.statement_imported",
        at=now,
        entity_type="bank_statement",
        entity_id=next((s.id for s in result.statements if s.id is not None), 0),
        actor_id=by[0],
        company_id=company.id,
        after={
            "file": filename,
            "by": by[1],
            "statements": len(result.statements),
            "new_lines": result.new_lines,
            "applied": result.outcome.applied,
            "review": result.outcome.review,
        },
        source="bank",
    )
    return result


def _check_currency(parsed: ParsedStatement, owner: BankAccount) -> None:
    if parsed.currency and parsed.currency != owner.currency:
        raise Invalid(
            f"statement {parsed.identifier or ''} of account {owner.account} is in "
            f"{parsed.currency}, the account is kept in {owner.currency}",
            field="currency",
        )


def _store(
    session: Session,
    company: Company,
    owner: BankAccount,
    parsed: ParsedStatement,
    filename: str | None,
    actor: str | None,
) -> tuple[StatementSummary, list[StatementLine]]:
    keys = line_keys(owner.account, parsed.lines)
    key = statement_key(owner.account, parsed, keys)
    summary = StatementSummary(
        id=None,
        account=owner.account,
        format=parsed.format,
        identifier=parsed.identifier,
        lines=len(parsed.lines),
        new_lines=0,
        balance_gap=parsed.balance_gap(),
        already_imported=True,
    )
    if session.scalar(
        select(Statement.id).where(Statement.bank_account_id == owner.id, Statement.key == key)
    ):
        return summary, []
    known = _known_keys(session, owner.id, keys)
    fresh = [(k, line) for k, line in zip(keys, parsed.lines, strict=True) if k not in known]
    statement = Statement(
        company_id=company.id,
        bank_account_id=owner.id,
        key=key,
        format=parsed.format,
        identifier=(parsed.identifier or "")[:140] or None,
        filename=(filename or "")[:255] or None,
        currency=parsed.currency,
        created_on_bank=parsed.created_at,
        from_date=parsed.from_date,
        to_date=parsed.to_date,
        opening=parsed.opening.amount if parsed.opening else None,
        closing=parsed.closing.amount if parsed.closing else None,
        balance_gap=summary.balance_gap,
        line_count=len(parsed.lines),
        new_lines=len(fresh),
        imported_by=actor,
    )
    session.add(statement)
    session.flush()
    rows = [_line_row(company, owner, statement, k, line) for k, line in fresh]
    session.add_all(rows)
    session.flush()
    summary.id, summary.new_lines, summary.already_imported = statement.id, len(rows), False
    return summary, rows


def _known_keys(session: Session, account_id: int, keys: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(keys), 500):  # bounded IN lists
        chunk = keys[start : start + 500]
        known.update(
            session.scalars(
                select(StatementLine.key).where(
                    StatementLine.bank_account_id == account_id, StatementLine.key.in_(chunk)
                )
            )
        )
    return known


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else None


def _line_row(
    company: Company, owner: BankAccount, statement: Statement, key: str, line: Line
) -> StatementLine:
    return StatementLine(
        company_id=company.id,
        bank_account_id=owner.id,
        statement_id=statement.id,
        key=key,
        amount=line.amount,
        currency=line.currency,
        booking_date=line.booking_date,
        value_date=line.value_date,
        counterparty_name=_cut(line.counterparty_name, 200),
        counterparty_iban=_cut(line.counterparty_iban, 40),
        counterparty_bic=_cut(line.counterparty_bic, 11),
        end_to_end_id=_cut(line.end_to_end_id, 64),
        structured_reference=_cut(line.structured_reference, 64),
        remittance=line.remittance,
        bank_code=_cut(line.bank_code, 40),
        bank_reference=_cut(line.bank_reference, 64),
        return_reason=_cut(line.return_reason, 8),
        mandate_id=_cut(line.mandate_id, 64),
        instruction_id=_cut(line.instruction_id, 64),
        reversal=line.reversal,
        state=initial_state(line),
        suggestions=[],
    )
