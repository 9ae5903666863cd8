"""Personal API tokens: made once, listed without secrets, revoked, accepted as bearer tokens."""

from __future__ import annotations

from sqlmodel import Session, select

from todo_app.db import get_engine
from todo_app.models import ApiToken, OutboxEvent

API = "/api/v1"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_use_list_revoke(client, auth, db):
    created = client.post(f"{API}/auth/tokens", json={"name": "  my   laptop "}, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "name", "token", "created_at"}
    assert body["name"] == "my laptop"
    token = body["token"]
    assert token.startswith("todo_pat_") and len(token) > 40

    me = client.get(f"{API}/auth/me", headers=_bearer(token))
    assert me.status_code == 200, me.text
    assert (
        client.post(f"{API}/tasks", json={"title": "via pat"}, headers=_bearer(token)).status_code
        == 201
    )

    listed = client.get(f"{API}/auth/tokens", headers=auth).json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert listed[0]["last_used_at"] is not None

    with Session(get_engine(db)) as session:
        row = session.exec(select(ApiToken)).one()
        assert token not in row.token_hash and len(row.token_hash) == 64
        types = [e.payload["type"] for e in session.exec(select(OutboxEvent)).all()]
        assert "auth.token_created" in types

    assert client.delete(f"{API}/auth/tokens/{body['id']}", headers=auth).status_code == 204
    refused = client.get(f"{API}/auth/me", headers=_bearer(token))
    assert refused.status_code == 401
    assert refused.json()["detail"] == "access token is missing, expired or invalid"
    assert client.get(f"{API}/auth/tokens", headers=auth).json() == []
    assert client.delete(f"{API}/auth/tokens/{body['id']}", headers=auth).status_code == 404
    with Session(get_engine(db)) as session:
        types = [e.payload["type"] for e in session.exec(select(OutboxEvent)).all()]
        assert "auth.token_revoked" in types


def test_unknown_token_is_401(client):
    for token in ("todo_pat_nope", "todo_pat_", "garbage"):
        response = client.get(f"{API}/auth/me", headers=_bearer(token))
        assert response.status_code == 401


def test_another_users_token_is_404(client, make_user):
    ann, bob = make_user(), make_user()
    created = client.post(f"{API}/auth/tokens", json={"name": "ann"}, headers=ann).json()
    assert client.delete(f"{API}/auth/tokens/{created['id']}", headers=bob).status_code == 404
    assert client.get(f"{API}/auth/tokens", headers=bob).json() == []
    assert client.get(f"{API}/auth/me", headers=_bearer(created["token"])).status_code == 200


def test_validation_names_the_field(client, auth):
    for body in ({"name": "   "}, {"name": "x" * 101}, {}, {"name": 3}):
        response = client.post(f"{API}/auth/tokens", json=body, headers=auth)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "name"
    extra = client.post(f"{API}/auth/tokens", json={"name": "a", "scope": "x"}, headers=auth)
    assert extra.status_code == 422 and extra.json()["field"] == "scope"


def test_tokens_need_a_login(client):
    assert client.get(f"{API}/auth/tokens").status_code == 401
    assert client.post(f"{API}/auth/tokens", json={"name": "x"}).status_code == 401


def test_quick_add_reads_the_line(client, make_user):
    headers = make_user(timezone="Europe/Paris")
    response = client.post(
        f"{API}/tasks/quick",
        json={"text": "call mom tomorrow 6pm #family every sunday"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    task = response.json()
    assert task["title"].lower().startswith("call mom")
    assert task["tags"] == ["family"]
    assert task["rrule"] and "FREQ=WEEKLY" in task["rrule"]
    assert task["due_at"] is not None and not task["all_day"]
    listed = client.get(f"{API}/tasks", headers=headers).json()
    assert [t["id"] for t in listed["items"]] == [task["id"]]


def test_quick_add_errors_name_the_text(client, auth):
    for body in ({"text": ""}, {"text": "x" * 1001}, {}):
        response = client.post(f"{API}/tasks/quick", json=body, headers=auth)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "text"
