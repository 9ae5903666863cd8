"""Task lifecycle through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from todo_app.db import get_engine
from todo_app.models import OutboxEvent, Task

API = "/api/v1"


def create(client: TestClient, headers: dict[str, str], **fields: object) -> dict:
    response = client.post(f"{API}/tasks", json={"title": "Task", **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def all_tasks(client: TestClient, headers: dict[str, str], **params: str) -> list[dict]:
    response = client.get(f"{API}/tasks", params={"status": "all", **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def outbox_types(db: str) -> list[str]:
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        return [row.payload["type"] for row in rows]


def test_create_carries_every_field(client, make_user, db):
    headers = make_user(timezone="Europe/Berlin")
    task = create(
        client,
        headers,
        title="  Buy milk  ",
        description="2 litres",
        priority="high",
        tags=["Errands", "errands", " home "],
        due_at="2026-12-01T17:00",
        rrule="weekly",
        reminders=["2026-12-01T08:00:00Z"],
        remind_before_minutes=[30],
    )
    assert task["title"] == "Buy milk"
    assert task["tags"] == ["Errands", "home"]
    # 17:00 in Berlin (CET, UTC+1) is 16:00 UTC.
    assert task["due_at"] == "2026-12-01T16:00:00Z"
    assert task["all_day"] is False
    assert task["rrule"] == "FREQ=WEEKLY"
    assert task["occurrence_at"] == task["due_at"]
    assert task["reminders"] == ["2026-12-01T08:00:00Z", "2026-12-01T15:30:00Z"]
    assert task["remind_before_minutes"] == [30]
    assert task["version"] == 1
    fetched = client.get(f"{API}/tasks/{task['id']}", headers=headers).json()
    assert fetched == task
    assert outbox_types(db) == ["auth.registered", "task.created"]


def test_date_only_due_is_all_day_in_user_timezone(client, make_user):
    headers = make_user(timezone="America/New_York")
    task = create(client, headers, due_at="2026-12-25")
    assert task["all_day"] is True
    assert task["due_at"] == "2026-12-25T05:00:00Z"


def test_bad_input_names_the_field_and_changes_nothing(client, auth, db):
    cases = [
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"title": "ok", "description": "d" * 5001}, "description"),
        ({"title": "ok", "priority": "urgent"}, "priority"),
        ({"title": "ok", "tags": ["x" * 51]}, "tags"),
        ({"title": "ok", "tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"title": "ok", "due_at": "next tuesday"}, "due_at"),
        ({"title": "ok", "rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"title": "ok", "repeat_from": "whenever"}, "repeat_from"),
        ({"title": "ok", "remind_before_minutes": [10]}, "remind_before_minutes"),
        ({"title": "ok", "reminders": ["soon"]}, "reminders"),
        ({"title": "ok", "colour": "red"}, "colour"),
        ({"title": 5}, "title"),
        ({"title": "bad\x00title"}, "title"),
    ]
    for body, field in cases:
        response = client.post(f"{API}/tasks", json=body, headers=auth)
        assert response.status_code == 422, (body, response.text)
        payload = response.json()
        assert payload["field"] == field, (body, payload)
        assert field in payload["detail"], payload
    assert all_tasks(client, auth) == []
    assert "task.created" not in outbox_types(db)


def test_another_users_task_is_a_404_everywhere(client, make_user):
    owner, intruder = make_user(), make_user()
    task = create(client, owner, title="private")
    task_id = task["id"]
    for method, path, body in [
        ("get", f"/tasks/{task_id}", None),
        ("patch", f"/tasks/{task_id}", {"title": "mine now"}),
        ("delete", f"/tasks/{task_id}", None),
        ("post", f"/tasks/{task_id}/complete", None),
        ("post", f"/tasks/{task_id}/uncomplete", None),
        ("post", f"/tasks/{task_id}/skip", None),
        ("post", f"/tasks/{task_id}/restore", None),
        ("get", f"/tasks/{task_id}/occurrences", None),
        ("post", "/tasks/reorder", {"ids": [task_id]}),
    ]:
        response = client.request(method, f"{API}{path}", json=body, headers=intruder)
        assert response.status_code == 404, (method, path, response.text)
    assert all_tasks(client, intruder) == []
    assert client.get(f"{API}/tasks/{task_id}", headers=owner).json() == task


def test_requests_without_valid_token_are_401(client, auth):
    task = create(client, auth)
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = client.get(f"{API}/tasks/{task['id']}", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_partial_update_and_version(client, auth, db):
    task = create(client, auth, title="Draft", priority="low", tags=["a"], due_at="2026-12-01")
    response = client.patch(
        f"{API}/tasks/{task['id']}", json={"priority": "high", "version": 1}, headers=auth
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["priority"] == "high"
    assert updated["title"] == "Draft" and updated["tags"] == ["a"]
    assert updated["due_at"] == task["due_at"] and updated["all_day"] is True
    assert updated["version"] == 2
    assert updated["updated_at"] > task["updated_at"]
    stale = client.patch(
        f"{API}/tasks/{task['id']}", json={"title": "Overwrite", "version": 1}, headers=auth
    )
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    assert stale.json()["current"]["priority"] == "high"
    assert client.get(f"{API}/tasks/{task['id']}", headers=auth).json()["title"] == "Draft"
    cleared = client.patch(f"{API}/tasks/{task['id']}", json={"due_at": None}, headers=auth)
    assert cleared.json()["due_at"] is None and cleared.json()["all_day"] is False
    assert outbox_types(db).count("task.updated") == 2


def test_relative_reminders_follow_the_due_date(client, auth):
    task = create(client, auth, due_at="2026-12-01T10:00:00Z", remind_before_minutes=[60])
    assert task["reminders"] == ["2026-12-01T09:00:00Z"]
    moved = client.patch(
        f"{API}/tasks/{task['id']}", json={"due_at": "2026-12-03T10:00:00Z"}, headers=auth
    ).json()
    assert moved["reminders"] == ["2026-12-03T09:00:00Z"]
    replaced = client.patch(
        f"{API}/tasks/{task['id']}",
        json={"reminders": ["2026-12-02T12:00:00Z"], "remind_before_minutes": []},
        headers=auth,
    ).json()
    assert replaced["reminders"] == ["2026-12-02T12:00:00Z"]
    assert replaced["remind_before_minutes"] == []


def last_snapshot(db: str) -> dict:
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        return rows[-1].payload["data"]["task"]


def test_changes_that_leave_reminders_alone_still_show_them(client, auth, db):
    task = create(
        client,
        auth,
        due_at="2026-12-01T10:00:00Z",
        reminders=["2026-11-30T18:00:00Z"],
        remind_before_minutes=[60, 15],
    )
    both = ["2026-11-30T18:00:00Z", "2026-12-01T09:00:00Z", "2026-12-01T09:45:00Z"]
    assert task["reminders"] == both
    url = f"{API}/tasks/{task['id']}"
    renamed = client.patch(url, json={"title": "Renamed"}, headers=auth).json()
    assert renamed["reminders"] == both and renamed["remind_before_minutes"] == [15, 60]
    # The event goes to every member of the project: it carries nobody's reminders.
    assert {"reminders", "remind_before_minutes"}.isdisjoint(last_snapshot(db))
    unchanged = client.patch(url, json={"title": "Renamed"}, headers=auth).json()
    assert unchanged["reminders"] == both and unchanged["version"] == renamed["version"]
    stale = client.patch(url, json={"title": "Again", "version": 1}, headers=auth)
    assert stale.status_code == 409 and stale.json()["current"]["reminders"] == both
    # Changing one kind of reminder keeps the other kind as it was.
    offsets = client.patch(url, json={"remind_before_minutes": [30]}, headers=auth).json()
    assert offsets["reminders"] == ["2026-11-30T18:00:00Z", "2026-12-01T09:30:00Z"]
    instants = client.patch(url, json={"reminders": ["2026-11-29T08:00:00Z"]}, headers=auth)
    assert instants.json()["reminders"] == ["2026-11-29T08:00:00Z", "2026-12-01T09:30:00Z"]
    assert instants.json()["remind_before_minutes"] == [30]
    done = client.post(f"{url}/complete", headers=auth).json()
    assert done["completed"] is True
    assert done["reminders"] == ["2026-11-29T08:00:00Z", "2026-12-01T09:30:00Z"]
    again = client.post(f"{url}/complete", headers=auth).json()
    assert again["reminders"] == done["reminders"]
    assert client.get(url, headers=auth).json()["reminders"] == done["reminders"]


def test_complete_recurring_creates_next_occurrence_once_and_undo_removes_it(client, make_user, db):
    headers = make_user(timezone="America/New_York")
    # 09:00 New York daily, across the DST end on 2026-11-01.
    task = create(
        client,
        headers,
        title="Stretch",
        due_at="2026-10-31T09:00",
        rrule="daily",
        remind_before_minutes=[15],
        tags=["health"],
    )
    assert task["due_at"] == "2026-10-31T13:00:00Z"
    done = client.post(f"{API}/tasks/{task['id']}/complete", headers=headers).json()
    assert done["completed"] is True and done["completed_at"] is not None
    again = client.post(f"{API}/tasks/{task['id']}/complete", headers=headers)
    assert again.status_code == 200
    active = all_tasks(client, headers, status="active")
    assert len(active) == 1
    successor = active[0]
    # Still 09:00 local, now EST (UTC-5).
    assert successor["due_at"] == "2026-11-01T14:00:00Z"
    assert successor["series_id"] == task["series_id"]
    assert successor["tags"] == ["health"] and successor["title"] == "Stretch"
    assert successor["reminders"] == ["2026-11-01T13:45:00Z"]
    assert successor["remind_before_minutes"] == [15]
    client.post(f"{API}/tasks/{task['id']}/uncomplete", headers=headers)
    remaining = all_tasks(client, headers)
    assert [t["id"] for t in remaining] == [task["id"]]
    assert remaining[0]["completed"] is False
    types = outbox_types(db)
    assert types.count("task.completed") == 1
    assert types.count("task.uncompleted") == 1
    assert types.count("task.deleted") == 1


def test_count_ends_a_series(client, auth):
    task = create(client, auth, due_at="2026-12-01T09:00:00Z", rrule="FREQ=DAILY;COUNT=3")
    current = task
    seen = [task["due_at"]]
    for _ in range(3):
        client.post(f"{API}/tasks/{current['id']}/complete", headers=auth)
        active = all_tasks(client, auth, status="active")
        if not active:
            break
        current = active[0]
        seen.append(current["due_at"])
    assert seen == ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z", "2026-12-03T09:00:00Z"]
    assert all_tasks(client, auth, status="active") == []


def test_repeat_from_completion_anchors_on_completion_day(client, auth, db):
    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    due = start - timedelta(days=10)
    task = create(
        client,
        auth,
        due_at=due.isoformat(),
        rrule="FREQ=DAILY;INTERVAL=3",
        repeat_from="completion",
    )
    client.post(f"{API}/tasks/{task['id']}/complete", headers=auth)
    successor = all_tasks(client, auth, status="active")[0]
    expected = start + timedelta(days=3)
    assert successor["due_at"] == expected.isoformat().replace("+00:00", "Z")


def test_skip_advances_without_completing(client, auth, db):
    task = create(client, auth, due_at="2026-12-07T09:00:00Z", rrule="FREQ=WEEKLY")
    skipped = client.post(f"{API}/tasks/{task['id']}/skip", headers=auth).json()
    assert skipped["completed"] is False and skipped["deleted_at"] is not None
    active = all_tasks(client, auth)
    assert [t["due_at"] for t in active] == ["2026-12-14T09:00:00Z"]
    assert "task.skipped" in outbox_types(db)
    plain = create(client, auth, title="once")
    refused = client.post(f"{API}/tasks/{plain['id']}/skip", headers=auth)
    assert refused.status_code == 409 and refused.json()["field"] == "rrule"


def test_delete_and_restore(client, auth):
    task = create(client, auth, title="Oops")
    deleted = client.delete(f"{API}/tasks/{task['id']}", headers=auth).json()
    assert deleted["deleted_at"] is not None
    assert all_tasks(client, auth) == []
    assert (
        client.patch(f"{API}/tasks/{task['id']}", json={"title": "x"}, headers=auth).status_code
        == 404
    )
    restored = client.post(f"{API}/tasks/{task['id']}/restore", headers=auth).json()
    assert restored["deleted_at"] is None
    assert [t["id"] for t in all_tasks(client, auth)] == [task["id"]]


def test_new_tasks_go_on_top_and_reorder_persists(client, auth):
    ids = [create(client, auth, title=f"T{i}")["id"] for i in range(4)]
    assert [t["title"] for t in all_tasks(client, auth)] == ["T3", "T2", "T1", "T0"]
    response = client.post(
        f"{API}/tasks/reorder", json={"ids": [ids[0], ids[1], ids[3]]}, headers=auth
    )
    assert response.status_code == 200
    ordered = [t["title"] for t in all_tasks(client, auth, sort_by="position")]
    # The three take the three places they held between them; T2 keeps its own.
    assert ordered == ["T0", "T2", "T1", "T3"]
    full = client.post(f"{API}/tasks/reorder", json={"ids": ids}, headers=auth)
    assert [t["position"] for t in full.json()] == [-3, -2, -1, 0]
    assert [t["title"] for t in all_tasks(client, auth)] == ["T0", "T1", "T2", "T3"]
    duplicate = client.post(f"{API}/tasks/reorder", json={"ids": [ids[0], ids[0]]}, headers=auth)
    assert duplicate.status_code == 422 and duplicate.json()["field"] == "ids"


def test_occurrences_preview(client, make_user):
    headers = make_user(timezone="Europe/Berlin")
    task = create(client, headers, due_at="2027-03-26T09:00", rrule="FREQ=DAILY;COUNT=4")
    preview = client.get(f"{API}/tasks/{task['id']}/occurrences?n=5", headers=headers).json()
    # 09:00 Berlin: CET (+1) until the 28th, then CEST (+2); COUNT=4 leaves 3 after this one.
    assert preview["occurrences"] == [
        "2027-03-27T08:00:00Z",
        "2027-03-28T07:00:00Z",
        "2027-03-29T07:00:00Z",
    ]
    assert preview["description"].startswith("every day")
    bad = client.get(f"{API}/tasks/{task['id']}/occurrences?n=0", headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "n"


def test_recurrence_without_date_starts_at_first_occurrence(client, auth):
    task = create(client, auth, rrule="FREQ=WEEKLY;BYDAY=MO")
    assert task["all_day"] is True
    due = datetime.fromisoformat(task["due_at"])
    assert due.weekday() == 0 and due.date() >= datetime.now(UTC).date()


def test_unique_series_slot_is_enforced(client, auth, db):
    task = create(client, auth, due_at="2026-12-01T09:00:00Z", rrule="daily")
    client.post(f"{API}/tasks/{task['id']}/complete", headers=auth)
    successor = all_tasks(client, auth, status="active")[0]
    clash = client.patch(
        f"{API}/tasks/{successor['id']}", json={"due_at": "2026-12-01T09:00:00Z"}, headers=auth
    )
    assert clash.status_code == 409 and clash.json()["field"] == "due_at"
    with Session(get_engine(db)) as session:
        rows = session.exec(select(Task).where(Task.series_id == uuid.UUID(task["series_id"])))
        assert len(rows.all()) == 2


def test_oversized_body_is_413_and_unknown_route_404(client, auth):
    response = client.post(
        f"{API}/tasks",
        content=b"{" + b" " * (65 * 1024) + b"}",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["field"] == "body"
    assert all_tasks(client, auth) == []
    assert client.get(f"{API}/nothing-here", headers=auth).status_code == 404


def test_snooze_adds_a_reminder_and_keeps_pending_ones(client, auth, db):
    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    task = create(client, auth, reminders=[later.isoformat()])
    before = datetime.now(UTC)
    response = client.post(f"{API}/tasks/{task['id']}/snooze", json={"minutes": 10}, headers=auth)
    assert response.status_code == 200, response.text
    snoozed = response.json()
    reminders = sorted(datetime.fromisoformat(r) for r in snoozed["reminders"])
    assert reminders[1] == later
    assert before + timedelta(minutes=9) < reminders[0] <= before + timedelta(minutes=10, seconds=1)
    assert snoozed["version"] == task["version"] + 1
    assert outbox_types(db)[-1] == "task.updated"

    for bad in ({"minutes": 0}, {"minutes": 10081}, {"minutes": "soon"}, {}):
        refused = client.post(f"{API}/tasks/{task['id']}/snooze", json=bad, headers=auth)
        assert refused.status_code == 422, bad
        assert "minutes" in refused.text
    again = client.get(f"{API}/tasks/{task['id']}", headers=auth).json()
    assert again["version"] == snoozed["version"]
