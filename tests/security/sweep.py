"""Shared pieces of the security sweep: two seeded users, the OpenAPI operations, snapshots.

`victim` owns one of everything (tasks of each kind, projects (nested, archived, trashed, its
Inbox) and a section, a saved filter, notifications, a
conversation, personal API tokens, a calendar feed, a second login); `attacker` is a second,
ordinary user with a few tasks of its own. Every victim string carries MARKER so a response
that leaks any of it is caught by a substring test.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from todo_app.db import get_engine
from todo_app.models import Notification, utcnow
from todo_app.services import invitations

API = "/api/v1"
MARKER = "VICTIMSECRET"
PASSWORD = "correct horse"
Headers = dict[str, str]


@dataclass
class Seeded:
    """A user and what it owns, by kind of id (the names of the API's path parameters)."""

    email: str
    headers: Headers
    user_id: str
    access_token: str
    refresh_token: str
    pat: str
    ids: dict[str, list[str]] = field(default_factory=dict)
    feed_token: str = ""

    @property
    def pat_headers(self) -> Headers:
        return {"Authorization": f"Bearer {self.pat}"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))

    @property
    def path_params(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]

    @property
    def query_params(self) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == "query"]

    @property
    def body_schema(self) -> str | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref")
        return ref.rsplit("/", 1)[1] if ref else None


