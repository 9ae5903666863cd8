"""Shared projects through the REST API: members, roles, transfer and assignees, on SQLite
and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from todo_app.db import get_engine
from todo_app.models import OutboxEvent, Reminder, utcnow
from todo_app.services import audit, reminders

API = "/api/v1"
Headers = dict[str, str]
ROLES = ("admin", "editor", "commenter", "viewer")


def call(
    client: TestClient, method: str, path: str, headers: Headers, expected: int = 200, **kw: Any
) -> Any:
    response = client.request(method, f"{API}{path}", headers=headers, **kw)
    assert response.status_code == expected, (method, path, response.text)
    return response.json() if response.content else None


def refused(response: Any, status: int, field: str | None = None, says: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.json()["field"] == field, response.json()
    assert says in response.json()["detail"], response.json()


class Person:
    """A registered user: headers, id and email."""

    def __init__(self, client: TestClient, name: str, email: str | None = None) -> None:
        self.email = email or f"{name}-{uuid.uuid4().hex[:6]}@example.com"
        response = client.post(
            f"{API}/auth/register",
            json={"email": self.email, "password": "correct horse", "display_name": name},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        self.id = body["user"]["id"]
        self.headers = {"Authorization": f"Bearer {body['access_token']}"}


@pytest.fixture
def people(client: TestClient) -> dict[str, Person]:
    return {name: Person(client, name) for name in ("owner", *ROLES, "stranger")}


def share(client: TestClient, owner: Person, project_id: str, who: Person, role: str) -> dict:
    body = {"email": who.email.upper(), "role": role}
    return call(client, "POST", f"/projects/{project_id}/members", owner.headers, 201, json=body)


def shared_project(client: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """The owner's project with a member of each role, a section and a recurring task."""
    owner = people["owner"]
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Team"})
    for role in ROLES:
        share(client, owner, project["id"], people[role], role)
    section = call(
        client,
        "POST",
        f"/projects/{project['id']}/sections",
        owner.headers,
        201,
        json={"name": "S"},
    )
    task = call(
        client,
        "POST",
        "/tasks",
        owner.headers,
        201,
        json={"title": "Weekly", "project_id": project["id"], "rrule": "weekly", "tags": ["team"]},
    )
    return {"project": project, "section": section, "task": task}


def test_members_are_added_listed_changed_and_removed(client, people):
    owner, editor = people["owner"], people["editor"]
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Home"})
    path = f"/projects/{project['id']}/members"
    added = share(client, owner, project["id"], editor, "editor")
    assert added == {
        "user_id": editor.id,
        "email": editor.email,
        "display_name": "editor",
        "role": "editor",
    }
    listed = call(client, "GET", path, editor.headers)["items"]
    assert [(m["user_id"], m["role"]) for m in listed] == [
        (owner.id, "owner"),
        (editor.id, "editor"),
    ]
    assert listed[0]["email"] == owner.email
    for body, status, field in [
        ({"email": editor.email, "role": "viewer"}, 409, "email"),
        ({"email": owner.email, "role": "viewer"}, 409, "email"),
        ({"email": "nobody at example.com", "role": "viewer"}, 422, "email"),
        ({"email": people["viewer"].email, "role": "owner"}, 422, "role"),
        ({"email": people["viewer"].email, "role": "boss"}, 422, "role"),
    ]:
        refused(client.post(f"{API}{path}", json=body, headers=owner.headers), status, field)
    changed = call(client, "PATCH", f"{path}/{editor.id}", owner.headers, json={"role": "viewer"})
    assert changed["role"] == "viewer"
    refused(
        client.patch(f"{API}{path}/{owner.id}", json={"role": "viewer"}, headers=owner.headers),
        403,
    )
    refused(client.delete(f"{API}{path}/{uuid.uuid4()}", headers=owner.headers), 404)
    call(client, "DELETE", f"{path}/{editor.id}", owner.headers, 204)
    assert [m["role"] for m in call(client, "GET", path, owner.headers)["items"]] == ["owner"]
    inbox = call(client, "GET", "/projects", owner.headers)["items"][0]
    refused(
        client.post(
            f"{API}/projects/{inbox['id']}/members",
            json={"email": editor.email, "role": "viewer"},
            headers=owner.headers,
        ),
        409,
    )


