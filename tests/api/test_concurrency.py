"""Concurrent writers: nothing lost, nothing doubled, stale writes refused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

API = "/api/v1"


def test_parallel_creates_and_completes_lose_nothing(client, auth, api_app):
    def create(index: int) -> int:
        with TestClient(api_app) as own:
            response = own.post(f"{API}/tasks", json={"title": f"T{index}"}, headers=auth)
            return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(40)))
    assert statuses == [201] * 40
    listed = client.get(f"{API}/tasks", params={"limit": 200}, headers=auth).json()
    assert sorted(t["title"] for t in listed["items"]) == sorted(f"T{i}" for i in range(40))

    recurring = client.post(
        f"{API}/tasks",
        json={"title": "daily", "due_at": "2026-12-01T09:00:00Z", "rrule": "daily"},
        headers=auth,
    ).json()

    def complete(_: int) -> int:
        with TestClient(api_app) as own:
            return own.post(f"{API}/tasks/{recurring['id']}/complete", headers=auth).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(complete, range(6)))
    assert set(codes) <= {200, 409} and 200 in codes
    series = client.get(
        f"{API}/tasks", params={"status": "all", "is_recurring": "true"}, headers=auth
    ).json()["items"]
    # One completed occurrence and exactly one successor, however many racers.
    assert sorted((t["completed"], t["due_at"]) for t in series) == [
        (False, "2026-12-02T09:00:00Z"),
        (True, "2026-12-01T09:00:00Z"),
    ]


def test_same_version_edits_one_wins_the_rest_get_409(client, auth, api_app):
    task = client.post(f"{API}/tasks", json={"title": "shared"}, headers=auth).json()

    def edit(index: int) -> int:
        with TestClient(api_app) as own:
            response = own.patch(
                f"{API}/tasks/{task['id']}",
                json={"title": f"edit {index}", "version": task["version"]},
                headers=auth,
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(edit, range(6)))
    assert codes.count(200) == 1 and codes.count(409) == 5
    final = client.get(f"{API}/tasks/{task['id']}", headers=auth).json()
    assert final["version"] == 2 and final["title"].startswith("edit ")
