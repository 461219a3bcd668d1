"""Company use cases. Services add and flush; the caller commits."""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.errors import Conflict, Invalid, NotFound
from cobro.kit.codes import check_country, check_timezone
from cobro.kit.money import check_currency
from cobro.kit.pagination import Page, PageRequest, paginate

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def create_company(
    session: Session, code: str, name: str, country: str, currency: str, timezone: str
) -> Company:
    if not _CODE.match(code):
        raise Invalid(f"company code {code!r}: use 1–40 lower-case letters, digits, - or _")
    if session.scalar(select(Company.id).where(Company.code == code)) is not None:
        raise Conflict(f"company {code!r} already exists")
    company = Company(
        code=code,
        name=name.strip() or code,
        country=check_country(country),
        currency=check_currency(currency),
        timezone=check_timezone(timezone),
    )
    session.add(company)
    session.flush()
    return company


def get_company(session: Session, code: str | None = None) -> Company:
    """The named company, or the only one when no name is given."""
    if code is not None:
        company = session.scalar(select(Company).where(Company.code == code))
        if company is None:
            raise NotFound(f"no company {code!r} (see `cobro companies`)")
        return company
    count = session.scalar(select(func.count(Company.id))) or 0
    if count == 0:
        raise NotFound("no company yet: run `cobro init` or `cobro demo` first")
    if count > 1:
        raise Invalid("there are several companies: say which with --company or COBRO_COMPANY")
    return session.scalars(select(Company)).one()


def list_companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).order_by(Company.code)))


def companies_page(
    session: Session, page: PageRequest, ids: Collection[int] | None = None
) -> Page[Company]:
    """A page of companies by code; only those of `ids` when given (a caller's companies)."""
    query = select(Company).order_by(Company.code, Company.id)
    if ids is not None:
        query = query.where(Company.id.in_(list(ids)))
    return paginate(session, query, page)


def companies_by_id(session: Session, ids: Collection[int]) -> list[Company]:
    """These companies, by code (unknown ids are left out)."""
    if not ids:
        return []
    query = select(Company).where(Company.id.in_(list(ids))).order_by(Company.code)
    return list(session.scalars(query))