def test_a_shared_project_is_listed_for_both_with_the_callers_role(client, people):
    owner, viewer = people["owner"], people["viewer"]
    made = shared_project(client, people)
    project_id = made["project"]["id"]
    (mine,) = [
        p for p in call(client, "GET", "/projects", owner.headers)["items"] if p["id"] == project_id
    ]
    assert (mine["role"], mine["shared"], mine["owner"]["id"]) == ("owner", True, owner.id)
    theirs = call(client, "GET", "/projects", viewer.headers)["items"]
    assert [p["name"] for p in theirs] == ["Inbox", "Team"]
    assert theirs[1]["role"] == "viewer" and theirs[1]["shared"] is True
    assert theirs[1]["owner"] == {"id": owner.id, "email": owner.email, "display_name": "owner"}
    assert theirs[1]["open_count"] == 1
    one = call(client, "GET", f"/projects/{project_id}", viewer.headers)
    assert one["role"] == "viewer" and one["owner"]["id"] == owner.id
    # The member's lists hold the project's tasks: all tasks, one project's, tags.
    titles = {t["title"] for t in call(client, "GET", "/tasks", viewer.headers)["items"]}
    assert titles == {"Weekly"}
    page = call(client, "GET", "/tasks", viewer.headers, params={"project_id": project_id})
    assert [t["title"] for t in page["items"]] == ["Weekly"]
    tags = call(client, "GET", "/tags", viewer.headers)
    assert [t["name"] for t in tags] == ["team"]


def _task_body(project_id: str) -> dict[str, Any]:
    return {"title": "New", "project_id": project_id}


def test_each_role_may_do_what_the_table_says(client, people):
    made = shared_project(client, people)
    project_id, section_id = made["project"]["id"], made["section"]["id"]
    task_id = made["task"]["id"]
    feeds = {}
    for role in ROLES:
        who = people[role]
        # Everyone reads everything of the project.
        call(client, "GET", f"/projects/{project_id}", who.headers)
        call(client, "GET", f"/projects/{project_id}/sections", who.headers)
        call(client, "GET", f"/projects/{project_id}/members", who.headers)
        call(client, "GET", f"/tasks/{task_id}", who.headers)
        call(client, "GET", f"/tasks/{task_id}/occurrences", who.headers)
        url = call(client, "POST", "/calendar/token", who.headers)["url"]
        feeds[role] = url.split("token=", 1)[1]
        feed = client.get(
            f"{API}/calendar.ics", params={"token": feeds[role], "project_id": project_id}
        )
        assert feed.status_code == 200 and task_id in feed.text
        writes = role in ("admin", "editor")
        # Tasks and sections: admins and editors.
        attempts = [
            ("POST", "/tasks", _task_body(project_id), 201),
            ("PATCH", f"/tasks/{task_id}", {"title": f"by {role}"}, 200),
            ("POST", f"/tasks/{task_id}/move", {"section_id": section_id}, 200),
            ("POST", f"/tasks/{task_id}/complete", None, 200),
            ("POST", f"/tasks/{task_id}/uncomplete", None, 200),
            ("POST", f"/projects/{project_id}/sections", {"name": role}, 201),
            ("PATCH", f"/sections/{section_id}", {"name": role}, 200),
        ]
        for method, path, body, status in attempts:
            response = client.request(method, f"{API}{path}", json=body, headers=who.headers)
            if writes:
                assert response.status_code == status, (role, method, path, response.text)
            else:
                refused(response, 403, says="edit permission")
        temporary = call(
            client, "POST", "/tasks", people["owner"].headers, 201, json=_task_body(project_id)
        )
        response = client.delete(f"{API}/tasks/{temporary['id']}", headers=who.headers)
        if writes:
            assert response.status_code == 200
        else:
            refused(response, 403, says="edit permission")
        # The project itself: its owner alone.
        for method, path, body in [
            ("PATCH", f"/projects/{project_id}", {"name": "mine"}),
            ("POST", f"/projects/{project_id}/archive", None),
            ("DELETE", f"/projects/{project_id}", None),
            ("POST", f"/projects/{project_id}/transfer", {"user_id": who.id}),
        ]:
            response = client.request(method, f"{API}{path}", json=body, headers=who.headers)
            refused(response, 403, says="manage permission")
        # Members: admins, never the owner.
        members = f"{API}/projects/{project_id}/members"
        stranger = people["stranger"]
        added = client.post(
            members, json={"email": stranger.email, "role": "viewer"}, headers=who.headers
        )
        if role == "admin":
            assert added.status_code == 201, added.text
            assert client.delete(f"{members}/{stranger.id}", headers=who.headers).status_code == 204
            owner_id = people["owner"].id
            refused(
                client.patch(f"{members}/{owner_id}", json={"role": "viewer"}, headers=who.headers),
                403,
            )
            refused(client.delete(f"{members}/{owner_id}", headers=who.headers), 403)
        else:
            refused(added, 403, says="manage_members permission")
            refused(
                client.patch(
                    f"{members}/{people['viewer'].id}", json={"role": "admin"}, headers=who.headers
                ),
                403,
                says="manage_members permission",
            )
    # A commenter or viewer cannot create a sub-project nor move a task in or out.
    viewer = people["viewer"]
    refused(
        client.post(
            f"{API}/projects", json={"name": "sub", "parent_id": project_id}, headers=viewer.headers
        ),
        403,
    )
    own = call(client, "POST", "/tasks", viewer.headers, 201, json={"title": "mine"})
    refused(
        client.post(
            f"{API}/tasks/{own['id']}/move", json={"project_id": project_id}, headers=viewer.headers
        ),
        403,
        says="edit permission",
    )


