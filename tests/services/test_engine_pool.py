"""How requests use pooled connections: reads take no transaction, and a connection the
server dropped while it sat in the pool is replaced instead of failing a request."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from todo_app import db as database
from todo_app.db import get_by_id, get_engine, new_session
from todo_app.models import Task

API = "/api/v1"


def test_a_read_is_not_held_up_by_an_open_write(client, auth, db: str):
    created = client.post(f"{API}/tasks", json={"title": "Before"}, headers=auth).json()
    writer = get_engine(db).connect()
    try:
        # Another transaction has changed the task and not committed: on SQLite it holds the
        # database's write lock, on PostgreSQL the row's.
        writer.execute(text("UPDATE tasks SET title = 'Pending'"))
        started = time.monotonic()
        listed = client.get(f"{API}/tasks", headers=auth)
        one = client.get(f"{API}/tasks/{created['id']}", headers=auth)
        elapsed = time.monotonic() - started
    finally:
        writer.rollback()
        writer.close()
    assert listed.status_code == 200, listed.text
    assert one.status_code == 200, one.text
    assert [task["title"] for task in listed.json()["items"]] == ["Before"]
    assert one.json()["title"] == "Before"
    assert elapsed < 2.0, f"reads waited {elapsed:.1f} s for the writer"


def _backend_pid(url: str) -> int:
    with new_session(url) as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_pooled_connection_dropped_by_the_server_is_replaced(
    db: str, monkeypatch: pytest.MonkeyPatch
):
    engine = get_engine(db)
    engine.dispose()
    first = _backend_pid(db)
    assert _backend_pid(db) == first  # in steady use, the pool hands back the same connection
    admin = create_engine(db, poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        connection.commit()
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    # The dead connection is found at checkout and replaced; the query succeeds.
    second = _backend_pid(db)
    assert second != first
    assert _backend_pid(db) == second


def _drop_every_connection(url: str) -> None:
    admin = create_engine(url, poolclass=NullPool)
    with admin.connect() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
        connection.commit()
    assert dropped >= 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_requests_go_on_after_the_database_dropped_every_connection(
    client, auth, db: str, monkeypatch: pytest.MonkeyPatch
):
    assert client.get(f"{API}/tasks", headers=auth).status_code == 200
    # Connections in steady use are not checked at checkout: the request finds out itself.
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 1e9)
    _drop_every_connection(db)
    listed = client.get(f"{API}/tasks", headers=auth)
    assert listed.status_code == 200, listed.text
    created = client.post(f"{API}/tasks", json={"title": "After the restart"}, headers=auth)
    assert created.status_code == 201, created.text
    titles = [task["title"] for task in client.get(f"{API}/tasks", headers=auth).json()["items"]]
    assert titles == ["After the restart"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_signing_in_goes_on_after_the_database_dropped_every_connection(
    client, db: str, monkeypatch: pytest.MonkeyPatch
):
    # These routes have no signed-in user to load first: their own first statement meets
    # the dead connection.
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 1e9)
    account = {"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse"}
    registered = client.post(f"{API}/auth/register", json=account)
    assert registered.status_code == 201, registered.text
    _drop_every_connection(db)
    login = client.post(f"{API}/auth/login", json=account)
    assert login.status_code == 200, login.text
    _drop_every_connection(db)
    refresh = {"refresh_token": login.json()["refresh_token"]}
    refreshed = client.post(f"{API}/auth/refresh", json=refresh)
    assert refreshed.status_code == 200, refreshed.text
    _drop_every_connection(db)
    other = {"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse"}
    assert client.post(f"{API}/auth/register", json=other).status_code == 201


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_timestamps_read_back_as_utc_whatever_the_servers_time_zone(client, auth, db: str):
    # The app's sessions run in UTC and take the driver's values as they come: a database
    # whose default zone is New York must not turn them into New York times.
    admin = create_engine(db, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        name = connection.execute(text("SELECT current_database()")).scalar_one()
    zone = f"ALTER DATABASE \"{name}\" SET timezone TO 'America/New_York'"
    with admin.connect() as connection:
        connection.execute(text(zone))
    try:
        database.dispose_engines()
        created = client.post(
            f"{API}/tasks",
            json={"title": "Dentist", "due_at": "2026-12-01T15:30:00Z"},
            headers=auth,
        ).json()
        for reads in (False, True):
            with new_session(db, reads=reads) as session:
                task = get_by_id(session, Task, uuid.UUID(created["id"]))
                assert task is not None
                assert task.due_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
                assert task.due_at.utcoffset() == timedelta(0)
                assert task.created_at.utcoffset() == timedelta(0)
        listed = client.get(f"{API}/tasks", headers=auth).json()["items"]
        assert [task["due_at"] for task in listed] == ["2026-12-01T15:30:00Z"]
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" RESET timezone'))
        database.dispose_engines()
