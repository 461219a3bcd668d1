"""Reading a statement line: references, invoice numbers and payer names, as evidence. Pure.

Everything here turns free text into keys that can be looked up in a dict, because a statement
run compares thousands of lines with hundreds of thousands of invoices: a key lookup is the only
comparison cheap enough to make for every pair of (line, invoice) that might belong together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from stdnum import iso11649

from cobro.banking.statement import Line

if TYPE_CHECKING:  # the matcher's own types; it imports this module, not the other way round
    from cobro.banking.matching import Book, MatchSettings, OpenItem

# runs of letters or of digits: "inv2026/0042" -> INV 2026 0042 (a letter/digit change is a
# boundary, so a missing or extra separator does not change what is read)
_ATOM = re.compile(r"[A-Z]+|[0-9]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# a date or a grouped amount in remittance text would otherwise read as invoice-number digits
_DATE = re.compile(
    r"(?<![0-9])(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(?![0-9])"
)
_AMOUNT = re.compile(r"(?<![0-9])\d{1,3}(?:[.,' ]\d{3})+[.,]\d{2}(?![0-9])")
_RF_START = re.compile(r"RF(?=\d\d[0-9A-Z])")
RF_LONGEST = 25  # "RF" + 2 check digits + at most 21 characters (ISO 11649)
WINDOW = 4  # an invoice number is read from at most this many runs: "F 2026 004211"
STRONG_DIGITS = 5  # fewer significant digits than this can match by accident ("42")

_WORD = re.compile(r"[0-9A-Z]+")
# legal forms are dropped from the end of a name: "Acme, S.L." and "ACME SL" are one payer
LEGAL_FORMS = frozenset(
    {
        "SL", "SLU", "SLL", "SA", "SAU", "SC", "SCOOP", "SCP", "CB", "GMBH", "AG", "KG", "OHG",
        "UG", "EV", "KGAA", "MBH", "LTD", "LIMITED", "PLC", "LLP", "LLC", "INC", "CORP",
        "CORPORATION", "CO", "COMPANY", "BV", "NV", "VOF", "BVBA", "SPRL", "SARL", "SAS", "SASU",
        "EURL", "SRL", "SPA", "SNC", "OY", "OYJ", "AB", "AS", "ASA", "APS", "SP", "ZOO", "KFT",
        "SRO", "LDA", "SGPS", "PTY",
    }
)  # fmt: skip
# too common to say who paid; still compared as part of the whole name
STOPWORDS = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y", "E", "THE", "AND", "OF", "UND", "DER", "DIE",
     "DAS", "VON", "ET", "DU", "DES", "LE", "DI", "VAN", "DEN", "HET", "EN", "CIA"}
)  # fmt: skip


def fold(text: str) -> str:
    """Upper case without accents: "Façade Müller" -> "FACADE MULLER"."""
    if text.isascii():  # invoice numbers and most bank text: nothing to decompose
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def compact(text: str) -> str:
    """Letters and digits only, upper case: how references are compared."""
    return _NOT_ALNUM.sub("", text.upper())


def atoms(text: str) -> list[str]:
    """The runs of letters and of digits of a text, dates and grouped amounts left out."""
    folded = fold(text)
    folded = _AMOUNT.sub(" ", _DATE.sub(" ", folded))
    return _ATOM.findall(folded)


def significant(digits: str) -> str:
    """Digits without leading zeros ("0042" -> "42"); "0" stays "0"."""
    return digits.lstrip("0") or "0"


@dataclass(frozen=True, slots=True)
class NumberKeys:
    """The ways an invoice number is looked up, from most to least literal.

    For "F-2026-004211": alnum "F2026004211", canonical "F.2026.4211" (zeros and separators do
    not matter), digits "2026004211" (the prefix left out), core "2026.4211" (digit groups
    without their zeros), tail "4211" (the last group: only with other evidence), weight 8
    (significant digits).
    """

    alnum: str
    canonical: str
    digits: str
    core: str
    tail: str
    weight: int


def number_keys(number: str) -> NumberKeys:
    parts = _ATOM.findall(fold(number))
    groups = [part for part in parts if part.isdigit()]
    stripped = [significant(group) for group in groups]
    return NumberKeys(
        alnum="".join(parts),
        canonical=".".join(significant(p) if p.isdigit() else p for p in parts),
        digits="".join(groups),
        core=".".join(stripped),
        tail=stripped[-1] if stripped else "",
        weight=sum(len(group) for group in stripped if group != "0"),
    )


@dataclass(frozen=True, slots=True)
class Window:
    """A run of consecutive atoms of a text, read as an invoice number might be written."""

    text: str  # as it would be quoted back: the atoms joined by a space
    alnum: str
    canonical: str
    digits: str | None  # only when every atom is digits
    core: str | None
    letters: int
    weight: int  # significant digits


def windows(parts: list[str], longest: int = WINDOW) -> Iterator[Window]:
    """Every run of 1..`longest` atoms that contains a digit."""
    for start in range(len(parts)):
        for end in range(start + 1, min(start + longest, len(parts)) + 1):
            chosen = parts[start:end]
            numeric = [part for part in chosen if part[0].isdigit()]
            if not numeric:
                continue
            stripped = [significant(part) for part in numeric]
            every_digit = len(numeric) == len(chosen)
            yield Window(
                text=" ".join(chosen),
                alnum="".join(chosen),
                canonical=".".join(
                    significant(part) if part[0].isdigit() else part for part in chosen
                ),
                digits="".join(chosen) if every_digit else None,
                core=".".join(stripped) if every_digit else None,
                letters=sum(len(part) for part in chosen if not part[0].isdigit()),
                weight=sum(len(group) for group in stripped if group != "0"),
            )


def rf_candidates(text: str) -> Iterator[list[str]]:
    """For each place an RF creditor reference may start, the strings it may be, longest first.

    Spaces are removed first because RF references are printed in groups of four; which
    length is the reference is decided by looking it up (and validating it), not guessed.
    """
    flat = compact(text)
    for found in _RF_START.finditer(flat):
        start = found.start()
        last = min(len(flat), start + RF_LONGEST)
        yield [flat[start:end] for end in range(last, start + 4, -1)]


def one_edit_away(digits: str) -> set[str]:
    """Every digit string one edit from `digits`: one digit wrong, missing or extra, or two
    neighbours swapped (about 21 per digit). Looked up in the index of invoice digits, they
    find a mistyped number without the book holding a neighbourhood of every number: the
    cost falls on the few lines that need it, not on the book (two million keys less)."""
    found: set[str] = set()
    for i in range(len(digits)):
        head, rest, tail = digits[:i], digits[i:], digits[i + 1 :]
        found.add(head + tail)
        if i + 1 < len(digits):
            found.add(head + digits[i + 1] + digits[i] + digits[i + 2 :])
        for digit in "0123456789":
            found.add(head + digit + tail)
            found.add(head + digit + rest)
    found.update(digits + digit for digit in "0123456789")
    found.discard(digits)
    return found


def normalise_name(name: str) -> str:
    """A payer or customer name as it is compared: no accents, punctuation or legal form.

    "Construcciones García, S.L.U." -> "CONSTRUCCIONES GARCIA". Initials written with dots or
    spaces ("S. L.", "B.V.") are joined first, so the legal form is recognised either way.
    """
    words = _WORD.findall(fold(name))
    joined: list[str] = []
    spelling = False  # the last word was built from single letters
    for word in words:
        single = len(word) == 1 and word.isalpha()
        if single and spelling:
            joined[-1] += word
        else:
            joined.append(word)
            spelling = single
    while len(joined) > 1 and joined[-1] in LEGAL_FORMS:
        joined.pop()
    return " ".join(joined)


def name_tokens(normalised: str) -> list[str]:
    """The words of a normalised name that say something about who it is."""
    return [word for word in normalised.split() if word not in STOPWORDS and len(word) > 1]


# ---- evidence: what the line says, looked up in the book ----------------------------------

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
        texts.append((where, list(windows(found))))
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
