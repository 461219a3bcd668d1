"""Candidates: the readings of a statement line as payments of a customer's invoices. Pure.

For each customer the evidence points to, the line's amount is read against the invoices it
names and (searching) the customer's open items, using the settlements of `match_parts`; each
reading becomes a `Draft` with its reasons in words and the points each adds, for the matcher
to rank and decide on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cobro.banking import match_evidence as evidence
from cobro.banking.match_evidence import TYPO, Context, Hit, Reason, lookup
from cobro.banking.match_parts import (
    CHARGES,
    DISCOUNT,
    EXACT,
    OVERPAYMENT,
    Due,
    Settlement,
    combinations,
    settle,
)
from cobro.errors import Invalid
from cobro.kit.money import to_decimal
from cobro.payment.rules import plan_allocations

# how the amount agrees (points)
EXACT_POINTS, COMBINED_POINTS, DISCOUNT_POINTS, CHARGES_POINTS, OVERPAID_POINTS = 35, 30, 30, 25, 10
PARTIAL_STRUCTURED, ONLY_MATCH, AMOUNT_ONLY = 20, 10, 35
NAMED_SOME = 15
AMOUNT_ONLY_MOST = 5
OTHER_CURRENCY_MOST = 50  # a payment in another currency: for review only
OLDEST_FIRST_MOST = 40  # a spread over the oldest invoices: a suggestion, not a reading
STRUCTURED = frozenset({evidence.RF[0], evidence.END_TO_END[0]})
AGREES = frozenset({"amount_exact", "amount_combined", "amount_discount", "amount_charges"})


def money(minor: int, currency: str) -> str:
    try:
        return f"{to_decimal(minor, currency)} {currency}"
    except Invalid:  # a code babel does not know: still say it exactly
        return f"{minor} minor units of {currency}"


@dataclass
class Draft:
    """A candidate while it is scored: shares are keyed by the item's position in the book."""

    customer_id: int
    settlement: Settlement
    reasons: list[Reason]
    cap: int | None  # the most it may score whatever its reasons add up to
    age: int  # the oldest due date's ordinal: ties go to the oldest debt
    invoice_code: str | None  # how the weakest of its invoices is named, if all are

    @property
    def raw(self) -> int:
        """The points before the cap at 100: what the margin is measured in."""
        total = sum(reason.points for reason in self.reasons)
        return total if self.cap is None else min(total, self.cap)

    @property
    def score(self) -> int:
        return min(100, self.raw)

    @property
    def codes(self) -> set[str]:
        return {reason.code for reason in self.reasons}


def readings(context: Context, search: bool) -> list[Draft]:
    """Drafts for every customer the line names an invoice of (and, searching, every customer
    the account or name points to)."""
    book = context.book
    customers: dict[int, list[int]] = {}
    for position in context.hits:
        customers.setdefault(book.items[position].customer_id, []).append(position)
    if search:
        for customer_id, reasons in context.payers.items():
            if reasons:
                customers.setdefault(customer_id, [])
    drafts: list[Draft] = []
    for customer_id, named in customers.items():
        drafts.extend(_customer_drafts(context, customer_id, named, search))
    return drafts


def _customer_drafts(
    context: Context, customer_id: int, named: list[int], search: bool
) -> list[Draft]:
    """Every reading of the line as a payment by this customer: each named invoice, the named
    ones together, combinations of them, and (searching) combinations of all its open items."""
    book, amount = context.book, context.line.amount
    tolerance, most = context.settings.charges_tolerance, context.settings.max_combined
    payer = evidence.payer_reasons(context, customer_id)
    hits = {position: context.hits[position] for position in named}
    if search and payer:
        hits.update(evidence.near_hits(context, customer_id, hits))
    held = book.customer_items(customer_id)
    pool = book.pool(customer_id, context.line.currency)
    same = [p for p in pool if p in hits]
    other = [p for p in held if p in hits and book.items[p].currency != context.line.currency]
    found: dict[Settlement, None] = {}  # distinct readings, in the order found
    for position in same:
        found[settle(amount, [_due(context, position)], tolerance)] = None
    if 2 <= len(same) <= most:
        found[settle(amount, [_due(context, p) for p in same], tolerance)] = None
    if len(same) > 2:
        dues = [_due(context, p) for p in same]
        named_sets = combinations(amount, dues, tolerance, most, charged_sets=True)
        found.update(dict.fromkeys(named_sets.settlements))
    complete, thorough = False, frozenset[Settlement]()
    if search and (payer or same):
        # only invoices that can be part of the amount: a large customer has thousands
        reach = amount + tolerance
        items = book.items
        dues = [
            _due(context, p)
            for p in pool
            if items[p].open_amount - items[p].discount_amount <= reach
        ]
        searched = combinations(amount, dues, tolerance, most, charged_sets=False)
        complete, thorough = searched.complete, searched.thorough
        found.update(dict.fromkeys(searched.settlements))
    drafts = [
        draft
        for settlement in found
        if (draft := _draft(context, customer_id, settlement, hits, payer)) is not None
    ]
    _mark_only_match(drafts, complete, thorough, book.party_name(customer_id))
    if other:
        drafts.append(_other_currency(context, customer_id, other, hits, payer))
    if search and payer and pool and not any(draft.codes & AGREES for draft in drafts):
        drafts.append(_oldest_first(context, customer_id, pool, payer))
    return drafts


