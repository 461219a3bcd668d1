"""The use cases of sign-in and access, in one place for the web layer and the CLI."""

from cobro.auth.login import authenticate
from cobro.auth.reset import request_reset, reset_password
from cobro.auth.sessions import (
    close_session,
    close_sessions_of,
    open_session,
    resolve_session,
    session_access,
    switch_company,
)
from cobro.auth.tokens import (
    create_token,
    list_tokens,
    resolve_token,
    revoke_token,
    token_access,
)
from cobro.auth.users import (
    change_password,
    create_user,
    find_user,
    get_user,
    grant,
    list_users,
    revoke,
    role_in,
    roles_of,
    set_language,
    set_password,
    unlock,
)

__all__ = [
    "authenticate",
    "change_password",
    "close_session",
    "close_sessions_of",
    "create_token",
    "create_user",
    "find_user",
    "get_user",
    "grant",
    "list_tokens",
    "list_users",
    "open_session",
    "request_reset",
    "reset_password",
    "resolve_session",
    "resolve_token",
    "revoke",
    "revoke_token",
    "role_in",
    "roles_of",
    "session_access",
    "set_language",
    "set_password",
    "switch_company",
    "token_access",
    "unlock",
]
