"""What it takes to run a cycle through the API, and the report it answers."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from cobro.cycle.outcome import CycleOutcome


class CycleRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(
        default=True, description="true: show what would be queued, write nothing"
    )
    on: date | None = Field(
        default=None, description="the day to run for (default: today, company time)"
    )


class MovedItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer: str
    customer_name: str
    invoice: str
    due_date: date
    open_amount: int = Field(description="minor units")
    currency: str


class StageOutcomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: str
    items: int = Field(description="items that reach the stage this day")
    amounts: dict[str, int] = Field(description="their open amounts per currency, minor units")
    queued: dict[str, int] = Field(description="actions queued per channel or kind")
    first: list[MovedItemOut] = Field(description="the largest of those items")


class CycleOut(BaseModel):
    company: str
    on: date
    dry_run: bool
    items: int = Field(description="open items looked at")
    moved: int = Field(description="items that reach a stage")
    queued: int = Field(description="actions queued (due that day or waiting for their window)")
    deferred: int = Field(description="actions that wait past the day (window, holiday, caps)")
    created: int = Field(description="outbox rows written (0 on a dry run, or a day already run)")
    held: dict[str, int] = Field(description="items not chased, by reason")
    skipped: dict[str, int] = Field(description="actions not queued, by reason")
    stages: list[StageOutcomeOut]

    @classmethod
    def of(cls, outcome: CycleOutcome) -> CycleOut:
        report = outcome.report
        return cls(
            company=report.company,
            on=report.on,
            dry_run=outcome.dry_run,
            items=report.items,
            moved=outcome.moved,
            queued=outcome.queued,
            deferred=report.deferred,
            created=0 if outcome.dry_run else report.created,
            held=dict(report.held),
            skipped=dict(report.skipped),
            stages=[StageOutcomeOut.model_validate(stage) for stage in outcome.stages],
        )
