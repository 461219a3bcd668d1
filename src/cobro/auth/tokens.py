"""API tokens for programs: `cobro_<prefix>_<secret>`, shown once; the prefix names the token
in lists, only the secret's SHA-256 is stored. A token acts as its user in one company, within
its scopes (auth.rules.token_can)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.auth.errors import Forbidden
from cobro.auth.events import record_change
from cobro.auth.models import ApiToken, User
from cobro.auth.passwords import digest, new_secret, same
from cobro.auth.rules import SESSION_TOUCH, TOKEN_PREFIX, check_scopes, split_token
from cobro.auth.users import role_in, role_of
from cobro.company.models import Company
from cobro.errors import Invalid, NotFound


def create_token(
    session: Session,
    user: User,
    company: Company,
    name: str,
    scopes: Iterable[str],
    now: datetime,
    expires_at: datetime | None = None,
    actor_id: int | None = None,
    source: str | None = None,
) -> tuple[str, ApiToken]:
    """A new token of `user` in `company`: (the plain token, to show once; the row)."""
    if role_in(session, user.id, company.id) is None:
        raise Forbidden(f"{user.email} has no role in company {company.code!r}")
    if not name.strip():
        raise Invalid("name: say what the token is for", field="name")
    chosen = check_scopes(scopes)
    if expires_at is not None and expires_at <= now:
        raise Invalid("expires: the token would be expired already", field="expires_at")
    prefix = secrets.token_hex(4)
    while _by_prefix(session, prefix) is not None:
        prefix = secrets.token_hex(4)
    secret, secret_hash = new_secret()
    token = ApiToken(
        user_id=user.id,
        company_id=company.id,
        name=name.strip(),
        scopes=chosen,
        prefix=prefix,
        secret_hash=secret_hash,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    record_change(
        session,
        "token.created",
        now,
        token,
        actor_id=actor_id,
        company_id=company.id,
        source=source,
        after={"user": user.email, "name": token.name, "prefix": prefix, "scopes": chosen},
    )
    return f"{TOKEN_PREFIX}_{prefix}_{secret}", token


def resolve_token(session: Session, plain: str | None, now: datetime) -> ApiToken | None:
    """The live token a request presents; None when malformed, unknown, wrong, revoked,
    expired, or its user was deactivated or lost their role in the token's company."""
    found = token_access(session, plain, now)
    return found[0] if found else None


def token_access(
    session: Session, plain: str | None, now: datetime
) -> tuple[ApiToken, str, Company] | None:
    """The live token a request presents, its user's role in the token's company and that
    company, read in one query (every API request asks); None as `resolve_token` says."""
    parts = split_token(plain or "")
    if parts is None:
        return None
    prefix, secret = parts
    found = session.execute(
        select(ApiToken, role_of(ApiToken.user_id, ApiToken.company_id), Company)
        .join(Company, Company.id == ApiToken.company_id)
        .where(ApiToken.prefix == prefix)
    ).first()
    if found is None:
        return None
    token, role, company = found
    if not same(token.secret_hash, digest(secret)) or token.revoked_at is not None:
        return None
    if token.expires_at is not None and now >= token.expires_at:
        return None
    if not token.user.active or role is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= SESSION_TOUCH:
        token.last_used_at = now
        session.flush()
    return token, role, company


def revoke_token(
    session: Session,
    prefix: str,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> ApiToken:
    """Revoke the token with this prefix (as listed); revoking it again changes nothing."""
    token = _by_prefix(session, prefix.strip().lower())
    if token is None:
        raise NotFound(f"no API token {prefix!r} (see `cobro tokens list`)")
    if token.revoked_at is None:
        token.revoked_at = now
        record_change(
            session,
            "token.revoked",
            now,
            token,
            actor_id=actor_id,
            company_id=token.company_id,
            source=source,
            before={"prefix": token.prefix, "name": token.name},
        )
    return token


def list_tokens(session: Session, company_id: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)
    if company_id is not None:
        query = query.where(ApiToken.company_id == company_id)
    return list(session.scalars(query))


def _by_prefix(session: Session, prefix: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
