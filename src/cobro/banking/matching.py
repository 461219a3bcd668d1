"""Cash application: which open invoices a bank-statement credit pays, and whether that is sure
enough to apply without a person. Pure: no database, no clock (the day comes in as `on`).

For each credit line `propose` gives candidate matches, best first. A candidate names one
customer, the invoices the payment settles with the amount applied to each, and what settles
the rest: an early-payment discount the payer took (a credit note), bank charges deducted on
the way (a write-off) or money left over (unapplied cash). Every candidate carries its reasons
in words, each with the points it adds.

Scoring (0–100: the sum of the reasons' points, capped at 100)

What names the invoice (the weakest of a candidate's invoices counts):
  RF creditor reference, valid ISO 11649, in the structured field or the text ... 60
  one of our own end-to-end ids (direct debit, payment link) ..................... 60
  the invoice number with its prefix ("F-2026-004211", "inv2026/0042") ........... 55
  its digits without the prefix, zeros or separators ("2026 4211", "2026004211") .. 50
  a number one digit off (wrong, missing, extra or two swapped) .................. 35
  only the end of the number ("0042"), counted only when the payer is known ....... 20
  some but not all of a combination's invoices named ............................. 15
A number needs 5 significant digits (or its letter prefix) to count on its own, so a bare
"42" never picks an invoice out of all; a one-digit-off number counts only when the amount
agrees or the payer is known.

Who paid:
  the counterparty account (IBAN) is known for this customer alone ................ 50
  ... known for several customers (a group's shared account) ...................... 15
  the payer name is like the customer's name or a learned alias (≥ 92 %) .......... 25
  ... (85–92 %) ................................................................... 15
Names are compared without accents, punctuation and legal forms (S.L., GmbH, Ltd, SA, BV…).

How the amount agrees:
  the open amount exactly (one invoice, or several all named in the text) ......... 35
  a combination of the customer's open invoices found by search (≤ max_combined) .. 30
  the open amount less the early-payment discount, paid by its last day ........... 30
  the open amount less bank charges of at most the charges tolerance .............. 25
  more than owed: the invoices in full, the rest as unapplied cash ................ 10
  less than owed, against an RF reference or our end-to-end id (part payment) ..... 20
  less than owed otherwise ......................................................... 0
  no other open invoice or combination of the customer agrees ..................... +10
  only the amount links the line to an invoice (at most 5 invoices have it) ....... 35
  the payer is known but nothing fits: spread over its oldest invoices ...... at most 40
The payment date for the discount is the booking date (else the value date, else `on`).
Charges come off the largest invoice, and on a set of several invoices only when the payer
named them (among a large customer's invoices some set always falls within the tolerance).
Combinations: every single invoice and every run of invoices next to each other in due order
(a statement's worth) is tried; other sets of up to `max_combined` among the 24 oldest that
fit, for at most 2 500 steps; "no other ... agrees" is only said of a combination when that
search ran to its end.
A payment in another currency than the invoice is a candidate for review only: its amounts
cannot be compared, so it scores at most 50 and is never applied automatically.

Applied automatically only when all of these hold:
  1. the best candidate scores at least `auto_threshold` (90);
  2. it is explained by evidence, not by points adding up: either every invoice is named by
     an RF reference, our end-to-end id or its number (one digit off only together with a
     known account or name) and the amount agrees (exactly, less discount or less charges;
     more or less than owed only against a structured reference), or the account is
     known for this customer alone and the amount is the only exact invoice or combination
     among its open items;
  3. it leads the second candidate by at least 10 points, counted before the cap at 100
     (so a reference still separates two candidates that both reach 100).
Everything else goes to the review queue with the reason it was not applied.

Cost: a line is first read for what it names outright (RF reference, end-to-end id, invoice
numbers: dict look-ups). Only when that is not conclusive, or the account or name points to
another customer, come the costlier steps: numbers one digit off, a payer-name search
(rapidfuzz over the names sharing a word with the payer's) and combinations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from cobro.banking import match_candidates as candidates
from cobro.banking import match_evidence as evidence
from cobro.banking import match_parts as parts
from cobro.banking import match_text as text
from cobro.banking.match_evidence import Reason, Slot, put
from cobro.banking.statement import Line

__all__ = [
    "Book",
    "Candidate",
    "MatchSettings",
    "OpenItem",
    "Party",
    "Proposal",
    "Reason",
    "propose",
]

MARGIN = 10
_STRONG = frozenset(
    {evidence.RF[0], evidence.END_TO_END[0], evidence.NUMBER[0], evidence.DIGITS[0]}
)
_PAYER = frozenset({"iban", "iban_shared", "name", "alias"})


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An open invoice, as the database gives it."""

    invoice_id: int
    number: str
    customer_id: int
    currency: str
    open_amount: int
    total: int
    due_date: date
    issue_date: date
    payment_reference: str  # its RF reference
    discount_until: date | None
    discount_amount: int  # early-payment discount, 0 if none
    end_to_end_ids: frozenset[str] = frozenset()  # our own ids (direct debits, payment links)


