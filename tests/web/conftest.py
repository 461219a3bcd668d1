"""The web app under test: in process (Starlette's TestClient) or served by uvicorn on a free
loopback port, on a migrated database of its own (SQLite file, or a PostgreSQL schema when
COBRO_TEST_DATABASE_URL says so), and a headless Chromium driven by Playwright.

Browser tests need Debian's chromium (/usr/bin/chromium, installed by .ci/run): without it they
are skipped locally and fail in CI (CI=true), where they must run."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from cobro.app import create_app
from cobro.config import Settings
from tests.support.databases import committing_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
SECRET = "a test secret, not for production"


@pytest.fixture(scope="session")
def web_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with committing_database(tmp_path_factory.mktemp("web")) as url:
        yield url


def app_on(url: str) -> FastAPI:
    return create_app(Settings(database_url=url, company=None, secret_key=SECRET))


@pytest.fixture(scope="session")
def app(web_database_url: str) -> FastAPI:
    """One app for the session's database: building one (routers, templates, catalogs) and
    its first page cost about half a second, paid once instead of by every web test. Each
    test's client still starts and stops its lifespan, and has an address of its own."""
    return app_on(web_database_url)


@pytest.fixture
def own_app(web_database_url: str) -> FastAPI:
    """An app of the test's own, for a test that adds routes to it: they must not reach the
    session's app the other tests share."""
    return app_on(web_database_url)


def client_of(app: FastAPI, base_url: str = "http://testserver") -> TestClient:
    """A client with an address of its own: the per-address sign-in rate limit counts what
    every test does in the shared database within a minute."""
    # raise_server_exceptions=False: answer as a real server would (the 500 page), not re-raise
    address = f"test-{uuid.uuid4().hex[:12]}"
    return TestClient(
        app, base_url=base_url, raise_server_exceptions=False, client=(address, 50000)
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with client_of(app) as client:
        yield client


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(web_database_url: str) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app_on(web_database_url), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


SHOT_TRIES = 3


def _patient_screenshot(screenshot: Any) -> Any:
    """Page.screenshot, tried again when Chromium is too busy to capture (both halves of
    `make test` drive a browser at once on two cores: "Unable to capture screenshot" came once
    in a run where every assertion of the test had passed)."""

    def patient(page: Page, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(SHOT_TRIES):
            try:
                return screenshot(page, *args, **kwargs)
            except PlaywrightError as error:
                if "Unable to capture screenshot" not in str(error) or attempt == SHOT_TRIES - 1:
                    raise
                page.wait_for_timeout(500)
        raise AssertionError("unreachable")

    return patient


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the browser tests")
        pytest.skip(message)
    with sync_playwright() as driver:
        original = Page.screenshot
        setattr(Page, "screenshot", _patient_screenshot(original))  # noqa: B010
        try:
            yield driver
        finally:
            setattr(Page, "screenshot", original)  # noqa: B010


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests save their screenshots: tests/artifacts/web/<database kind>
    (git-ignored; one folder per half of `make test`, which run at the same time)."""
    backend = "postgresql" if os.environ.get("COBRO_TEST_DATABASE_URL") else "sqlite"
    folder = ARTIFACTS / backend
    folder.mkdir(parents=True, exist_ok=True)
    return folder
