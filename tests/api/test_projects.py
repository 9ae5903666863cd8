"""Projects and sections through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from todo_app.core.projects import COLORS, PROJECTS_MAX, SECTIONS_MAX
from todo_app.db import get_engine
from todo_app.models import OutboxEvent, Project, Section, Task, User

API = "/api/v1"
Headers = dict[str, str]


def call(
    client: TestClient, method: str, path: str, headers: Headers, expected: int = 200, **kw: Any
) -> Any:
    response = client.request(method, f"{API}{path}", headers=headers, **kw)
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


def project(client: TestClient, headers: Headers, name: str = "Home", **fields: Any) -> dict:
    return call(client, "POST", "/projects", headers, 201, json={"name": name, **fields})


def listed(client: TestClient, headers: Headers, **params: str) -> list[dict]:
    return call(client, "GET", "/projects", headers, params=params)["items"]


def inbox(client: TestClient, headers: Headers) -> dict:
    (found,) = [p for p in listed(client, headers) if p["is_inbox"]]
    return found


def task(client: TestClient, headers: Headers, **fields: Any) -> dict:
    return call(client, "POST", "/tasks", headers, 201, json={"title": "Task", **fields})


def refused(response: Any, status: int, field: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.json()["field"] == field, response.json()


def events(db: str, prefix: str) -> list[dict]:
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
    return [row.payload for row in rows if row.payload["type"].startswith(prefix)]


def test_registration_makes_the_inbox_and_tasks_go_there(client, auth):
    (box,) = listed(client, auth)
    assert box == {
        "id": box["id"],
        "name": "Inbox",
        "color": "charcoal",
        "parent_id": None,
        "position": 0,
        "is_inbox": True,
        "archived": False,
        "view": "list",
        "open_count": 0,
        "role": "owner",
        "shared": False,
        "owner": box["owner"],
    }
    me = call(client, "GET", "/auth/me", auth)
    assert box["owner"] == {k: me[k] for k in ("id", "email", "display_name")}
    made = task(client, auth)
    assert (made["project_id"], made["section_id"], made["parent_id"]) == (box["id"], None, None)
    listed_task = call(client, "GET", "/tasks", auth)["items"][0]
    assert listed_task["project_id"] == box["id"]
    assert inbox(client, auth)["open_count"] == 1


def test_one_inbox_per_account_is_held_by_the_database(client, auth, db):
    with Session(get_engine(db)) as session:
        user = session.exec(select(User)).one()
        session.add(Project(owner_id=user.id, name="Inbox 2", is_inbox=True))
        with pytest.raises(IntegrityError):
            session.flush()


def test_create_read_update_and_list(client, auth, db):
    home = project(client, auth, "  Home  ", color="teal")
    assert (home["name"], home["color"], home["position"], home["view"]) == (
        "Home",
        "teal",
        0,
        "list",
    )
    work = project(client, auth, "Work")
    assert (work["color"], work["position"]) == ("charcoal", 1)
    assert call(client, "GET", f"/projects/{home['id']}", auth) == home
    changed = call(
        client,
        "PATCH",
        f"/projects/{work['id']}",
        auth,
        json={"name": "Job", "color": "berry_red", "view": "board", "position": 0},
    )
    assert (changed["name"], changed["color"], changed["view"], changed["position"]) == (
        "Job",
        "berry_red",
        "board",
        0,
    )
    names = [p["name"] for p in listed(client, auth)]
    assert names == ["Inbox", "Job", "Home"]
    assert [p["position"] for p in listed(client, auth)[1:]] == [0, 1]
    assert {"project.created", "project.updated"} <= {e["type"] for e in events(db, "project.")}
    updated = [e for e in events(db, "project.updated") if e["data"]["project_id"] == work["id"]]
    assert updated[-1]["data"]["changed"] == ["name", "color", "view", "position"]
    # A task made in a project, and its open count.
    made = task(client, auth, project_id=home["id"])
    assert made["project_id"] == home["id"]
    assert call(client, "GET", f"/projects/{home['id']}", auth)["open_count"] == 1
    call(client, "POST", f"/tasks/{made['id']}/complete", auth)
    assert call(client, "GET", f"/projects/{home['id']}", auth)["open_count"] == 0


def test_bad_values_name_their_field(client, auth):
    box = inbox(client, auth)
    home = project(client, auth)
    post = lambda body: client.post(f"{API}/projects", json=body, headers=auth)  # noqa: E731
    for body, field in [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "a\x07b"}, "name"),
        ({"name": "ok", "color": "chartreuse"}, "color"),
        ({"name": "ok", "parent_id": box["id"]}, "parent_id"),
        ({"name": "ok", "parent_id": "not-an-id"}, "parent_id"),
        ({"name": "ok", "owner_id": str(uuid.uuid4())}, "owner_id"),
    ]:
        refused(post(body), 422, field)
    assert project(client, auth, "x" * 120)["name"] == "x" * 120
    assert all(project(client, auth, c, color=c)["color"] == c for c in COLORS[:3])
    patch = lambda id_, body: client.patch(  # noqa: E731
        f"{API}/projects/{id_}", json=body, headers=auth
    )
    for body, field in [
        ({"name": None}, "name"),
        ({"color": None}, "color"),
        ({"color": "mauve"}, "color"),
        ({"view": "calendar"}, "view"),
        ({"position": -1}, "position"),
        ({"parent_id": home["id"]}, "parent_id"),
    ]:
        refused(patch(home["id"], body), 422, field)
    refused(patch(box["id"], {"parent_id": home["id"]}), 422, "parent_id")
    refused(
        client.post(f"{API}/tasks", json={"title": "t", "project_id": "x"}, headers=auth),
        422,
        "project_id",
    )


def test_nesting_is_three_levels_without_cycles(client, auth):
    top = project(client, auth, "Top")
    middle = project(client, auth, "Middle", parent_id=top["id"])
    bottom = project(client, auth, "Bottom", parent_id=middle["id"])
    assert (middle["parent_id"], bottom["parent_id"], bottom["position"]) == (
        top["id"],
        middle["id"],
        0,
    )
    refused(
        client.post(
            f"{API}/projects", json={"name": "4th", "parent_id": bottom["id"]}, headers=auth
        ),
        422,
        "parent_id",
    )
    other = project(client, auth, "Other")
    # Under `other`, `middle` and its child would reach 3 levels: fine; one more is not.
    moved = call(
        client, "PATCH", f"/projects/{middle['id']}", auth, json={"parent_id": other["id"]}
    )
    assert moved["parent_id"] == other["id"]
    lone = project(client, auth, "Lone", parent_id=top["id"])
    refused(
        client.patch(
            f"{API}/projects/{middle['id']}", json={"parent_id": lone["id"]}, headers=auth
        ),
        422,
        "parent_id",
    )
    # A cycle: a project under its own descendant, or under itself.
    for target in (bottom["id"], middle["id"]):
        refused(
            client.patch(
                f"{API}/projects/{middle['id']}", json={"parent_id": target}, headers=auth
            ),
            422,
            "parent_id",
        )
    # Back to the top level.
    top_again = call(client, "PATCH", f"/projects/{middle['id']}", auth, json={"parent_id": None})
    assert top_again["parent_id"] is None
    # Archived or trashed parents are refused.
    call(client, "POST", f"/projects/{other['id']}/archive", auth)
    refused(
        client.post(f"{API}/projects", json={"name": "x", "parent_id": other["id"]}, headers=auth),
        422,
        "parent_id",
    )
    call(client, "DELETE", f"/projects/{lone['id']}", auth)
    refused(
        client.post(f"{API}/projects", json={"name": "x", "parent_id": lone["id"]}, headers=auth),
        422,
        "parent_id",
    )


def test_the_inbox_cannot_be_deleted_or_archived(client, auth):
    box = inbox(client, auth)
    for method, path in [("DELETE", ""), ("POST", "/archive")]:
        response = client.request(method, f"{API}/projects/{box['id']}{path}", headers=auth)
        assert response.status_code == 409, response.text
    assert inbox(client, auth) == box


def test_delete_and_restore_take_exactly_what_went_together(client, auth, db):
    home = project(client, auth)
    child = project(client, auth, "Garden", parent_id=home["id"])
    kept = task(client, auth, project_id=home["id"], title="kept")
    done = task(client, auth, project_id=home["id"], title="done")
    call(client, "POST", f"/tasks/{done['id']}/complete", auth)
    earlier = task(client, auth, project_id=home["id"], title="deleted before")
    call(client, "DELETE", f"/tasks/{earlier['id']}", auth)
    in_child = task(client, auth, project_id=child["id"], title="in child")
    elsewhere = task(client, auth, title="in the inbox")

    gone = call(client, "DELETE", f"/projects/{home['id']}", auth)
    assert gone["id"] == home["id"]
    assert [p["name"] for p in listed(client, auth)] == ["Inbox"]
    for project_id in (home["id"], child["id"]):
        assert client.get(f"{API}/projects/{project_id}", headers=auth).status_code == 404
    titles = [
        t["title"] for t in call(client, "GET", "/tasks", auth, params={"status": "all"})["items"]
    ]
    assert titles == ["in the inbox"]
    assert {e["data"]["project_id"] for e in events(db, "project.deleted")} == {
        home["id"],
        child["id"],
    }
    # Deleting again changes nothing.
    call(client, "DELETE", f"/projects/{home['id']}", auth)

    restored = call(client, "POST", f"/projects/{home['id']}/restore", auth)
    assert restored["open_count"] == 1
    assert {p["name"] for p in listed(client, auth)} == {"Inbox", "Home", "Garden"}
    states = {
        t["title"]: (t["deleted_at"] is None, t["completed"])
        for t in call(client, "GET", "/tasks", auth, params={"status": "all"})["items"]
    }
    assert states == {
        "kept": (True, False),
        "done": (True, True),
        "in child": (True, False),
        "in the inbox": (True, False),
    }
    assert call(client, "GET", f"/tasks/{earlier['id']}", auth)["deleted_at"] is not None
    assert {kept["id"], in_child["id"], elsewhere["id"]}  # every one was listed above
    assert [e["data"]["project_id"] for e in events(db, "project.restored")] != []


def test_a_sub_project_trashed_before_stays_in_the_trash(client, auth):
    home = project(client, auth)
    child = project(client, auth, "Garden", parent_id=home["id"])
    task(client, auth, project_id=child["id"], title="weeds")
    call(client, "DELETE", f"/projects/{child['id']}", auth)
    call(client, "DELETE", f"/projects/{home['id']}", auth)
    call(client, "POST", f"/projects/{home['id']}/restore", auth)
    assert [p["name"] for p in listed(client, auth)] == ["Inbox", "Home"]
    assert call(client, "GET", "/tasks", auth)["items"] == []
    # Its own restore brings it and its task back.
    call(client, "POST", f"/projects/{child['id']}/restore", auth)
    assert [t["title"] for t in call(client, "GET", "/tasks", auth)["items"]] == ["weeds"]


def test_restore_under_a_trashed_parent_is_refused(client, auth):
    home = project(client, auth)
    child = project(client, auth, "Garden", parent_id=home["id"])
    call(client, "DELETE", f"/projects/{home['id']}", auth)
    response = client.post(f"{API}/projects/{child['id']}/restore", headers=auth)
    assert response.status_code == 409, response.text


def test_archive_and_unarchive(client, auth, db):
    home = project(client, auth)
    child = project(client, auth, "Garden", parent_id=home["id"])
    archived = call(client, "POST", f"/projects/{home['id']}/archive", auth)
    assert archived["archived"] is True
    assert [p["name"] for p in listed(client, auth)] == ["Inbox"]
    assert {p["name"] for p in listed(client, auth, archived="true")} == {"Home", "Garden"}
    assert call(client, "GET", f"/projects/{child['id']}", auth)["archived"] is True
    refused(client.post(f"{API}/projects/{child['id']}/unarchive", headers=auth), 409, None)
    assert call(client, "POST", f"/projects/{home['id']}/unarchive", auth)["archived"] is False
    assert {p["name"] for p in listed(client, auth)} == {"Inbox", "Home", "Garden"}
    assert listed(client, auth, archived="true") == []
    types = [e["type"] for e in events(db, "project.")]
    assert types.count("project.archived") == 2 and types.count("project.unarchived") == 2


def test_archiving_a_parent_leaves_a_trashed_sub_project_as_it_was(client, auth, db):
    home = project(client, auth)
    child = project(client, auth, "Garden", parent_id=home["id"])
    call(client, "DELETE", f"/projects/{child['id']}", auth)
    call(client, "POST", f"/projects/{home['id']}/archive", auth)
    with Session(get_engine(db)) as session:
        trashed = session.get(Project, uuid.UUID(child["id"]))
        assert trashed is not None and trashed.archived_at is None
    assert [e["data"]["project_id"] for e in events(db, "project.archived")] == [home["id"]]


def test_sections(client, auth, db):
    home = project(client, auth)
    first = call(
        client, "POST", f"/projects/{home['id']}/sections", auth, 201, json={"name": "Now"}
    )
    assert first == {"id": first["id"], "name": "Now", "project_id": home["id"], "position": 0}
    second = call(
        client, "POST", f"/projects/{home['id']}/sections", auth, 201, json={"name": "Later"}
    )
    assert second["position"] == 1
    moved = call(
        client, "PATCH", f"/sections/{second['id']}", auth, json={"name": "Soon", "position": 0}
    )
    assert (moved["name"], moved["position"]) == ("Soon", 0)
    items = call(client, "GET", f"/projects/{home['id']}/sections", auth)["items"]
    assert [(s["name"], s["position"]) for s in items] == [("Soon", 0), ("Now", 1)]
    refused(
        client.post(f"{API}/projects/{home['id']}/sections", json={"name": ""}, headers=auth),
        422,
        "name",
    )
    refused(
        client.patch(f"{API}/sections/{first['id']}", json={"name": "x" * 121}, headers=auth),
        422,
        "name",
    )
    # A task in a section; a section of another project is refused by name.
    placed = task(client, auth, project_id=home["id"], section_id=first["id"])
    assert placed["section_id"] == first["id"]
    assert task(client, auth, section_id=first["id"])["project_id"] == home["id"]
    refused(
        client.post(
            f"{API}/tasks",
            json={"title": "t", "project_id": inbox(client, auth)["id"], "section_id": first["id"]},
            headers=auth,
        ),
        422,
        "section_id",
    )
    # Deleting the section keeps its tasks in the project.
    assert client.delete(f"{API}/sections/{first['id']}", headers=auth).status_code == 204
    kept = call(client, "GET", f"/tasks/{placed['id']}", auth)
    assert (kept["project_id"], kept["section_id"], kept["deleted_at"]) == (home["id"], None, None)
    assert [e["type"] for e in events(db, "section.")] == [
        "section.created",
        "section.created",
        "section.updated",
        "section.deleted",
    ]


def test_another_accounts_projects_and_sections_are_not_found(client, make_user):
    owner, other = make_user(), make_user()
    home = project(client, owner)
    section = call(
        client, "POST", f"/projects/{home['id']}/sections", owner, 201, json={"name": "S"}
    )
    box = inbox(client, owner)
    for method, path, body in [
        ("GET", f"/projects/{home['id']}", None),
        ("PATCH", f"/projects/{home['id']}", {"name": "mine"}),
        ("DELETE", f"/projects/{home['id']}", None),
        ("DELETE", f"/projects/{box['id']}", None),
        ("POST", f"/projects/{home['id']}/archive", None),
        ("POST", f"/projects/{home['id']}/unarchive", None),
        ("POST", f"/projects/{home['id']}/restore", None),
        ("GET", f"/projects/{home['id']}/sections", None),
        ("POST", f"/projects/{home['id']}/sections", {"name": "mine"}),
        ("PATCH", f"/sections/{section['id']}", {"name": "mine"}),
        ("DELETE", f"/sections/{section['id']}", None),
        ("POST", "/projects", {"name": "x", "parent_id": home["id"]}),
        ("POST", "/tasks", {"title": "x", "project_id": home["id"]}),
        ("POST", "/tasks", {"title": "x", "section_id": section["id"]}),
        ("GET", f"/projects/{uuid.uuid4()}", None),
    ]:
        response = client.request(method, f"{API}{path}", json=body, headers=other)
        assert response.status_code == 404, (method, path, response.text)
    mine = project(client, other, "Mine")
    refused(
        client.patch(f"{API}/projects/{mine['id']}", json={"parent_id": home["id"]}, headers=other),
        404,
        None,
    )
    assert [p["name"] for p in listed(client, other)] == ["Inbox", "Mine"]
    assert call(client, "GET", f"/projects/{home['id']}", owner) == home


def test_limits(client, auth, db):
    with Session(get_engine(db)) as session:
        user = session.exec(select(User)).one()
        session.add_all(
            Project(owner_id=user.id, name=f"p{i}", position=i) for i in range(PROJECTS_MAX - 1)
        )
        session.commit()
    response = client.post(f"{API}/projects", json={"name": "one too many"}, headers=auth)
    assert response.status_code == 409 and "500" in response.json()["detail"], response.text
    box = inbox(client, auth)
    with Session(get_engine(db)) as session:
        session.add_all(
            Section(project_id=uuid.UUID(box["id"]), name=f"s{i}", position=i)
            for i in range(SECTIONS_MAX)
        )
        session.commit()
    response = client.post(f"{API}/projects/{box['id']}/sections", json={"name": "x"}, headers=auth)
    assert response.status_code == 409 and "200" in response.json()["detail"], response.text


def test_a_restore_counts_every_project_it_brings_back_against_the_limit(client, auth, db):
    home = project(client, auth)
    project(client, auth, "Garden", parent_id=home["id"])
    call(client, "DELETE", f"/projects/{home['id']}", auth)
    with Session(get_engine(db)) as session:
        user = session.exec(select(User)).one()
        # Inbox + these: one place left, and the restore would bring back two projects.
        session.add_all(
            Project(owner_id=user.id, name=f"p{i}", position=i) for i in range(PROJECTS_MAX - 2)
        )
        session.commit()
    response = client.post(f"{API}/projects/{home['id']}/restore", headers=auth)
    assert response.status_code == 409 and "500" in response.json()["detail"], response.text
    assert "Home" not in {p["name"] for p in listed(client, auth)}


def test_a_task_of_a_trashed_project_comes_back_only_with_it(client, auth):
    home = project(client, auth)
    made = task(client, auth, project_id=home["id"])
    call(client, "DELETE", f"/projects/{home['id']}", auth)
    refused(client.post(f"{API}/tasks/{made['id']}/restore", headers=auth), 409, "project_id")
    assert call(client, "GET", "/tasks", auth, params={"status": "all"})["items"] == []
    call(client, "POST", f"/projects/{home['id']}/restore", auth)
    assert call(client, "GET", f"/tasks/{made['id']}", auth)["deleted_at"] is None


def test_moving_a_project_puts_it_last_under_its_new_parent(client, auth):
    top = project(client, auth, "Top")
    first = project(client, auth, "First", parent_id=top["id"])
    loose = project(client, auth, "Loose")
    moved = call(client, "PATCH", f"/projects/{loose['id']}", auth, json={"parent_id": top["id"]})
    assert (moved["parent_id"], moved["position"]) == (top["id"], first["position"] + 1)
    refused(
        client.patch(
            f"{API}/projects/{inbox(client, auth)['id']}", json={"position": 3}, headers=auth
        ),
        422,
        "position",
    )


def test_access_is_decided_in_one_place(client, auth, monkeypatch):
    """What `permissions` grants is what every route allows (the seam sharing will use)."""
    from todo_app.core.projects import Permission
    from todo_app.services import projects

    home = project(client, auth)
    section = call(
        client, "POST", f"/projects/{home['id']}/sections", auth, 201, json={"name": "S"}
    )
    monkeypatch.setattr(projects, "permissions", lambda *_: frozenset({Permission.view}))
    assert call(client, "GET", f"/projects/{home['id']}", auth)["id"] == home["id"]
    assert call(client, "GET", f"/projects/{home['id']}/sections", auth)["items"] == [section]
    for method, path, body in [
        ("PATCH", f"/projects/{home['id']}", {"name": "x"}),
        ("DELETE", f"/projects/{home['id']}", None),
        ("POST", f"/projects/{home['id']}/archive", None),
        ("POST", f"/projects/{home['id']}/sections", {"name": "x"}),
        ("PATCH", f"/sections/{section['id']}", {"name": "x"}),
        ("DELETE", f"/sections/{section['id']}", None),
        ("POST", "/tasks", {"title": "x", "project_id": home["id"]}),
    ]:
        response = client.request(method, f"{API}{path}", json=body, headers=auth)
        assert response.status_code == 403, (method, path, response.text)
    monkeypatch.setattr(projects, "permissions", lambda *_: frozenset())
    assert client.get(f"{API}/projects/{home['id']}", headers=auth).status_code == 404


def tasks_listed(client: TestClient, headers: Headers, **params: str) -> set[str]:
    page = call(client, "GET", "/tasks", headers, params={"status": "all", **params})
    assert page["total"] == len(page["items"])
    return {t["title"] for t in page["items"]}


def test_the_task_list_filters_by_project_section_and_parent(client, auth, db):
    home = project(client, auth)
    section = call(
        client, "POST", f"/projects/{home['id']}/sections", auth, 201, json={"name": "Now"}
    )
    task(client, auth, title="boxed")
    parent = task(client, auth, title="parent", project_id=home["id"])
    task(client, auth, title="sectioned", section_id=section["id"])
    child = task(client, auth, title="child", project_id=home["id"])
    task(client, auth, title="grandchild", project_id=home["id"])
    with Session(get_engine(db)) as session:
        for title, parent_id in [("child", parent["id"]), ("grandchild", child["id"])]:
            row = session.exec(select(Task).where(Task.title == title)).one()
            row.parent_id = uuid.UUID(parent_id)
            session.add(row)
        session.commit()
    everything = {"boxed", "parent", "sectioned", "child", "grandchild"}
    assert tasks_listed(client, auth) == everything
    assert tasks_listed(client, auth, project_id=home["id"]) == everything - {"boxed"}
    assert tasks_listed(client, auth, section_id=section["id"]) == {"sectioned"}
    assert tasks_listed(client, auth, parent_id="none") == {"boxed", "parent", "sectioned"}
    assert tasks_listed(client, auth, parent_id="None", project_id=home["id"]) == {
        "parent",
        "sectioned",
    }
    assert tasks_listed(client, auth, parent_id=parent["id"]) == {"child"}
    assert tasks_listed(client, auth, parent_id=child["id"]) == {"grandchild"}
    # A saved filter keeps them.
    saved = call(
        client,
        "POST",
        "/filters",
        auth,
        201,
        json={"name": "home", "query": {"project_id": home["id"], "parent_id": "none"}},
    )
    assert saved["query"] == {"project_id": home["id"], "parent_id": "none"}


def test_the_task_list_refuses_what_the_user_may_not_see(client, auth, make_user):
    home = project(client, auth)
    section = call(
        client, "POST", f"/projects/{home['id']}/sections", auth, 201, json={"name": "Now"}
    )
    mine = task(client, auth, project_id=home["id"])
    other = make_user()
    for key, value in [
        ("project_id", home["id"]),
        ("section_id", section["id"]),
        ("parent_id", mine["id"]),
        ("project_id", str(uuid.uuid4())),
        ("section_id", str(uuid.uuid4())),
        ("parent_id", str(uuid.uuid4())),
    ]:
        response = client.get(f"{API}/tasks", params={key: value}, headers=other)
        assert response.status_code == 404, (key, response.text)
    for key in ("project_id", "section_id", "parent_id", "archived"):
        refused(client.get(f"{API}/tasks", params={key: "nope"}, headers=auth), 422, key)
        refused(
            client.post(f"{API}/filters", json={"name": key, "query": {key: "nope"}}, headers=auth),
            422,
            key,
        )
    call(client, "DELETE", f"/projects/{home['id']}", auth)
    refused(client.get(f"{API}/tasks", params={"project_id": home["id"]}, headers=auth), 404, None)


def test_tasks_of_archived_projects_show_only_on_their_own_page(client, auth):
    home = project(client, auth)
    garden = project(client, auth, "Garden", parent_id=home["id"])
    section = call(
        client, "POST", f"/projects/{garden['id']}/sections", auth, 201, json={"name": "Beds"}
    )
    task(client, auth, title="boxed")
    task(client, auth, title="home task", project_id=home["id"])
    task(client, auth, title="garden task", section_id=section["id"])
    everything = {"boxed", "home task", "garden task"}
    assert tasks_listed(client, auth) == everything
    assert tasks_listed(client, auth, archived="true") == set()
    assert tasks_listed(client, auth, archived="false") == everything
    call(client, "POST", f"/projects/{home['id']}/archive", auth)
    assert tasks_listed(client, auth) == {"boxed"}
    assert tasks_listed(client, auth, archived="false") == {"boxed"}
    assert tasks_listed(client, auth, q="task") == set()
    assert tasks_listed(client, auth, archived="true") == {"home task", "garden task"}
    assert tasks_listed(client, auth, archived="true", q="garden") == {"garden task"}
    assert tasks_listed(client, auth, project_id=home["id"]) == {"home task"}
    assert tasks_listed(client, auth, project_id=garden["id"]) == {"garden task"}
    assert tasks_listed(client, auth, section_id=section["id"]) == {"garden task"}
    assert tasks_listed(client, auth, project_id=home["id"], archived="true") == {"home task"}
    box = inbox(client, auth)
    assert tasks_listed(client, auth, project_id=box["id"], archived="true") == set()
    call(client, "POST", f"/projects/{home['id']}/unarchive", auth)
    assert tasks_listed(client, auth) == everything
    assert tasks_listed(client, auth, archived="true") == set()
