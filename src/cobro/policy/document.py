"""A policy as people write it (TOML or JSON) and as it is stored: a plain mapping. Pure.

```toml
code = "b2b"
name = "Business customers"
[[stages]]
code = "preventive"
offset = -5
tone = "friendly"
actions = ["email"]
when = { any_of = [{ grades = ["C", "D"] }, { min_open = { EUR = "5000.00" } }] }
[[stages]]
code = "demand"
offset = 30
tone = "formal"
actions = ["letter", "fee"]
fee = { fixed = { EUR = "10.00" }, percent = "1.5", maximum = { EUR = "50.00" }, per = "invoice" }
```

Amounts are written in major units ("5000.00") so that nobody has to count zeros; they become
integer minor units here. Every error names the stage and the key, e.g. `stages[2].when.kinds`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from cobro.errors import Invalid
from cobro.kit.money import check_currency, format_minor, to_minor
from cobro.policy.fees import Fee, FeeBasis
from cobro.policy.rules import (
    ActionKind,
    Condition,
    CustomerKind,
    Grade,
    Policy,
    Stage,
    Tone,
    check_policy,
)

_E = TypeVar("_E", Tone, ActionKind, CustomerKind, Grade, FeeBasis)

_POLICY_KEYS = frozenset({"code", "name", "stages"})
_STAGE_KEYS = frozenset({"code", "offset", "tone", "actions", "when", "fee"})
_FEE_KEYS = frozenset({"fixed", "percent", "minimum", "maximum", "per"})
_CONDITION_KEYS = frozenset({"min_open", "kinds", "grades", "tags", "previous_delivered", "any_of"})


def policy_from_mapping(data: Mapping[str, Any]) -> Policy:
    """Read and check a policy; raise Invalid naming the first key that is wrong."""
    _unknown(data, _POLICY_KEYS, "")
    stages = data.get("stages")
    if not isinstance(stages, Sequence) or isinstance(stages, str):
        raise Invalid("a policy needs a list of stages", field="stages")
    policy = Policy(
        code=_text(data, "code", ""),
        name=_text(data, "name", "") if "name" in data else _text(data, "code", ""),
        stages=tuple(_stage(stage, f"stages[{i}]") for i, stage in enumerate(stages)),
    )
    return check_policy(policy)


def policy_to_mapping(policy: Policy) -> dict[str, Any]:
    return {
        "code": policy.code,
        "name": policy.name,
        "stages": [stage_to_mapping(stage) for stage in policy.stages],
    }


def stage_to_mapping(stage: Stage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": stage.code,
        "offset": stage.offset,
        "tone": stage.tone.value,
        "actions": [action.value for action in stage.actions],
    }
    when = _condition_to_mapping(stage.condition)
    if when:
        out["when"] = when
    if stage.fee is not None:
        out["fee"] = _fee_to_mapping(stage.fee)
    return out


def _fee_to_mapping(fee: Fee) -> dict[str, Any]:
    out: dict[str, Any] = {"per": fee.per.value}
    for key in ("fixed", "minimum", "maximum"):
        amounts: Mapping[str, int] = getattr(fee, key)
        if amounts:
            out[key] = {c: format_minor(m, c) for c, m in sorted(amounts.items())}
    if fee.percent is not None:
        out["percent"] = f"{fee.percent.normalize():f}"
    return out


def _stage(data: object, where: str) -> Stage:
    if not isinstance(data, Mapping):
        raise Invalid(f"{where} must be a table of code, offset, tone and actions", field=where)
    _unknown(data, _STAGE_KEYS, where)
    offset = data.get("offset")
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise Invalid(f"{where}.offset must be a whole number of days", field=f"{where}.offset")
    actions = _strings(data, "actions", where)
    return Stage(
        code=_text(data, "code", where),
        offset=offset,
        tone=_choice(Tone, _text(data, "tone", where), f"{where}.tone"),
        actions=tuple(_choice(ActionKind, action, f"{where}.actions") for action in actions),
        condition=_condition(data.get("when", {}), f"{where}.when"),
        fee=_fee(data.get("fee"), f"{where}.fee"),
    )


def _fee(data: object, where: str) -> Fee | None:
    """A stage's fee; absent or empty: none."""
    if data is None or data == {}:
        return None
    if not isinstance(data, Mapping):
        raise Invalid(
            f'{where} must be a table, e.g. {{ fixed = {{ EUR = "10.00" }}, per = "invoice" }}',
            field=where,
        )
    _unknown(data, _FEE_KEYS, where)
    percent = data.get("percent")
    if percent is not None:
        try:
            percent = Decimal(str(percent))
        except InvalidOperation:
            raise Invalid(f"{where}.percent: {percent!r} is not a number", field=where) from None
        if isinstance(data.get("percent"), bool) or not percent.is_finite():
            raise Invalid(f"{where}.percent: {percent!r} is not a number", field=where)
    per = data.get("per", FeeBasis.INVOICE.value)
    return Fee(
        fixed=_minimums(data.get("fixed", {}), f"{where}.fixed"),
        percent=percent,
        minimum=_minimums(data.get("minimum", {}), f"{where}.minimum"),
        maximum=_minimums(data.get("maximum", {}), f"{where}.maximum"),
        per=_choice(FeeBasis, str(per), f"{where}.per"),
    )


