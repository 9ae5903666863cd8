"""The calendar feed: open tasks as VTODOs that a calendar app (here icalendar) can read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

API = "/api/v1"
TZ = "Europe/Paris"


def _feed_url(client, headers) -> str:
    response = client.post(f"{API}/calendar/token", headers=headers)
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert url.startswith("http") and "/api/v1/calendar.ics?token=" in url
    return url


def _get_feed(client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path, params={"token": parse_qs(parts.query)["token"][0]})


def _todos(client, url: str) -> dict[str, object]:
    response = _get_feed(client, url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(todo["SUMMARY"]): todo for todo in calendar.walk("VTODO")}


def _create(client, headers, **body) -> dict:
    response = client.post(f"{API}/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_feed_fields(client, make_user):
    headers = make_user(timezone=TZ)
    timed = _create(
        client,
        headers,
        title="Water plants",
        description="the big ones",
        priority="high",
        tags=["home", "garden"],
        due_at="2027-03-20T08:00",
        rrule="FREQ=WEEKLY;BYDAY=SA",
        reminders=["2027-03-20T06:30:00Z"],
        remind_before_minutes=[10],
    )
    allday = _create(client, headers, title="Pay rent", due_at="2027-04-01", priority="low")
    _create(client, headers, title="Someday")
    done = _create(client, headers, title="Done already")
    assert client.post(f"{API}/tasks/{done['id']}/complete", headers=headers).status_code == 200
    gone = _create(client, headers, title="Deleted")
    assert client.delete(f"{API}/tasks/{gone['id']}", headers=headers).status_code == 200

    todos = _todos(client, _feed_url(client, headers))
    assert set(todos) == {"Water plants", "Pay rent", "Someday"}

    todo = todos["Water plants"]
    assert str(todo["UID"]) == f"{timed['id']}@todo-app.local"
    assert str(todo["DESCRIPTION"]) == "the big ones"
    assert int(todo["PRIORITY"]) == 1
    assert sorted(str(c) for c in todo["CATEGORIES"].cats) == ["garden", "home"]
    due = todo["DUE"].dt
    assert due == datetime(2027, 3, 20, 7, 0, tzinfo=UTC)
    assert due.utcoffset().total_seconds() == 0
    assert todo["RRULE"].to_ical().decode() == "FREQ=WEEKLY;BYDAY=SA"
    assert todo["DTSTAMP"].dt.tzinfo is not None
    assert todo["LAST-MODIFIED"].dt.tzinfo is not None
    alarms = todo.walk("VALARM")
    assert all(str(alarm["ACTION"]) == "DISPLAY" for alarm in alarms)
    triggers = sorted(alarm["TRIGGER"].dt for alarm in alarms)
    assert triggers == [
        datetime(2027, 3, 20, 6, 30, tzinfo=UTC),
        datetime(2027, 3, 20, 6, 50, tzinfo=UTC),
    ]

    rent = todos["Pay rent"]
    assert str(rent["UID"]) == f"{allday['id']}@todo-app.local"
    assert rent["DUE"].params.get("VALUE") == "DATE"
    assert type(rent["DUE"].dt) is date and rent["DUE"].dt == date(2027, 4, 1)
    assert int(rent["PRIORITY"]) == 9
    assert "CATEGORIES" not in rent and "RRULE" not in rent

    someday = todos["Someday"]
    assert "DUE" not in someday and int(someday["PRIORITY"]) == 5


def test_rrule_expands_like_the_app(client, make_user):
    """A daily 09:00 task across the spring DST change: the feed's rule, expanded from DUE in
    the user's zone, gives the app's own next occurrences."""
    headers = make_user(timezone=TZ)
    task = _create(
        client, headers, title="Stretch", due_at="2027-03-25T09:00", rrule="FREQ=DAILY;COUNT=8"
    )
    todo = _todos(client, _feed_url(client, headers))["Stretch"]
    start = todo["DUE"].dt.astimezone(ZoneInfo(TZ))
    rule = rrulestr(todo["RRULE"].to_ical().decode(), dtstart=start)
    expanded = [at.astimezone(UTC) for at in rule]
    app = client.get(f"{API}/tasks/{task['id']}/occurrences", params={"n": 20}, headers=headers)
    assert app.status_code == 200
    listed = [datetime.fromisoformat(at) for at in app.json()["occurrences"]]
    assert expanded[0] == datetime(2027, 3, 25, 8, 0, tzinfo=UTC)
    assert expanded[1:] == listed
    assert len(listed) == 7
    # After the change to summer time 09:00 Paris is 07:00 UTC.
    assert listed[-1] == datetime(2027, 4, 1, 7, 0, tzinfo=UTC)

    # Completing one moves the series on: the feed shows the next occurrence with the rest.
    assert client.post(f"{API}/tasks/{task['id']}/complete", headers=headers).status_code == 200
    todo = _todos(client, _feed_url(client, headers))["Stretch"]
    start = todo["DUE"].dt.astimezone(ZoneInfo(TZ))
    expanded = [
        at.astimezone(UTC) for at in rrulestr(todo["RRULE"].to_ical().decode(), dtstart=start)
    ]
    assert expanded == listed


def test_allday_recurring_due_is_a_date(client, make_user):
    headers = make_user(timezone="America/New_York")
    task = _create(client, headers, title="Bins", due_at="2027-01-04", rrule="FREQ=WEEKLY")
    todo = _todos(client, _feed_url(client, headers))["Bins"]
    assert todo["DUE"].params.get("VALUE") == "DATE"
    assert todo["DUE"].dt == date(2027, 1, 4)
    rule = rrulestr(todo["RRULE"].to_ical().decode(), dtstart=datetime(2027, 1, 4))
    app = client.get(f"{API}/tasks/{task['id']}/occurrences", params={"n": 3}, headers=headers)
    local = [
        datetime.fromisoformat(at).astimezone(ZoneInfo("America/New_York")).date()
        for at in app.json()["occurrences"]
    ]
    assert [at.date() for at in rule[1:4]] == local


def test_unknown_and_strangers_tokens(client, make_user):
    ann, bob = make_user(), make_user()
    _create(client, ann, title="Ann's secret task")
    url = _feed_url(client, ann)
    assert client.get(f"{API}/calendar.ics", params={"token": "nope"}).status_code == 404
    assert client.get(f"{API}/calendar.ics", params={"token": ""}).status_code == 404
    missing = client.get(f"{API}/calendar.ics")
    assert missing.status_code == 422 and missing.json()["field"] == "token"
    bob_todos = _todos(client, _feed_url(client, bob))
    assert bob_todos == {}
    assert "Ann's secret task" in _todos(client, url)


def test_regenerating_invalidates_the_old_url(client, auth):
    first = _feed_url(client, auth)
    assert _get_feed(client, first).status_code == 200
    second = _feed_url(client, auth)
    assert second != first
    assert _get_feed(client, first).status_code == 404
    assert _get_feed(client, second).status_code == 200


def test_token_needs_a_login(client):
    assert client.post(f"{API}/calendar/token").status_code == 401