def test_a_non_member_finds_nothing_of_the_project(client, people):
    made = shared_project(client, people)
    project_id, section_id = made["project"]["id"], made["section"]["id"]
    task_id = made["task"]["id"]
    stranger = people["stranger"]
    for method, path, body in [
        ("GET", f"/projects/{project_id}", None),
        ("GET", f"/projects/{project_id}/sections", None),
        ("GET", f"/projects/{project_id}/members", None),
        ("POST", f"/projects/{project_id}/members", {"email": stranger.email, "role": "admin"}),
        ("PATCH", f"/projects/{project_id}/members/{people['viewer'].id}", {"role": "admin"}),
        ("DELETE", f"/projects/{project_id}/members/{people['viewer'].id}", None),
        ("POST", f"/projects/{project_id}/leave", None),
        ("POST", f"/projects/{project_id}/transfer", {"user_id": stranger.id}),
        ("PATCH", f"/sections/{section_id}", {"name": "x"}),
        ("GET", f"/tasks/{task_id}", None),
        ("GET", f"/tasks/{task_id}/occurrences", None),
        ("PATCH", f"/tasks/{task_id}", {"title": "x"}),
        ("POST", f"/tasks/{task_id}/complete", None),
        ("POST", "/tasks", _task_body(project_id)),
    ]:
        response = client.request(method, f"{API}{path}", json=body, headers=stranger.headers)
        assert response.status_code == 404, (method, path, response.text)
    for params in ({"project_id": project_id}, {"section_id": section_id}, {"parent_id": task_id}):
        assert (
            client.get(f"{API}/tasks", params=params, headers=stranger.headers).status_code == 404
        )
    assert call(client, "GET", "/tasks", stranger.headers)["total"] == 0
    token = call(client, "POST", "/calendar/token", stranger.headers)["url"].split("token=", 1)[1]
    feed = client.get(f"{API}/calendar.ics", params={"token": token, "project_id": project_id})
    assert feed.status_code == 404
    assert "Team" not in str(call(client, "GET", "/projects", stranger.headers))


