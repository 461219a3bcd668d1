"""What the API says about policies and their stages, and what it takes to change a stage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cobro.policy.editor import PolicyView


class StageOut(BaseModel):
    """One stage: its day (offset from the due date; negative: before it), tone, actions and
    the condition it is sent on (`when`, as in a policy file; empty: always)."""

    code: str
    offset: int
    tone: str
    actions: list[str]
    when: dict[str, Any] = Field(default_factory=dict)
    fee: dict[str, Any] | None = Field(
        default=None,
        description="what the `fee` action charges: fixed and minimum/maximum per currency "
        '(major units, e.g. {"EUR": "10.00"}), percent of the open amount, per invoice or notice',
    )


class RuleOut(BaseModel):
    """An assignment rule sending matching items to the policy (tried in `position` order)."""

    position: int
    segment: str | None
    country: str | None
    kind: str | None
    grade: str | None
    currency: str | None
    min_amount: int | None = Field(description="open amount, minor units of `currency`")


class PolicyOut(BaseModel):
    """A policy, its stages in order, and whom it applies to."""

    code: str
    name: str
    is_default: bool = Field(description="items no pin and no rule decides follow it")
    stages: list[StageOut]
    rules: list[RuleOut]
    customers: int = Field(description="customers pinned to this policy")
    invoices: int = Field(description="invoices pinned to this policy")
    updated_at: datetime

    @classmethod
    def of(cls, view: PolicyView) -> PolicyOut:
        return cls(
            code=view.code,
            name=view.name,
            is_default=view.is_default,
            stages=[StageOut.model_validate(stage) for stage in view.stages],
            rules=[
                RuleOut(
                    position=rule.position,
                    segment=rule.criteria.segment,
                    country=rule.criteria.country,
                    kind=rule.criteria.kind,
                    grade=rule.criteria.grade,
                    currency=rule.criteria.currency,
                    min_amount=rule.criteria.min_amount,
                )
                for rule in view.rules
            ],
            customers=view.customers,
            invoices=view.invoices,
            updated_at=view.updated_at,
        )


class StageChangeIn(BaseModel):
    """The fields to change; the others stay. A stage's code never changes."""

    model_config = ConfigDict(extra="forbid")

    offset: int | None = Field(default=None, description="days from the due date")
    tone: str | None = Field(
        default=None, max_length=20, description="friendly, firm, formal, final"
    )
    actions: list[str] | None = Field(
        default=None, max_length=13, description="email, sms, letter…"
    )
    fee: dict[str, Any] | None = Field(
        default=None,
        description='the fee, e.g. {"fixed": {"EUR": "10.00"}, "per": "invoice"}; {} removes it',
    )

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class StageIn(BaseModel):
    """A new stage, placed among the others by its offset."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=40, description="e.g. reminder-3; never changes afterwards")
    offset: int = Field(description="days from the due date; negative: before it")
    tone: str = Field(max_length=20, description="friendly, firm, formal, final")
    actions: list[str] = Field(max_length=13, description="email, sms, letter, call_task…")
    fee: dict[str, Any] | None = Field(
        default=None, description='with the fee action: e.g. {"percent": "1.5", "per": "notice"}'
    )
