from __future__ import annotations

import socket

import pytest

from tests.support.loopback import is_local_name


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "10.0.0.8", "a.localhost", None])
def test_loopback_names_and_literals_resolve_without_a_resolver(host: object) -> None:
    assert is_local_name(host)


@pytest.mark.parametrize("host", ["example.com", "0", "evil.internal", "pypi.org"])
def test_any_other_name_fails_as_an_unknown_host_during_the_tests(host: str) -> None:
    assert not is_local_name(host)
    assert not is_local_name(host.encode())
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo(host, 443)


def test_loopback_still_resolves() -> None:
    assert socket.getaddrinfo("localhost", 80)
