"""The `cobro` command end to end: a fresh SQLite file every command of the test uses
(COBRO_DATABASE_URL, no COBRO_COMPANY), company "acme" written into it, and invocations that
never end in a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cobro.company.models import Company
from cobro.db import make_engine, transaction, upgrade
from tests.factories.ledger import make_company

_runner = CliRunner()


def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of a SQLite file (not created yet) that the commands run in this test use."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COBRO_DATABASE_URL", url)
    monkeypatch.delenv("COBRO_COMPANY", raising=False)
    return url


@contextmanager
def acme(url: str) -> Iterator[tuple[Session, Company]]:
    """Migrate `url` and make company "acme" there; the block adds what the test needs, in the
    same transaction, committed at its end."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            yield session, make_company(session, "acme")
    finally:
        engine.dispose()


def run_cli(app: typer.Typer, *args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run a command as a user does (typing `stdin`, if given): its exit code and output. A
    traceback is never an answer."""
    result = _runner.invoke(app, list(args), input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def cli_ok(app: typer.Typer, *args: str, stdin: str | None = None) -> str:
    """The output of a command that must succeed."""
    code, output = run_cli(app, *args, stdin=stdin)
    assert code == 0, output
    return output


def cli_refused(app: typer.Typer, *args: str, stdin: str | None = None) -> str:
    """The output of a command that must end in a one-line user error (exit code 1)."""
    code, output = run_cli(app, *args, stdin=stdin)
    assert code == 1, output
    return output
