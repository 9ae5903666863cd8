"""Subtasks and moves through the REST API, on SQLite and PostgreSQL: what a user who breaks
a job into steps, and drags it around, relies on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from test_projects import call, events, project, refused, task

from todo_app.services.subtasks import LEVELS_BELOW


def subtask(client, headers, parent: dict, title: str = "Step", **fields) -> dict:
    return task(client, headers, title=title, parent_id=parent["id"], **fields)


def get(client, headers, item: dict) -> dict:
    return call(client, "GET", f"/tasks/{item['id']}", headers)


def move(client, headers, item: dict, expected: int = 200, **fields) -> dict:
    return call(client, "POST", f"/tasks/{item['id']}/move", headers, expected, json=fields)


def titles(client, headers, **params: str) -> list[str]:
    page = call(client, "GET", "/tasks", headers, params={"sort_by": "position", **params})
    return [item["title"] for item in page["items"]]


def test_a_subtask_goes_to_its_parents_project_and_section_and_counts(client, auth):
    home = project(client, auth, "Home")
    kitchen = call(
        client, "POST", f"/projects/{home['id']}/sections", auth, 201, json={"name": "K"}
    )
    parent = task(client, auth, title="Paint kitchen", section_id=kitchen["id"])
    assert parent["subtasks"] == {"open": 0, "total": 0}
    steps = [subtask(client, auth, parent, title) for title in ("Buy paint", "Tape", "Paint")]
    assert {(s["project_id"], s["section_id"], s["parent_id"]) for s in steps} == {
        (home["id"], kitchen["id"], parent["id"])
    }
    # Steps keep the order they were added in.
    assert titles(client, auth, parent_id=parent["id"]) == ["Buy paint", "Tape", "Paint"]
    call(client, "POST", f"/tasks/{steps[0]['id']}/complete", auth)
    assert get(client, auth, parent)["subtasks"] == {"open": 2, "total": 3}
    # The list shows the same progress, and a deleted step no longer counts.
    call(client, "DELETE", f"/tasks/{steps[2]['id']}", auth)
    (row,) = call(client, "GET", "/tasks", auth, params={"parent_id": "none"})["items"]
    assert row["subtasks"] == {"open": 1, "total": 2}


def test_completing_cascades_and_undo_reopens_exactly_those(client, auth):
    parent = task(client, auth, title="Move house")
    done_before = subtask(client, auth, parent, "Book van")
    box = subtask(client, auth, parent, "Pack")
    deep = subtask(client, auth, box, "Pack books")
    call(client, "POST", f"/tasks/{done_before['id']}/complete", auth)
    completed = call(client, "POST", f"/tasks/{parent['id']}/complete", auth)
    assert completed["completed"] and completed["subtasks"] == {"open": 0, "total": 2}
    assert all(get(client, auth, t)["completed"] for t in (box, deep, done_before))
    call(client, "POST", f"/tasks/{parent['id']}/uncomplete", auth)
    assert not get(client, auth, parent)["completed"]
    assert not get(client, auth, box)["completed"] and not get(client, auth, deep)["completed"]
    assert get(client, auth, done_before)["completed"], "completed before: stays completed"


def test_completing_the_last_subtask_leaves_the_parent_open(client, auth):
    parent = task(client, auth, title="Trip")
    only = subtask(client, auth, parent, "Passport")
    call(client, "POST", f"/tasks/{only['id']}/complete", auth)
    after = get(client, auth, parent)
    assert not after["completed"] and after["subtasks"] == {"open": 0, "total": 1}


def test_a_recurring_task_gets_fresh_open_copies_of_its_subtasks(client, auth, db):
    due = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    parent = task(client, auth, title="Weekly review", due_at=due.isoformat(), rrule="weekly")
    inbox_step = subtask(client, auth, parent, "Empty inbox")
    deep = subtask(client, auth, inbox_step, "Archive mail", due_at=due.isoformat())
    gone = subtask(client, auth, parent, "Old step")
    call(client, "DELETE", f"/tasks/{gone['id']}", auth)
    call(client, "POST", f"/tasks/{parent['id']}/complete", auth)
    (following,) = call(
        client, "GET", "/tasks", auth, params={"parent_id": "none", "q": "Weekly review"}
    )["items"]
    assert following["id"] != parent["id"] and following["subtasks"] == {"open": 1, "total": 1}
    (copy,) = call(client, "GET", "/tasks", auth, params={"parent_id": following["id"]})["items"]
    assert (
        copy["title"] == "Empty inbox" and not copy["completed"] and copy["id"] != inbox_step["id"]
    )
    (deep_copy,) = call(client, "GET", "/tasks", auth, params={"parent_id": copy["id"]})["items"]
    assert deep_copy["title"] == "Archive mail"
    # The copy is due as much later as the occurrence moved.
    moved = datetime.fromisoformat(following["due_at"]) - datetime.fromisoformat(parent["due_at"])
    assert (
        datetime.fromisoformat(deep_copy["due_at"])
        == datetime.fromisoformat(deep["due_at"]) + moved
    )
    # The done occurrence keeps its own (completed) steps.
    assert get(client, auth, inbox_step)["completed"]
    created = [e["data"]["task"]["title"] for e in events(db, "task.created")]
    assert created.count("Empty inbox") == 2 and created.count("Old step") == 1
    # Undo takes the untouched next occurrence away, copies included, once.
    call(client, "POST", f"/tasks/{parent['id']}/uncomplete", auth)
    assert call(client, "GET", f"/tasks/{copy['id']}", auth, 404) is not None
    assert titles(client, auth, q="Weekly review") == ["Weekly review"]


def test_deleting_a_parent_trashes_its_subtasks_and_restore_brings_back_those(client, auth):
    parent = task(client, auth, title="Party")
    deleted_before = subtask(client, auth, parent, "Old idea")
    kept = subtask(client, auth, parent, "Invite")
    call(client, "DELETE", f"/tasks/{deleted_before['id']}", auth)
    call(client, "DELETE", f"/tasks/{parent['id']}", auth)
    assert titles(client, auth, status="all") == []
    refused(client.post(f"/api/v1/tasks/{kept['id']}/restore", headers=auth), 409, "parent_id")
    call(client, "POST", f"/tasks/{parent['id']}/restore", auth)
    assert sorted(titles(client, auth)) == ["Invite", "Party"]


def test_subtask_rules_are_422_naming_the_field_and_change_nothing(client, auth, make_user):
    chain = [task(client, auth, title="Level 0")]
    for level in range(1, LEVELS_BELOW + 1):
        chain.append(subtask(client, auth, chain[-1], f"Level {level}"))
    refused(
        client.post(
            "/api/v1/tasks", headers=auth, json={"title": "x", "parent_id": chain[-1]["id"]}
        ),
        422,
        "parent_id",
    )
    refused(
        client.post(
            f"/api/v1/tasks/{chain[0]['id']}/move", headers=auth, json={"parent_id": chain[2]["id"]}
        ),
        422,
        "parent_id",
    )
    refused(
        client.post(
            f"/api/v1/tasks/{chain[1]['id']}/move", headers=auth, json={"parent_id": chain[1]["id"]}
        ),
        422,
        "parent_id",
    )
    other = task(client, auth, title="Other top")
    # Level 1 holds two levels below it: under a subtask it would be too deep.
    refused(
        client.patch(
            f"/api/v1/tasks/{chain[1]['id']}",
            headers=auth,
            json={"parent_id": subtask(client, auth, other, "s")["id"]},
        ),
        422,
        "parent_id",
    )
    elsewhere = project(client, auth, "Elsewhere")
    refused(
        client.post(
            "/api/v1/tasks",
            headers=auth,
            json={"title": "x", "parent_id": other["id"], "project_id": elsewhere["id"]},
        ),
        422,
        "project_id",
    )
    assert [get(client, auth, t)["parent_id"] for t in chain] == [None] + [
        t["id"] for t in chain[:-1]
    ]
    stranger = make_user("stranger@example.com")
    for body in (
        {"title": "x", "parent_id": other["id"]},
        {"title": "x", "parent_id": str(uuid.uuid4())},
    ):
        assert client.post("/api/v1/tasks", headers=stranger, json=body).status_code == 404
    theirs = task(client, stranger, title="Theirs")
    assert (
        client.post(
            f"/api/v1/tasks/{theirs['id']}/move", headers=auth, json={"position": 0}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/tasks/{other['id']}/move", headers=auth, json={"parent_id": theirs["id"]}
        ).status_code
        == 404
    )
    refused(
        client.post(f"/api/v1/tasks/{other['id']}/move", headers=auth, json={"position": -1}),
        422,
        "position",
    )


def test_moving_a_task_takes_its_subtasks_along(client, auth, db):
    home, work = project(client, auth, "Home"), project(client, auth, "Work")
    done = call(
        client, "POST", f"/projects/{work['id']}/sections", auth, 201, json={"name": "Done"}
    )
    parent = task(client, auth, title="Report", project_id=home["id"])
    step = subtask(client, auth, parent, "Draft")
    deeper = subtask(client, auth, step, "Outline")
    moved = move(client, auth, parent, section_id=done["id"])
    assert (moved["project_id"], moved["section_id"]) == (work["id"], done["id"])
    for below in (step, deeper):
        assert (get(client, auth, below)["project_id"], get(client, auth, below)["section_id"]) == (
            work["id"],
            done["id"],
        )
    assert titles(client, auth, project_id=home["id"]) == []
    changed = [
        e["data"]["changed"]
        for e in events(db, "task.updated")
        if e["data"]["task_id"] == step["id"]
    ]
    assert changed == [["project_id", "section_id"]]
    # Out of its parent: a subtask becomes a top task of the place it is sent to.
    top = move(client, auth, deeper, parent_id=None)
    assert top["parent_id"] is None and top["section_id"] == done["id"]
    assert get(client, auth, step)["subtasks"] == {"open": 0, "total": 0}
    # PATCH moves too.
    patched = call(client, "PATCH", f"/tasks/{parent['id']}", auth, json={"project_id": home["id"]})
    assert (patched["project_id"], patched["section_id"]) == (home["id"], None)
    assert get(client, auth, step)["project_id"] == home["id"]


def test_position_is_an_index_among_siblings(client, auth):
    box = project(client, auth, "Box")
    a, b, c = (task(client, auth, title=name, project_id=box["id"]) for name in "abc")
    assert titles(client, auth, project_id=box["id"]) == ["c", "b", "a"]
    move(client, auth, c, position=2)
    assert titles(client, auth, project_id=box["id"]) == ["b", "a", "c"]
    move(client, auth, b, position=1)
    assert titles(client, auth, project_id=box["id"]) == ["a", "b", "c"]
    move(client, auth, c, position=0)
    assert titles(client, auth, project_id=box["id"]) == ["c", "a", "b"]
    # Another project: last unless a position is given.
    other = project(client, auth, "Other")
    x = task(client, auth, title="x", project_id=other["id"])
    move(client, auth, a, project_id=other["id"])
    move(client, auth, b, project_id=other["id"], position=0)
    assert titles(client, auth, project_id=other["id"]) == ["b", "x", "a"]
    assert titles(client, auth, project_id=box["id"]) == ["c"]
    assert get(client, auth, x)["project_id"] == other["id"]