def _due(context: Context, position: int) -> Due:
    item = context.book.items[position]
    return Due(position, item.open_amount, evidence.discount_now(item, context.paid_on))


def _draft(
    context: Context,
    customer_id: int,
    settlement: Settlement,
    hits: dict[int, Hit],
    payer: list[Reason],
) -> Draft | None:
    positions = [key for key, _ in settlement.shares]
    invoice = _invoice_reason(positions, hits)
    code = invoice.code if invoice and len(_named(positions, hits)) == len(positions) else None
    if code == TYPO[0] and not payer and settlement.kind not in (EXACT, DISCOUNT):
        return None  # one digit off, with neither the payer nor the amount to confirm it
    reasons = [invoice] if invoice else []
    reasons.extend(payer)
    reasons.append(_amount_reason(context, settlement, positions, code))
    return Draft(customer_id, settlement, reasons, None, _age(context, positions), code)


def _named(positions: Sequence[int], hits: dict[int, Hit]) -> list[Hit]:
    return [hits[p] for p in positions if p in hits]


def _invoice_reason(positions: Sequence[int], hits: dict[int, Hit]) -> Reason | None:
    named = _named(positions, hits)
    if not named:
        return None
    if len(named) < len(positions):
        said = f"the text names {len(named)} of the {len(positions)} invoices"
        return Reason("named_some", said, NAMED_SOME)
    weakest = min(named, key=lambda hit: hit.points)
    return Reason(weakest.code, "; ".join(hit.text for hit in named), weakest.points)


def _amount_reason(
    context: Context, settlement: Settlement, positions: list[int], code: str | None
) -> Reason:
    """How the amount agrees with these invoices, in words."""
    items = [context.book.items[p] for p in positions]
    numbers = ", ".join(item.number for item in items)
    currency = context.line.currency
    paid, owed = (
        money(context.line.amount, currency),
        money(sum(i.open_amount for i in items), currency),
    )
    kind = settlement.kind
    if kind == EXACT and len(items) == 1:
        said = f"the amount {paid} equals the open amount of {numbers}"
        return Reason("amount_exact", said, EXACT_POINTS)
    if kind == EXACT:
        said = f"the amount {paid} equals the open amounts of {len(items)} invoices ({numbers})"
        # every one named by the payer: as sure as one invoice; found by search: a little less
        return Reason("amount_combined", said, EXACT_POINTS if code else COMBINED_POINTS)
    if kind == DISCOUNT:
        until = min(
            i.discount_until or context.paid_on
            for i in items
            if evidence.discount_now(i, context.paid_on)
        )
        said = (
            f"the amount {paid} is the open {owed} of {numbers} less the early-payment "
            f"discount of {money(settlement.discount, currency)} (offered until {until})"
        )
        return Reason("amount_discount", said, DISCOUNT_POINTS)
    if kind == CHARGES:
        tolerance = money(context.settings.charges_tolerance, currency)
        said = (
            f"the amount {paid} is {money(settlement.charges, currency)} short of the open "
            f"{owed} of {numbers}: bank charges within the tolerance of {tolerance}"
        )
        return Reason("amount_charges", said, CHARGES_POINTS)
    if kind == OVERPAYMENT:
        rest = money(settlement.unapplied, currency)
        said = f"the amount {paid} pays {numbers} in full; {rest} is left as unapplied cash"
        return Reason("overpayment", said, OVERPAID_POINTS)
    said = f"a part payment: {paid} of the open {owed} of {numbers}"
    if code in STRUCTURED:
        return Reason("partial", f"{said}, against a structured reference", PARTIAL_STRUCTURED)
    return Reason("partial", said, 0)