@dataclass(frozen=True, slots=True)
class Party:
    """A customer as a payer."""

    customer_id: int
    name: str
    ibans: frozenset[str] = frozenset()  # accounts known for it (learned from confirmed matches)
    aliases: frozenset[str] = frozenset()  # payer names learned from confirmed matches


@dataclass(frozen=True, slots=True)
class MatchSettings:
    auto_threshold: int = 90  # score (0–100) at or above which the best is applied automatically
    charges_tolerance: int = 2500  # most bank charges a payer may have deducted (minor units)
    max_combined: int = 6  # most invoices one payment may settle together (bounded subset-sum)
    suggestions: int = 5


@dataclass(frozen=True, slots=True)
class Candidate:
    customer_id: int
    shares: tuple[tuple[int, int], ...]  # (invoice_id, amount of this payment applied to it)
    discount: int  # early-payment discount the payer took (settled by a credit note), 0 if none
    charges: int  # bank charges deducted (settled by a write-off), 0 if none
    unapplied: int  # left over as unapplied cash (overpayment), 0 if none
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    candidates: tuple[Candidate, ...]  # best first, at most settings.suggestions
    auto: bool  # safe to apply without a person
    why_not_auto: str | None  # in words, when not auto (for the review queue)


@dataclass(frozen=True, slots=True)
class CustomerNumbers:
    digits: frozenset[str]  # every invoice's digits
    significant: list[str]  # the same without leading zeros, in `customer_items` order
    tails: dict[str, list[int]]  # last digit group without zeros -> positions


