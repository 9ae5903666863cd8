"""A process forked from one that has used the database (as the app server forks its workers
from the process that imported the app) opens connections of its own."""

from __future__ import annotations

import multiprocessing
from typing import Any

from sqlalchemy import Connection, text

from todo_app.db import get_engine


def _sees_marker(connection: Connection) -> bool:
    """Whether this connection is the one that made the temporary table (each has its own)."""
    if connection.dialect.name == "postgresql":
        query = "SELECT to_regclass('pg_temp.fork_marker') IS NOT NULL"
    else:
        query = "SELECT count(*) > 0 FROM temp.sqlite_master WHERE name = 'fork_marker'"
    return bool(connection.execute(text(query)).scalar_one())


def _child_sees_marker(url: str, results: Any) -> None:
    with get_engine(url).connect() as connection:
        results.put(_sees_marker(connection))


def test_a_forked_process_does_not_reuse_its_parents_pooled_connection(db: str):
    engine = get_engine(db)
    engine.dispose()  # one pooled connection from here on: the one that makes the marker
    with engine.connect() as connection:
        connection.execute(text("CREATE TEMPORARY TABLE fork_marker (x INTEGER)"))
        connection.commit()
        assert _sees_marker(connection)
    # That connection is back in the pool, idle: what a fork inherits.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_child_sees_marker, args=(db, results))
    child.start()
    child_saw_marker = results.get(timeout=30)
    child.join(timeout=30)
    assert child.exitcode == 0
    assert child_saw_marker is False
    with engine.connect() as connection:
        assert _sees_marker(connection), "the parent's own connection still works"
        connection.execute(text("DROP TABLE fork_marker"))
        connection.commit()