def _age(context: Context, positions: Sequence[int]) -> int:
    items = context.book.items
    return min((items[p].due_date.toordinal() for p in positions), default=0)


def _mark_only_match(
    drafts: list[Draft], complete: bool, thorough: frozenset[Settlement], name: str
) -> None:
    """The one exact reading of the amount among all of a customer's open items is worth more
    than one of several."""
    exact = [d for d in drafts if d.settlement.kind in (EXACT, DISCOUNT)]
    # single invoices and runs in due order are always all tried; other sets only as far as
    # the bounded search went
    if len(exact) == 1 and (complete or exact[0].settlement in thorough):
        said = f"no other open invoice or combination of {name} matches the amount"
        exact[0].reasons.append(Reason("only_match", said, ONLY_MATCH))


def _other_currency(
    context: Context,
    customer_id: int,
    positions: list[int],
    hits: dict[int, Hit],
    payer: list[Reason],
) -> Draft:
    """A named invoice in another currency: shown for review with the whole payment against it
    (as far as its open amount goes), never applied by itself — there is no rate to compare."""
    book, line = context.book, context.line
    plan = plan_allocations(line.amount, [(p, book.items[p].open_amount) for p in positions])
    settlement = Settlement(
        "other_currency", tuple(plan), unapplied=line.amount - sum(a for _, a in plan)
    )
    chosen = [key for key, _ in plan]
    invoice = _invoice_reason(chosen, hits)
    currencies = ", ".join(sorted({book.items[p].currency for p in chosen}))
    numbers = ", ".join(book.items[p].number for p in chosen)
    said = (
        f"the payment is in {line.currency}, {numbers} in {currencies}: "
        "the amounts cannot be compared, check the rate by hand"
    )
    reasons = [*([invoice] if invoice else []), *payer, Reason("other_currency", said, 0)]
    return Draft(customer_id, settlement, reasons, OTHER_CURRENCY_MOST, _age(context, chosen), None)


def _oldest_first(
    context: Context, customer_id: int, pool: list[int], payer: list[Reason]
) -> Draft:
    """The payer is known but nothing fits the amount: a suggestion to spread it over the
    oldest debts, for a person to confirm."""
    book, line = context.book, context.line
    plan = plan_allocations(line.amount, [(p, book.items[p].open_amount) for p in pool])
    applied = sum(amount for _, amount in plan)
    settlement = Settlement("oldest_first", tuple(plan), unapplied=line.amount - applied)
    said = (
        f"no open invoice or combination matches {money(line.amount, line.currency)}: "
        "spread over the oldest open invoices"
    )
    reasons = [*payer, Reason("oldest_first", said, 0)]
    return Draft(
        customer_id,
        settlement,
        reasons,
        OLDEST_FIRST_MOST,
        _age(context, [k for k, _ in plan]),
        None,
    )


def amount_only(context: Context) -> list[Draft]:
    """Nothing names an invoice or the payer: invoices whose open amount is the line's, as
    suggestions, when there are few enough for that to mean something."""
    book, line = context.book, context.line
    found = lookup(book.by_amount, f"{line.currency}{line.amount}")
    if not found or len(found) > AMOUNT_ONLY_MOST:
        return []
    drafts: list[Draft] = []
    for position in found:
        item = book.items[position]
        if position in context.hits or context.payers.get(item.customer_id):
            continue  # already read with better evidence
        said = (
            f"the amount {money(line.amount, line.currency)} equals the open amount of "
            f"{item.number} of {book.party_name(item.customer_id)}; nothing else links them"
        )
        settlement = Settlement(EXACT, ((position, item.open_amount),))
        reasons = [Reason("amount_only", said, AMOUNT_ONLY)]
        drafts.append(
            Draft(item.customer_id, settlement, reasons, None, _age(context, [position]), None)
        )
    return drafts
