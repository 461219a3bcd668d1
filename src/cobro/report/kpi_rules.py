"""The receivables KPIs as formulas, on numbers the ledger queries give them. Pure: no
database, no clock. The formulas and their worked examples are `shared/reference`'s §8 and §9.K.

Every ratio with nothing to divide by (a period with no sales, no promise ended) is `None`:
"not defined", which the reports print as such, never a division by zero or a made-up zero.
Results are exact `Decimal`s; `rounded` gives the two decimals a report prints (half up).

Choices the sources leave open, pinned here (each a parameter where it matters):
- DSO uses the period's **ending** AR and its actual length in days (`dso`).
- Countback DSO counts each month's own days (actual calendar days, or 30 with `months` built
  so); when the history runs out before the AR is used up it is not defined.
- CEI: the **monthly-sales** variant by default (CreditGuru, Oracle: the period's credit sales
  ÷ its months), the total-sales variant on request (`CeiVariant.TOTAL`); "current" is what
  the caller counts as current (not yet due, by default in the reports).
- Average days to pay: simple and amount-weighted, over fully paid invoices.
- Promise kept rate: kept ÷ (kept + broken); open and cancelled promises are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

Number = int | Decimal
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class CeiVariant(StrEnum):
    MONTHLY = "monthly"  # the period's credit sales ÷ its number of months
    TOTAL = "total"  # the period's credit sales as they are


def rounded(value: Decimal | None) -> Decimal | None:
    """Two decimals, half up (what a report prints); None stays not defined."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator: Number, denominator: Number) -> Decimal | None:
    """`numerator` ÷ `denominator`; None (not defined) when there is nothing to divide by."""
    return None if denominator == 0 else Decimal(numerator) / Decimal(denominator)


def percent(part: Number, whole: Number) -> Decimal | None:
    """`part` ÷ `whole` × 100; None when `whole` is 0."""
    share = ratio(part, whole)
    return None if share is None else share * HUNDRED


def dso(ending_ar: Number, credit_sales: Number, days: int) -> Decimal | None:
    """Days sales outstanding, standard: ending AR ÷ the period's credit sales × its days."""
    share = ratio(ending_ar, credit_sales)
    return None if share is None else share * days


def countback_dso(ending_ar: Number, months: Sequence[tuple[Number, int]]) -> Decimal | None:
    """Countback DSO: `months` newest first, each (credit sales, days). Take each month's
    sales off the AR and count its days, until what is left is less than the next month's
    sales; then count that month's days in proportion. None when the history runs out first
    (the AR is older than every month given)."""
    left = Decimal(ending_ar)
    days = Decimal(0)
    if left <= 0:
        return Decimal(0)
    for sales, month_days in months:
        if left < sales:
            return days + left / Decimal(sales) * month_days
        left -= Decimal(sales)
        days += month_days
        if left == 0:
            return days
    return None


def best_possible_dso(current_ar: Number, credit_sales: Number, days: int) -> Decimal | None:
    """The DSO if every customer paid on time: only the AR not yet due, ÷ sales × days."""
    return dso(current_ar, credit_sales, days)


def average_days_delinquent(
    ending_ar: Number, current_ar: Number, credit_sales: Number, days: int
) -> Decimal | None:
    """ADD = DSO − best possible DSO: the days the late part adds (≥ 0 when current ≤ AR)."""
    standard = dso(ending_ar, credit_sales, days)
    best = best_possible_dso(current_ar, credit_sales, days)
    return None if standard is None or best is None else standard - best


def cei(
    beginning_ar: Number,
    credit_sales: Number,
    ending_ar: Number,
    ending_current: Number,
    months: int = 1,
    variant: CeiVariant = CeiVariant.MONTHLY,
) -> Decimal | None:
    """Collection effectiveness index, %: (beginning AR + sales − ending AR) ÷ (beginning AR
    + sales − ending current AR) × 100, with the period's sales per month (`MONTHLY`) or in
    total (`TOTAL`)."""
    if months < 1:
        raise ValueError("a period has at least one month")
    sales = Decimal(credit_sales) / months if variant is CeiVariant.MONTHLY else credit_sales
    collectible = Decimal(beginning_ar) + Decimal(sales)
    share = ratio(collectible - Decimal(ending_ar), collectible - Decimal(ending_current))
    return None if share is None else share * HUNDRED


def aging_allowance(buckets: Sequence[tuple[Number, Number]]) -> Decimal:
    """The allowance for doubtful debts: Σ each bucket's amount × its loss %."""
    return sum((Decimal(amount) * Decimal(percent) / HUNDRED for amount, percent in buckets),
               Decimal(0))  # fmt: skip


def bad_debt_ratio(bad_debts: Number, credit_sales: Number) -> Decimal | None:
    """Bad debts (written off) ÷ credit sales, %."""
    return percent(bad_debts, credit_sales)


def overdue_share(ar: Number, current: Number) -> Decimal | None:
    """Share of the open receivables past due, %: (AR − not yet due) ÷ AR × 100."""
    return percent(Decimal(ar) - Decimal(current), ar)


def average_days_to_pay(
    paid: Sequence[tuple[int, Number]],
) -> tuple[Decimal | None, Decimal | None]:
    """(simple, amount-weighted) average of the days each fully paid invoice took, from
    (days, amount) pairs: Σ days ÷ n, and Σ days × amount ÷ Σ amount."""
    return days_to_pay_of_sums(
        len(paid),
        sum(days for days, _amount in paid),
        sum(Decimal(amount) for _days, amount in paid),
        sum(Decimal(days) * Decimal(amount) for days, amount in paid),
    )


def days_to_pay_of_sums(
    count: int, days: Number, amount: Number, days_by_amount: Number
) -> tuple[Decimal | None, Decimal | None]:
    """The same averages from the sums a database computes: n, Σ days, Σ amount and
    Σ days × amount."""
    return ratio(days, count), ratio(days_by_amount, amount)


def kept_rate(kept: int, broken: int) -> Decimal | None:
    """Promises kept ÷ (kept + broken), %; open and cancelled ones do not count."""
    return percent(kept, kept + broken)


def collections_forecast(
    credit_sales: Mapping[int, Number],
    curve: Sequence[Number],
    cash_sales: Mapping[int, Number] | None = None,
) -> dict[int, Decimal]:
    """Expected collections by period: cash sales of the period, plus Σₖ credit sales of
    k periods before × the share `curve[k]` (0–1) history says comes in k periods after the
    sale. Periods are numbers (e.g. months counted from an origin); the forecast runs from the
    first sale to the last period the curve reaches."""
    cash_sales = cash_sales or {}
    periods = set(credit_sales) | set(cash_sales)
    if not periods:
        return {}
    first, last = min(periods), max(periods) + len(curve) - 1
    forecast: dict[int, Decimal] = {}
    for period in range(first, last + 1):
        total = Decimal(cash_sales.get(period, 0))
        for lag, share in enumerate(curve):
            total += Decimal(credit_sales.get(period - lag, 0)) * Decimal(share)
        forecast[period] = total
    return forecast


def expected_pay_date(due: date, weighted_days_late: Number) -> date:
    """When a customer who pays `weighted_days_late` days late on average will pay an invoice
    due on `due` (rounded to whole days, half up)."""
    late = Decimal(weighted_days_late).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return due + timedelta(days=int(late))