def _condition(data: object, where: str) -> Condition:
    if not isinstance(data, Mapping):
        raise Invalid(f"{where} must be a table", field=where)
    _unknown(data, _CONDITION_KEYS, where)
    any_of = data.get("any_of", [])
    if not isinstance(any_of, Sequence) or isinstance(any_of, str):
        raise Invalid(f"{where}.any_of must be a list of conditions", field=f"{where}.any_of")
    previous = data.get("previous_delivered", False)
    if not isinstance(previous, bool):
        raise Invalid(f"{where}.previous_delivered must be true or false", field=where)
    return Condition(
        min_open=_minimums(data.get("min_open", {}), f"{where}.min_open"),
        kinds=frozenset(
            _choice(CustomerKind, k, f"{where}.kinds") for k in _strings(data, "kinds", where)
        ),
        grades=frozenset(
            _choice(Grade, g, f"{where}.grades") for g in _strings(data, "grades", where)
        ),
        tags=frozenset(_strings(data, "tags", where)),
        previous_delivered=previous,
        any_of=tuple(_condition(option, f"{where}.any_of[{i}]") for i, option in enumerate(any_of)),
    )


def _minimums(data: object, where: str) -> dict[str, int]:
    if not isinstance(data, Mapping):
        raise Invalid(f'{where} must map currencies to amounts, e.g. EUR = "500.00"', field=where)
    out: dict[str, int] = {}
    for currency, amount in data.items():
        code = check_currency(str(currency))
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise Invalid(f"{where}.{currency}: {amount!r} is not an amount", field=where) from None
        if isinstance(amount, bool) or not value.is_finite() or value < 0:
            raise Invalid(f"{where}.{currency}: {amount!r} is not an amount", field=where)
        try:
            out[code] = to_minor(value, code)
        except Invalid as exc:
            raise Invalid(f"{where}.{currency}: {exc.message}", field=where) from None
    return out


def _condition_to_mapping(condition: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if condition.min_open:
        out["min_open"] = {c: format_minor(m, c) for c, m in sorted(condition.min_open.items())}
    if condition.kinds:
        out["kinds"] = sorted(kind.value for kind in condition.kinds)
    if condition.grades:
        out["grades"] = sorted(grade.value for grade in condition.grades)
    if condition.tags:
        out["tags"] = sorted(condition.tags)
    if condition.previous_delivered:
        out["previous_delivered"] = True
    if condition.any_of:
        out["any_of"] = [_condition_to_mapping(option) for option in condition.any_of]
    return out


def _unknown(data: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    for key in data:
        if key not in known:
            place = f"{where}.{key}" if where else str(key)
            raise Invalid(
                f"unknown key {place!r} (expected one of {', '.join(sorted(known))})",
                field=place,
            )


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    place = f"{where}.{key}" if where else key
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{place} must be a non-empty text", field=place)
    return value.strip()


def _strings(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise Invalid(f"{where}.{key} must be a list", field=f"{where}.{key}")
    if not all(isinstance(item, str) for item in value):
        raise Invalid(f"{where}.{key} must list texts", field=f"{where}.{key}")
    return list(value)


def _choice(kind: type[_E], value: str, where: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(member.value for member in kind)
        raise Invalid(f"{where}: {value!r} is not one of {options}", field=where) from None
