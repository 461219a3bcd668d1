"""A world of two companies (`tests.web.access`) in a database of its own, and an API client
for it: for API tests whose writes (imported rates, notices) must not reach other tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from cobro.app import create_app
from cobro.config import Settings
from tests.support.databases import committing_database
from tests.web.access import World, build_world

SECRET = "a test secret, not for production"


@contextmanager
def own_world(folder: Path) -> Iterator[World]:
    with committing_database(folder) as url:
        yield build_world(url)


@contextmanager
def api_client(world: World) -> Iterator[TestClient]:
    """A client of the app on `world`'s database, from an address of its own (the login
    rate limit counts per address)."""
    app = create_app(Settings(database_url=world.url, company=None, secret_key=SECRET))
    address = f"test-{uuid.uuid4().hex[:12]}"
    with TestClient(app, raise_server_exceptions=False, client=(address, 50000)) as client:
        yield client
