"""What the pages, the API and the CLI read about statements: the list with each balance check
in words, and one statement's lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cobro.banking.models import BankAccount, Statement, StatementLine
from cobro.company.models import Company
from cobro.errors import NotFound
from cobro.kit.pagination import Page, PageRequest, paginate_rows


@dataclass(frozen=True)
class StatementRow:
    id: int
    account: str
    format: str
    identifier: str | None
    filename: str | None
    currency: str | None
    from_date: date | None
    to_date: date | None
    opening: int | None
    closing: int | None
    balance_gap: int | None
    line_count: int
    new_lines: int
    imported_at: datetime

    @property
    def balance_check(self) -> str:
        """ "adds up", "off by N" (minor units; stored and shown as the bank sent it), or
        "not stated" when the file gives no opening and closing balance."""
        if self.balance_gap is None:
            return "not stated"
        return "adds up" if self.balance_gap == 0 else f"off by {self.balance_gap}"


def _statements(company: Company) -> Select[*tuple[Any, ...]]:
    return (
        select(
            Statement.id,
            BankAccount.account,
            Statement.format,
            Statement.identifier,
            Statement.filename,
            Statement.currency,
            Statement.from_date,
            Statement.to_date,
            Statement.opening,
            Statement.closing,
            Statement.balance_gap,
            Statement.line_count,
            Statement.new_lines,
            Statement.imported_at,
        )
        .join(BankAccount, BankAccount.id == Statement.bank_account_id)
        .where(Statement.company_id == company.id)
    )


def list_statements(session: Session, company: Company, page: PageRequest) -> Page[StatementRow]:
    query = _statements(company).order_by(Statement.id.desc())
    return paginate_rows(session, query, page, StatementRow)


def get_statement(session: Session, company: Company, statement_id: int) -> StatementRow:
    row = session.execute(_statements(company).where(Statement.id == statement_id)).first()
    if row is None:
        raise NotFound(f"no statement {statement_id} in this company", field="statement")
    return StatementRow(*row)


def statement_lines(session: Session, company: Company, statement_id: int) -> list[StatementLine]:
    get_statement(session, company, statement_id)
    return list(
        session.scalars(
            select(StatementLine)
            .where(StatementLine.statement_id == statement_id)
            .order_by(StatementLine.id)
        )
    )
