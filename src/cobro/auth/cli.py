"""`cobro users …` and `cobro tokens …`: people, their roles per company, and API tokens."""

from __future__ import annotations

import sys
from datetime import datetime

import typer

from cobro.auth.rules import ROLES, SCOPES
from cobro.auth.service import (
    create_token,
    create_user,
    get_user,
    grant,
    list_tokens,
    list_users,
    revoke,
    revoke_token,
    roles_of,
    unlock,
)
from cobro.edge import (
    CompanyOption,
    cli_errors,
    company_codes,
    company_filter,
    company_of,
    console,
    print_rows,
    unit_of_work,
)
from cobro.kit.dates import utcnow

users_app = typer.Typer(help="People who sign in, and their role in each company.")
tokens_app = typer.Typer(help="API tokens for programs (shown once, stored hashed).")

RoleOption = typer.Option(..., "--role", "-r", help=f"One of {', '.join(ROLES)}.")
ScopeOption = typer.Option(["read"], "--scope", "-s", help=f"Repeat for more: {', '.join(SCOPES)}.")
AnyCompanyOption = typer.Option(None, "--company", "-c")
CLI = "cli"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _minute(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else "never"


@users_app.command("add")
def add_user(
    email: str = typer.Argument(..., help="The address the user signs in with."),
    name: str = typer.Option(..., "--name", help="Full name."),
    role: str = RoleOption,
    company: str | None = CompanyOption,
    language: str | None = typer.Option(None, "--language", help="en or es (default: company's)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Add a user with a role in a company (asks for the password twice)."""
    password = _password(password_stdin)
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        user = create_user(
            session, email, name, password, utcnow(), owner, role, language, source=CLI
        )
        line = f"User {user.email} added: {role.strip().lower()} in {owner.code}."
    console.print(line, highlight=False)


@users_app.command("list")
def users_list(company: str | None = AnyCompanyOption) -> None:
    """Users, their roles per company, and whether they are locked."""
    now = utcnow()
    with cli_errors(), unit_of_work() as session:
        codes = company_codes(session)
        rows = [
            (
                u.email,
                u.name,
                ", ".join(f"{codes[c]}:{r}" for c, r in sorted(roles_of(session, u).items())),
                "yes" if u.active else "no",
                f"until {u.locked_until:%Y-%m-%d %H:%M} UTC"
                if u.locked_until and u.locked_until > now
                else "",
                _minute(u.last_login_at),
            )
            for u in list_users(session, company_filter(session, company))
        ]
    print_rows(("email", "name", "roles", "active", "locked", "last sign-in"), rows, "users")


@users_app.command("grant")
def grant_role(
    email: str = typer.Argument(...), role: str = RoleOption, company: str | None = CompanyOption
) -> None:
    """Give a user a role in a company (replacing the one they had there)."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        user = get_user(session, email)
        membership = grant(session, user, owner, role, utcnow(), source=CLI)
        line = f"{user.email} is now {membership.role} in {owner.code}."
    console.print(line, highlight=False)


@users_app.command("revoke")
def revoke_role(email: str = typer.Argument(...), company: str | None = CompanyOption) -> None:
    """Take away a user's role in a company: their sessions and tokens there stop working."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        user = get_user(session, email)
        revoke(session, user, owner, utcnow(), source=CLI)
        line = f"{user.email} has no role in {owner.code} any more."
    console.print(line, highlight=False)


@users_app.command("unlock")
def unlock_user(email: str = typer.Argument(...)) -> None:
    """Lift a lockout after too many failed sign-ins."""
    with cli_errors(), unit_of_work() as session:
        user = get_user(session, email)
        unlock(session, user, utcnow(), source=CLI)
        line = f"{user.email} is unlocked."
    console.print(line, highlight=False)


@tokens_app.command("create")
def tokens_create(
    email: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option(..., "--name", help="What the token is for."),
    scope: list[str] = ScopeOption,
    company: str | None = CompanyOption,
) -> None:
    """Create an API token and print it: it is shown this once, never again."""
    with cli_errors(), unit_of_work() as session:
        owner = company_of(session, company)
        user = get_user(session, email)
        plain, token = create_token(session, user, owner, name, scope, utcnow(), source=CLI)
        line = f"Token {token.prefix} ({', '.join(token.scopes)}) for {user.email} in {owner.code}:"
    console.print(line, highlight=False)
    console.print(plain, highlight=False, soft_wrap=True)
    console.print("Copy it now: it is not shown again.")


@tokens_app.command("list")
def tokens_list(company: str | None = AnyCompanyOption) -> None:
    """API tokens (never their secrets)."""
    now = utcnow()
    with cli_errors(), unit_of_work() as session:
        codes = company_codes(session)
        rows = [
            (
                t.prefix,
                t.name,
                t.user.email,
                codes[t.company_id],
                ", ".join(t.scopes),
                _minute(t.last_used_at),
                "revoked"
                if t.revoked_at
                else "expired"
                if t.expires_at and t.expires_at <= now
                else "active",
            )
            for t in list_tokens(session, company_filter(session, company))
        ]
    headings = ("prefix", "name", "user", "company", "scopes", "last used", "state")
    print_rows(headings, rows, "tokens")


@tokens_app.command("revoke")
def tokens_revoke(
    prefix: str = typer.Argument(..., help="The prefix `cobro tokens list` shows."),
) -> None:
    """Revoke an API token: programs using it are refused from now on."""
    with cli_errors(), unit_of_work() as session:
        token = revoke_token(session, prefix, utcnow(), source=CLI)
        line = f"Token {token.prefix} ({token.name}) is revoked."
    console.print(line, highlight=False)


__all__ = ["tokens_app", "users_app"]
