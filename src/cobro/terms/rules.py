"""Payment terms as a small notation, and the dates and amounts they give. Pure.

Notation (case and spaces do not matter):
- ``NET30`` or ``30``: due 30 days after the issue date.
- ``EOM+30`` (or ``EOM30``): due 30 days after the end of the issue month; ``EOM`` alone: month end.
- ``2/10 NET30`` (or ``2%10 NET30``): 2 % off if paid within 10 days, otherwise net 30.
- ``50%@30 50%@60``: installments, a share of the total due N days after issue; the last share
  takes the rounding remainder. ``1000.00@30 REST@60``: fixed amounts, ``REST`` takes the remainder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from cobro.errors import Invalid
from cobro.kit.dates import end_of_month, plus_days

_NET = re.compile(r"^(?:NET)?(\d{1,3})$")
_EOM = re.compile(r"^EOM(?:\+?(\d{1,3}))?$")
_DISCOUNT = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)[/%](\d{1,3})$")
_PART = re.compile(r"^(REST|\d+(?:\.\d+)?%?)@(\d{1,3})$")
_PLUS = re.compile(r"\s*\+\s*")  # "EOM + 30" → "EOM+30"
_NET_SPACE = re.compile(r"NET\s+(?=\d)")  # "NET 30" → "NET30"
MAX_DAYS = 999


@dataclass(frozen=True)
class Share:
    """One installment: `percent` of the total, or a fixed `amount` (a Decimal in currency units),
    or the rest when both are None."""

    days: int
    percent: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class Terms:
    net_days: int = 30
    end_of_month: bool = False
    discount_percent: Decimal = Decimal(0)
    discount_days: int = 0
    installments: tuple[Share, ...] = field(default_factory=tuple)

    @property
    def code(self) -> str:
        """The canonical notation: `parse_terms(t.code) == t`."""
        if self.installments:
            return " ".join(_share_code(share) for share in self.installments)
        base = f"EOM+{self.net_days}" if self.end_of_month else f"NET{self.net_days}"
        if self.discount_percent:
            return f"{self.discount_percent.normalize():f}/{self.discount_days} {base}"
        return base


def _share_code(share: Share) -> str:
    if share.percent is not None:
        return f"{share.percent.normalize():f}%@{share.days}"
    if share.amount is not None:
        return f"{share.amount:f}@{share.days}"
    return f"REST@{share.days}"


def parse_terms(text: str) -> Terms:
    tokens = _NET_SPACE.sub("NET", _PLUS.sub("+", text.upper())).split()
    if not tokens:
        raise Invalid("payment terms are empty")
    if "@" in tokens[0]:
        return Terms(net_days=0, installments=_parse_installments(tokens, text))
    discount = _DISCOUNT.match(tokens[0]) if len(tokens) == 2 else None
    if len(tokens) > 2 or (len(tokens) == 2 and not discount):
        raise Invalid(f"payment terms {text!r} not understood (e.g. NET30, EOM+30, 2/10 NET30)")
    terms = _parse_base(tokens[-1], text)
    if discount:
        percent, days = Decimal(discount[1]), int(discount[2])
        if not 0 < percent < 100 or (days > terms.net_days and not terms.end_of_month):
            raise Invalid(
                f"payment terms {text!r}: the discount must be 0–100 % within the net days"
            )
        return Terms(terms.net_days, terms.end_of_month, percent, days)
    return terms


def _parse_base(token: str, text: str) -> Terms:
    net = _NET.match(token)
    if net:
        return Terms(net_days=int(net[1]))
    eom = _EOM.match(token)
    if eom:
        return Terms(net_days=int(eom[1] or 0), end_of_month=True)
    raise Invalid(f"payment terms {text!r} not understood (e.g. NET30, EOM+30, 2/10 NET30)")


def _parse_installments(tokens: list[str], text: str) -> tuple[Share, ...]:
    shares: list[Share] = []
    for token in tokens:
        part = _PART.match(token)
        if not part:
            raise Invalid(f"installment {token!r} in {text!r} not understood (e.g. 50%@30)")
        value, days = part[1], int(part[2])
        try:
            if value == "REST":
                shares.append(Share(days))
            elif value.endswith("%"):
                shares.append(Share(days, percent=Decimal(value[:-1])))
            else:
                shares.append(Share(days, amount=Decimal(value)))
        except InvalidOperation:
            raise Invalid(f"installment {token!r} in {text!r} not understood") from None
    _check_shares(shares, text)
    return tuple(shares)


def _check_shares(shares: list[Share], text: str) -> None:
    days = [share.days for share in shares]
    if days != sorted(days) or len(set(days)) != len(days):
        raise Invalid(f"installments in {text!r} must fall on increasing days")
    rests = sum(1 for share in shares if share.percent is None and share.amount is None)
    percents = [share.percent for share in shares if share.percent is not None]
    amounts = [share.amount for share in shares if share.amount is not None]
    if rests > 1:
        raise Invalid(f"installments in {text!r}: at most one REST share")
    if percents and not rests and len(percents) == len(shares) and sum(percents) != 100:
        raise Invalid(f"installment shares in {text!r} add up to {sum(percents)} %, not 100 %")
    if any(p <= 0 for p in percents) or sum(percents) > 100:
        raise Invalid(f"installment shares in {text!r} must be positive and at most 100 %")
    if any(a <= 0 for a in amounts):
        raise Invalid(f"installment amounts in {text!r} must be positive")
    if rests and sum(percents) >= 100:
        raise Invalid(f"installments in {text!r}: the shares take 100 %, nothing left for REST")


def due_date(terms: Terms, issued: date) -> date:
    """The date the whole amount is due (for installments: the last installment's date)."""
    if terms.installments:
        return plus_days(issued, terms.installments[-1].days)
    start = end_of_month(issued) if terms.end_of_month else issued
    return plus_days(start, terms.net_days)


def discount(terms: Terms, issued: date, total: int) -> tuple[date, int] | None:
    """Early-payment discount: (last day to take it, amount off in minor units, rounded half up).

    Rounding never lets the discount take the whole invoice: something is always left to pay.
    """
    if not terms.discount_percent:
        return None
    off = (Decimal(total) * terms.discount_percent / 100).to_integral_value(
        rounding="ROUND_HALF_UP"
    )
    return plus_days(issued, terms.discount_days), min(int(off), total - 1)


def schedule(terms: Terms, issued: date, total: int, exponent: int) -> list[tuple[date, int]]:
    """Installment dates and amounts (minor units) that add up to `total` exactly.

    Percent shares are rounded down and the remainder goes to the REST share, or else to the
    last share, so no cent is lost or invented.
    """
    if not terms.installments:
        return [(due_date(terms, issued), total)]
    amounts: list[int | None] = []
    for share in terms.installments:
        if share.percent is not None:
            amounts.append(int(Decimal(total) * share.percent / 100))
        elif share.amount is not None:
            scaled = share.amount.scaleb(exponent)
            if scaled != scaled.to_integral_value():
                raise Invalid(f"installment of {share.amount} has more decimals than the currency")
            amounts.append(int(scaled))
        else:
            amounts.append(None)
    rest = total - sum(a for a in amounts if a is not None)
    rest_index = amounts.index(None) if None in amounts else len(amounts) - 1
    amounts[rest_index] = (amounts[rest_index] or 0) + rest
    if any(a is None or a <= 0 for a in amounts):
        raise Invalid(f"installments {terms.code!r} do not fit a total of {total} minor units")
    return [
        (plus_days(issued, share.days), int(amount or 0))
        for share, amount in zip(terms.installments, amounts, strict=True)
    ]