def test_a_removed_or_departed_member_loses_the_project_at_once(client, people, db):
    owner, editor, viewer = people["owner"], people["editor"], people["viewer"]
    made = shared_project(client, people)
    project_id, task_id = made["project"]["id"], made["task"]["id"]
    # The editor sets a reminder of its own, assigned the task.
    soon = (utcnow() + timedelta(minutes=5)).replace(microsecond=0).isoformat()
    call(client, "PATCH", f"/tasks/{task_id}", editor.headers, json={"assignee_id": editor.id})
    call(client, "PATCH", f"/tasks/{task_id}", editor.headers, json={"reminders": [soon]})
    call(client, "DELETE", f"/projects/{project_id}/members/{editor.id}", owner.headers, 204)
    for path in (f"/projects/{project_id}", f"/tasks/{task_id}"):
        assert client.get(f"{API}{path}", headers=editor.headers).status_code == 404
    assert call(client, "GET", "/tasks", editor.headers)["total"] == 0
    assert call(client, "GET", f"/tasks/{task_id}", owner.headers)["assignee_id"] is None
    # Its reminder does not fire for someone who no longer sees the task.
    with Session(get_engine(db)) as session:
        assert reminders.fire_due(session, utcnow() + timedelta(hours=1)) == []
    # Leaving, the same.
    call(client, "POST", f"/projects/{project_id}/leave", viewer.headers, 204)
    assert client.get(f"{API}/projects/{project_id}", headers=viewer.headers).status_code == 404
    refused(client.post(f"{API}/projects/{project_id}/leave", headers=owner.headers), 409)
    # Removing oneself is leaving.
    commenter = people["commenter"]
    path = f"/projects/{project_id}/members/{commenter.id}"
    call(client, "DELETE", path, commenter.headers, 204)
    assert client.get(f"{API}/projects/{project_id}", headers=commenter.headers).status_code == 404


def test_the_owner_hands_the_project_over_and_stays_an_admin(client, people):
    owner, editor, viewer = people["owner"], people["editor"], people["viewer"]
    made = shared_project(client, people)
    project_id = made["project"]["id"]
    path = f"/projects/{project_id}/transfer"
    refused(
        client.post(f"{API}{path}", json={"user_id": people["stranger"].id}, headers=owner.headers),
        422,
        "user_id",
    )
    refused(
        client.post(f"{API}{path}", json={"user_id": owner.id}, headers=owner.headers),
        422,
        "user_id",
    )
    handed = call(client, "POST", path, owner.headers, json={"user_id": editor.id})
    assert handed["role"] == "admin" and handed["owner"]["id"] == editor.id
    members = call(client, "GET", f"/projects/{project_id}/members", viewer.headers)["items"]
    roles = {m["user_id"]: m["role"] for m in members}
    assert roles[editor.id] == "owner" and roles[owner.id] == "admin" and len(roles) == 5
    # The tasks went along: the new owner's own list holds them, the old owner still sees them.
    for who in (editor, owner):
        titles = {t["title"] for t in call(client, "GET", "/tasks", who.headers)["items"]}
        assert "Weekly" in titles
    refused(
        client.patch(f"{API}/projects/{project_id}", json={"name": "x"}, headers=owner.headers), 403
    )
    call(client, "PATCH", f"/projects/{project_id}", editor.headers, json={"name": "Renamed"})
    # A project with sub-projects, and the Inbox, stay where they are.
    parent = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Parent"})
    call(
        client,
        "POST",
        "/projects",
        owner.headers,
        201,
        json={"name": "Child", "parent_id": parent["id"]},
    )
    share(client, owner, parent["id"], viewer, "viewer")
    refused(
        client.post(
            f"{API}/projects/{parent['id']}/transfer",
            json={"user_id": viewer.id},
            headers=owner.headers,
        ),
        409,
    )


