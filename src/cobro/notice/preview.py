"""Previews for the editors: what a stage's notice says to a real customer of the company.

The sample customer is the one a person chooses, else the customer of the open item nearest
to the stage (days past due closest to the stage's offset, those already at or past it first),
so the preview shows real names, amounts and the customer's language. A company with nothing
open previews on Cobro's own sample data (`checks.sample_contexts`), and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.customer.service import get_customer
from cobro.db import days_between
from cobro.errors import Invalid, NotFound
from cobro.invoice.models import Invoice
from cobro.notice.checks import sample_contexts
from cobro.notice.context import NoticeContext
from cobro.notice.errors import NoticeError
from cobro.notice.render import CHANNEL_PARTS, Rendered, TemplateKey, render
from cobro.notice.service import company_language, context_for, custom_templates
from cobro.policy.editor import policy_view
from cobro.policy.service import list_policies

MAX_ITEMS = 20  # a preview lists at most this many of the customer's open items


@dataclass(frozen=True)
class Sample:
    """The notice's context, and whether it is a real customer's or Cobro's sample data."""

    context: NoticeContext
    real: bool

    @property
    def customer(self) -> str:
        return self.context.customer_ref


@dataclass(frozen=True)
class Preview:
    """One notice rendered (or the error that stopped it) in one language on one channel."""

    channel: str
    language: str
    rendered: Rendered | None
    error: str | None = None


@dataclass(frozen=True)
class StagePreview:
    stage: str
    offset: int
    sample: Sample
    previews: list[Preview]  # one per channel of the stage that sends a message


def stage_preview(
    session: Session, company: Company, policy: str, stage: str, on: date, customer: str | None
) -> StagePreview:
    """The messages a policy's stage sends, for the chosen or nearest customer, in the
    customer's language."""
    view = policy_view(session, company, policy)
    found = next((s for s in view.stages if s["code"] == stage), None)
    if found is None:
        raise NotFound(f"policy {policy!r} has no stage {stage!r}", field="stage")
    offset, tone = int(found["offset"]), str(found["tone"])
    channels = [action for action in found["actions"] if action in CHANNEL_PARTS]
    sample = pick_sample(session, company, stage, tone, channels[0] if channels else "email",
                         on, customer, offset)  # fmt: skip
    custom = custom_templates(session, company.id)
    previews = [
        preview(replace(sample.context, channel=channel), custom, sample.context.language)
        for channel in channels
    ]
    return StagePreview(stage, offset, sample, previews)


def preview(context: NoticeContext, custom: Mapping[TemplateKey, str], language: str) -> Preview:
    """The notice in `language` (or the nearest the company has wording for)."""
    try:
        rendered = render(replace(context, language=language), custom)
    except NoticeError as exc:
        return Preview(context.channel, language, None, exc.message)
    return Preview(context.channel, language, rendered)


def pick_sample(
    session: Session,
    company: Company,
    stage: str,
    tone: str,
    channel: str,
    on: date,
    customer: str | None = None,
    offset: int | None = None,
) -> Sample:
    """The context of a notice for `customer` (external id), else for the customer of the open
    item nearest to `offset` days past due, else on sample data."""
    debtor: Customer | None
    if customer is not None and customer.strip():
        try:
            debtor = get_customer(session, company.id, customer.strip())
        except NotFound as exc:
            raise Invalid(exc.message, field="customer") from None
    else:
        debtor = _nearest(session, company.id, on, offset)
    if debtor is None:
        return Sample(_sample_data(company, stage, tone, channel), real=False)
    invoices = session.scalars(
        select(Invoice)
        .where(
            Invoice.company_id == company.id,
            Invoice.customer_id == debtor.id,
            Invoice.settled_on.is_(None),
            Invoice.open_amount > 0,
        )
        .order_by(Invoice.due_date, Invoice.id)
        .limit(MAX_ITEMS)
    ).all()
    if not invoices:
        raise Invalid(f"customer {debtor.external_id!r} has nothing open to write about",
                      field="customer")  # fmt: skip
    items = [(invoice, stage) for invoice in invoices]
    context = context_for(session, company, debtor, items, stage, tone, channel, on)
    return Sample(context, real=True)


def _nearest(session: Session, company_id: int, on: date, offset: int | None) -> Customer | None:
    late = days_between(on, Invoice.due_date)
    distance = func.abs(late - (offset or 0))
    query = (
        select(Invoice.customer_id)
        .where(
            Invoice.company_id == company_id,
            Invoice.settled_on.is_(None),
            Invoice.open_amount > 0,
            Invoice.issue_date <= on,
        )
        .order_by(case((late >= (offset or 0), 0), else_=1), distance, Invoice.id)
        .limit(1)
    )
    customer_id = session.scalar(query)
    return None if customer_id is None else session.get(Customer, customer_id)


def _sample_data(company: Company, stage: str, tone: str, channel: str) -> NoticeContext:
    sample = sample_contexts(channel)[0]
    return replace(
        sample,
        company_name=company.name,
        company_country=company.country,
        company_language=company_language(company),
        stage=stage,
        tone=tone,
        items=tuple(replace(item, stage=stage) for item in sample.items),
    )


def policy_stages(session: Session, company: Company) -> dict[str, tuple[int, str]]:
    """Each stage code of the company's policies with its offset and tone (the first policy,
    by code, that has it)."""
    found: dict[str, tuple[int, str]] = {}
    for row in list_policies(session, company):
        for stage in row.stages:
            found.setdefault(str(stage["code"]), (int(stage["offset"]), str(stage["tone"])))
    return found
