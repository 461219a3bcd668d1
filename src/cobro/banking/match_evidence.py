"""Reading a statement line: references, invoice numbers and payer names, as evidence. Pure.

A line is read once into a `Context`; its keys (from `match_text`) are looked up in the book's
indexes, and what they find is kept as hits (the line names an invoice) and payer reasons (the
account or the name points to a customer), each with the points it is worth and in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from stdnum import iso11649

from cobro.banking.match_text import (
    STRONG_DIGITS,
    Window,
    atoms,
    compact,
    name_tokens,
    normalise_name,
    one_edit_away,
    rf_candidates,
    significant,
)
from cobro.banking.match_text import windows as windows_of  # loops below name theirs `windows`
from cobro.banking.statement import Line

if TYPE_CHECKING:  # the matcher's own types; it imports this module, not the other way round
    from cobro.banking.matching import Book, MatchSettings, OpenItem

# what names an invoice (code, points)
RF = ("rf_reference", 60)
END_TO_END = ("end_to_end_id", 60)
NUMBER = ("invoice_number", 55)
DIGITS = ("invoice_number_digits", 50)
TYPO = ("invoice_number_typo", 35)
SHORT = ("invoice_number_short", 20)
# who paid
IBAN_ALONE, IBAN_SHARED = 50, 15
NAME_CLOSE, NAME_LIKE = 25, 15
NAME_CLOSE_AT, NAME_LIKE_AT = 92, 85
NAMES_SCANNED = 300  # payer-name comparisons per line at most (a token index picks them)
NAMES_KEPT = 3  # customers taken from a name search


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str
    points: int


Slot = int | list[int]  # an index's value: one item position, or several


def put(index: dict[str, Slot], key: str, position: int) -> None:
    # one int per key where the key is unique (almost always): a list each would double the
    # memory of a 200 000-invoice book
    held = index.get(key)
    if held is None:
        index[key] = position
    elif isinstance(held, int):
        index[key] = [held, position]
    else:  # each item puts each key once: no duplicate to look for
        held.append(position)


def lookup(index: dict[str, Slot], key: str) -> Sequence[int]:
    held = index.get(key)
    if held is None:
        return ()
    return (held,) if isinstance(held, int) else held


@dataclass(frozen=True, slots=True)
class Hit:
    """The line names an invoice: how, and how it is said back."""

    code: str
    points: int
    text: str


@dataclass
class Context:
    """One line as the matcher reads it, computed once."""

    line: Line
    book: Book
    paid_on: date
    settings: MatchSettings
    texts: list[tuple[str, list[Window]]]  # (where, windows of its atoms)
    shorts: dict[str, str]  # significant digits of short numbers in the text -> as written
    payer_name: str  # normalised
    iban: str
    hits: dict[int, Hit] = field(default_factory=dict)
    payers: dict[int, list[Reason]] = field(default_factory=dict)


def read(line: Line, book: Book, on: date, settings: MatchSettings) -> Context:
    sources = (
        ("remittance text", line.remittance),
        ("end-to-end id", line.end_to_end_id),
        ("structured reference", line.structured_reference),
    )
    texts: list[tuple[str, list[Window]]] = []
    shorts: dict[str, str] = {}
    for where, said in sources:
        if not said:
            continue
        found = atoms(said)
        texts.append((where, list(windows_of(found))))
        for atom in found:
            if atom.isdigit() and len(significant(atom)) >= 2:
                shorts.setdefault(significant(atom), atom)
    return Context(
        line=line,
        book=book,
        paid_on=line.booking_date or line.value_date or on,
        settings=settings,
        texts=texts,
        shorts=shorts,
        payer_name=normalise_name(line.counterparty_name or ""),
        iban=compact(line.counterparty_iban or ""),
    )


def _hit(context: Context, position: int, found: Hit) -> None:
    held = context.hits.get(position)
    if held is None or held.points < found.points:
        context.hits[position] = found


def named_hits(context: Context) -> None:
    """RF references, our end-to-end ids and invoice numbers said in the line."""
    book, line = context.book, context.line
    if line.end_to_end_id:
        for position in lookup(book.by_end_to_end, line.end_to_end_id.strip()):
            said = (
                f"our end-to-end id {line.end_to_end_id} of invoice {book.items[position].number}"
            )
            _hit(context, position, Hit(*END_TO_END, said))
    for source in (line.structured_reference, line.remittance, line.end_to_end_id):
        for lengths in rf_candidates(source or ""):
            for reference in lengths:
                positions = lookup(book.by_reference, reference)
                # ours and valid: the check digits make a misread reference fail here
                if positions and iso11649.is_valid(reference):
                    for position in positions:
                        number = book.items[position].number
                        what = f"the RF reference {reference} of invoice {number}"
                        _hit(context, position, Hit(*RF, what))
                    break
    for where, windows in context.texts:
        for window in windows:
            _number_hits(context, where, window)


def _number_hits(context: Context, where: str, window: Window) -> None:
    book = context.book
    if window.letters:
        # the prefix is there: a short number is still deliberate ("INV 42"), a lone letter not
        if window.weight < STRONG_DIGITS and (window.letters < 2 or window.weight < 1):
            return
        found = {*lookup(book.by_alnum, window.alnum), *lookup(book.by_canonical, window.canonical)}
        code = NUMBER
    else:
        if window.weight < STRONG_DIGITS or window.digits is None or window.core is None:
            return
        found = {*lookup(book.by_digits, window.digits), *lookup(book.by_core, window.core)}
        code = DIGITS
    for position in found:
        number = book.items[position].number
        if code is NUMBER:
            said = f"invoice number {number} in the {where} ('{window.text}')"
        else:
            said = f"'{window.text}' in the {where} reads as invoice {number} (no prefix or zeros)"
        _hit(context, position, Hit(*code, said))


def typo_hits(context: Context) -> None:
    """Numbers one digit off an invoice's. In a numbering series nearly every such number is
    another invoice's too, so one counts only where the amount agrees (the payer's evidence
    is added per customer later)."""
    book, amount = context.book, context.line.amount
    tolerance = context.settings.charges_tolerance
    for where, windows in context.texts:
        for window in windows:
            digits = window.digits
            if digits is None or window.weight < STRONG_DIGITS:
                continue
            if not {len(digits) - 1, len(digits), len(digits) + 1} & book.digit_lengths:
                continue
            near = {p for variant in one_edit_away(digits) for p in lookup(book.by_digits, variant)}
            for position in near:
                item = book.items[position]
                if position in context.hits:
                    continue
                if item.currency == context.line.currency and amount_fits(
                    item, amount, tolerance, context.paid_on
                ):
                    _hit(context, position, typo_hit(item.number, where, window.text))


def typo_hit(number: str, where: str, written: str) -> Hit:
    return Hit(*TYPO, f"'{written}' in the {where} is one digit off invoice {number}")


def amount_fits(item: OpenItem, amount: int, tolerance: int, paid_on: date) -> bool:
    if item.open_amount == amount:
        return True
    if discount_now(item, paid_on) and item.open_amount - item.discount_amount == amount:
        return True
    return 0 < item.open_amount - amount <= tolerance


def discount_now(item: OpenItem, paid_on: date) -> int:
    """The discount the payer may take: none once its last day is past."""
    offered, until = item.discount_amount, item.discount_until
    # a part-paid invoice may owe less than the discount: then the discount cannot be taken
    if 0 < offered < item.open_amount and until is not None and paid_on <= until:
        return offered
    return 0


def payer_reasons(context: Context, customer_id: int) -> list[Reason]:
    """What the account and the payer name say about this customer (memoised per line)."""
    held = context.payers.get(customer_id)
    if held is not None:
        return held
    reasons: list[Reason] = []
    book = context.book
    owners = book.by_iban.get(context.iban, []) if context.iban else []
    if customer_id in owners:
        name = book.party_name(customer_id)
        if len(owners) == 1:
            reasons.append(
                Reason("iban", f"the account {context.iban} is known for {name}", IBAN_ALONE)
            )
        else:
            said = f"the account {context.iban} is known for {len(owners)} customers, {name} too"
            reasons.append(Reason("iban_shared", said, IBAN_SHARED))
    named = _name_reason(context, customer_id)
    if named:
        reasons.append(named)
    context.payers[customer_id] = reasons
    return reasons


def _name_reason(context: Context, customer_id: int) -> Reason | None:
    if not context.payer_name:
        return None
    book = context.book
    best, best_entry = 0.0, -1
    for entry in book.names_of.get(customer_id, []):
        alike = similarity(context.payer_name, book.names[entry][0])
        if alike > best:
            best, best_entry = alike, entry
    if best < NAME_LIKE_AT:
        return None
    points = NAME_CLOSE if best >= NAME_CLOSE_AT else NAME_LIKE
    written, name = book.names[best_entry][2], book.party_name(customer_id)
    payer = context.line.counterparty_name
    if written == name:
        return Reason("name", f"the payer name '{payer}' is like '{name}' ({best:.0f} %)", points)
    said = (
        f"the payer name '{payer}' is like '{written}', a payer learned for {name} ({best:.0f} %)"
    )
    return Reason("alias", said, points)


def similarity(payer: str, name: str) -> float:
    """Word order does not matter (nor does a word split in two: "O BRIEN" / "OBRIEN"); a name
    the bank cut short is compared with as much of the other."""
    score = max(fuzz.token_sort_ratio(payer, name), fuzz.ratio(payer, name))
    if len(payer) >= 20 and len(name) > len(payer):
        score = max(score, fuzz.ratio(payer, name[: len(payer)]))
    return float(score)


def search_payers(context: Context) -> None:
    """Customers the account or the payer name points to (not only those the text names)."""
    book = context.book
    for customer_id in book.by_iban.get(context.iban, []) if context.iban else []:
        payer_reasons(context, customer_id)
    if not context.payer_name:
        return
    entries = book.by_name.get(context.payer_name)
    if not entries:
        entries = _name_candidates(book, context.payer_name)
    names = [book.names[entry][0] for entry in entries]
    # a first sift in C; `similarity` then decides on the few left
    found = process.extract(
        context.payer_name,
        names,
        scorer=fuzz.token_sort_ratio,
        processor=None,
        limit=NAMES_KEPT * 3,
        score_cutoff=NAME_LIKE_AT - 15,
    )
    kept = 0
    for _, _, at in found:
        customer_id = book.names[entries[at]][1]
        if customer_id in context.payers:
            continue
        if payer_reasons(context, customer_id):
            kept += 1
            if kept >= NAMES_KEPT:
                break


def _name_candidates(book: Book, payer: str) -> list[int]:
    """Names sharing a word (or a word's first four letters) with the payer's, rarest words
    first, so that a common word ("Construcciones") does not make the comparison scan all."""
    keys: list[str] = []
    for token in name_tokens(payer):
        keys.append(token)
        if len(token) > 4:
            keys.append(token[:4] + "~")
    lists = sorted((book.postings.get(key, []) for key in keys), key=len)
    chosen: dict[int, None] = {}
    for posting in lists:
        if chosen and len(chosen) + len(posting) > NAMES_SCANNED:
            break
        chosen.update(dict.fromkeys(posting[:NAMES_SCANNED]))
    return list(chosen)


def payer_agrees(context: Context, customer_id: int) -> bool:
    """Nothing in the account or name points to another customer: where it might, the full
    search runs so that the other customer's candidates are weighed too."""
    owners = context.book.by_iban.get(context.iban, []) if context.iban else []
    if owners:
        return customer_id in owners
    if not context.payer_name:
        return True
    return any(reason.code in ("name", "alias") for reason in payer_reasons(context, customer_id))


def near_hits(context: Context, customer_id: int, hits: dict[int, Hit]) -> dict[int, Hit]:
    """Within a customer the payer is known to be: numbers one digit off and the end of a
    number ("0042" for INV-2026-0042), which across all invoices would match by chance."""
    book = context.book
    held, numbers = book.customer_items(customer_id), book.numbers(customer_id)
    near: dict[int, Hit] = {}
    for where, windows in context.texts:
        for window in windows:
            # a number written right names its own invoice, not its neighbours
            if window.digits is None or window.weight < 4 or window.digits in numbers.digits:
                continue
            written = significant(window.digits)
            found = process.extract(
                written, numbers.significant, scorer=OSA.distance, score_cutoff=1, limit=None
            )
            for _, distance, at in found:
                position = held[at]
                if distance == 1 and position not in hits:
                    near.setdefault(
                        position, typo_hit(book.items[position].number, where, window.text)
                    )
    for short, written in context.shorts.items():
        for position in numbers.tails.get(short, ()):
            if position not in hits and position not in near:
                number = book.items[position].number
                said = f"'{written}' is the end of invoice number {number} (the payer is known)"
                near[position] = Hit(*SHORT, said)
    return near
