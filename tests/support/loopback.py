"""No test reaches beyond this machine: name look-ups answer only for loopback names and
address literals; any other name fails as an unknown host does (`socket.gaierror`). Code that
resolves names (the webhook targets' SSRF check, under generated URLs) then meets the same
refusal it would meet offline, instead of asking the network's resolver."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_local_name(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip().rstrip(".").lower()
    if name in LOCAL_NAMES or name.endswith(".localhost") or name == "":
        return True
    try:
        ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return True  # an address literal needs no resolver


@contextmanager
def loopback_only() -> Iterator[None]:
    real: Callable[..., Any] = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local_name(host):
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: tests resolve loopback only")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real
