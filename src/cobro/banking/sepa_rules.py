"""The rules of SEPA direct debit that need no database and no clock. Pure.

Mandates (reference, signature, scheme, account), the creditor identifier, the sequence type of a
collection, the earliest collection date for a submission day (TARGET2 business days), the
pre-notification owed to the debtor, and the R-transaction reason codes a bank sends back.
Dates always come in as arguments (`on`): nothing here reads today's date.
Every refusal is an `Invalid` naming the field at fault.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import holidays
from schwifty import BIC, IBAN, registry
from schwifty.exceptions import SchwiftyException

from cobro.errors import Invalid

Scheme = Literal["CORE", "B2B"]
SequenceType = Literal["FRST", "RCUR", "FNAL", "OOFF"]

SCHEMES: tuple[Scheme, ...] = ("CORE", "B2B")
SEQUENCE_TYPES: tuple[SequenceType, ...] = ("FRST", "RCUR", "FNAL", "OOFF")

# The EPC "basic Latin" set every SEPA bank must accept (EPC rulebook, section on characters).
_SEPA_CHARS = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]*")

# --- text and identifiers --------------------------------------------------------------------

# Letters NFKD does not decompose into a base letter plus accents; "&" is outside the set but
# common in company names (banks turn it into "+"); typographic quotes and dashes from word
# processors.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th"}
    | dict(zip("ØøŁłĐđÐðı&’‘–—", "OoLlDdDdi+''--", strict=True))
)


def to_sepa_text(value: str, field: str, max_length: int) -> str:
    """Free text (a name, an address part, remittance) in the SEPA character set.

    Accented Latin letters are transliterated (é → e, ß → ss) so a debtor called "Müller" still
    gets collected; anything else outside the set (other scripts, @, €, _) is refused naming the
    field and the character, rather than letting a bank replace it with "?" or reject the file.
    Too long is refused too: silently cutting remittance text would lose invoice numbers.
    """
    decomposed = unicodedata.normalize("NFKD", value.translate(_TRANSLITERATE))
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = " ".join(text.split())  # newlines and tabs are outside the set; runs of spaces are noise
    if not text:
        raise Invalid(f"{field} is empty", field=field)
    bad = sorted({c for c in text if not _SEPA_CHARS.fullmatch(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise Invalid(f"{field} has characters SEPA does not allow: {shown}", field=field)
    if len(text) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters", field=field)
    return text


def check_identifier(value: str, field: str, max_length: int = 35) -> str:
    """A SEPA identifier (mandate reference, end-to-end id, message id): checked, never changed.

    Identifiers are matched byte for byte by banks and debtors, so unlike free text they are not
    transliterated. The rulebook forbids a leading or trailing "/" and "//" anywhere.
    """
    if not 1 <= len(value) <= max_length:
        raise Invalid(f"{field} must be 1 to {max_length} characters", field=field)
    if not _SEPA_CHARS.fullmatch(value):
        raise Invalid(
            f"{field} may only use a-z A-Z 0-9 / - ? : ( ) . , ' + and space", field=field
        )
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise Invalid(f"{field} must not start or end with '/' nor contain '//'", field=field)
    if value != value.strip():
        raise Invalid(f"{field} must not start or end with a space", field=field)
    return value


# --- accounts --------------------------------------------------------------------------------

# A BIC may carry a territory code while the IBAN uses its parent's (Jersey banks have GB IBANs
# and JE BICs; the French overseas departments use FR IBANs; Åland uses FI).
_BIC_COUNTRY_ALIASES: dict[str, frozenset[str]] = {
    "GB": frozenset({"JE", "GG", "IM"}),
    "FR": frozenset({"GF", "GP", "MQ", "RE", "YT", "PM", "BL", "MF"}),
    "FI": frozenset({"AX"}),
}


def check_iban(value: str, field: str = "iban") -> str:
    """An IBAN of a SEPA country, compact and upper case; refused when the checksum is wrong."""
    try:
        iban = IBAN(value)
    except SchwiftyException as error:
        raise Invalid(f"{field} is not a valid IBAN: {error}", field=field) from error
    if not iban.in_sepa_zone:
        raise Invalid(
            f"{field}: {iban.country_code} is not in SEPA, a direct debit cannot reach it",
            field=field,
        )
    return str(iban.compact)


def check_bic(value: str | None, iban: str, field: str = "bic") -> str | None:
    """The BIC, if given, well formed and of the IBAN's country (SEPA no longer requires one)."""
    if value is None or not value.strip():
        return None
    try:
        bic = BIC(value.strip())
    except SchwiftyException as error:
        raise Invalid(f"{field} is not a valid BIC: {error}", field=field) from error
    iban_country = iban[:2]
    allowed = {iban_country} | _BIC_COUNTRY_ALIASES.get(iban_country, frozenset())
    if bic.country_code not in allowed:
        raise Invalid(
            f"{field} {bic.compact} is of {bic.country_code}, the IBAN of {iban_country}",
            field=field,
        )
    return str(bic.compact)


