"""One stage of a saved policy changed, added or removed, as the policy editor does it. Pure.

The editor works on the stored mapping (`policy.document`) and hands the result to
`policy_from_mapping`, so an edit is checked exactly as a policy file is. Two things differ
from a file:

- the stages are put in order of their offset after an edit: in the editor a person moves one
  stage to another day on purpose, and should not have to re-list the others (two stages on
  the same day are still refused);
- a stage's code cannot be changed: the chase steps of every item name the stage by its code,
  and a renamed stage would be a new one, sent again to items that already had it.

Errors name the stage's own field ("offset", "actions"...), as the form shows them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from cobro.errors import Invalid, NotFound
from cobro.policy.document import policy_from_mapping, policy_to_mapping

EDITABLE = frozenset({"offset", "tone", "actions", "fee"})
NEW_STAGE_KEYS = EDITABLE | {"code"}
_STAGE_FIELD = re.compile(r"^stages\[\d+\]\.?")

Stages = list[dict[str, Any]]


def change_stage(
    policy: Mapping[str, Any], code: str, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The policy with stage `code`'s offset, tone or actions replaced, checked and in order."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        field = unknown[0]
        why = "a stage's code cannot change" if field == "code" else f"unknown field {field!r}"
        raise Invalid(f"{why} (editable: {', '.join(sorted(EDITABLE))})", field=field)
    stages = _copy(policy["stages"])
    index = _index(stages, code)
    stages[index] = {**stages[index], **changes}
    return _checked(policy, stages, code)


def add_stage(policy: Mapping[str, Any], stage: Mapping[str, Any]) -> dict[str, Any]:
    """The policy with a new stage (code, offset, tone, actions), placed by its offset."""
    unknown = sorted(set(stage) - NEW_STAGE_KEYS)
    if unknown:
        raise Invalid(f"unknown field {unknown[0]!r}", field=unknown[0])
    code = stage.get("code")
    if not isinstance(code, str) or not code.strip():
        raise Invalid("a new stage needs a code, e.g. reminder-3", field="code")
    stages = _copy(policy["stages"])
    if any(existing["code"] == code.strip() for existing in stages):
        raise Invalid(f"stage code {code.strip()!r} is used already", field="code")
    stages.append({**stage, "code": code.strip()})
    return _checked(policy, stages, code.strip())


def remove_stage(policy: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The policy without stage `code`; its last stage cannot go."""
    stages = _copy(policy["stages"])
    index = _index(stages, code)
    if len(stages) == 1:
        raise Invalid(f"stage {code!r} is the policy's only stage: a policy needs one", "stage")
    del stages[index]
    return _checked(policy, stages, None)


def stage_of(policy: Mapping[str, Any], code: str) -> dict[str, Any]:
    """Stage `code` of a stored policy, or NotFound."""
    stages = policy["stages"]
    return dict(stages[_index(stages, code)])


def _checked(policy: Mapping[str, Any], stages: Stages, code: str | None) -> dict[str, Any]:
    # sorted by offset where offsets are whole numbers; a wrong one is reported by the check
    if all(_whole(stage.get("offset")) for stage in stages):
        stages.sort(key=lambda stage: int(stage["offset"]))
    data = {"code": policy["code"], "name": policy["name"], "stages": stages}
    try:
        checked = policy_from_mapping(data)
    except Invalid as exc:
        field = _form_field(exc.field, stages, code, exc.message)
        raise Invalid(exc.message, field=field) from None
    return policy_to_mapping(checked)


def _form_field(field: str | None, stages: Stages, code: str | None, message: str) -> str | None:
    """ "stages[3].offset" → "offset" when stage 3 is the one edited, or the error names it (two
    stages on one day); else the whole path, which names the other stage."""
    if field is None:
        return None
    match = _STAGE_FIELD.match(field)
    if match is None:
        return field
    index = int(field[field.index("[") + 1 : field.index("]")])
    rest = field[match.end() :] or "code"
    if code is None:
        return field
    edited = index < len(stages) and stages[index].get("code") == code
    named = rest == "offset" and repr(code) in message
    return rest.split(".")[0] if edited or named else field


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _index(stages: Sequence[Mapping[str, Any]], code: str) -> int:
    for index, stage in enumerate(stages):
        if stage.get("code") == code:
            return index
    known = ", ".join(str(stage.get("code")) for stage in stages)
    raise NotFound(f"no stage {code!r} in this policy (stages: {known})", field="stage")


def _copy(stages: Sequence[Mapping[str, Any]]) -> Stages:
    return [dict(stage) for stage in stages]
