"""`cobro audit list`: the audit trail, newest first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import typer

from cobro.audit.service import list_events
from cobro.edge import cli_errors, company_codes, company_filter, print_rows, unit_of_work
from cobro.kit.dates import parse_date

audit_app = typer.Typer(help="The append-only audit trail.", no_args_is_help=True)


@audit_app.command("list")
def audit_list(
    company: str | None = typer.Option(
        None, "--company", "-c", help="Only this company's events (default: all)."
    ),
    since: str | None = typer.Option(None, "--since", help="From this day on (UTC)."),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many events."),
) -> None:
    """Who did what and when: sign-ins, roles, tokens, passwords."""
    with cli_errors(), unit_of_work() as session:
        start = datetime.combine(parse_date(since), time(), UTC) if since else None
        codes = company_codes(session)
        rows = [
            (
                f"{e.at:%Y-%m-%d %H:%M:%S}",
                e.action,
                str(e.actor_id or ""),
                codes.get(e.company_id or 0, ""),
                f"{e.entity_type} {e.entity_id or ''}".strip(),
                _changes(e.before, e.after),
                e.source or "",
            )
            for e in list_events(session, company_filter(session, company), start, limit)
        ]
    headings = ("at (UTC)", "action", "actor", "company", "entity", "change", "source")
    print_rows(headings, rows, "events")


def _changes(before: object, after: object) -> str:
    parts = []
    if before is not None:
        parts.append(f"before {json.dumps(before, ensure_ascii=False)}")
    if after is not None:
        parts.append(f"after {json.dumps(after, ensure_ascii=False)}")
    return "; ".join(parts)
