"""Companies, users, customers and API tokens committed to the web tests' shared database,
under codes of their own (tests share that database), and signing in through the real form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from httpx2 import Response
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy.orm import Session

from cobro.auth.service import create_token, create_user, find_user, grant
from cobro.company.models import Company
from cobro.company.service import create_company
from cobro.customer.rules import CustomerIn
from cobro.customer.service import upsert_customer
from cobro.db import make_engine, transaction
from cobro.kit.dates import utcnow
from cobro.web.security import CSRF_COOKIE

PASSWORD = "correct horse battery"
ROLES = ("admin", "manager", "collector", "viewer", "auditor")


@dataclass
class Tenant:
    id: int
    code: str
    name: str
    users: dict[str, str] = field(default_factory=dict)  # role -> email
    customers: dict[str, str] = field(default_factory=dict)  # external id -> name


@dataclass
class World:
    url: str
    a: Tenant
    b: Tenant

    def token(
        self,
        role: str,
        scopes: tuple[str, ...] = ("read",),
        tenant: Tenant | None = None,
        created: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> str:
        """A new API token of `tenant`'s (default A) user with `role`."""
        tenant = tenant or self.a
        with self.session() as session:
            user = find_user(session, tenant.users[role])
            assert user is not None
            company = session.get(Company, tenant.id)
            assert company is not None
            plain, _ = create_token(
                session, user, company, "tests", scopes, created or utcnow(), expires_at
            )
        return plain

    def session(self) -> _Unit:
        return _Unit(self.url)


class _Unit:
    """`with world.session() as s:` a committed unit of work on the web database."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def __enter__(self) -> Session:
        self._context = transaction(self.engine)
        return self._context.__enter__()

    def __exit__(self, *exc: object) -> None:
        try:
            self._context.__exit__(*exc)  # type: ignore[arg-type]
        finally:
            self.engine.dispose()


def build_world(url: str, customer_names: tuple[str, ...] = ("Ferretería López",)) -> World:
    """Companies A and B, a user of each role in each, and customers in each; B's customers
    have names of their own, so a leak shows."""
    tag = uuid.uuid4().hex[:8]
    now = utcnow()
    tenants = []
    engine = make_engine(url)
    with transaction(engine) as session:
        for letter in ("a", "b"):
            code = f"{letter}-{tag}"
            company = create_company(
                session, code, f"Company {letter.upper()} {tag}", "ES", "EUR", "Europe/Madrid"
            )
            tenant = Tenant(company.id, code, company.name)
            for role in ROLES:
                email = f"{role}-{letter}-{tag}@example.com"
                create_user(session, email, f"{role.title()} {letter.upper()}", PASSWORD, now)
                tenant.users[role] = email
            for number, name in enumerate(customer_names, start=1):
                shown = name if letter == "a" else f"Secret {tag} {number}"
                external_id = f"{letter.upper()}{number:03d}-{tag}"
                upsert_customer(session, company, CustomerIn(external_id, shown, "ES"))
                tenant.customers[external_id] = shown
            tenants.append((tenant, company))
        for tenant, company in tenants:
            for role, email in tenant.users.items():
                user = find_user(session, email)
                assert user is not None
                grant(session, user, company, role, now)
    engine.dispose()
    return World(url, tenants[0][0], tenants[1][0])


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "/") -> Response:
    """Post the sign-in form as a browser would (its CSRF token from the page's cookie);
    redirects are not followed."""
    client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "next": next,
            "csrf_token": client.cookies.get(CSRF_COOKIE, ""),
        },
        follow_redirects=False,
    )


def speak(client: TestClient, language: str) -> None:
    """The signed-in user chooses the language of their pages (/account), as a person would."""
    client.get("/account")  # the form's page: its CSRF token
    response = client.post(
        "/account/language",
        data={"language": language, "csrf_token": client.cookies.get(CSRF_COOKIE, "")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def browser_sign_in(
    browser: Browser, live_server: str, email: str, next: str = "/"
) -> tuple[BrowserContext, Page]:
    """A new English browser context signed in through the form, its page at `next`."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server}/login" + (f"?next={next}" if next != "/" else ""))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}{next}")
    return context, page


def past(minutes: int) -> datetime:
    return utcnow() - timedelta(minutes=minutes)
