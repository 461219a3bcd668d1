"""Statement text as look-up keys: invoice numbers, RF references and payer names. Pure.

Everything here turns free text into keys that can be looked up in a dict, because a statement
run compares thousands of lines with hundreds of thousands of invoices: a key lookup is the only
comparison cheap enough to make for every pair of (line, invoice) that might belong together.
What the keys are looked up in, and what a match says as evidence, is `match_evidence`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

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
