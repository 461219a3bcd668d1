"""A database of its own for tests that commit (the worker, subprocesses): a fresh SQLite file,
or a fresh schema in the PostgreSQL test database when the suite runs against PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from cobro.db import make_engine, upgrade


@contextmanager
def committing_database(folder: Path) -> Iterator[str]:
    base = os.environ.get("COBRO_TEST_DATABASE_URL")
    if not base or make_url(base).get_backend_name() != "postgresql":
        url = f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
        upgrade(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    scoped = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = scoped.render_as_string(hide_password=False)
    try:
        upgrade(rendered)
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
