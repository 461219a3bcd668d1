"""A stage's fee: what the debtor is charged when their item reaches the stage. Pure.

A fee is a fixed amount (per currency), a percentage of the open amount, or both added; a
minimum and a maximum (per currency) bound the result. It is charged per invoice (each item at
the stage pays its own) or per notice (one fee for all the customer's items at the stage, on
their total, in each currency).

Fees add up as the chase goes on, as in Tryton's dunning-fee scenario: 10.00 fixed at +5 and
15 % at +10 on a 100.00 invoice make 125.00 owed. The percentage is of the invoice's open
amount, never of earlier fees: fees do not earn fees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from cobro.errors import Invalid
from cobro.kit.money import check_currency, format_minor

MAX_PERCENT = Decimal(100)


class FeeBasis(StrEnum):
    INVOICE = "invoice"  # each item at the stage is charged
    NOTICE = "notice"  # one fee per customer and currency for the items at the stage


@dataclass(frozen=True)
class Fee:
    # dicts are not hashable: kept out of the hash (equal fees still compare equal)
    fixed: Mapping[str, int] = field(default_factory=dict, hash=False)  # minor units
    percent: Decimal | None = None  # of the open amount
    minimum: Mapping[str, int] = field(default_factory=dict, hash=False)
    maximum: Mapping[str, int] = field(default_factory=dict, hash=False)
    per: FeeBasis = FeeBasis.INVOICE

    def describe(self, currency: str) -> str:
        """The rule in words, for the charge's detail: "10.00 + 1.5 % (min 5.00)"."""
        parts = []
        if currency in self.fixed:
            parts.append(format_minor(self.fixed[currency], currency))
        if self.percent is not None:
            parts.append(f"{self.percent.normalize():f} % of the open amount")
        text = " + ".join(parts)
        bounds = [
            f"{word} {format_minor(amounts[currency], currency)}"
            for word, amounts in (("min", self.minimum), ("max", self.maximum))
            if currency in amounts
        ]
        return f"{text} ({', '.join(bounds)})" if bounds else text


def fee_amount(fee: Fee, open_amount: int, currency: str) -> int | None:
    """The fee on `open_amount` (minor units) in `currency`; None when the fee says nothing
    for that currency (no fixed amount for it and no percentage): charging an amount meant
    for euros to a dollar invoice would be a guess."""
    if currency not in fee.fixed and fee.percent is None:
        return None
    amount = fee.fixed.get(currency, 0)
    if fee.percent is not None:
        share = Decimal(open_amount) * fee.percent / 100
        amount += int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if currency in fee.minimum:
        amount = max(amount, fee.minimum[currency])
    if currency in fee.maximum:
        amount = min(amount, fee.maximum[currency])
    return amount


def check_fee(fee: Fee, where: str) -> Fee:
    """Refuse a fee that cannot be charged as written; errors name `{where}.{key}`."""
    if not fee.fixed and fee.percent is None:
        raise Invalid(f"{where}: a fee needs a fixed amount, a percent, or both", field=where)
    if fee.percent is not None and not Decimal(0) < fee.percent <= MAX_PERCENT:
        raise Invalid(
            f"{where}.percent: {fee.percent} must be more than 0 and at most {MAX_PERCENT}",
            field=f"{where}.percent",
        )
    for key in ("fixed", "minimum", "maximum"):
        for currency, amount in getattr(fee, key).items():
            check_currency(currency)
            if amount < 0:
                raise Invalid(
                    f"{where}.{key}.{currency}: a fee amount cannot be negative",
                    field=f"{where}.{key}",
                )
    for currency, low in fee.minimum.items():
        high = fee.maximum.get(currency)
        if high is not None and high < low:
            raise Invalid(
                f"{where}.maximum.{currency}: below the minimum", field=f"{where}.maximum"
            )
    return fee
