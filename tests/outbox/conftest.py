from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cobro.db import make_engine
from tests.support.databases import committing_database
from tests.support.smtp import SmtpTestServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def own_url(tmp_path: Path) -> Iterator[str]:
    with committing_database(tmp_path) as url:
        yield url


@pytest.fixture
def own_engine(own_url: str) -> Iterator[Engine]:
    engine = make_engine(own_url)
    yield engine
    engine.dispose()