def operations(app: FastAPI) -> list[Operation]:
    """Every operation of the app's OpenAPI document (so a new route is swept automatically)."""
    document = app.openapi()
    return [
        Operation(method.upper(), path, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def schema_properties(app: FastAPI, name: str) -> tuple[dict[str, Any], set[str]]:
    schema = app.openapi()["components"]["schemas"][name]
    return schema.get("properties", {}), set(schema.get("required", []))


# -- seeding ---------------------------------------------------------------------------------


def _register(client: TestClient, email: str, display_name: str) -> dict[str, Any]:
    response = client.post(
        f"{API}/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": display_name,
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def seed_user(client: TestClient, db: str, email: str, marker: str) -> Seeded:
    tokens = _register(client, email, f"{marker} name")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    def post(path: str, body: dict[str, Any] | None = None, expected: int = 201) -> Any:
        response = client.post(f"{API}{path}", json=body or {}, headers=headers)
        assert response.status_code == expected, (path, response.text)
        return response.json()

    plain = post(
        "/tasks",
        {
            "title": f"{marker} plain",
            "description": f"{marker} description",
            "tags": [f"{marker.lower()}tag"],
            "priority": "high",
            "due_at": "2030-01-07T09:00:00Z",
            "remind_before_minutes": [10],
        },
    )
    weekly = post(
        "/tasks",
        {"title": f"{marker} weekly", "due_at": "2030-01-07T09:00:00Z", "rrule": "weekly"},
    )
    done = post("/tasks", {"title": f"{marker} done"})
    post(f"/tasks/{done['id']}/complete", expected=200)
    trashed = post("/tasks", {"title": f"{marker} trashed"})
    assert client.delete(f"{API}/tasks/{trashed['id']}", headers=headers).status_code == 200
    inbox = client.get(f"{API}/projects", headers=headers).json()["items"][0]
    home = post("/projects", {"name": f"{marker} home", "color": "teal"})
    child = post("/projects", {"name": f"{marker} child", "parent_id": home["id"]})
    section = post(f"/projects/{home['id']}/sections", {"name": f"{marker} section"})
    post("/tasks", {"title": f"{marker} sectioned", "section_id": section["id"]})
    said = post(f"/tasks/{plain['id']}/comments", {"text": f"{marker} comment"})
    friend = {"email": f"{marker.lower()}-friend@example.com", "role": "viewer"}
    invited = post(f"/projects/{home['id']}/members", friend, expected=202)
    archived = post("/projects", {"name": f"{marker} archived"})
    post(f"/projects/{archived['id']}/archive", expected=200)
    binned = post("/projects", {"name": f"{marker} binned"})
    post("/tasks", {"title": f"{marker} binned task", "project_id": binned["id"]})
    assert client.delete(f"{API}/projects/{binned['id']}", headers=headers).status_code == 200
    filter_id = post("/filters", {"name": f"{marker} filter", "query": {"status": "all"}})["id"]
    conversation = post("/chat", {"message": f"{marker} what is due?"}, expected=200)
    pat = post("/auth/tokens", {"name": f"{marker} token"})
    feed = post("/calendar/token", expected=200)["url"].split("token=", 1)[1]
    login = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text

    user_id = tokens["user"]["id"]
    with Session(get_engine(db)) as session:
        row = Notification(
            user_id=uuid.UUID(user_id),
            task_id=uuid.UUID(plain["id"]),
            kind="reminder",
            title=f"{marker} reminder",
            body=f"{marker} body",
            created_at=utcnow() - timedelta(minutes=1),
            channels=["in_app"],
        )
        session.add(row)
        session.commit()
        notification_id = str(row.id)
    return Seeded(
        email=email,
        headers=headers,
        user_id=user_id,
        access_token=tokens["access_token"],
        refresh_token=login.json()["refresh_token"],
        pat=pat["token"],
        ids={
            "task_id": [plain["id"], weekly["id"], done["id"], trashed["id"]],
            "filter_id": [filter_id],
            "project_id": [home["id"], child["id"], inbox["id"], archived["id"], binned["id"]],
            "section_id": [section["id"]],
            "comment_id": [said["id"]],
            "invitation_id": [invited["id"]],
            "token": [invitations.token_of(uuid.UUID(invited["id"]))],
            "notification_id": [notification_id],
            "conversation_id": [conversation["conversation_id"]],
            "token_id": [pat["id"]],
            "user_id": [user_id],
        },
        feed_token=feed,
    )


@pytest.fixture
def victim(client: TestClient, db: str) -> Seeded:
    return seed_user(client, db, "victim@example.com", MARKER)


@pytest.fixture
def attacker(client: TestClient, db: str, victim: Seeded) -> Seeded:
    return seed_user(client, db, "attacker@example.com", "ATTACKER")


# -- snapshots -------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value) if value is not None else None


def db_rows(db: str, only_user: str | None = None, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every row of every table (or those of one user: its user_id, or its id in the outbox
    payload), as sorted text tuples; `skip` names tables left out."""
    dump: dict[str, Any] = {}
    with get_engine(db).connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = []
            for row in connection.execute(select(table)).mappings():
                values = {key: _plain(value) for key, value in row.items()}
                if only_user is not None:
                    key = "id" if table.name == "users" else "user_id"
                    owner = values.get(key)
                    if owner != only_user and only_user not in json.dumps(values):
                        continue
                rows.append(tuple(sorted(values.items())))
            dump[table.name] = sorted(rows, key=repr)
    return dump


def api_snapshot(client: TestClient, user: Seeded) -> dict[str, Any]:
    """What the user sees through the API: every list, every task (deleted ones too)."""

    def get(path: str) -> Any:
        response = client.get(f"{API}{path}", headers=user.headers)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    tokens = [{k: v for k, v in t.items() if k != "last_used_at"} for t in get("/auth/tokens")]
    return {
        "me": get("/auth/me"),
        "tasks": get("/tasks?status=all&limit=200"),
        "each": [
            client.get(f"{API}/tasks/{task_id}", headers=user.headers).json()
            for task_id in user.ids["task_id"]
        ],
        "tags": get("/tags"),
        "projects": [get("/projects"), get("/projects?archived=true")],
        "sections": [
            client.get(f"{API}/projects/{project_id}/sections", headers=user.headers).json()
            for project_id in user.ids["project_id"]
        ],
        "filters": get("/filters"),
        "notifications": get("/notifications"),
        "tokens": tokens,
        "chat": [get(f"/chat/{cid}") for cid in user.ids["conversation_id"]],
    }


@pytest.fixture
def unchanged(client: TestClient, db: str) -> Callable[[Seeded], Iterator[None]]:
    """`with unchanged(user): ...` fails if the block changed anything the user owns."""
    import contextlib

    @contextlib.contextmanager
    def check(user: Seeded) -> Iterator[None]:
        before_api = api_snapshot(client, user)
        before_db = db_rows(db, only_user=user.user_id, skip=("login_failures",))
        yield
        assert api_snapshot(client, user) == before_api
        after_db = db_rows(db, only_user=user.user_id, skip=("login_failures",))
        changed = {t for t in before_db if before_db[t] != after_db[t]}
        assert not changed, f"tables changed: {sorted(changed)}"

    return check
