from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cobro.db import make_engine
from cobro.webhook.targets import ALLOW_PRIVATE
from tests.support.databases import committing_database
from tests.webhook.receiver import Receiver


@pytest.fixture
def private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test receivers listen on loopback: allow it, as a development install would."""
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


@pytest.fixture
def receiver(private_allowed: None) -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    with committing_database(tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()
