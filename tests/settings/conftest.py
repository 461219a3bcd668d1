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
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    with committing_database(tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()
