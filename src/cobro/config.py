"""Settings read from the environment, once, at the edge (CLI command, web app, job)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///cobro.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    company: str | None
    # signs the web app's cookies (CSRF token; sessions later). None: a random key per process,
    # fine for one process on one machine; set COBRO_SECRET_KEY when several serve the app.
    secret_key: str | None = None
    # the app's address as debtors reach it: portal links start with it (COBRO_BASE_URL)
    base_url: str = "http://127.0.0.1:8000"
    # the payment provider's page, {reference} {amount} {currency} filled in (COBRO_PAYMENT_LINK)
    payment_link: str | None = None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        database_url=env.get("COBRO_DATABASE_URL") or DEFAULT_DATABASE_URL,
        company=env.get("COBRO_COMPANY") or None,
        secret_key=env.get("COBRO_SECRET_KEY") or None,
        base_url=env.get("COBRO_BASE_URL") or "http://127.0.0.1:8000",
        payment_link=env.get("COBRO_PAYMENT_LINK") or None,
    )
