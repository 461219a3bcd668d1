"""`cobro prune`: forget what is past keeping, in every domain that keeps something only for a
while: sign-in leftovers (`auth.housekeeping`) and the answers kept for idempotency keys
(`idempotency.service.KEEP_KEYS`). Without it those tables only grow. Schedule it daily,
beside `cobro cycle`."""

from __future__ import annotations

from cobro.auth.housekeeping import prune_access
from cobro.edge import cli_errors, console, unit_of_work
from cobro.idempotency.service import KEEP_KEYS, prune_keys
from cobro.kit.dates import utcnow


def prune_command() -> None:
    """Forget old sign-in attempts (7 days), sessions ended over 30 days ago, spent
    password-reset links, and idempotency keys older than 30 days. Schedule it daily."""
    now = utcnow()
    with cli_errors(), unit_of_work() as session:
        access = prune_access(session, now)
        keys = prune_keys(session, now)
    console.print(
        f"Deleted {access.attempts} sign-in attempts, {access.sessions} ended sessions, "
        f"{access.resets} spent password-reset links and {keys} idempotency keys older than "
        f"{KEEP_KEYS.days} days.",
        highlight=False,
    )
