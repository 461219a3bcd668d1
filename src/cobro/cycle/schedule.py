"""When each action may go out: the debtor's send window (hours, weekends, holidays in their
time zone and country), their contact caps (Regulation F for US consumers), and their opt-outs.

An action is never dropped for timing: it gets a later `not_before`. Only an opted-out channel
skips an action, and the action row says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from cobro.company.models import Company
from cobro.cycle.repository import CustomerRow
from cobro.policy.contact import CALL, ContactEvent, earliest_checked
from cobro.policy.rules import CHANNELS, ActionKind
from cobro.policy.settings import ChaseSettings, Resolved, resolve, settings_from_mapping
from cobro.policy.timing import SendWindow, first_send_at, next_allowed

# a cap and a window can push each other along (the cap frees up at night, the window opens
# in the morning): a few rounds settle it; more means settings that can never both hold
_ROUNDS = 16
_CACHE_LIMIT = 100_000


class Scheduler:
    def __init__(
        self,
        company: Company,
        on: date,
        layers: Mapping[tuple[str, str], Mapping[str, Any]],
        contacts: dict[int, list[ContactEvent]],
        opted_out: Mapping[int, frozenset[str]],
        created_at: datetime,
    ) -> None:
        self.company = company
        self.on = on
        self.layers = {
            key: settings_from_mapping(values, f"{key[0]} {key[1]}".strip())
            for key, values in layers.items()
        }
        self.contacts = contacts
        self.opted_out = opted_out
        self.created_at = created_at
        self.start = datetime.combine(on, time(), tzinfo=ZoneInfo(company.timezone))
        self._start_utc = self.start.astimezone(UTC)
        self._cache: dict[tuple[Any, ...], Resolved] = {}
        # the timing functions are pure and their arguments repeat across a company's customers
        # (a few zones, countries and windows): each answer is worked out once per run
        self._first: dict[tuple[str, str, SendWindow], datetime] = {}
        self._allowed: dict[tuple[datetime, str, str, SendWindow], datetime] = {}
        self._by_invoice = any(scope == "invoice" for scope, _ in self.layers)
        self._later: dict[tuple[datetime, str], bool] = {}

    def resolved(self, customer: CustomerRow, invoice_id: int | None = None) -> Resolved:
        own = self.layers.get(("customer", str(customer.id)))
        item = None if invoice_id is None else self.layers.get(("invoice", str(invoice_id)))
        key = (
            customer.segment,
            customer.country,
            customer.kind,
            customer.id if own is not None else None,
            invoice_id if item is not None else None,
        )
        found = self._cache.get(key)
        if found is None:
            found = resolve(
                self.layers.get(("company", "")),
                self._segment(customer.segment),
                own,
                item,
                country=customer.country,
                consumer=customer.kind == "consumer",
            )
            self._cache[key] = found
        return found

    def _segment(self, segment: str | None) -> ChaseSettings | None:
        return None if segment is None else self.layers.get(("segment", segment))

    def customer_gap(self, customer: CustomerRow) -> int | None:
        """The pacing of every item of `customer`; None when some item has its own settings."""
        return None if self._by_invoice else self.resolved(customer).min_days_between_stages

    def min_gap(self, customer: CustomerRow, invoice_id: int) -> int:
        # without any invoice layer `resolved` ignores the invoice: skip building its key
        return self.resolved(
            customer, invoice_id if self._by_invoice else None
        ).min_days_between_stages

    def schedule(self, customer: CustomerRow, kind: ActionKind) -> tuple[str, datetime, str | None]:
        """(status, not before, reason skipped) for one action of the day."""
        if kind in CHANNELS and str(kind) in self.opted_out.get(customer.id, frozenset()):
            return "skipped", self._start_utc, f"opted out of {kind}"
        if kind not in CHANNELS and kind is not ActionKind.CALL_TASK:
            # bookkeeping and internal work: due at the start of the day, no contact rules
            return "queued", self._start_utc, None
        channel = CALL if kind is ActionKind.CALL_TASK else str(kind)
        return "queued", self._contact_time(customer, channel), None

    def _contact_time(self, customer: CustomerRow, channel: str) -> datetime:
        settings = self.resolved(customer)
        zone, country = customer.timezone, customer.country
        history = self.contacts.setdefault(customer.id, [])
        window = settings.window
        at = self._first.get((zone, country, window))
        if at is None:
            at = self._first[(zone, country, window)] = first_send_at(
                self.on, zone, country, window
            )
        for _ in range(_ROUNDS):
            earliest = earliest_checked(channel, at, history, settings.caps)
            key = (earliest, zone, country, window)
            allowed = self._allowed.get(key)
            if allowed is None:
                if len(self._allowed) >= _CACHE_LIMIT:  # times pushed by caps vary: stay bounded
                    self._allowed.clear()
                allowed = self._allowed[key] = next_allowed(earliest, zone, country, window)
            if allowed == at:
                break
            at = allowed
        # the next action of the day counts this one against the caps
        history.append(ContactEvent(at=at, channel=channel))
        return at

    def later_than_day(self, customer: CustomerRow, not_before: datetime) -> bool:
        key = (not_before, customer.timezone)
        later = self._later.get(key)
        if later is None:
            if len(self._later) >= _CACHE_LIMIT:
                self._later.clear()
            later = self._later[key] = (
                not_before.astimezone(ZoneInfo(customer.timezone)).date() > self.on
            )
        return later
