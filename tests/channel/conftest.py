"""Fixtures of the channel tests: real local servers, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http import HttpTestServer
from tests.support.smtp import SmtpTestServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def http_server() -> Iterator[HttpTestServer]:
    with HttpTestServer() as server:
        yield server
