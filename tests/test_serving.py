"""The deployed shape: `reflex run --env prod --backend-only` serves the REST API on its own.

This walks the README's curl journey against a real backend process, on each database, and
hammers a backend of several worker processes (what REFLEX_REDIS_URL turns on) concurrently.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from bench.support.servers import running_backend

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def backend(db: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    log_path = tmp_path / "backend.log"
    with running_backend(db, log_path, {"LOG_LEVEL": "INFO"}) as base:
        yield base, log_path


def test_curl_journey_against_a_real_backend(backend):
    base, log_path = backend
    api = httpx.Client(base_url=f"{base}/api/v1", timeout=10)
    registered = api.post(
        "/auth/register",
        json={
            "email": "journey@example.com",
            "password": "correct horse",
            "timezone": "Europe/Paris",
        },
    )
    assert registered.status_code == 201, registered.text
    login = api.post(
        "/auth/login", json={"email": "journey@example.com", "password": "correct horse"}
    )
    assert login.status_code == 200
    api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    created = api.post(
        "/tasks",
        json={
            "title": "Water plants",
            "priority": "high",
            "tags": ["home", "Garden"],
            "due_at": "2026-12-05T08:00",
            "rrule": "FREQ=WEEKLY;BYDAY=SA",
            "remind_before_minutes": [10],
        },
    )
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["due_at"] == "2026-12-05T07:00:00Z" and task["reminders"] == [
        "2026-12-05T06:50:00Z"
    ]
    found = api.get("/tasks", params={"tags": "garden", "priority": "high"}).json()
    assert [t["id"] for t in found["items"]] == [task["id"]]
    assert api.post(f"/tasks/{task['id']}/complete").json()["completed"] is True
    active = api.get("/tasks").json()["items"]
    assert [t["due_at"] for t in active] == ["2026-12-12T07:00:00Z"]
    api.post(f"/tasks/{task['id']}/uncomplete")
    assert [t["id"] for t in api.get("/tasks").json()["items"]] == [task["id"]]
    assert api.delete(f"/tasks/{task['id']}").status_code == 200
    assert api.get("/tasks").json()["total"] == 0
    response = httpx.get(f"{base}/metrics", timeout=10, headers={"X-Request-ID": "journey-42"})
    assert "todo_tasks_completed_total 1.0" in response.text
    assert response.headers["x-request-id"] == "journey-42"
    # Logs are JSON lines; the request's line carries its id. It is written as the response
    # goes out, so it may land in the file a moment after the client has the answer.
    mine: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not mine and time.monotonic() < deadline:
        lines = log_path.read_text().splitlines()
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        mine = [entry for entry in entries if entry.get("request_id") == "journey-42"]
        time.sleep(0.1)
    assert mine and mine[0]["route"] == "/metrics" and mine[0]["status"] == 200


def _serving_processes(base: str) -> int:
    port_argument = base.rsplit(":", 1)[1]
    found = 0
    for process in psutil.process_iter(["cmdline"]):
        command = process.info["cmdline"] or []
        if "--backend-port" in command and port_argument in command:
            found += 1
    return found


def test_several_worker_processes_answer_concurrent_requests_without_errors(
    db: str, tmp_path: Path, redis_server: str
):
    extra = {"REFLEX_REDIS_URL": f"{redis_server}/13", "GRANIAN_WORKERS": "2"}
    with running_backend(db, tmp_path / "backend.log", extra) as base:
        # The server process and the two workers it forked.
        assert _serving_processes(base) == 3
        api = httpx.Client(base_url=f"{base}/api/v1", timeout=30)
        registered = api.post(
            "/auth/register", json={"email": "busy@example.com", "password": "correct horse"}
        )
        assert registered.status_code == 201, registered.text
        headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}

        def user_session(index: int) -> list[int]:
            statuses = []
            with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as mine:
                for step in range(8):
                    made = mine.post("/tasks", json={"title": f"Task {index}-{step}"})
                    statuses.append(made.status_code)
                    statuses.append(mine.get("/tasks", params={"q": "task"}).status_code)
                    if step % 2 and made.status_code == 201:
                        done = mine.post(f"/tasks/{made.json()['id']}/complete")
                        statuses.append(done.status_code)
            return statuses

        with ThreadPoolExecutor(12) as pool:
            statuses = [code for codes in pool.map(user_session, range(12)) for code in codes]
        assert len(statuses) == 12 * 20
        assert {code for code in statuses if code >= 400} == set()
        listed = api.get("/tasks", headers=headers, params={"status": "all", "limit": 1}).json()
        active = api.get("/tasks", headers=headers).json()
        assert (listed["total"], active["total"]) == (96, 48)
    assert "Traceback" not in (tmp_path / "backend.log").read_text()
