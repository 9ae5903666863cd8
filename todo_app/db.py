"""Database engine, session factory and column types, usable without Reflex (workers import it)."""

from __future__ import annotations

import functools
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Select,
    bindparam,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from todo_app.config import get_settings

_ENGINES: dict[str, Engine] = {}
_READERS: dict[str, Engine] = {}
# A pooled connection idle longer than this is checked before use (the server may have
# restarted or dropped it); one in steady use is not, which saves a round trip a request.
PING_AFTER_IDLE_SECONDS = 5.0
# Each PostgreSQL session in UTC, so timestamps arrive as aware UTC without conversion.
POSTGRES_CONNECT_ARGS = {"options": "-c TimeZone=UTC"}
# What both PostgreSQL engines share. JSON columns (tags, reminders of a listed task) are
# decoded with orjson, the fastest decoder for a listed page (bench/README.md).
_POSTGRES_ENGINE_OPTIONS: dict[str, Any] = {
    "connect_args": POSTGRES_CONNECT_ARGS,
    "json_deserializer": orjson.loads,
}
# The execution option under which SQLite runs each statement in a transaction of its own.
_SQLITE_AUTOCOMMIT = "todo_autocommit"

# Tags and metadata are JSONB on PostgreSQL (GIN-indexable) and JSON text on SQLite.
JSONList = JSON().with_variant(JSONB(), "postgresql")


def as_utc(value: datetime) -> datetime:
    """A timestamp read back from the database as aware UTC (SQLite's come back naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored and returned as timezone-aware UTC.

    SQLite keeps no offset, so values come back naive; this restores UTC on the way out and
    refuses naive values on the way in so no local time can slip into the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # PostgreSQL sessions run in UTC (POSTGRES_CONNECT_ARGS): the driver already returns
        # aware UTC, and a list page would otherwise convert hundreds of values for nothing.
        if dialect.name == "postgresql":
            return None
        return super().result_processor(dialect, coltype)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; the busy timeout queues writers instead
    # of failing them with "database is locked".
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads and then writes fails at once when another writer got
    # in between; taking the write lock up front makes it wait its turn instead.
    if not connection.get_execution_options().get(_SQLITE_AUTOCOMMIT):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _mark_idle(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_when_idle(engine: Engine) -> None:
    """Check a connection at checkout if it sat idle in the pool for a while."""

    def checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool replaces a connection that raises this at checkout and tries again.
            raise DisconnectionError("pooled connection is gone") from exc

    event.listen(engine, "checkin", _mark_idle)
    event.listen(engine, "checkout", checkout)


def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL for the life of the process."""
    url = url or get_settings().database_url
    engine = _ENGINES.get(url)
    if engine is not None:
        return engine
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, **_POSTGRES_ENGINE_OPTIONS)
        _ping_when_idle(engine)
    _ENGINES[url] = engine
    return engine


def _reader(url: str | None) -> Engine:
    """The engine without transactions: each statement commits on its own (reads, and the
    odd bookkeeping write a read makes, need no BEGIN and COMMIT round trips)."""
    url = url or get_settings().database_url
    reader = _READERS.get(url)
    if reader is None:
        engine = get_engine(url)
        if engine.dialect.name == "sqlite":
            reader = engine.execution_options(**{_SQLITE_AUTOCOMMIT: True})
        else:
            # A pool of its own, in autocommit from the connect on: switching a shared
            # connection's isolation level at each checkout and back at each return costs
            # more than a read's own query; with no transaction there is nothing to reset.
            # Sized for the API's database threads (GETs only read through it).
            reader = create_engine(
                url,
                pool_size=5,
                max_overflow=10,
                isolation_level="AUTOCOMMIT",
                pool_reset_on_return=None,
                **_POSTGRES_ENGINE_OPTIONS,
            )
            _ping_when_idle(reader)
        _READERS[url] = reader
    return reader


def dispose_engines() -> None:
    for engine in (*_ENGINES.values(), *_READERS.values()):
        engine.dispose()
    _ENGINES.clear()
    _READERS.clear()


def _forget_inherited_connections() -> None:
    # A forked worker (the app server forks one per core) must not share its parent's pooled
    # sockets: two processes on one connection interleave their protocol messages.
    for engine in (*_ENGINES.values(), *_READERS.values()):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def new_session(url: str | None = None, *, reads: bool = False) -> Session:
    """A session whose objects stay readable after commit (responses are built from them);
    `reads` for one that runs each statement without a transaction around them."""
    return Session(_reader(url) if reads else get_engine(url), expire_on_commit=False)


_Row = TypeVar("_Row", bound=SQLModel)


@functools.cache
def _by_id(model: type[SQLModel]) -> Select[Any]:
    return select(model).where(inspect(model).columns["id"] == bindparam("id"))


def get_by_id(session: Session, model: type[_Row], row_id: uuid.UUID) -> _Row | None:
    """What `session.get` answers for a row not yet in the session, through a statement built
    once: `session.get` builds and walks a new one on every call, on every request's path."""
    row: _Row | None = session.execute(_by_id(model), {"id": row_id}).scalar_one_or_none()
    return row


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with new_session(url) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
