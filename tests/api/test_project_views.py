"""Saved filters, tag counts, stats, the activity log and the calendar feed know projects:
each can be narrowed to one project, and none counts what is in the trash or (unless asked)
in an archived project. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, select
from test_projects import API, Headers, call, project, refused

from todo_app.db import get_engine
from todo_app.models import OutboxEvent
from todo_app.services import audit


def task(client: TestClient, headers: Headers, title: str, **fields: Any) -> dict:
    return call(client, "POST", "/tasks", headers, 201, json={"title": title, **fields})


def titles(client: TestClient, headers: Headers, **params: str) -> set[str]:
    page = call(client, "GET", "/tasks", headers, params={"status": "all", **params})
    return {item["title"] for item in page["items"]}


def tags(client: TestClient, headers: Headers, **params: str) -> dict[str, tuple[int, int]]:
    found = call(client, "GET", "/tags", headers, params=params)
    return {tag["name"]: (tag["count"], tag["total"]) for tag in found}


def world(client: TestClient, headers: Headers) -> dict[str, dict]:
    """Work (with a section and a subtask), an archived Old and a trashed Gone, each holding
    tagged tasks, and a tagged task in the Inbox."""
    work = project(client, headers, "Work", color="teal")
    section = call(
        client, "POST", f"/projects/{work['id']}/sections", headers, 201, json={"name": "Now"}
    )
    report = task(client, headers, "Report", project_id=work["id"], tags=["desk"])
    sectioned = task(client, headers, "Slides", section_id=section["id"], tags=["desk", "talk"])
    done = task(client, headers, "Sent", project_id=work["id"], tags=["desk"])
    call(client, "POST", f"/tasks/{done['id']}/complete", headers)
    old = project(client, headers, "Old")
    task(client, headers, "Archived thing", project_id=old["id"], tags=["desk", "attic"])
    call(client, "POST", f"/projects/{old['id']}/archive", headers)
    gone = project(client, headers, "Gone")
    task(client, headers, "Trashed thing", project_id=gone["id"], tags=["desk", "bin"])
    call(client, "DELETE", f"/projects/{gone['id']}", headers)
    task(client, headers, "Milk", tags=["shop"])
    return {
        "work": work,
        "section": section,
        "report": report,
        "sectioned": sectioned,
        "old": old,
        "gone": gone,
    }


# -- saved filters ---------------------------------------------------------------------------


def test_saved_filters_keep_and_apply_the_project_parameters(client, auth):
    made = world(client, auth)
    work, section = made["work"], made["section"]
    queries = {
        "work": {"project_id": work["id"], "status": "all"},
        "now": {"section_id": section["id"]},
        "top": {"project_id": work["id"], "parent_id": "none"},
        "attic": {"archived": "true"},
    }
    for name, query in queries.items():
        saved = call(client, "POST", "/filters", auth, 201, json={"name": name, "query": query})
        assert saved["query"] == query
    kept = {f["name"]: f["query"] for f in call(client, "GET", "/filters", auth)}
    assert kept == queries
    applied = {name: titles(client, auth, **query) for name, query in kept.items()}
    assert applied == {
        "work": {"Report", "Slides", "Sent"},
        "now": {"Slides"},
        "top": {"Report", "Slides", "Sent"},
        "attic": {"Archived thing"},
    }


def test_a_saved_filter_names_only_the_users_own_live_things(client, make_user):
    owner, other = make_user(), make_user()
    made = world(client, owner)
    theirs = world(client, other)
    for key, value in [
        ("project_id", theirs["work"]["id"]),
        ("section_id", theirs["section"]["id"]),
        ("parent_id", theirs["report"]["id"]),
        ("project_id", made["gone"]["id"]),
        ("project_id", str(uuid.uuid4())),
    ]:
        body = {"name": "peek", "query": {key: value}}
        response = client.post(f"{API}/filters", json=body, headers=owner)
        assert response.status_code == 404, (key, response.text)
        assert "Work" not in response.text
    for key in ("project_id", "section_id", "parent_id"):
        body = {"name": "bad", "query": {key: "not-a-uuid"}}
        refused(client.post(f"{API}/filters", json=body, headers=owner), 422, key)
    assert call(client, "GET", "/filters", owner) == []


def test_a_saved_filter_of_a_project_trashed_later_shows_nothing_of_it(client, auth):
    made = world(client, auth)
    query = {"project_id": made["work"]["id"], "status": "all"}
    call(client, "POST", "/filters", auth, 201, json={"name": "work", "query": query})
    call(client, "DELETE", f"/projects/{made['work']['id']}", auth)
    response = client.get(f"{API}/tasks", params=query, headers=auth)
    assert response.status_code == 404 and "Report" not in response.text
    call(client, "POST", f"/projects/{made['work']['id']}/restore", auth)
    assert titles(client, auth, **query) == {"Report", "Slides", "Sent"}


# -- tag counts ------------------------------------------------------------------------------


def test_tag_counts_leave_out_the_trash_and_archived_projects_unless_asked(client, auth):
    made = world(client, auth)
    assert tags(client, auth) == {"desk": (2, 3), "talk": (1, 1), "shop": (1, 1)}
    assert tags(client, auth, project_id=made["work"]["id"]) == {"desk": (2, 3), "talk": (1, 1)}
    assert tags(client, auth, project_id=made["old"]["id"]) == {"desk": (1, 1), "attic": (1, 1)}
    assert tags(client, auth, archived="true") == {"desk": (1, 1), "attic": (1, 1)}
    inbox = call(client, "GET", "/projects", auth)["items"][0]
    assert tags(client, auth, project_id=inbox["id"]) == {"shop": (1, 1)}
    refused(
        client.get(f"{API}/tags", params={"project_id": made["gone"]["id"]}, headers=auth),
        404,
        None,
    )
    call(client, "POST", f"/projects/{made['gone']['id']}/restore", auth)
    assert tags(client, auth)["bin"] == (1, 1)


def test_tag_counts_of_another_users_project_or_a_bad_id(client, make_user):
    owner, other = make_user(), make_user()
    theirs = world(client, other)
    response = client.get(f"{API}/tags", params={"project_id": theirs["work"]["id"]}, headers=owner)
    refused(response, 404, None)
    assert "desk" not in response.text
    for params in (
        {"project_id": "nope"},
        {"archived": "maybe"},
        {"section_id": str(uuid.uuid4())},
    ):
        response = client.get(f"{API}/tags", params=params, headers=owner)
        refused(response, 422, next(iter(params)))


# -- stats -----------------------------------------------------------------------------------


def test_stats_of_everything_and_of_one_project(client, auth):
    made = world(client, auth)
    every = call(client, "GET", "/stats", auth)
    assert every["project_id"] is None
    assert len(every["completed_per_day"]) == 30
    assert sum(day["completed"] for day in every["completed_per_day"]) == 1
    # Report (medium), Slides, Milk: the archived and trashed ones are not counted.
    assert every["open_by_priority"] == {"high": 0, "medium": 3, "low": 0}
    assert {(t["name"], t["count"]) for t in every["open_by_tag"]} == {
        ("desk", 2),
        ("talk", 1),
        ("shop", 1),
    }
    rows = [(p["name"], p["open"], p["completed"]) for p in every["by_project"]]
    assert rows == [("Inbox", 1, 0), ("Work", 2, 1)]
    work = call(client, "GET", "/stats", auth, params={"project_id": made["work"]["id"]})
    assert work["project_id"] == made["work"]["id"]
    assert work["open_by_priority"]["medium"] == 2
    assert [(p["name"], p["open"], p["completed"]) for p in work["by_project"]] == [("Work", 2, 1)]
    old = call(client, "GET", "/stats", auth, params={"project_id": made["old"]["id"]})
    assert old["open_by_priority"]["medium"] == 1
    assert {t["name"] for t in old["open_by_tag"]} == {"desk", "attic"}


def test_stats_refuse_another_users_trashed_or_malformed_project(client, make_user):
    owner, other = make_user(), make_user()
    made = world(client, owner)
    theirs = world(client, other)
    for project_id in (theirs["work"]["id"], made["gone"]["id"], str(uuid.uuid4())):
        response = client.get(f"{API}/stats", params={"project_id": project_id}, headers=owner)
        refused(response, 404, None)
    refused(
        client.get(f"{API}/stats", params={"project_id": "x"}, headers=owner), 422, "project_id"
    )
    refused(client.get(f"{API}/stats", params={"days": "7"}, headers=owner), 422, "days")


# -- the activity log ------------------------------------------------------------------------


def audited(db: str) -> None:
    """What the audit worker does with every event: one log row each."""
    with Session(get_engine(db)) as session:
        events = [row.payload for row in session.exec(select(OutboxEvent)).all()]
        audit.record_many(session, events)
        session.commit()


def test_activity_shows_project_and_section_events_with_the_project_name(client, auth, db):
    made = world(client, auth)
    work = made["work"]
    call(client, "PATCH", f"/projects/{work['id']}", auth, json={"name": "Job"})
    audited(db)
    log = call(client, "GET", "/audit", auth, params={"limit": 200})["items"]
    by_action: dict[str, list[dict]] = {}
    for entry in log:
        by_action.setdefault(entry["action"], []).append(entry)
    created = [e for e in by_action["project.created"] if e["resource_id"] == work["id"]]
    assert created[0]["project_id"] == work["id"]
    # The name it had then is in the details; the column says what it is called now.
    assert created[0]["metadata"]["name"] == "Work" and created[0]["project_name"] == "Job"
    (renamed,) = by_action["project.updated"]
    assert renamed["metadata"]["changed"] == ["name"] and renamed["metadata"]["name"] == "Job"
    (section,) = by_action["section.created"]
    assert (section["resource_id"], section["project_name"]) == (made["section"]["id"], "Job")
    assert section["metadata"]["name"] == "Now"
    report = [e for e in by_action["task.created"] if e["resource_id"] == made["report"]["id"]]
    assert report[0]["project_name"] == "Job"
    assert {"project.archived", "project.deleted"} <= set(by_action)

    mine = call(client, "GET", "/audit", auth, params={"project_id": work["id"], "limit": 200})
    actions = sorted(entry["action"] for entry in mine["items"])
    assert actions == sorted(
        ["project.created", "project.updated", "section.created"]
        + ["task.created"] * 3
        + ["task.completed"]
    )
    assert mine["total"] == len(mine["items"])
    # A trashed project's history stays readable by its owner.
    gone = call(client, "GET", "/audit", auth, params={"project_id": made["gone"]["id"]})
    assert {e["action"] for e in gone["items"]} == {
        "project.created",
        "task.created",
        "project.deleted",
    }
    exported = client.get(
        f"{API}/audit", params={"format": "csv", "project_id": work["id"]}, headers=auth
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == mine["total"] and {row["project_name"] for row in rows} == {"Job"}


def test_activity_of_another_users_project_or_a_bad_id(client, make_user, db):
    owner, other = make_user(), make_user()
    theirs = world(client, other)
    audited(db)
    response = client.get(
        f"{API}/audit", params={"project_id": theirs["work"]["id"]}, headers=owner
    )
    refused(response, 404, None)
    refused(
        client.get(f"{API}/audit", params={"project_id": "1"}, headers=owner), 422, "project_id"
    )
    own = client.get(f"{API}/audit", headers=owner)
    assert [e["action"] for e in own.json()["items"]] == ["auth.registered"]
    assert theirs["work"]["id"] not in own.text


# -- the calendar feed -----------------------------------------------------------------------


def feed_token(client: TestClient, headers: Headers) -> str:
    url = call(client, "POST", "/calendar/token", headers)["url"]
    return parse_qs(urlsplit(url).query)["token"][0]


def feed(client: TestClient, token: str, **params: str) -> tuple[str, set[str]]:
    response = client.get(f"{API}/calendar.ics", params={"token": token, **params})
    assert response.status_code == 200, response.text
    calendar = Calendar.from_ical(response.content)
    return str(calendar["X-WR-CALNAME"]), {str(t["SUMMARY"]) for t in calendar.walk("VTODO")}


def test_the_feed_of_one_project_and_of_everything_else(client, auth):
    made = world(client, auth)
    token = feed_token(client, auth)
    assert feed(client, token) == ("Todo", {"Report", "Slides", "Milk"})
    assert feed(client, token, project_id=made["work"]["id"]) == (
        "Todo: Work",
        {"Report", "Slides"},
    )
    assert feed(client, token, project_id=made["old"]["id"]) == ("Todo: Old", {"Archived thing"})
    trashed = client.get(
        f"{API}/calendar.ics", params={"token": token, "project_id": made["gone"]["id"]}
    )
    assert trashed.status_code == 404 and "Trashed" not in trashed.text


def test_a_feed_secret_opens_only_its_owners_projects(client, make_user):
    owner, other = make_user(), make_user()
    token = feed_token(client, owner)
    theirs = world(client, other)
    their_token = feed_token(client, other)
    response = client.get(
        f"{API}/calendar.ics", params={"token": token, "project_id": theirs["work"]["id"]}
    )
    refused(response, 404, None)
    assert "Report" not in response.text
    bad = client.get(f"{API}/calendar.ics", params={"token": token, "project_id": "nope"})
    refused(bad, 422, "project_id")
    # A wrong secret is a 404 whatever the project.
    wrong = client.get(
        f"{API}/calendar.ics",
        params={"token": their_token[:-1], "project_id": theirs["work"]["id"]},
    )
    refused(wrong, 404, None)
    assert feed(client, their_token, project_id=theirs["work"]["id"])[1] == {"Report", "Slides"}


# -- every list ------------------------------------------------------------------------------


def test_trashed_and_archived_projects_tasks_are_in_no_view(client, make_user):
    headers = make_user(timezone="Europe/Paris")
    kept = project(client, headers, "Kept")
    old = project(client, headers, "Old")
    gone = project(client, headers, "Gone")
    for holder in (kept, old, gone):
        name = holder["name"]
        common = {"project_id": holder["id"], "tags": ["errand"], "priority": "high"}
        task(client, headers, f"{name} overdue", due_at="2020-01-01", **common)
        task(client, headers, f"{name} soon", due_at="2099-01-01", rrule="yearly", **common)
        finished = task(client, headers, f"{name} finished", **common)
        call(client, "POST", f"/tasks/{finished['id']}/complete", headers)
    call(client, "POST", f"/projects/{old['id']}/archive", headers)
    call(client, "DELETE", f"/projects/{gone['id']}", headers)
    views = [
        {"status": "all"},
        {"status": "completed"},
        {"overdue": "true"},
        {"due_before": "2030-01-01"},
        {"due_after": "2090-01-01"},
        {"is_recurring": "true"},
        {"q": "soon"},
        {"tags": "errand"},
        {"priority": "high", "sort_by": "due_at"},
    ]
    for params in views:
        shown = titles(client, headers, **params)
        assert shown and all(title.startswith("Kept") for title in shown), (params, shown)
        archived = titles(client, headers, archived="true", **params)
        assert archived and all(title.startswith("Old") for title in archived), params
    assert titles(client, headers, project_id=old["id"]) == {
        "Old overdue",
        "Old soon",
        "Old finished",
    }
    listed = {
        p["name"]: p["open_count"] for p in call(client, "GET", "/projects", headers)["items"]
    }
    assert listed == {"Inbox": 0, "Kept": 2}
    call(client, "POST", f"/projects/{gone['id']}/restore", headers)
    assert {"Gone overdue", "Gone soon", "Gone finished"} <= titles(client, headers)