def test_assignees_are_members_and_filter_the_list(client, people):
    owner, editor = people["owner"], people["editor"]
    made = shared_project(client, people)
    project_id, task_id = made["project"]["id"], made["task"]["id"]
    stranger = people["stranger"]
    refused(
        client.post(
            f"{API}/tasks",
            json={**_task_body(project_id), "assignee_id": stranger.id},
            headers=owner.headers,
        ),
        422,
        "assignee_id",
    )
    refused(
        client.patch(
            f"{API}/tasks/{task_id}", json={"assignee_id": str(uuid.uuid4())}, headers=owner.headers
        ),
        422,
        "assignee_id",
    )
    mine = call(
        client,
        "POST",
        "/tasks",
        editor.headers,
        201,
        json={**_task_body(project_id), "assignee_id": editor.id},
    )
    assert mine["assignee_id"] == editor.id
    owned = call(
        client, "PATCH", f"/tasks/{task_id}", editor.headers, json={"assignee_id": owner.id}
    )
    assert owned["assignee_id"] == owner.id

    def titles(who: Any, assignee: str) -> list[str]:
        page = call(client, "GET", "/tasks", who.headers, params={"assignee": assignee})
        return sorted(t["title"] for t in page["items"])

    assert titles(editor, "me") == ["New"]
    assert titles(owner, "me") == ["Weekly"]
    assert titles(owner, editor.id) == ["New"]
    assert titles(owner, "none") == []
    call(client, "PATCH", f"/tasks/{task_id}", owner.headers, json={"assignee_id": None})
    assert titles(editor, "none") == ["Weekly"]
    refused(
        client.get(f"{API}/tasks", params={"assignee": "someone"}, headers=owner.headers),
        422,
        "assignee",
    )
    # A task moved to a project its assignee does not see is unassigned.
    solo = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Solo"})
    moved = call(
        client, "POST", f"/tasks/{mine['id']}/move", owner.headers, json={"project_id": solo["id"]}
    )
    assert moved["assignee_id"] is None
    assert client.get(f"{API}/tasks/{mine['id']}", headers=editor.headers).status_code == 404
    # Personal tasks: the owner alone may be assigned.
    call(
        client, "POST", "/tasks", owner.headers, 201, json={"title": "Me", "assignee_id": owner.id}
    )


def test_comments_follow_the_roles(client: TestClient, people: dict[str, Person]) -> None:
    made = shared_project(client, people)
    task_id = made["task"]["id"]
    path = f"/tasks/{task_id}/comments"
    said = {}
    for name in ("owner", "admin", "editor", "commenter"):
        body = {"text": f"{name} says hi"}
        said[name] = call(client, "POST", path, people[name].headers, 201, json=body)
    response = client.post(f"{API}{path}", headers=people["viewer"].headers, json={"text": "x"})
    refused(response, 403, says="comment")
    # Every member reads the thread; a stranger does not see the task.
    for name in (*ROLES, "owner"):
        thread = call(client, "GET", path, people[name].headers)["items"]
        assert [c["author"]["display_name"] for c in thread] == [
            "owner",
            "admin",
            "editor",
            "commenter",
        ]
    call(client, "GET", path, people["stranger"].headers, 404)

    # Only its author edits a comment; an editor cannot delete another's, an admin can.
    commenter_comment = f"/comments/{said['commenter']['id']}"
    response = client.patch(
        f"{API}{commenter_comment}", headers=people["admin"].headers, json={"text": "x"}
    )
    refused(response, 403, says="author")
    response = client.delete(f"{API}{commenter_comment}", headers=people["editor"].headers)
    refused(response, 403, says="manage_members")
    call(client, "DELETE", commenter_comment, people["admin"].headers, 204)
    call(client, "DELETE", f"/comments/{said['editor']['id']}", people["editor"].headers, 204)
    # A member demoted to viewer can no longer edit what they wrote.
    call(
        client,
        "PATCH",
        f"/projects/{made['project']['id']}/members/{people['admin'].id}",
        people["owner"].headers,
        json={"role": "viewer"},
    )
    response = client.patch(
        f"{API}/comments/{said['admin']['id']}", headers=people["admin"].headers, json={"text": "y"}
    )
    refused(response, 403, says="comment")
    thread = call(client, "GET", path, people["owner"].headers)["items"]
    assert [c["text"] for c in thread] == ["owner says hi", "admin says hi"]


def test_a_shared_projects_events_are_keyed_by_it_and_name_its_members(
    client: TestClient, people: dict[str, Person], db: str
) -> None:
    owner, editor, stranger = people["owner"], people["editor"], people["stranger"]
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Shared"})
    share(client, owner, project["id"], editor, "editor")
    body = {"title": "By the editor", "project_id": project["id"]}
    made = call(client, "POST", "/tasks", editor.headers, 201, json=body)
    call(client, "POST", f"/tasks/{made['id']}/comments", owner.headers, 201, json={"text": "ok"})
    call(client, "DELETE", f"/projects/{project['id']}/members/{editor.id}", owner.headers, 204)
    mine = call(client, "POST", "/tasks", stranger.headers, 201, json={"title": "Alone"})
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq))).all()
    by_type = {(r.payload["type"], r.payload["data"].get("task_id")): r for r in rows}
    for key in (
        ("task.created", made["id"]),
        ("comment.created", made["id"]),
        ("project.member_removed", None),
    ):
        row = by_type[key]
        assert row.key == project["id"], key
        assert sorted(row.payload["data"]["audience"]) == sorted([owner.id, editor.id]), key
    # A project nobody shares: keyed by it, no audience (its user is the audience).
    alone = by_type[("task.created", mine["id"])]
    assert alone.key == mine["project_id"] and "audience" not in alone.payload["data"]


