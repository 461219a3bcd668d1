"""Turning a message action into the message itself, from the ledger as it is *now*.

The worker composes just before sending, so a message never lists an item paid, credited or
put on hold since the cycle queued it; when nothing is left to ask for, there is no message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session

from cobro.channel.base import Attachment, Message, PostalAddress
from cobro.charge.letters import claimed_for
from cobro.company.models import Company
from cobro.customer.models import Customer
from cobro.notice.links import preferences_url
from cobro.notice.render import TemplateKey, render
from cobro.notice.service import contacts_in_order, context_for, postal_address
from cobro.notice.statement import statement_pdf
from cobro.outbox.models import Action
from cobro.outbox.snapshot import ChasedItem, Snapshot
from cobro.policy.rules import Tone

PHONE_CHANNELS = frozenset({"sms", "whatsapp"})
LETTER_CHANNELS = frozenset({"letter", "registered_letter"})


@dataclass(frozen=True)
class Composed:
    message: Message
    items: tuple[tuple[int, int, str], ...]  # (invoice id, policy id, stage) listed


class NothingToSend(Exception):
    """Every item was paid, credited or put on hold since the cycle: cancel, do not send."""


class Unsendable(Exception):
    """The message cannot be made (no address, a template error): fail and raise a task."""


def compose(
    session: Session,
    action: Action,
    company: Company,
    ledger: Snapshot,
    custom: Mapping[TemplateKey, str],
    portal_url: str | None = None,
) -> Composed:
    """The message of `action`, from `ledger` (the batch's snapshot, taken on the company's
    today); raises `NothingToSend` or `Unsendable`. `portal_url`: the customer's signed portal
    link, which every message carries and where an email's unsubscribe link leads."""
    customer = ledger.customer(action.customer_id)
    rows = ledger.chased(customer.id)
    if not rows:
        raise NothingToSend("nothing left to chase: paid, credited or on hold since the cycle")
    cash = ledger.unapplied(customer.id)
    if all(cash.get(currency, 0) >= owed for currency, owed in _owed(rows, ledger).items()):
        raise NothingToSend("covered by unapplied cash received since the cycle")
    to, address = _recipients(customer, action.kind)
    context = context_for(
        session,
        company,
        customer,
        [(invoice, stage) for invoice, _policy, stage in rows],
        stage=action.stage,
        tone=action.tone,
        channel=action.kind,
        on=action.cycle_on,
        unapplied=cash,
        charges=claimed_for(
            ledger.claimed(customer.id), {invoice.id: invoice.number for invoice, _p, _s in rows}
        ),
        unsubscribe_url=_unsubscribe(company, customer, action.kind, portal_url),
        portal_url=portal_url,
        held=ledger.held,
    )
    rendered = render(context, custom)
    attachments: tuple[Attachment, ...] = ()
    if action.kind == "email" and action.tone in (Tone.FORMAL, Tone.FINAL):
        # with the formal notices the statement of account goes too: the debtor (or their
        # accounts payable) has every item and amount on one page to check and file. Not
        # earlier: a PDF per friendly reminder costs more to render than the whole email
        attachments = (Attachment("statement.pdf", "application/pdf", statement_pdf(context)),)
    message = Message(
        key=action.key,
        channel=action.kind,
        to=to,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        language=rendered.language,
        reply_to=company.email,
        attachments=attachments,
        address=address,
        unsubscribe_url=context.unsubscribe_url,
        on=action.cycle_on.isoformat(),
    )
    listed = tuple((invoice.id, policy, stage) for invoice, policy, stage in rows)
    return Composed(message, listed)


def _owed(rows: Sequence[ChasedItem], ledger: Snapshot) -> dict[str, int]:
    owed: dict[str, int] = defaultdict(int)
    for invoice, _policy, _stage in rows:
        owed[invoice.currency] += invoice.open_amount - ledger.held.get(invoice.id, 0)
    return owed


def _recipients(customer: Customer, kind: str) -> tuple[tuple[str, ...], PostalAddress | None]:
    contacts = contacts_in_order(customer)
    if kind in LETTER_CHANNELS:
        address = postal_address(customer)
        if address is None:
            raise Unsendable(f"customer {customer.external_id} has no postal address for a letter")
        return (), address
    if kind in PHONE_CHANNELS:
        # one number: a text to every phone on file would reach the same person several times
        found = [c.phone for c in contacts if c.phone][:1]
        what = "phone number"
    else:
        found = [c.email for c in contacts if c.email]
        what = "email address"
    if not found:
        raise Unsendable(f"customer {customer.external_id} has no {what} for {kind}")
    return tuple(dict.fromkeys(found)), None


def _unsubscribe(
    company: Company, customer: Customer, kind: str, portal_url: str | None
) -> str | None:
    if kind != "email":
        return None
    if portal_url:  # the portal's preferences page opts out of a channel, no account needed
        return preferences_url(portal_url)
    # no portal link (no COBRO_SECRET_KEY): a reply to the company's mailbox is the one opt-out
    # that really reaches a person; without a mailbox there is no honest link
    if not company.email:
        return None
    subject = quote(f"unsubscribe {customer.external_id}")
    return f"mailto:{company.email}?subject={subject}"