def check_creditor_id(value: str, field: str = "creditor_id") -> str:
    """The SEPA creditor identifier (CI), compact and upper case.

    Layout (EPC262-08): country (2 letters), check digits (2), creditor business code (3
    alphanumerics the creditor chooses freely, "ZZZ" by default), national identifier (up to 28
    alphanumerics). The check digits are ISO 7064 MOD 97-10 as for an IBAN, but computed over
    national identifier + country + "00" only: the business code is left out, so a creditor may
    change it without a new CI. Letters count as A=10 … Z=35. Example: DE98ZZZ09999999999.
    """
    compact = "".join(value.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", compact):
        raise Invalid(
            f"{field} must look like DE98ZZZ09999999999 (country, 2 digits, 3 characters, id)",
            field=field,
        )
    country, check, national = compact[:2], compact[2:4], compact[7:]
    try:
        in_sepa = registry.get_iban_spec(country).in_sepa_zone
    except SchwiftyException:
        in_sepa = False
    if not in_sepa:
        raise Invalid(f"{field}: {country} is not a SEPA country", field=field)
    digits = "".join(str(int(c, 36)) for c in national + country + "00")
    if f"{98 - int(digits) % 97:02d}" != check:
        raise Invalid(f"{field} {compact} has wrong check digits", field=field)
    return compact


# --- mandates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedMandate:
    """A mandate whose every field passed the rulebook's checks, normalised."""

    reference: str
    signed_on: date
    scheme: Scheme
    iban: str
    bic: str | None


def check_scheme(value: str, field: str = "scheme") -> Scheme:
    if value == "CORE":
        return "CORE"
    if value == "B2B":
        return "B2B"
    raise Invalid(f"{field} must be CORE or B2B", field=field)


def check_mandate(
    reference: str, signed_on: date, scheme: str, iban: str, bic: str | None, on: date
) -> CheckedMandate:
    """Check a mandate as entered (`on` is today, given by the caller)."""
    checked_reference = check_identifier(reference, "reference")
    if signed_on > on:
        raise Invalid("the mandate cannot be signed in the future", field="signed_on")
    checked_iban = check_iban(iban)
    return CheckedMandate(
        reference=checked_reference,
        signed_on=signed_on,
        scheme=check_scheme(scheme),
        iban=checked_iban,
        bic=check_bic(bic, checked_iban),
    )


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, the month's last day when it has no such day (29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def mandate_expired(last_collected_on: date | None, signed_on: date, on: date) -> bool:
    """Whether the mandate lapsed: no collection presented for 36 months (rulebook 4.5).

    The 36 months run from the last collection presented (even one rejected or returned), or
    from the signature when there never was one. On the anniversary itself the 36 months have
    passed, so the mandate is expired that day: a new mandate is needed.
    """
    start = last_collected_on if last_collected_on is not None else signed_on
    return on >= _add_months(start, 36)


# --- sequence types --------------------------------------------------------------------------


def sequence_type(first_collected: bool, final: bool, one_off: bool) -> SequenceType:
    """The sequence type of the next collection on a mandate.

    `first_collected` means a collection on this mandate went through (was not rejected or
    returned; see `first_collected_after`). Since the 2016 rulebook a recurrent mandate may start
    with RCUR, but many banks still expect FRST on first use, so Cobro always sends FRST first.
    A last collection that is also the first is sent as FRST, not FNAL: FNAL without an earlier
    collection is refused by some banks, and FNAL is optional anyway.
    """
    if one_off:
        return "OOFF"
    if not first_collected:
        return "FRST"
    return "FNAL" if final else "RCUR"


def first_collected_after(first_collected: bool, sent: str, came_back: bool) -> bool:
    """The mandate's `first_collected` once the fate of a collection sent as `sent` is known.

    A FRST that came back (rejected, returned or refunded: any R-transaction) did not establish
    the mandate with the debtor's bank, so the next collection is FRST again. An RCUR coming back
    changes nothing: the mandate was already in use.
    """
    if sent == "FRST":
        return not came_back
    return first_collected


# --- dates -----------------------------------------------------------------------------------

# The ECB's TARGET calendar: closed on weekends, 1 Jan, Good Friday, Easter Monday, 1 May,
# 25 and 26 Dec. The `holidays` object fills in years lazily when asked about a date.
_TARGET = holidays.financial_holidays("XECB")

# Interbank lead time in TARGET days before the due date. CORE was D-5 (first) / D-2 (recurrent)
# until November 2016; since then both schemes are D-1. A creditor's bank may want more.
_LEAD_DAYS: dict[Scheme, int] = {"CORE": 1, "B2B": 1}


def is_target2_day(d: date) -> bool:
    """Whether TARGET2 settles on `d` (a weekday that is not a TARGET holiday)."""
    return d.weekday() < 5 and d not in _TARGET


def next_target2_day(d: date) -> date:
    """The first TARGET2 day strictly after `d`."""
    d += timedelta(days=1)
    while not is_target2_day(d):
        d += timedelta(days=1)
    return d


def earliest_collection(on: date, scheme: str) -> date:
    """The earliest collection (due) date for a file submitted on `on`.

    A file sent on a closed day is processed the next TARGET2 day; the due date must then be at
    least D-1 TARGET2 days later. Banks' own cut-off times are the caller's concern.
    """
    day = on if is_target2_day(on) else next_target2_day(on)
    for _ in range(_LEAD_DAYS[check_scheme(scheme)]):
        day = next_target2_day(day)
    return day


# --- pre-notification ------------------------------------------------------------------------


def prenotification_due(collection_date: date, days: int = 14) -> date:
    """The last day the debtor may be told of a collection: 14 calendar days before it, unless
    the creditor and the debtor agreed a shorter period (the rulebook lets them)."""
    if days < 1:
        raise Invalid("the pre-notification period must be at least one day", field="days")
    return collection_date - timedelta(days=days)


@dataclass(frozen=True)
class PreNotification:
    """What a pre-notification letter or e-mail must tell the debtor."""

    amount: int  # minor units
    currency: str
    collection_date: date
    notify_by: date
    mandate_reference: str
    creditor_id: str
    creditor_name: str


def prenotification(
    amount: int,
    collection_date: date,
    mandate_reference: str,
    creditor_id: str,
    creditor_name: str,
    days: int = 14,
    currency: str = "EUR",
) -> PreNotification:
    """The facts of a pre-notification, checked, for a template to render."""
    if amount <= 0:
        raise Invalid("the amount to collect must be positive", field="amount")
    return PreNotification(
        amount=amount,
        currency=currency,
        collection_date=collection_date,
        notify_by=prenotification_due(collection_date, days),
        mandate_reference=check_identifier(mandate_reference, "mandate_reference"),
        creditor_id=check_creditor_id(creditor_id),
        creditor_name=creditor_name,
    )


# --- returns ---------------------------------------------------------------------------------

# Reason codes of SDD R-transactions (rejects, returns, refunds) as the EPC rulebook and the
# ISO ExternalStatusReason list name them, in words a collector understands.
RETURN_REASONS: dict[str, str] = {
    "AC01": "Account identifier incorrect (invalid IBAN)",
    "AC04": "Account closed",
    "AC06": "Account blocked, or blocked for direct debits by the debtor",
    "AC13": "Debtor account is a consumer account (not allowed for B2B)",
    "AG01": "Direct debit not allowed on this account (e.g. a savings account)",
    "AG02": "Operation code or file format incorrect",
    "AM04": "Insufficient funds",
    "AM05": "Duplicate collection",
    "BE05": "Creditor identifier incorrect",
    "CNOR": "Creditor bank is not registered under this BIC in the clearing system",
    "DNOR": "Debtor bank is not registered under this BIC in the clearing system",
    "ED05": "Settlement of the collection failed",
    "FF01": "Invalid file format",
    "FOCR": "Returned following a cancellation request",
    "MD01": "No valid mandate, or unauthorised transaction",
    "MD02": "Mandate data missing or incorrect",
    "MD06": "Refund requested by the debtor (disputed authorised collection)",
    "MD07": "Debtor deceased",
    "MS02": "Refused by the debtor, reason not given",
    "MS03": "Reason not specified by the bank",
    "RC01": "Bank identifier (BIC) incorrect",
    "RR01": "Debtor account or identification missing (regulatory reason)",
    "RR02": "Debtor name or address missing (regulatory reason)",
    "RR03": "Creditor name or address missing (regulatory reason)",
    "RR04": "Regulatory reason",
    "SL01": "Specific service of the debtor's bank (e.g. the debtor blocked this creditor)",
    "SL11": "Creditor not on the debtor's whitelist",
    "SL12": "Creditor on the debtor's blacklist",
    "SL13": "Debtor's maximum number of direct debits for the period exceeded",
    "SL14": "Debtor's maximum direct debit amount exceeded",
    "TM01": "Received after the bank's cut-off time",
}

# The only codes after which presenting the same collection again may succeed without anyone
# changing anything: the money may be there next time (AM04), the bank gave no reason (MS03),
# or the failure was the banks' own processing (ED05 settlement, TM01 cut-off).
_RETRYABLE = frozenset({"AM04", "MS03", "ED05", "TM01"})


def return_is_final(code: str) -> bool:
    """Whether to stop collecting after a return with this reason code.

    True means: do not present this collection again automatically. For some codes the mandate
    itself is dead (MD01 no mandate, AC04 account closed, MD07 deceased, MS02/MD06 the debtor
    refused or disputed); for others data must be corrected first (AC01, RC01, BE05, RR0x) or
    repeating would be wrong (AM05 duplicate, FOCR cancelled). Unknown codes are final too:
    debiting someone again on a reason nobody understood is worse than asking a person.
    """
    return code.strip().upper() not in _RETRYABLE


def return_reason(code: str) -> str:
    """The plain-English meaning of a reason code, or a neutral text for an unknown one."""
    normalised = code.strip().upper()
    return RETURN_REASONS.get(normalised, f"Reason code {normalised} (not in Cobro's list)")
