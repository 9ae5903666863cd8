"""Health, readiness, metrics, request ids, notifications and the audit log endpoints."""

from __future__ import annotations

import csv
import io
import socket
import uuid

from sqlmodel import Session

from todo_app.config import get_settings
from todo_app.db import get_engine
from todo_app.models import AuditLog, Notification

API = "/api/v1"


def test_health(client):
    assert client.get("/health/live").json() == {"status": "ok"}
    assert client.get("/health/ready").json() == {"status": "ok"}


def test_ready_reports_an_unreachable_broker(client, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port}")
    get_settings.cache_clear()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["problems"] == ["broker unreachable"]
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS")
    get_settings.cache_clear()


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_tasks_and_backlog(client, auth):
    before = client.get("/metrics").text
    created = client.post(f"{API}/tasks", json={"title": "measured"}, headers=auth).json()
    client.post(f"{API}/tasks/{created['id']}/complete", headers=auth)
    after = client.get("/metrics").text
    assert (
        _sample(after, "todo_tasks_created_total")
        == _sample(before, "todo_tasks_created_total") + 1
    )
    assert (
        _sample(after, "todo_tasks_completed_total")
        == _sample(before, "todo_tasks_completed_total") + 1
    )
    route = {"route": "/api/v1/tasks", "method": "POST", "status": "201"}
    assert _sample(after, "todo_http_requests_total", **route) >= 1
    assert "todo_http_request_duration_seconds_bucket" in after
    # Registration, creation and completion are all waiting in the outbox (no relay runs here).
    assert _sample(after, "todo_outbox_backlog") == 3


def test_request_id_is_echoed_or_generated(client):
    given = client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = client.get("/health/live").headers["x-request-id"]
    assert len(generated) == 32
    hostile = client.get("/health/live", headers={"X-Request-ID": "a b\tc"})
    assert hostile.headers["x-request-id"] != "a b\tc"


def test_openapi_describes_the_api_without_internals(client):
    spec = client.get(f"{API}/openapi.json").json()
    assert "/api/v1/tasks" in spec["paths"] and "/api/v1/auth/login" in spec["paths"]
    text = str(spec)
    for internal in ("password_hash", "tag_keys", "search_text", "token_hash"):
        assert internal not in text


def test_notifications_list_and_mark_read(client, make_user, db):
    owner, other = make_user(), make_user()
    me = client.get(f"{API}/auth/me", headers=owner).json()
    with Session(get_engine(db)) as session:
        note = Notification(
            user_id=uuid.UUID(me["id"]), kind="reminder", title="Buy milk", channels=["in_app"]
        )
        session.add(note)
        session.commit()
        note_id = note.id
    page = client.get(f"{API}/notifications", headers=owner).json()
    assert page["unread"] == 1 and page["items"][0]["title"] == "Buy milk"
    assert client.post(f"{API}/notifications/{note_id}/read", headers=other).status_code == 404
    read = client.post(f"{API}/notifications/{note_id}/read", headers=owner).json()
    assert read["read_at"] is not None
    assert client.get(f"{API}/notifications?unread=true", headers=owner).json()["total"] == 0
    assert client.get(f"{API}/notifications", headers=other).json()["total"] == 0


def test_audit_log_pages_and_exports(client, make_user, db):
    owner, other = make_user(), make_user()
    me = client.get(f"{API}/auth/me", headers=owner).json()
    with Session(get_engine(db)) as session:
        for index in range(3):
            session.add(
                AuditLog(
                    user_id=uuid.UUID(me["id"]),
                    action="task.created",
                    resource_type="task",
                    resource_id=str(uuid.uuid4()),
                    event_id=str(uuid.uuid4()),
                    details={"n": index},
                )
            )
        session.commit()
    page = client.get(f"{API}/audit?limit=2", headers=owner).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    exported = client.get(f"{API}/audit?format=csv", headers=owner)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:2] == ["at", "action"] and len(rows) == 4
    as_json = client.get(f"{API}/audit?format=json", headers=owner).json()
    assert len(as_json["items"]) == 3
    assert client.get(f"{API}/audit", headers=other).json()["total"] == 0
    assert client.get(f"{API}/audit?format=xml", headers=owner).status_code == 422
