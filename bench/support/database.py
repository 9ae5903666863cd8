"""A scratch database for one run: created, migrated as users migrate, dropped at the end."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from bench.support.run import ROOT, log

DEFAULT_ADMIN_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"


def add_database_url(parser: argparse.ArgumentParser) -> None:
    """`--database-url`: the PostgreSQL server `scratch_database` makes its database on."""
    parser.add_argument(
        "--database-url",
        default=DEFAULT_ADMIN_URL,
        help="admin URL of the PostgreSQL server; the scratch database is created next to it",
    )


@contextmanager
def scratch_database(
    admin_url: str | None,
    workdir: Path,
    prefix: str = "todo_bench",
    keep: bool = False,
) -> Iterator[str]:
    """The URL of an empty database, dropped when the block ends (even on failure).

    With `admin_url` (a PostgreSQL server where we may create databases) a new database
    `<prefix>_<random>` next to it, unless `keep`; without, a SQLite file in `workdir`.
    """
    if not admin_url:
        yield f"sqlite:///{workdir / f'{prefix}.db'}"
        return
    from todo_app.config import normalize_database_url

    url = make_url(normalize_database_url(admin_url))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    log(f"scratch database {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            log(f"kept database {name}")
        else:
            # FORCE ends sessions a crashed server or a leaked pool may still hold.
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            log(f"dropped {name}")
        admin.dispose()


@contextmanager
def scratch_workdir(
    admin_url: str | None, prefix: str = "todo_bench_"
) -> Iterator[tuple[str, Path]]:
    """A temporary work dir and a `scratch_database` for one run, both gone when the block
    ends: yields the database's URL and the dir."""
    with (
        tempfile.TemporaryDirectory(prefix=prefix) as workdir,
        scratch_database(admin_url, Path(workdir)) as url,
    ):
        yield url, Path(workdir)


def migrate(
    database_url: str, env: Mapping[str, str] | None = None, timeout: float | None = None
) -> None:
    """`reflex db migrate` on `database_url`, in the environment `env` (default: ours)."""
    result = subprocess.run(
        [sys.executable, "-m", "reflex", "db", "migrate"],
        cwd=ROOT,
        env={**(env if env is not None else os.environ), "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"reflex db migrate failed:\n{result.stdout}\n{result.stderr}")


def copy_rows(connection: Connection, table: Any, rows: list[dict[str, Any]], label: str) -> None:
    """COPY rows into a model's table (PostgreSQL), in the connection's transaction; a column
    the rows lack fails loudly (KeyError)."""
    columns = [column.name for column in table.columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    total = len(rows)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(statement) as copy:
        for done, row in enumerate(rows, start=1):
            copy.write_row([row[column] for column in columns])
            if done * 10 // total > (done - 1) * 10 // total:
                log(f"  {label}: {done * 100 // total}% ({done}/{total})")


def inbox_of(connection: Connection, user_id: Any) -> Any:
    """The id of the user's Inbox (registration made it): where seeded tasks go."""
    statement = text("SELECT id FROM projects WHERE owner_id = :user_id AND is_inbox")
    return connection.execute(statement, {"user_id": user_id}).scalar_one()


def vacuum_analyze(engine: Engine) -> None:
    """VACUUM as autovacuum would on a live database: a freshly loaded table has no visibility
    map yet, which would make index-only scans look worse than they are in production."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
