"""Chase settings: the send window, contact caps and pacing of the chase, inherited company →
segment → customer → invoice. Pure: no database, no clock.

Every setting is optional; None means "inherit". Each layer overrides the ones before it where it
sets a value, field by field, so an invoice can narrow the window without restating the caps.
What no layer sets comes from the profile:

- **Regulation F** for a consumer in the United States (or its territories, where the FDCPA
  applies too), or wherever a layer sets `regulation = "reg_f"` (an agency may choose it for all
  its consumers): contact 08:00–21:00 local time every day, at most 7 call attempts in 7 days, no
  call within 7 days after a conversation, no cap on messages.
- otherwise the **business** profile, friendly to both sides: 09:00–19:00 on working days, no
  contact on weekends or public holidays, at most 3 messages and 3 call attempts a week
  (`DEFAULT_CAPS`), and at least 3 days between two stages of the same item.

Settings may make Regulation F stricter (a later start, no weekends, fewer calls) but never
looser: a looser value is **clamped** to the regulation, not refused. Layers are written at
different times by different people (a company-wide 07:30 start set with its business customers
in mind), so a refusal would surface in the daily cycle, for one consumer, long after the setting
was saved, and stop that consumer's chase; clamping keeps both the law and the chase, and
`Resolved.clamped` names what was tightened so the screens can say so. Stricter is judged field by
field (a later start, an earlier end, fewer calls, a longer period, a longer quiet time), so the
result is at least as strict as both the regulation and the settings.

A layer cannot remove a cap it inherits, only set a higher one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import time
from typing import TypeVar

from cobro.errors import Invalid
from cobro.policy.contact import (
    DEFAULT_CAPS,
    MAX_DAYS,
    REG_F,
    REG_F_DAYS,
    REG_F_MAX_CALLS,
    REG_F_WINDOW,
    ContactCaps,
    check_caps,
)
from cobro.policy.timing import SendWindow, check_window

REG_F_NAME = "reg_f"
NO_REGULATION = "none"
REGULATIONS = (NO_REGULATION, REG_F_NAME)
# the United States and the territories ISO 3166 codes apart (FDCPA §803(8) includes them)
REG_F_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})

DEFAULT_WINDOW = SendWindow(start=time(9), end=time(19), weekends=False, holidays=False)
# time for a reminder to be read and a transfer to arrive before the next one goes out; the
# closest stages of the default policy are 3 days apart, so it runs as written
DEFAULT_MIN_DAYS_BETWEEN_STAGES = 3

_HHMM = re.compile(r"^(\d{2}):(\d{2})$")

_T = TypeVar("_T")
_Ordered = TypeVar("_Ordered", int, time)


@dataclass(frozen=True)
class ChaseSettings:
    """One layer of settings; None: inherit from the layer before."""

    window_start: time | None = None  # local time contact may start
    window_end: time | None = None  # local time contact must stop (exclusive)
    weekends: bool | None = None  # contact on weekends
    holidays: bool | None = None  # contact on public holidays
    max_messages: int | None = None  # emails, SMS and WhatsApp together …
    period_days: int | None = None  # … in any rolling period of this many days
    max_calls: int | None = None  # call attempts …
    call_period_days: int | None = None  # … in any rolling period of this many days
    quiet_after_conversation_days: int | None = None  # no call this long after a conversation
    min_days_between_stages: int | None = None  # an item waits this long before its next stage
    regulation: str | None = None  # "reg_f" or "none"


@dataclass(frozen=True)
class Resolved:
    """The settings an item is chased with, every value concrete."""

    window: SendWindow
    caps: ContactCaps
    min_days_between_stages: int
    regulation: str
    clamped: tuple[str, ...] = ()  # settings tightened to the regulation


EMPTY = ChaseSettings()
_TIMES = ("window_start", "window_end")
_BOOLS = ("weekends", "holidays")
_COUNTS = ("max_messages", "max_calls")
_DAYS = (
    "period_days",
    "call_period_days",
    "quiet_after_conversation_days",
    "min_days_between_stages",
)
_NAMES = tuple(f.name for f in fields(ChaseSettings))


def merge(*layers: ChaseSettings) -> ChaseSettings:
    """One layer from many: for each setting, the value of the last layer that sets it."""
    values: dict[str, object] = {}
    for layer in layers:
        values.update(
            (name, value) for name in _NAMES if (value := getattr(layer, name)) is not None
        )
    return _build(values)


def check_settings(settings: ChaseSettings, where: str = "settings") -> ChaseSettings:
    """Refuse a layer that cannot be applied; return it unchanged when it can. Errors name the
    setting as `{where}.{name}`.

    Times are local wall times in whole minutes. Counts are at least 1 (a cap of zero would be a
    channel opt-out, which is kept with the customer); periods are 1 to 365 days; a quiet time and
    the days between stages 0 to 365. A layer that sets both ends of the window must end it after
    it starts; layers that set one end each are judged together by `resolve`.
    """
    for name in _TIMES:
        value = getattr(settings, name)
        if value is not None and (
            value.tzinfo is not None or value.second != 0 or value.microsecond != 0
        ):
            raise Invalid(
                f"{name} must be a local time in whole minutes, like 09:00",
                field=f"{where}.{name}",
            )
    if (
        settings.window_start is not None
        and settings.window_end is not None
        and settings.window_start >= settings.window_end
    ):
        raise Invalid(
            f"the window must end after it starts: {_hhmm(settings.window_start)}–"
            f"{_hhmm(settings.window_end)} (windows across midnight are not supported)",
            field=f"{where}.window_end",
        )
    for name in _COUNTS:
        value = getattr(settings, name)
        if value is not None and value < 1:
            raise Invalid(
                f"{name} must be at least 1 (to stop a channel, opt the customer out of it)",
                field=f"{where}.{name}",
            )
    for name in _DAYS:
        value = getattr(settings, name)
        least = 1 if name.endswith("period_days") else 0
        if value is not None and not least <= value <= MAX_DAYS:
            raise Invalid(
                f"{name} must be between {least} and {MAX_DAYS} days, not {value}",
                field=f"{where}.{name}",
            )
    if settings.regulation is not None and settings.regulation not in REGULATIONS:
        raise Invalid(
            f"unknown regulation {settings.regulation!r}; use one of {', '.join(REGULATIONS)}",
            field=f"{where}.regulation",
        )
    return settings


def resolve(
    company: ChaseSettings | None,
    segment: ChaseSettings | None,
    customer: ChaseSettings | None,
    invoice: ChaseSettings | None,
    *,
    country: str,
    consumer: bool,
) -> Resolved:
    """The concrete settings for an invoice of a customer in `country` (the debtor's, ISO 3166
    alpha-2), from its layers (None: the layer sets nothing), on the profile that applies."""
    layers = {"company": company, "segment": segment, "customer": customer, "invoice": invoice}
    for where, layer in layers.items():
        if layer is not None:
            check_settings(layer, where)
    chosen = merge(*(layer for layer in layers.values() if layer is not None))
    regulated = chosen.regulation == REG_F_NAME or (
        consumer and country.strip().upper() in REG_F_COUNTRIES
    )
    resolved = _reg_f(chosen) if regulated else _business(chosen)
    try:
        check_window(resolved.window)
    except Invalid as exc:
        raise Invalid(exc.message, field="window") from None
    return resolved


def _business(chosen: ChaseSettings) -> Resolved:
    return Resolved(
        window=SendWindow(
            start=_or(chosen.window_start, DEFAULT_WINDOW.start),
            end=_or(chosen.window_end, DEFAULT_WINDOW.end),
            weekends=_or(chosen.weekends, DEFAULT_WINDOW.weekends),
            holidays=_or(chosen.holidays, DEFAULT_WINDOW.holidays),
        ),
        caps=check_caps(
            ContactCaps(
                max_messages=_or(chosen.max_messages, DEFAULT_CAPS.max_messages),
                period_days=_or(chosen.period_days, DEFAULT_CAPS.period_days),
                max_calls=_or(chosen.max_calls, DEFAULT_CAPS.max_calls),
                call_period_days=_or(chosen.call_period_days, DEFAULT_CAPS.call_period_days),
                quiet_after_conversation_days=_or(
                    chosen.quiet_after_conversation_days, DEFAULT_CAPS.quiet_after_conversation_days
                ),
            )
        ),
        min_days_between_stages=_or(
            chosen.min_days_between_stages, DEFAULT_MIN_DAYS_BETWEEN_STAGES
        ),
        regulation=NO_REGULATION,
    )


def _reg_f(chosen: ChaseSettings) -> Resolved:
    clamped: list[str] = []
    window = SendWindow(
        start=_no_less(clamped, "window_start", chosen.window_start, REG_F_WINDOW.start),
        end=_no_more(clamped, "window_end", chosen.window_end, REG_F_WINDOW.end),
        # Regulation F allows every day: not contacting on some is only ever stricter
        weekends=_or(chosen.weekends, REG_F_WINDOW.weekends),
        holidays=_or(chosen.holidays, REG_F_WINDOW.holidays),
    )
    caps = ContactCaps(
        max_messages=_or(chosen.max_messages, REG_F.max_messages),
        period_days=_or(chosen.period_days, REG_F.period_days),
        max_calls=_no_more(clamped, "max_calls", chosen.max_calls, REG_F_MAX_CALLS),
        call_period_days=_no_less(
            clamped, "call_period_days", chosen.call_period_days, REG_F.call_period_days
        ),
        quiet_after_conversation_days=_no_less(
            clamped,
            "quiet_after_conversation_days",
            chosen.quiet_after_conversation_days,
            REG_F_DAYS,
        ),
    )
    if chosen.regulation == NO_REGULATION:
        clamped.append("regulation")
    return Resolved(
        window=window,
        caps=check_caps(caps),
        min_days_between_stages=_or(
            chosen.min_days_between_stages, DEFAULT_MIN_DAYS_BETWEEN_STAGES
        ),
        regulation=REG_F_NAME,
        clamped=tuple(clamped),
    )


def _or(value: _T | None, default: _T) -> _T:
    return default if value is None else value


def _no_less(clamped: list[str], name: str, value: _Ordered | None, floor: _Ordered) -> _Ordered:
    if value is None:
        return floor
    if value < floor:
        clamped.append(name)
        return floor
    return value


def _no_more(clamped: list[str], name: str, value: _Ordered | None, ceiling: _Ordered) -> _Ordered:
    if value is None:
        return ceiling
    if value > ceiling:
        clamped.append(name)
        return ceiling
    return value


def settings_from_mapping(data: Mapping[str, object], where: str) -> ChaseSettings:
    """Read one layer from a JSON or TOML table: times as "HH:MM" (or TOML local times), switches
    as true/false, counts and days as whole numbers, null or a missing key to inherit.

    Errors name the key as `{where}.{key}`: an unknown key, a value of the wrong type, a time that
    is not one, or a value out of range.
    """
    values: dict[str, object] = {}
    for key, raw in data.items():
        if key not in _NAMES:
            raise Invalid(
                f"unknown setting {key!r}; known: {', '.join(_NAMES)}", field=f"{where}.{key}"
            )
        if raw is not None:
            values[key] = _parse(key, raw, f"{where}.{key}")
    return check_settings(_build(values), where)


def settings_to_mapping(settings: ChaseSettings) -> dict[str, object]:
    """The settings a layer sets, as `settings_from_mapping` reads them (times as "HH:MM")."""
    out: dict[str, object] = {}
    for name in _NAMES:
        value = getattr(settings, name)
        if value is not None:
            out[name] = _hhmm(value) if isinstance(value, time) else value
    return out


def _parse(key: str, raw: object, field: str) -> object:
    if key in _TIMES:
        return _parse_time(key, raw, field)
    if key in _BOOLS:
        if not isinstance(raw, bool):
            raise Invalid(f"{key} must be true or false, not {raw!r}", field=field)
        return raw
    if key in _COUNTS or key in _DAYS:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise Invalid(f"{key} must be a whole number, not {raw!r}", field=field)
        return raw
    if not isinstance(raw, str):
        raise Invalid(f"{key} must be one of {', '.join(REGULATIONS)}, not {raw!r}", field=field)
    return raw


def _parse_time(key: str, raw: object, field: str) -> time:
    if isinstance(raw, time):  # TOML's local time
        return raw
    match = _HHMM.match(raw) if isinstance(raw, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise Invalid(f"{key} must be a time like 09:00, not {raw!r}", field=field)
    return time(int(match[1]), int(match[2]))


def _build(values: Mapping[str, object]) -> ChaseSettings:
    """A layer from values already of the right type for their names."""

    def get(name: str, kind: type[_T]) -> _T | None:
        value = values.get(name)
        assert value is None or isinstance(value, kind)
        return value

    return ChaseSettings(
        window_start=get("window_start", time),
        window_end=get("window_end", time),
        weekends=get("weekends", bool),
        holidays=get("holidays", bool),
        max_messages=get("max_messages", int),
        period_days=get("period_days", int),
        max_calls=get("max_calls", int),
        call_period_days=get("call_period_days", int),
        quiet_after_conversation_days=get("quiet_after_conversation_days", int),
        min_days_between_stages=get("min_days_between_stages", int),
        regulation=get("regulation", str),
    )


def _hhmm(value: time) -> str:
    return value.isoformat(timespec="minutes")