class Book:
    """The company's open items and payers with the indexes a statement run looks them up in.
    Built once per run; `propose` only reads it."""

    def __init__(self, items: Iterable[OpenItem], parties: Iterable[Party]) -> None:
        self.items: list[OpenItem] = list(items)
        self.parties: dict[int, Party] = {party.customer_id: party for party in parties}
        self.by_reference: dict[str, Slot] = {}
        self.by_end_to_end: dict[str, Slot] = {}
        self.by_alnum: dict[str, Slot] = {}
        self.by_canonical: dict[str, Slot] = {}
        self.by_digits: dict[str, Slot] = {}
        self.by_core: dict[str, Slot] = {}
        self.digit_lengths: set[int] = set()  # of the digits of numbers a typo may be read in
        self.digit_keys: list[str] = [""] * len(self.items)  # by position
        self.by_amount: dict[str, Slot] = {}
        self._customers: dict[int, list[int]] = {}
        self._keys: dict[int, text.NumberKeys] = {}  # filled as lines ask
        self._pools: dict[tuple[int, str], list[int]] = {}
        self._numbers: dict[int, CustomerNumbers] = {}
        self._index_items()
        self.by_iban: dict[str, list[int]] = {}
        self.names: list[tuple[str, int, str]] = []  # (normalised, customer, as written)
        self.by_name: dict[str, list[int]] = {}
        self.postings: dict[str, list[int]] = {}
        self.names_of: dict[int, list[int]] = {}
        self._index_parties()

    def _index_items(self) -> None:
        for position, item in enumerate(self.items):
            if item.open_amount <= 0:
                continue  # settled: nothing to match (kept in the list so positions stay put)
            put(self.by_reference, text.compact(item.payment_reference), position)
            for own in item.end_to_end_ids:
                put(self.by_end_to_end, own, position)
            keys = text.number_keys(item.number)
            put(self.by_alnum, keys.alnum, position)
            put(self.by_canonical, keys.canonical, position)
            put(self.by_digits, keys.digits, position)
            put(self.by_core, keys.core, position)
            self.digit_keys[position] = keys.digits
            if len(text.significant(keys.digits)) >= text.STRONG_DIGITS:
                self.digit_lengths.add(len(keys.digits))
            put(self.by_amount, f"{item.currency}{item.open_amount}", position)
            self._customers.setdefault(item.customer_id, []).append(position)
        for held in self._customers.values():
            # oldest first: payers settle the oldest debts first, and ties go to the oldest
            held.sort(key=lambda p: (self.items[p].due_date, self.items[p].issue_date, p))

    def _index_parties(self) -> None:
        for party in self.parties.values():
            for iban in party.ibans:
                self.by_iban.setdefault(text.compact(iban), []).append(party.customer_id)
            for written in (party.name, *sorted(party.aliases)):
                normalised = text.normalise_name(written)
                if not normalised:
                    continue
                entry = len(self.names)
                self.names.append((normalised, party.customer_id, written))
                self.by_name.setdefault(normalised, []).append(entry)
                self.names_of.setdefault(party.customer_id, []).append(entry)
                for token in set(text.name_tokens(normalised)):
                    self.postings.setdefault(token, []).append(entry)
                    if len(token) > 4:  # a typo late in a word still finds it
                        self.postings.setdefault(token[:4] + "~", []).append(entry)

    def keys(self, position: int) -> text.NumberKeys:
        found = self._keys.get(position)
        if found is None:
            found = self._keys[position] = text.number_keys(self.items[position].number)
        return found

    def customer_items(self, customer_id: int) -> list[int]:
        """Positions of a customer's open items, oldest first."""
        return self._customers.get(customer_id, [])

    def pool(self, customer_id: int, currency: str) -> list[int]:
        """A customer's open items in one currency, oldest first (memoised: a large customer's
        invoices are sifted once per run, not once per line)."""
        key = (customer_id, currency)
        found = self._pools.get(key)
        if found is None:
            held = self.customer_items(customer_id)
            found = self._pools[key] = [p for p in held if self.items[p].currency == currency]
        return found

    def numbers(self, customer_id: int) -> CustomerNumbers:
        """A customer's invoice numbers as the per-customer look-ups need them (memoised)."""
        found = self._numbers.get(customer_id)
        if found is None:
            held = self.customer_items(customer_id)
            tails: dict[str, list[int]] = {}
            for position in held:
                tails.setdefault(self.keys(position).tail, []).append(position)
            found = self._numbers[customer_id] = CustomerNumbers(
                digits=frozenset(self.digit_keys[p] for p in held),
                significant=[text.significant(self.digit_keys[p]) for p in held],
                tails=tails,
            )
        return found

    def party_name(self, customer_id: int) -> str:
        party = self.parties.get(customer_id)
        return party.name if party else f"customer {customer_id}"


