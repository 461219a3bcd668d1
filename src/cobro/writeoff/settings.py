"""A company's write-off settings: the remainder the cycle writes off by itself (0: never),
and how much a collector and a manager write off without anyone's approval (the manager's
empty: any amount). Amounts in minor units of the company's currency. Each change is audited
with the values before and after. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cobro.audit.service import record
from cobro.company.models import Company
from cobro.errors import Invalid
from cobro.writeoff.rules import check_limit

FIELDS = ("small_balance_limit", "collector_write_off_limit", "manager_write_off_limit")
OPTIONAL = frozenset({"manager_write_off_limit"})  # None: a manager writes off any amount


@dataclass(frozen=True)
class WriteOffSettings:
    small_balance_limit: int
    collector_write_off_limit: int
    manager_write_off_limit: int | None


def write_off_settings(company: Company) -> WriteOffSettings:
    return WriteOffSettings(**{name: getattr(company, name) for name in FIELDS})


def change_write_off_settings(
    session: Session,
    company: Company,
    changes: dict[str, int | None],
    by: tuple[int | None, str],
    now: datetime,
) -> WriteOffSettings:
    """Apply `changes` (field → minor units; None only for the manager's limit), all checked
    before any is set."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise Invalid(f"{unknown[0]}: not a write-off setting", field=unknown[0])
    clean = {
        name: check_limit(value, name, optional=name in OPTIONAL) for name, value in changes.items()
    }
    before = write_off_settings(company)
    for name, value in clean.items():
        setattr(company, name, value)
    session.flush()
    after = write_off_settings(company)
    record(
        session,
        "write_off.settings_changed",
        at=now,
        entity_type="company",
        entity_id=company.id,
        actor_id=by[0],
        company_id=company.id,
        before={name: getattr(before, name) for name in clean},
        after={**{name: getattr(after, name) for name in clean}, "by": by[1]},
    )
    return after
