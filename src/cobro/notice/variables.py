"""The variables a notice template sees: the context's own fields, and values derived from them
(totals per currency, the amount due in words, the deadline…) so that templates stay simple."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from cobro.notice.context import NoticeContext, NoticeItem
from cobro.notice.environment import format_money, format_words, formatting_locale

# days given to pay from the day of the notice, by tone
DEADLINE_DAYS = {"friendly": 7, "firm": 7, "formal": 10, "final": 7}
DEFAULT_DEADLINE_DAYS = 10

# derived values every template may use besides the context's own fields
HELPERS = frozenset(
    {
        "totals",  # tuple of Total, one per currency
        "amount_due",  # the totals due in words: "€1,234.56 and US$20.00"
        "single",  # the one item when there is exactly one, else None
        "payment_reference",  # the reference to quote when one covers all items, else None
        "recipient",  # the contact's name, else the customer's
        "consumer",  # True for a consumer, False for a business
        "max_days_late",  # the most days late among the items
        "oldest_due_date",
        "deadline",  # the day by which the notice asks for payment
        "locale",  # what amounts and dates are formatted in ("es", "en_GB")
        "lang",  # the language of the template in use
    }
)
KNOWN_VARIABLES = frozenset(f.name for f in fields(NoticeContext)) | HELPERS


@dataclass(frozen=True)
class Total:
    """What is asked in one currency: open items, less unapplied cash, plus charges."""

    currency: str
    open: int  # the items' open amounts
    unapplied: int  # unapplied cash deducted (never more than `open`)
    charges: int
    due: int  # open − unapplied + charges


def totals(context: NoticeContext) -> tuple[Total, ...]:
    """One total per currency, in the order the currencies first appear among the items."""
    currencies = list(dict.fromkeys(item.currency for item in sort_items(context.items)))
    currencies += [c.currency for c in context.charges if c.currency not in currencies]
    result = []
    for currency in dict.fromkeys(currencies):
        opened = sum(item.open_amount for item in context.items if item.currency == currency)
        deducted = min(max(context.unapplied.get(currency, 0), 0), opened)
        charged = sum(c.amount for c in context.charges if c.currency == currency)
        result.append(Total(currency, opened, deducted, charged, opened - deducted + charged))
    return tuple(result)


def sort_items(items: tuple[NoticeItem, ...]) -> tuple[NoticeItem, ...]:
    return tuple(sorted(items, key=lambda item: (item.due_date, item.issue_date, item.number)))


def namespace(context: NoticeContext, language: str) -> dict[str, Any]:
    """The variables a template sees: the context's fields and the helpers derived from them."""
    items = sort_items(context.items)
    sums = totals(context)
    locale = formatting_locale(context.language, language)
    references = {item.payment_reference for item in items}
    data = {f.name: getattr(context, f.name) for f in fields(NoticeContext)}
    data.update(
        items=items,
        totals=sums,
        single=items[0] if len(items) == 1 else None,
        payment_reference=references.pop() if len(references) == 1 else None,
        recipient=context.contact_name or context.customer_name,
        consumer=context.customer_kind == "consumer",
        max_days_late=max((item.days_late for item in items), default=0),
        oldest_due_date=items[0].due_date if items else context.on,
        deadline=context.on
        + timedelta(days=DEADLINE_DAYS.get(context.tone, DEFAULT_DEADLINE_DAYS)),
        locale=locale,
        lang=language,
    )
    data["amount_due"] = _amount_due(sums, locale)
    return data


def _amount_due(sums: tuple[Total, ...], locale: str) -> str:
    amounts = [format_money(t.due, t.currency, locale) for t in sums if t.due]
    if not amounts and sums:  # all paid by unapplied cash: still a grammatical sentence
        amounts = [format_money(0, sums[0].currency, locale)]
    return format_words(amounts, locale)
