"""Comments on tasks through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from todo_app.db import get_engine
from todo_app.models import OutboxEvent
from todo_app.services import audit

API = "/api/v1"
Headers = dict[str, str]


def call(
    client: TestClient, method: str, path: str, headers: Headers, expected: int = 200, **kw: Any
) -> Any:
    response = client.request(method, f"{API}{path}", headers=headers, **kw)
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


def task(client: TestClient, headers: Headers, **fields: Any) -> dict:
    return call(client, "POST", "/tasks", headers, 201, json={"title": "Paint the fence", **fields})


def comment(client: TestClient, headers: Headers, task_id: str, text: str) -> dict:
    return call(client, "POST", f"/tasks/{task_id}/comments", headers, 201, json={"text": text})


def comments(client: TestClient, headers: Headers, task_id: str) -> list[dict]:
    return call(client, "GET", f"/tasks/{task_id}/comments", headers)["items"]


def test_a_thread_oldest_first_with_its_authors(client: TestClient, make_user) -> None:
    headers = make_user(email="painter@example.com")
    fence = task(client, headers)
    first = comment(client, headers, fence["id"], "  Which **colour**?  ")
    second = comment(client, headers, fence["id"], "White, like last time.\n\n- two coats")

    thread = comments(client, headers, fence["id"])
    assert [c["id"] for c in thread] == [first["id"], second["id"]]
    assert thread[0]["text"] == "Which **colour**?"
    assert thread[1]["text"] == "White, like last time.\n\n- two coats"
    assert thread[0]["author"]["email"] == "painter@example.com"
    assert thread[0]["task_id"] == fence["id"]
    assert thread[0]["edited_at"] is None
    # Another task's thread is its own.
    assert comments(client, headers, task(client, headers)["id"]) == []


def test_the_author_edits_and_deletes(client: TestClient, make_user) -> None:
    headers = make_user()
    fence = task(client, headers)
    said = comment(client, headers, fence["id"], "Monday")
    edited = call(client, "PATCH", f"/comments/{said['id']}", headers, json={"text": "Tuesday"})
    assert edited["text"] == "Tuesday"
    assert edited["edited_at"] is not None
    assert [c["text"] for c in comments(client, headers, fence["id"])] == ["Tuesday"]

    call(client, "DELETE", f"/comments/{said['id']}", headers, 204)
    assert comments(client, headers, fence["id"]) == []
    call(client, "DELETE", f"/comments/{said['id']}", headers, 404)


def test_bad_text_is_refused_naming_the_field(client: TestClient, make_user) -> None:
    headers = make_user()
    fence = task(client, headers)
    for text in ("", "   ", "x" * 10_001, "bell\x07"):
        response = client.post(
            f"{API}/tasks/{fence['id']}/comments", headers=headers, json={"text": text}
        )
        assert response.status_code == 422, (text, response.text)
        assert response.json()["field"] == "text"
    response = client.post(f"{API}/tasks/{fence['id']}/comments", headers=headers, json={})
    assert response.status_code == 422
    said = comment(client, headers, fence["id"], "x" * 10_000)
    response = client.patch(f"{API}/comments/{said['id']}", headers=headers, json={"text": ""})
    assert response.status_code == 422
    assert [c["text"] for c in comments(client, headers, fence["id"])] == ["x" * 10_000]


def test_another_users_task_and_comments_are_not_found(client: TestClient, make_user) -> None:
    owner, stranger = make_user(), make_user()
    fence = task(client, owner)
    said = comment(client, owner, fence["id"], "Mine")
    call(client, "GET", f"/tasks/{fence['id']}/comments", stranger, 404)
    call(client, "POST", f"/tasks/{fence['id']}/comments", stranger, 404, json={"text": "Hi"})
    call(client, "PATCH", f"/comments/{said['id']}", stranger, 404, json={"text": "Hi"})
    call(client, "DELETE", f"/comments/{said['id']}", stranger, 404)
    assert [c["text"] for c in comments(client, owner, fence["id"])] == ["Mine"]


def test_a_deleted_tasks_thread_is_gone_and_comes_back(client: TestClient, make_user) -> None:
    headers = make_user()
    fence = task(client, headers)
    comment(client, headers, fence["id"], "Before")
    call(client, "DELETE", f"/tasks/{fence['id']}", headers)
    call(client, "GET", f"/tasks/{fence['id']}/comments", headers, 404)
    call(client, "POST", f"/tasks/{fence['id']}/comments", headers, 404, json={"text": "x"})
    call(client, "POST", f"/tasks/{fence['id']}/restore", headers)
    assert [c["text"] for c in comments(client, headers, fence["id"])] == ["Before"]


def test_each_change_is_an_event_naming_task_and_project(client: TestClient, make_user) -> None:
    headers = make_user()
    fence = task(client, headers)
    said = comment(client, headers, fence["id"], "One")
    call(client, "PATCH", f"/comments/{said['id']}", headers, json={"text": "Two"})
    call(client, "DELETE", f"/comments/{said['id']}", headers, 204)
    with Session(get_engine()) as session:
        rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.seq)).all()  # type: ignore[arg-type]
    events = [r.payload for r in rows if r.payload["type"].startswith("comment.")]
    assert [e["type"] for e in events] == ["comment.created", "comment.updated", "comment.deleted"]
    for event in events:
        assert event["data"]["task_id"] == fence["id"]
        assert event["data"]["project_id"] == fence["project_id"]
        assert event["data"]["comment_id"] == said["id"]
    assert [e["data"]["comment"]["text"] for e in events] == ["One", "Two", "Two"]


def test_the_activity_log_records_each_comment_in_its_project(
    client: TestClient, make_user, db: str
) -> None:
    headers = make_user()
    fence = task(client, headers)
    said = comment(client, headers, fence["id"], "Which colour?")
    with Session(get_engine(db)) as session:
        audit.record_many(session, [row.payload for row in session.exec(select(OutboxEvent))])
        session.commit()
    log = call(
        client, "GET", "/audit", headers, params={"project_id": fence["project_id"], "limit": 50}
    )["items"]
    (entry,) = [e for e in log if e["action"] == "comment.created"]
    assert entry["resource_type"] == "comment" and entry["resource_id"] == said["id"]
    assert entry["metadata"]["task_id"] == fence["id"]
    assert "comment" not in entry["metadata"]
