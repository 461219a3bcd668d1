"""Claim an idempotency key for a request, or find the answer it already got.

`claim` inserts the key's row inside a SAVEPOINT of the request's own transaction, before any
money moves; `remember` writes the answer into it before that transaction commits. So a
committed key always has its answer, and a request that fails leaves no key behind (it may be
sent again with the same key). Two requests with one key at once meet at the unique key
(company, key): on PostgreSQL the second waits for the first to commit and then replays its
answer; on SQLite, whose one writer the first holds, the second is told the key is in use
(409) and, repeated, gets the replay. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from cobro.errors import Conflict
from cobro.idempotency.models import IdempotencyKey
from cobro.idempotency.rules import HEADER, check_same_request

# How long a key's answer is kept for a replay: a client retrying after a timeout does so
# within minutes; a month covers one that was down for weeks. Past it the key is forgotten
# (`prune_keys`), and the same key starts a new operation.
KEEP_KEYS = timedelta(days=30)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


@dataclass(frozen=True)
class KeyedRequest:
    key: str
    request_hash: str
    method: str
    path: str


def claim(session: Session, company_id: int, request: KeyedRequest) -> Answer | None:
    """None: the key is this request's now, go on; else the answer the key already got."""
    stored = _answer_of(session, company_id, request)
    if stored is not None:
        return stored
    row = IdempotencyKey(
        company_id=company_id,
        key=request.key,
        request_hash=request.request_hash,
        method=request.method,
        path=request.path[:500],
        status=0,
        body="",
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another request took the key and committed meanwhile
        stored = _answer_of(session, company_id, request)
        if stored is None:
            raise _in_use(request.key) from None
        return stored
    except OperationalError as exc:
        if session.get_bind().dialect.name != "sqlite" or "locked" not in str(exc):
            raise
        raise _in_use(request.key) from None  # SQLite: the other request holds the writer
    return None


def remember(session: Session, company_id: int, key: str, answer: Answer) -> None:
    """Keep the answer of the request that claimed `key`, in its own transaction."""
    row = session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.company_id == company_id, IdempotencyKey.key == key
        )
    ).one()
    row.status = answer.status
    row.body = answer.body
    session.flush()


def _answer_of(session: Session, company_id: int, request: KeyedRequest) -> Answer | None:
    row = session.execute(
        select(IdempotencyKey.request_hash, IdempotencyKey.status, IdempotencyKey.body).where(
            IdempotencyKey.company_id == company_id, IdempotencyKey.key == request.key
        )
    ).first()
    if row is None:
        return None
    check_same_request(request.key, row.request_hash, request.request_hash)
    if row.status == 0:  # claimed earlier in this very transaction: a bug, not a client's
        raise _in_use(request.key)
    return Answer(row.status, row.body)


def _in_use(key: str) -> Conflict:
    return Conflict(
        f"a request with {HEADER} {key!r} is in progress; send it again to get its answer",
        field=HEADER,
    )


def prune_keys(session: Session, now: datetime) -> int:
    """Forget the keys older than KEEP_KEYS; how many."""
    result = session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP_KEYS)
    )
    assert isinstance(result, CursorResult)  # a DELETE answers a cursor's row count
    return result.rowcount or 0