def test_the_activity_names_the_actor_and_members_read_the_projects(
    client: TestClient, people: dict[str, Person], db: str
) -> None:
    owner, editor, viewer = people["owner"], people["editor"], people["viewer"]
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Shared"})
    share(client, owner, project["id"], editor, "editor")
    share(client, owner, project["id"], viewer, "viewer")
    body = {"title": "By the editor", "project_id": project["id"]}
    made = call(client, "POST", "/tasks", editor.headers, 201, json=body)
    call(client, "POST", f"/tasks/{made['id']}/complete", owner.headers)
    call(client, "POST", "/tasks", editor.headers, 201, json={"title": "Editor's own"})
    with Session(get_engine(db)) as session:
        audit.record_many(session, [row.payload for row in session.exec(select(OutboxEvent))])
        session.commit()

    def log(who: Person, **params: Any) -> list[dict]:
        return call(client, "GET", "/audit", who.headers, params={"limit": 200, **params})["items"]

    # The project's activity: every member reads all of it, each change naming its actor.
    for who in (owner, editor, viewer):
        entries = log(who, project_id=project["id"])
        by_action = {(e["action"], e["resource_id"]): e for e in entries}
        created = by_action[("task.created", made["id"])]
        assert (created["actor_id"], created["actor_email"]) == (editor.id, editor.email)
        completed = by_action[("task.completed", made["id"])]
        assert completed["actor_email"] == owner.email
        assert "audience" not in created["metadata"]
    call(
        client,
        "GET",
        "/audit",
        people["stranger"].headers,
        404,
        params={"project_id": project["id"]},
    )
    # Each one's own activity: what they did, and what happened to their own data.
    editor_own = {(e["action"], e["metadata"].get("title")) for e in log(editor)}
    assert ("task.created", "By the editor") in editor_own
    assert ("task.created", "Editor's own") in editor_own
    assert ("task.completed", "By the editor") not in editor_own
    owner_own = {(e["action"], e["metadata"].get("title")) for e in log(owner)}
    assert {("task.created", "By the editor"), ("task.completed", "By the editor")} <= owner_own
    assert ("task.created", "Editor's own") not in owner_own
    viewer_own = {e["action"] for e in log(viewer)}
    assert "task.created" not in viewer_own


def test_a_task_moved_between_owners_belongs_to_its_new_projects_owner(client, people):
    owner, editor = people["owner"], people["editor"]
    made = shared_project(client, people)
    project_id = made["project"]["id"]
    mine = call(client, "POST", "/tasks", editor.headers, 201, json={"title": "Carried"})
    below = {"title": "Step", "parent_id": mine["id"]}
    step = call(client, "POST", "/tasks", editor.headers, 201, json=below)

    def titles(who: Person) -> set[str]:
        page = call(client, "GET", "/tasks", who.headers, params={"status": "all"})
        return {t["title"] for t in page["items"]}

    assert {"Carried", "Step"} & titles(owner) == set()
    move = {"project_id": project_id}
    call(client, "POST", f"/tasks/{mine['id']}/move", editor.headers, json=move)
    assert {"Carried", "Step"} <= titles(owner) and {"Carried", "Step"} <= titles(editor)
    assert call(client, "GET", f"/tasks/{step['id']}", owner.headers)["project_id"] == project_id
    # The owner may now do anything to it; back in the editor's Inbox it is the editor's alone.
    call(client, "PATCH", f"/tasks/{mine['id']}", owner.headers, json={"priority": "high"})
    inbox = call(client, "GET", "/projects", editor.headers)["items"][0]
    back = {"project_id": inbox["id"]}
    call(client, "POST", f"/tasks/{mine['id']}/move", editor.headers, json=back)
    assert {"Carried", "Step"} & titles(owner) == set()
    assert client.get(f"{API}/tasks/{step['id']}", headers=owner.headers).status_code == 404
    # Figures count what the member sees.
    stats = call(client, "GET", "/stats", editor.headers)
    assert project_id in {row["project_id"] for row in stats["by_project"]}
    one = call(client, "GET", "/stats", editor.headers, params={"project_id": project_id})
    assert one["by_project"][0]["open"] == 1