def propose(
    line: Line, book: Book, on: date, settings: MatchSettings = MatchSettings()
) -> Proposal:
    """Candidate matches for one statement line, best first, and whether the best is sure."""
    if line.amount <= 0:
        return Proposal((), False, "a debit (money out) is not matched to invoices")
    context = evidence.read(line, book, on, settings)
    # first what the line names outright; only when that is not conclusive the costlier
    # searches: one digit off, payer names, combinations of the payer's invoices
    evidence.named_hits(context)
    quick = rank(candidates.readings(context, search=False))
    auto, _ = _decide(quick, settings)
    if auto and evidence.payer_agrees(context, quick[0].customer_id):
        return _proposal(book, quick, settings, True, None)
    evidence.typo_hits(context)
    evidence.search_payers(context)
    full = candidates.readings(context, search=True)
    if not any(draft.codes & candidates.AGREES for draft in full):
        full += candidates.amount_only(context)
    full = rank(full)
    auto, why = _decide(full, settings)
    return _proposal(book, full, settings, auto, why)


def _proposal(
    book: Book, drafts: list[candidates.Draft], settings: MatchSettings, auto: bool, why: str | None
) -> Proposal:
    chosen = tuple(_candidate(book, draft) for draft in drafts[: settings.suggestions])
    return Proposal(chosen, auto, why)


def _candidate(book: Book, draft: candidates.Draft) -> Candidate:
    held = draft.settlement
    return Candidate(
        customer_id=draft.customer_id,
        shares=tuple((book.items[key].invoice_id, amount) for key, amount in held.shares),
        discount=held.discount,
        charges=held.charges,
        unapplied=held.unapplied,
        score=draft.score,
        reasons=tuple(draft.reasons),
    )


def rank(drafts: list[candidates.Draft]) -> list[candidates.Draft]:
    return sorted(
        drafts,
        key=lambda d: (
            -d.score,
            -d.raw,
            len(d.settlement.shares),
            d.age,
            d.customer_id,
            d.settlement.shares,
        ),
    )


def _decide(drafts: list[candidates.Draft], settings: MatchSettings) -> tuple[bool, str | None]:
    if not drafts:
        return False, (
            "no open invoice matches: no reference, known account, payer name or amount "
            "was recognised"
        )
    best = drafts[0]
    if "other_currency" in best.codes:
        return False, next(r.text for r in best.reasons if r.code == "other_currency")
    missing = _missing_evidence(best)
    if missing:
        return False, missing
    if best.score < settings.auto_threshold:
        threshold = settings.auto_threshold
        return False, f"the best candidate scores {best.score}, below the threshold of {threshold}"
    if len(drafts) > 1 and best.raw - drafts[1].raw < MARGIN:
        second = drafts[1]
        return False, (
            f"another candidate comes within {MARGIN} points: {second.score} for "
            f"{len(second.settlement.shares)} invoice(s) of customer {second.customer_id}"
        )
    return True, None


def _missing_evidence(best: candidates.Draft) -> str | None:
    """Why the evidence, whatever its points, does not allow applying it unseen; None if it
    does (see rule 2 of the module's scheme)."""
    kind, code, codes = best.settlement.kind, best.invoice_code, best.codes
    named = code in _STRONG or (code == evidence.TYPO[0] and bool(codes & _PAYER))
    agrees = kind in (parts.EXACT, parts.DISCOUNT, parts.CHARGES)
    # more or less than owed: only a structured reference is sure enough to name the invoice
    uneven = kind in (parts.PARTIAL, parts.OVERPAYMENT)
    if named and (agrees or (uneven and code in candidates.STRUCTURED)):
        return None
    if "iban" in codes and "only_match" in codes and kind in (parts.EXACT, parts.DISCOUNT):
        return None
    if named and kind == parts.PARTIAL:
        return "a part payment named by its invoice number only, not by a structured reference"
    if named and kind == parts.OVERPAYMENT:
        return (
            "more than owed, and the invoice named by its number only, not a structured reference"
        )
    if code == evidence.TYPO[0]:
        return "a number one digit off, and neither the account nor the name confirms the payer"
    if kind == "oldest_first":
        return "the payer is known but no open invoice or combination matches the amount"
    if "iban" in codes and kind in (parts.EXACT, parts.DISCOUNT):
        return "another open invoice or combination of the customer may match the amount too"
    return "no reference names the invoice and the account is not known for this customer alone"
