"""FX rate endpoints (mounted under /api by `cobro.app`): the caller's company's rates, any
role; setting or replacing one day's rate of a currency, and removing it, need the
`configure` permission (managers and admins; a token's `write` scope). A rate for the
reporting currency itself is refused (422): it is always 1."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from cobro.audit.actor import Actor
from cobro.company.models import Company
from cobro.endpoint import CALLER_ERRORS, Caller, DbSession, Reader, error_responses, require
from cobro.fx import service
from cobro.fx.rules import parse_rate
from cobro.fx.schemas import FxRateIn, FxRateOut
from cobro.kit.dates import utcnow

router = APIRouter(prefix="/fx-rates", tags=["fx"], responses=CALLER_ERRORS)

Configurer = Annotated[Caller, require("configure")]
Currency = Annotated[str, Path(min_length=3, max_length=3, description="ISO 4217 code, e.g. USD")]
Day = Annotated[date, Path(description="the day the rate holds from")]


def _reporting(session: Session, company_id: int) -> str:
    return session.get_one(Company, company_id).currency


@router.get("")
def list_fx_rates(
    session: DbSession,
    caller: Reader,
    currency: Annotated[
        str | None, Query(min_length=3, max_length=3, description="only this currency's")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.LIST_MAX)] = service.LIST_LIMIT,
) -> list[FxRateOut]:
    """The company's FX rates, latest day first."""
    reporting = _reporting(session, caller.company_id)
    rows = service.list_rates(session, caller.company_id, currency, limit)
    return [FxRateOut.of(row, reporting) for row in rows]


@router.put("/{currency}/{day}", responses=error_responses(404))
def put_fx_rate(
    session: DbSession, caller: Configurer, currency: Currency, day: Day, body: FxRateIn
) -> FxRateOut:
    """Keep the rate of `currency` from `day` on, replacing that day's rate if there is one."""
    row = service.set_rate(
        session,
        caller.company_id,
        currency,
        day,
        parse_rate(body.rate),
        body.source,
        Actor(caller.user.id, caller.user.email),
        now=utcnow(),
        via="api",
    )
    return FxRateOut.of(row, _reporting(session, caller.company_id))


@router.delete("/{currency}/{day}", status_code=204, responses=error_responses(404))
def delete_fx_rate(
    session: DbSession, caller: Configurer, currency: Currency, day: Day
) -> Response:
    """Remove the rate of `currency` of `day` (the currency's rate of the day before holds)."""
    actor = Actor(caller.user.id, caller.user.email)
    service.remove_rate(session, caller.company_id, currency, day, actor, utcnow(), "api")
    return Response(status_code=204)
