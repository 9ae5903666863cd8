"""Search, filter, sort and paginate, with the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from todo_app.schemas import TaskPage

API = "/api/v1"


def create(client: TestClient, headers: dict[str, str], **fields: object) -> dict:
    response = client.post(f"{API}/tasks", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def titles(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get(f"{API}/tasks", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["items"]]


def seed(client: TestClient, headers: dict[str, str]) -> None:
    now = datetime.now(UTC)
    create(
        client,
        headers,
        title="Write quarterly report",
        description="numbers for finance",
        priority="high",
        tags=["Work"],
        due_at=(now + timedelta(days=2)).isoformat(),
    )
    create(
        client,
        headers,
        title="Buy milk",
        priority="low",
        tags=["errands", "home"],
        due_at=(now - timedelta(days=1)).isoformat(),
    )
    create(
        client,
        headers,
        title="Call plumber",
        priority="medium",
        tags=["home"],
        due_at=(now + timedelta(days=9)).isoformat(),
    )
    create(
        client,
        headers,
        title="Gym",
        tags=["Health"],
        rrule="daily",
        due_at=(now + timedelta(hours=3)).isoformat(),
    )
    create(client, headers, title="Read a novel", description="something with dragons")
    done = create(client, headers, title="File taxes", tags=["work"], priority="high")
    client.post(f"{API}/tasks/{done['id']}/complete", headers=headers)


def test_status_filters(client, auth):
    seed(client, auth)
    assert len(titles(client, auth)) == 5
    assert titles(client, auth, status="completed") == ["File taxes"]
    assert len(titles(client, auth, status="all")) == 6


def test_tags_all_and_any_case_insensitive(client, auth):
    seed(client, auth)
    assert sorted(titles(client, auth, tags="WORK", status="all")) == [
        "File taxes",
        "Write quarterly report",
    ]
    assert titles(client, auth, tags="home,errands", tag_mode="all") == ["Buy milk"]
    assert sorted(titles(client, auth, tags="home,health", tag_mode="any")) == [
        "Buy milk",
        "Call plumber",
        "Gym",
    ]


def test_priority_or_list(client, auth):
    seed(client, auth)
    assert sorted(titles(client, auth, priority="high,low")) == [
        "Buy milk",
        "Write quarterly report",
    ]


def test_full_text_search_over_title_and_description(client, auth):
    seed(client, auth)
    assert titles(client, auth, q="report") == ["Write quarterly report"]
    assert titles(client, auth, q="FINANCE") == ["Write quarterly report"]
    assert titles(client, auth, q="drag") == ["Read a novel"]
    assert titles(client, auth, q="buy milk") == ["Buy milk"]
    assert titles(client, auth, q="milk plumber") == []
    assert titles(client, auth, q="%") == []


def test_due_range_overdue_and_recurring(client, auth):
    seed(client, auth)
    today = datetime.now(UTC).date()
    in_week = (today + timedelta(days=7)).isoformat()
    assert sorted(titles(client, auth, due_after=today.isoformat(), due_before=in_week)) == [
        "Gym",
        "Write quarterly report",
    ]
    assert titles(client, auth, overdue="true") == ["Buy milk"]
    assert "Buy milk" not in titles(client, auth, overdue="false")
    assert titles(client, auth, is_recurring="true") == ["Gym"]
    assert len(titles(client, auth, is_recurring="false")) == 4


def test_all_day_task_is_not_overdue_on_its_day(client, make_user):
    # UTC+14: the user's "today" is judged on their calendar, not the server's.
    headers = make_user(timezone="Pacific/Kiritimati")
    local_today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    create(client, headers, title="Today", due_at=local_today.isoformat())
    create(client, headers, title="Yesterday", due_at=(local_today - timedelta(days=1)).isoformat())
    assert titles(client, headers, overdue="true") == ["Yesterday"]


def test_one_query_shape_answers_each_user_with_their_own_values(client, make_user):
    # A list's statement is built once per shape and reused with each request's values:
    # the user, the words, the tags and the user's own "today" must come from this request.
    berlin, kiritimati = (
        make_user(timezone="Europe/Berlin"),
        make_user(timezone="Pacific/Kiritimati"),
    )
    for headers, name in ((berlin, "Berlin"), (kiritimati, "Kiritimati")):
        local_today = datetime.now(
            ZoneInfo(f"{'Europe' if name == 'Berlin' else 'Pacific'}/{name}")
        )
        create(client, headers, title=f"{name} report", tags=[name])
        create(client, headers, title=f"{name} today", due_at=local_today.date().isoformat())
    for _ in range(2):
        for headers, name in ((berlin, "Berlin"), (kiritimati, "Kiritimati")):
            assert titles(client, headers, q="report") == [f"{name} report"]
            assert titles(client, headers, q=f"{name} report") == [f"{name} report"]
            assert titles(client, headers, tags=name) == [f"{name} report"]
            assert titles(client, headers, tags="Berlin,Kiritimati", tag_mode="any") == [
                f"{name} report"
            ]
            assert titles(client, headers, overdue="true") == []
            assert titles(client, headers, overdue="false", sort_by="title") == [
                f"{name} report",
                f"{name} today",
            ]


def test_a_listed_task_reads_exactly_as_the_task_itself(client, auth):
    # The list writes its JSON straight from the rows; the task's own route goes through
    # the model. A user must see no difference: same fields, order, values and formats.
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    create(
        client,
        auth,
        title='Pay "rent" \u00e9t\u00e9 \U0001f3e0',
        description="line one\r\nline two\ttabbed \\ C:\\ </b> \u2028 \u00a0 end",
        priority="high",
        tags=["Home", "Money"],
        due_at=due.isoformat(),
        reminders=[(due - timedelta(days=1)).isoformat(), (due - timedelta(hours=2)).isoformat()],
        remind_before_minutes=[30, 10],
    )
    create(client, auth, title="Water plants", due_at=due.date().isoformat(), rrule="FREQ=WEEKLY")
    create(client, auth, title="Someday")
    listed = client.get(f"{API}/tasks", headers=auth)
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/json"
    assert listed.content == TaskPage.model_validate_json(listed.content).model_dump_json().encode()
    items = listed.json()["items"]
    assert len(items) == 3 and any(item["reminders"] for item in items)
    for item in items:
        own = client.get(f"{API}/tasks/{item['id']}", headers=auth).json()
        assert list(item.items()) == list(own.items())


def test_sorting_with_stable_tiebreak(client, auth):
    seed(client, auth)
    by_due = titles(client, auth, sort_by="due_at")
    assert by_due == ["Buy milk", "Gym", "Write quarterly report", "Call plumber", "Read a novel"]
    by_due_desc = titles(client, auth, sort_by="due_at", sort_order="desc")
    assert by_due_desc[-1] == "Read a novel"  # undated last whichever the direction
    by_priority = titles(client, auth, sort_by="priority", sort_order="desc")
    assert by_priority[0] == "Write quarterly report" and by_priority[-1] == "Buy milk"
    assert titles(client, auth, sort_by="title") == sorted(titles(client, auth), key=str.lower)


def test_pagination_covers_every_row_once(client, auth):
    for i in range(23):
        create(client, auth, title=f"Task {i:02d}", priority="medium")
    seen: list[str] = []
    for page in (1, 2, 3):
        response = client.get(
            f"{API}/tasks", params={"sort_by": "priority", "limit": 10, "page": page}, headers=auth
        ).json()
        assert response["total"] == 23 and response["limit"] == 10 and response["page"] == page
        seen += [task["title"] for task in response["items"]]
    assert sorted(seen) == [f"Task {i:02d}" for i in range(23)]


def test_total_on_every_kind_of_page(client, auth):
    for i in range(20):
        create(client, auth, title=f"Task {i:02d}", priority="high" if i < 3 else "low")

    def page(**params: object) -> tuple[int, int]:
        response = client.get(f"{API}/tasks", params=params, headers=auth)
        assert response.status_code == 200, response.text
        body = response.json()
        return body["total"], len(body["items"])

    assert page(limit=10, page=2) == (20, 10)  # the last page, exactly full
    assert page(limit=10, page=3) == (20, 0)  # just beyond the end
    assert page(limit=10, page=5) == (20, 0)
    assert page(limit=7, page=3) == (20, 6)  # the last page, short
    assert page(limit=20) == (20, 20)
    assert page(limit=200) == (20, 20)
    assert page(priority="high") == (3, 3)
    assert page(priority="high", limit=2, page=2) == (3, 1)
    assert page(priority="high", page=2) == (3, 0)
    assert page(q="nothing matches this") == (0, 0)
    assert page(q="nothing matches this", page=4) == (0, 0)


def test_listed_tasks_carry_their_reminders(client, auth):
    # The list reads reminders inside its one query; it must show what the task itself shows.
    dentist = create(
        client,
        auth,
        title="Dentist",
        due_at="2027-03-01T16:00:00Z",
        reminders=["2027-03-01T08:00:00Z", "2027-02-28T20:15:30.25+01:00"],
        remind_before_minutes=[120, 15, 30],
    )
    plain = create(client, auth, title="Plain")
    response = client.get(f"{API}/tasks", headers=auth)
    assert response.status_code == 200, response.text
    listed = {task["id"]: task for task in response.json()["items"]}
    assert listed[dentist["id"]]["reminders"] == [
        "2027-02-28T19:15:30.250000Z",
        "2027-03-01T08:00:00Z",
        "2027-03-01T14:00:00Z",
        "2027-03-01T15:30:00Z",
        "2027-03-01T15:45:00Z",
    ]
    assert listed[dentist["id"]]["remind_before_minutes"] == [15, 30, 120]
    assert listed[plain["id"]]["reminders"] == []
    assert listed[plain["id"]]["remind_before_minutes"] == []
    for task in (dentist, plain):
        assert listed[task["id"]] == client.get(f"{API}/tasks/{task['id']}", headers=auth).json()


def test_bad_list_parameters_name_the_field(client, auth):
    for params, field in [
        ({"status": "open"}, "status"),
        ({"priority": "high,urgent"}, "priority"),
        ({"tag_mode": "some"}, "tag_mode"),
        ({"sort_by": "colour"}, "sort_by"),
        ({"sort_order": "up"}, "sort_order"),
        ({"limit": "500"}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"overdue": "maybe"}, "overdue"),
        ({"due_after": "yesterday"}, "due_after"),
        ({"due_after": "2026-12-10", "due_before": "2026-12-01"}, "due_before"),
        ({"colour": "red"}, "colour"),
    ]:
        response = client.get(f"{API}/tasks", params=params, headers=auth)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["field"] == field, (params, response.json())


def test_tags_endpoint_counts(client, auth):
    seed(client, auth)
    tags = {
        t["name"]: (t["count"], t["total"]) for t in client.get(f"{API}/tags", headers=auth).json()
    }
    assert tags["home"] == (2, 2)
    # "Work" and "work" are one tag; File taxes is completed.
    assert len([name for name in tags if name.lower() == "work"]) == 1
    assert next(v for k, v in tags.items() if k.lower() == "work") == (1, 2)


def test_saved_filters(client, auth, make_user):
    seed(client, auth)
    saved = client.post(
        f"{API}/filters",
        json={"name": "Home stuff", "query": {"tags": "home", "sort_by": "due_at"}},
        headers=auth,
    )
    assert saved.status_code == 201
    listed = client.get(f"{API}/filters", headers=auth).json()
    assert [f["name"] for f in listed] == ["Home stuff"]
    assert titles(client, auth, **listed[0]["query"]) == ["Buy milk", "Call plumber"]
    duplicate = client.post(
        f"{API}/filters", json={"name": "Home stuff", "query": {}}, headers=auth
    )
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "name"
    broken = client.post(
        f"{API}/filters", json={"name": "Bad", "query": {"status": "x"}}, headers=auth
    )
    assert broken.status_code == 422 and broken.json()["field"] == "status"
    other = make_user()
    assert client.get(f"{API}/filters", headers=other).json() == []
    gone = client.delete(f"{API}/filters/{listed[0]['id']}", headers=other)
    assert gone.status_code == 404
    assert client.delete(f"{API}/filters/{listed[0]['id']}", headers=auth).status_code == 204
