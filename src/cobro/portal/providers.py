"""Payment providers: what the portal offers a debtor to pay an invoice with. Pure.

The portal asks each configured provider for an `Offer` per open invoice and shows them all,
bank transfer first. Two adapters ship:

- `BankTransfer` (always on, offline): the company's bank details, the invoice's RF creditor
  reference and an EPC069-12 "SEPA QR" payload a banking app scans. No network, no provider.
- `HostedCheckout` (when COBRO_PAYMENT_LINK is set): a "Pay online" button opening the
  provider's own page (a Stripe Payment Link, a Redsys/PayPal checkout, an open-banking
  initiation page) with the payment filled in; see `cobro.portal.pay` for the template.

Writing another adapter (a card or open-banking provider)
--------------------------------------------------------
Implement `PaymentProvider`: a `name` and `offer(payable) -> Offer | None`. `offer` must be
pure and fast — it runs for every open invoice on every portal page view — so it builds the URL
of the provider's hosted page from the payable (sign it if the provider needs that) and never
calls the provider's API; a provider that needs a session created first points `url` at its
own short redirect endpoint instead. Return None for an invoice the provider cannot take (a
currency it does not support, an amount over its limit). Always pass `payable.reference` (the
RF reference) to the provider as the remittance or order reference: the money then reaches the
company's account with it, and cash application (`cobro.banking`) matches it to the invoice
like any transfer — a provider's payout that bundles several payments is split by the
references in its report, imported as a CSV statement. Cobro never sees card details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cobro.errors import Invalid
from cobro.portal.epc import Transfer, epc_payload
from cobro.portal.pay import PaymentRequest, payment_url


@dataclass(frozen=True)
class Payee:
    """Who is paid: the company's name and account as the portal shows them."""

    name: str
    iban: str | None
    bic: str | None


@dataclass(frozen=True)
class Payable:
    """One open invoice as a provider sees it (money in minor units)."""

    invoice: str
    customer: str  # the customer's external id
    reference: str  # the invoice's RF creditor reference
    amount: int
    currency: str
    payee: Payee


@dataclass(frozen=True)
class Offer:
    """One way to pay one invoice: a button to a page, or transfer details with a QR code."""

    provider: str
    url: str | None = None  # where "Pay online" goes; None: nothing to open
    beneficiary: str | None = None
    iban: str | None = None
    bic: str | None = None
    reference: str | None = None
    qr_payload: str | None = None  # EPC069-12; None when the scheme cannot carry it


class PaymentProvider(Protocol):
    name: str

    def offer(self, payable: Payable) -> Offer | None: ...


class BankTransfer:
    """Offline: bank details, the RF reference and the EPC QR payload (euro only)."""

    name = "transfer"

    def offer(self, payable: Payable) -> Offer | None:
        payee = payable.payee
        if not payee.iban:
            return None
        return Offer(
            provider=self.name,
            beneficiary=payee.name,
            iban=payee.iban,
            bic=payee.bic,
            reference=payable.reference,
            qr_payload=_epc(payable),
        )


def _epc(payable: Payable) -> str | None:
    assert payable.payee.iban is not None
    transfer = Transfer(
        name=payable.payee.name,
        iban=payable.payee.iban,
        bic=payable.payee.bic,
        amount=payable.amount,
        currency=payable.currency,
        reference=payable.reference or f"Invoice {payable.invoice}",
    )
    try:
        return epc_payload(transfer)
    except Invalid:  # another currency, an amount or name the scheme cannot carry
        return None


class HostedCheckout:
    """A provider's hosted payment page, from a URL template (COBRO_PAYMENT_LINK)."""

    name = "link"

    def __init__(self, template: str) -> None:
        self.template = template

    def offer(self, payable: Payable) -> Offer | None:
        request = PaymentRequest(
            reference=payable.reference,
            amount=payable.amount,
            currency=payable.currency,
            invoice=payable.invoice,
            customer=payable.customer,
        )
        url = payment_url(self.template, request)
        return None if url is None else Offer(provider=self.name, url=url)


def configured(payment_link: str | None) -> tuple[PaymentProvider, ...]:
    """The providers of this installation: bank transfer always, a hosted page when set."""
    providers: list[PaymentProvider] = [BankTransfer()]
    if payment_link:
        providers.append(HostedCheckout(payment_link))
    return tuple(providers)


def offers(providers: Sequence[PaymentProvider], payable: Payable) -> list[Offer]:
    return [offer for provider in providers if (offer := provider.offer(payable)) is not None]
