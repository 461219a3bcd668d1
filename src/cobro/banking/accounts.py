"""The company's bank accounts: statements are accepted only for these. The IBAN on the
company's own record (the one its letters print) counts as one without being added."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.banking.models import BankAccount
from cobro.banking.rules import compact_account
from cobro.company.models import Company
from cobro.errors import Conflict, Invalid
from cobro.kit.money import check_currency
from cobro.settings.rules import check_bic, check_iban


def check_account(value: str) -> str:
    """A valid IBAN (checked) or another account number (letters and digits), compacted."""
    clean = compact_account(value)
    if not clean:
        raise Invalid("an account number or IBAN is needed", field="account")
    if clean[:2].isalpha() and clean[2:4].isdigit():  # shaped like an IBAN: check it as one
        iban = check_iban(clean)
        assert iban is not None
        return iban
    if len(clean) > 40:
        raise Invalid(f"account {value!r} is longer than 40 characters", field="account")
    return clean


def add_account(
    session: Session,
    company: Company,
    account: str,
    currency: str | None = None,
    bic: str | None = None,
    name: str | None = None,
) -> BankAccount:
    number = check_account(account)
    if find_account(session, company, number) is not None:
        raise Conflict(f"account {number} is already one of {company.code}'s", field="account")
    row = BankAccount(
        company_id=company.id,
        account=number,
        currency=check_currency(currency or company.currency),
        bic=check_bic(bic),
        name=(name or "").strip() or None,
    )
    session.add(row)
    session.flush()
    return row


def list_accounts(session: Session, company: Company) -> list[BankAccount]:
    _adopt_company_iban(session, company)
    return list(session.scalars(select(BankAccount).where(BankAccount.company_id == company.id)))


def find_account(session: Session, company: Company, number: str) -> BankAccount | None:
    return session.scalar(
        select(BankAccount).where(
            BankAccount.company_id == company.id, BankAccount.account == compact_account(number)
        )
    )


def owned_account(session: Session, company: Company, number: str | None) -> BankAccount:
    """The company's account a statement is for; `Invalid` when it is not the company's."""
    if not number:
        raise Invalid("the statement names no account: Cobro cannot tell whose it is")
    _adopt_company_iban(session, company)
    account = find_account(session, company, number)
    if account is None:
        raise Invalid(
            f"the statement is for account {compact_account(number)}, which is not an account "
            f"of {company.code}: add it first (cobro bank accounts add, or Bank → Accounts)",
            field="account",
        )
    return account


def _adopt_company_iban(session: Session, company: Company) -> None:
    if company.iban and find_account(session, company, company.iban) is None:
        session.add(
            BankAccount(
                company_id=company.id,
                account=compact_account(company.iban),
                currency=company.currency,
                bic=company.bic,
                name="Main account",
            )
        )
        session.flush()
