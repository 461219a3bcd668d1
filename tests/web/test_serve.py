from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from cobro.cli import app


def test_serve_runs_the_app_factory_with_uvicorn_on_loopback_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/" in result.output
    assert calls == [
        (
            ("cobro.app:create_app",),
            {
                "factory": True,
                "host": "127.0.0.1",
                "port": 8000,
                "reload": False,
                "workers": 1,
                "access_log": True,
            },
        )
    ]


def test_serve_takes_host_port_and_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9001", "--reload"])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "0.0.0.0"
    assert calls[0]["port"] == 9001
    assert calls[0]["reload"] is True


def test_serve_takes_workers_but_not_with_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--no-access-log"])
    assert result.exit_code == 0, result.output
    assert (calls[0]["workers"], calls[0]["access_log"]) == (2, False)
    refused = CliRunner().invoke(app, ["serve", "--workers", "2", "--reload"])
    assert refused.exit_code != 0
    assert "--reload runs one process" in refused.output
    assert len(calls) == 1