def test_reminders_are_personal(client, people, db):
    owner, viewer = people["owner"], people["viewer"]
    made = shared_project(client, people)
    task_id = made["task"]["id"]
    at = "2031-01-01T08:00:00Z"
    call(client, "PATCH", f"/tasks/{task_id}", owner.headers, json={"reminders": [at]})
    # A reader sets reminders of its own, and only those: the task itself stays as it is.
    call(client, "PATCH", f"/tasks/{task_id}", viewer.headers, json={"remind_before_minutes": [5]})
    call(client, "POST", f"/tasks/{task_id}/snooze", viewer.headers, json={"minutes": 10})
    both = {"reminders": [at], "title": "x"}
    refused(client.patch(f"{API}/tasks/{task_id}", json=both, headers=viewer.headers), 403)

    def reminders_of(person: Person) -> int:
        with Session(get_engine(db)) as session:
            rows = session.exec(select(Reminder).where(Reminder.user_id == uuid.UUID(person.id)))
            return len(rows.all())

    assert (reminders_of(owner), reminders_of(viewer)) == (1, 2)

    def seen_by(person: Person) -> list[tuple[list[str], list[int]]]:
        """The task's reminders as the person reads it: alone, and in each list holding it."""
        read = [call(client, "GET", f"/tasks/{task_id}", person.headers)]
        for params in ({}, {"project_id": made["project"]["id"]}):
            page = call(client, "GET", "/tasks", person.headers, params=params)["items"]
            read.extend(task for task in page if task["id"] == task_id)
        assert len(read) == 3
        return [(task["reminders"], task["remind_before_minutes"]) for task in read]

    assert seen_by(owner) == [([at], [])] * 3
    (instants, offsets), *others = seen_by(viewer)
    assert len(instants) == 2 and at not in instants and offsets == [5]
    assert others == [(instants, offsets)] * 2
    # A due date moved by the owner moves the viewer's "5 minutes before" too, still theirs.
    moved = call(client, "PATCH", f"/tasks/{task_id}", owner.headers, json={"due_at": "2031-02-03"})
    assert (moved["reminders"], moved["remind_before_minutes"]) == ([at], [])
    (after, offsets), *_ = seen_by(viewer)
    assert offsets == [5] and len(after) == 2 and after != instants
    # The event of a change goes to every member: it carries nobody's reminders.
    with Session(get_engine(db)) as session:
        last = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq).desc())).first()
        assert last is not None and "reminders" not in last.payload["data"]["task"]
    call(client, "PATCH", f"/tasks/{task_id}", viewer.headers, json={"reminders": []})
    assert (reminders_of(owner), reminders_of(viewer)) == (1, 1)


def test_quick_add_gives_a_task_to_a_member_with_plus(
    client: TestClient, people: dict[str, Person]
) -> None:
    owner, editor = people["owner"], people["editor"]
    project = call(client, "POST", "/projects", owner.headers, 201, json={"name": "Garden"})
    share(client, owner, project["id"], editor, "editor")
    text = {"text": "Mow the lawn +Editor ^Garden tomorrow"}
    made = call(client, "POST", "/tasks/quick", owner.headers, 201, json=text)
    assert (made["title"], made["assignee_id"]) == ("Mow the lawn", editor.id)
    assert made["project_id"] == project["id"]
    # Someone who is no one's person here stays in the title.
    plain = call(client, "POST", "/tasks/quick", owner.headers, 201, json={"text": "Vote +1"})
    assert (plain["title"], plain["assignee_id"]) == ("Vote +1", None)
    # Given a task of a project they do not see (the Inbox): refused, naming the text.
    response = client.post(
        f"{API}/tasks/quick", headers=owner.headers, json={"text": "Weed +editor"}
    )
    assert response.status_code == 422 and response.json()["field"] == "text"
    assert "assignee" in response.json()["detail"]
