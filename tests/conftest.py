"""Shared fixtures: a migrated SQLite and PostgreSQL database, an API client, users.

Every test that asks for `db` (directly or through `client`) runs once per database.
Under CI=true an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_DATA = Path(tempfile.mkdtemp(prefix="todo-tests-"))
os.environ["TODO_DATA_DIR"] = str(_DATA)
os.environ["JWT_SECRET"] = "test-secret-" + uuid.uuid4().hex
# Cost 12 is the product default (test_auth checks it); cost 4 keeps hundreds of logins quick.
os.environ["BCRYPT_ROUNDS"] = "4"
os.environ["REFLEX_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")
for _name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "REFLEX_REDIS_URL", "OPENAI_API_KEY"):
    os.environ.pop(_name, None)

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from todo_app import models  # noqa: E402,F401
from todo_app.config import get_settings  # noqa: E402
from todo_app.db import dispose_engines, get_engine  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def migrate(url: str) -> None:
    """Bring a database to head exactly as users do: `reflex db migrate`."""
    result = subprocess.run(
        [sys.executable, "-m", "reflex", "db", "migrate"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"reflex db migrate failed:\n{result.stdout}\n{result.stderr}")


def _pg_database(name: str) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(name: str) -> None:
    dispose_engines()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The Redis the tests use (each picks a database number of its own); under CI=true an
    unreachable one fails the run instead of skipping."""
    import redis

    try:
        redis.Redis.from_url(REDIS_SERVER).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_SERVER}: {exc!r}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_SERVER


@pytest.fixture(scope="session")
def sqlite_url() -> str:
    """A migrated SQLite database of its own, for tests whose subject is not the database."""
    url = f"sqlite:///{_DATA / ('solo-' + uuid.uuid4().hex[:8] + '.db')}"
    migrate(url)
    return url


@contextlib.contextmanager
def _empty_database(dialect: str, prefix: str) -> Iterator[str]:
    """A database of its own with no tables (SQLite file or PostgreSQL scratch database)."""
    if dialect == "sqlite":
        yield f"sqlite:///{_DATA / (prefix + '-' + uuid.uuid4().hex[:8] + '.db')}"
        return
    problem = _pg_reachable()
    if problem:
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({problem})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    name = f"todo_{prefix}_" + uuid.uuid4().hex[:12]
    yield _pg_database(name)
    _drop_pg_database(name)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    with _empty_database(request.param, "test") as url:
        migrate(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of its own with no tables, for a test that migrates it itself."""
    with _empty_database(request.param, "blank") as url:
        yield url


def _wipe(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    """The database URL in force for this test; every table is empty at its start."""
    os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    _wipe(database_url)
    yield database_url
    os.environ.pop("DATABASE_URL", None)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def api_app():  # type: ignore[no-untyped-def]
    from todo_app.api.main import create_api

    return create_api()


@pytest.fixture
def client(db: str, api_app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(api_app) as test_client:
        yield test_client


Headers = dict[str, str]


@pytest.fixture
def make_user(client: TestClient) -> Callable[..., Headers]:
    """Register a user and return bearer headers for it."""

    def create(
        email: str | None = None, timezone: str = "UTC", password: str = "correct horse"
    ) -> Headers:
        response = client.post(
            "/api/v1/auth/register",
            json={
                "email": email or f"user-{uuid.uuid4().hex[:10]}@example.com",
                "password": password,
                "timezone": timezone,
            },
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return create


@pytest.fixture
def auth(make_user: Callable[..., Headers]) -> Headers:
    return make_user()


@pytest.fixture
def run_async() -> Callable[[Any], Any]:
    """Run a coroutine to its end on a loop of its own, in a thread of its own: the browser
    tests' Playwright keeps an event loop running in the main thread for the whole session."""

    def run(coroutine: Any) -> Any:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    return run
