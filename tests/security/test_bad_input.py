"""Bad-input corpus: every writable field of every body, query and path of the OpenAPI
document gets values it must refuse, and valid-but-hostile text must be kept verbatim.

A field's bad values come from its JSON type in the document (wrong types, null where not
allowed, bad list items) plus those of its kind (KINDS: text limits, control characters,
time zones, RRULEs, dates, numbers, ids...). Each must be a 4xx other than 401/403 (413 for a
body over 64 KiB) with the error body naming the field, and leave every table as it was.
A field of the document without a kind fails `test_every_field_has_a_kind`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.security.sweep import API, PASSWORD, Operation, Seeded, db_rows, operations

# -- values ------------------------------------------------------------------------------

CONTROL = ["a\x00b", "a\x1b[31mb", "a\x07b", "a\x7fb", "a\x85b", "a\x1fb"]
HUGE = "x" * 70_000  # over the 64 KiB body limit: 413, before any parsing
BIG_INT = 10**30
TEXT_INJECTIONS = [
    "'; DROP TABLE tasks;--",
    "Robert'); DROP TABLE users;--",
    "' OR '1'='1",
    '" OR ""="',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
    "${7*7}",
    "{% debug %}",
    "%s%s%n",
    "${jndi:ldap://example.com/a}",
    "../../etc/passwd",
    "100% _done_ \\",
    "🙂 \u202eevil",
]


def _text(limit: int, multiline: bool = False, empty_ok: bool = False) -> list[Any]:
    values: list[Any] = ["x" * (limit + 1), " " + "y" * (limit + 1) + " ", HUGE, *CONTROL]
    if not multiline:
        values += ["line\nbreak", "tab\there", "cr\rhere"]
    if not empty_ok:
        values += ["", "   "]
    return values


DATES = [
    "2026-13-45",
    "2026-02-30",
    "2026-12-25T25:00",
    "2026-12-25T10:00:00+25:00",
    "tomorrow",
    "1969-12-31T23:59:59Z",
    "1969-12-31",
    "2201-01-01",
    "9999-12-31T23:59:59Z",
    "0001-01-01",
    "2026-12-25T10:00:00Zjunk",
    "2026-12-25 OR 1=1",
    *CONTROL[:2],
]
ZONES = [
    "Mars/Base",
    "",
    "UTC+5",
    "europe/paris",
    "../../etc/passwd",
    "/usr/share/zoneinfo/UTC",
    "Europe/Paris\x00",
    "x" * 10_000,
    "Europe/Paris; DROP TABLE users",
]
RRULES = [
    "FREQ=SOMETIMES",
    "every full moon",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;INTERVAL=-1",
    "FREQ=DAILY;INTERVAL=99999999999999999999",
    "FREQ=DAILY;COUNT=-1",
    "FREQ=DAILY;COUNT=0",
    "FREQ=DAILY;UNTIL=notadate",
    "FREQ=DAILY;BYHOUR=25",
    "FREQ=MONTHLY;BYMONTHDAY=32",
    "FREQ=MONTHLY;BYMONTHDAY=0",
    "FREQ=YEARLY;BYMONTH=13",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
    "FREQ=DAILY;FREQ=WEEKLY",
    "FREQ=DAILY;BYSETPOS=400",
    "FREQ=DAILY;FOO=BAR",
    "FREQ=DAILY\nEXDATE:20260101T000000Z",
    "RRULE:FREQ=DAILY;COUNT=2;UNTIL=20300101T000000Z",
    "FREQ=DAILY; DROP TABLE tasks",
    "x" * 10_000,
    *CONTROL[:2],
]
UUIDS = ["not-a-uuid", "1 OR 1=1", "0" * 100, "00000000-0000-0000-0000-00000000000g", ""]


def _ints(low: int | None, high: int | None) -> list[Any]:
    values: list[Any] = ["ten", "", "1e3", 1.5]
    if low is not None:
        values += [low - 1, -(2**63), -BIG_INT]
    if high is not None:
        values += [high + 1, 2**63, BIG_INT]
    return values


# Each kind: the values to refuse, and the statuses allowed besides 400/409/413/422.
@dataclass(frozen=True)
class Kind:
    values: list[Any]
    also: frozenset[int] = frozenset()
    # Strings in a query travel as text: their JSON-type variants do not apply.


KINDS: dict[str, Kind] = {
    "title": Kind(_text(255)),
    "description": Kind(_text(5000, multiline=True, empty_ok=True)),
    "priority": Kind(["urgent", "HIGH; DROP TABLE tasks", "1", "low,high", *CONTROL[:1]]),
    "repeat_from": Kind(["sometimes", "due completion", *CONTROL[:1]]),
    "tags": Kind(
        [
            [""],
            ["#"],
            ["  "],
            ["x" * 51],
            ["a,b"],
            ["a\nb"],
            *[[value] for value in CONTROL],
            [f"t{i}" for i in range(21)],
            ["x" * 20_000, "y" * 20_000, "z" * 20_000, "w" * 20_000],
        ]
    ),
    "due_at": Kind(DATES),
    "reminders": Kind([[value] for value in DATES] + [[f"2030-01-{d:02d}" for d in range(1, 23)]]),
    "remind_before_minutes": Kind(
        [[-1], [BIG_INT], [366 * 24 * 60 + 1], [-(2**63)], list(range(21))]
    ),
    "rrule": Kind(RRULES),
    "version": Kind(["one", 1.5, -1, 0, BIG_INT, -BIG_INT]),
    "bool": Kind([]),
    "email": Kind(
        [
            "",
            "not-an-email",
            "a@",
            "@example.com",
            "a@b@example.com",
            "x" * 300 + "@example.com",
            "a@example.com\r\nBcc: b@example.com",
            "a b@example.com",
            "<script>@example.com",
            "a@example.com; DROP TABLE users",
            *CONTROL,
        ]
    ),
    "new_password": Kind(["", "short", "x" * 73, "é" * 37, HUGE]),
    "display_name": Kind(_text(100, empty_ok=True)),
    "timezone": Kind(ZONES),
    "short_name": Kind(_text(100)),
    "filter_query": Kind(
        [
            {"status": "bogus"},
            {"sort_by": "password_hash"},
            {"sort_by": "title; DROP TABLE tasks"},
            {"priority": "urgent"},
            {"limit": "0"},
            {"limit": "99999999999999999999"},
            {"due_after": "notadate"},
            {"due_after": "2030-01-03", "due_before": "2030-01-01"},
            {"tags": "a\x1fb"},
            {"q": "a\x00b"},
            {"user_id": "someone"},
            {"": "x"},
            {"status\x00": "all"},
        ]
    ),
    "quick_text": Kind(["", "   ", "x" * 1001, HUGE, "a\x00b", "#tag-only", "!high"]),
    "ids": Kind(
        [
            [],
            *[[value] for value in UUIDS],
            [str(uuid.uuid4())] * 2,
            [str(uuid.uuid4()) for _ in range(201)],
        ],
        also=frozenset({404}),
    ),
    "minutes": Kind(_ints(1, 10080)),
    "project_name": Kind(_text(120)),
    "comment_text": Kind(_text(10_000, multiline=True)),
    "color": Kind(["chartreuse", "RED; DROP TABLE projects", "", "#ff0000", *CONTROL[:1]]),
    "view": Kind(["calendar", "LIST", "list; DROP TABLE projects", "", *CONTROL[:1]]),
    "position": Kind(_ints(0, None)),
    "role": Kind(["owner", "boss", "", "admin; DROP TABLE users", "a\x00b", *CONTROL[:1]]),
    "chat_message": Kind(["", "   ", "x" * 2001, HUGE, "a\x00b"]),
    "conversation_id": Kind(UUIDS, also=frozenset({404})),
    # The id of a project or section in a body: malformed, or not one of the user's (404).
    "ref_id": Kind(UUIDS, also=frozenset({404})),
    # Credentials: any text might be one, so a wrong one is a 401 (or a quiet 204 for
    # logout); types, NUL and size are still refused before the lookup.
    "credential": Kind(["a\x00b", HUGE], also=frozenset({401})),
    # Query parameters (text on the wire).
    "q_search": Kind(["x" * 201, "a\x00b", "x" * 10_000]),
    "q_status": Kind(["bogus", "ALL; DROP TABLE tasks", "a\x00b"]),
    "q_priority": Kind(["urgent", "high,urgent", "a\x00b"]),
    "q_tags": Kind(["a\x1fb", "x" * 51, "a\x00b", "a\nb"]),
    "q_tag_mode": Kind(["some", "a\x00b"]),
    "q_date": Kind(DATES),
    "q_bool": Kind(["maybe", "2", "a\x00b"]),
    "q_assignee": Kind(["someone", "ME; DROP TABLE tasks", "a\x00b", "x" * 300, "12345"]),
    # A project, section or parent task id in the list query: malformed, or not one of the user's.
    "q_ref_id": Kind([*UUIDS[:4], str(uuid.uuid4())], also=frozenset({404})),
    "q_sort_by": Kind(["password_hash", "user_id", "title; DROP TABLE tasks", "1", "a\x00b"]),
    "q_sort_order": Kind(["sideways", "asc; DROP TABLE tasks", "a\x00b"]),
    "q_page": Kind(["0", "-1", "abc", "1.5", "1e3", "99999999999999999999", "a\x00b"]),
    "q_limit": Kind(["0", "-1", "201", "abc", "99999999999999999999", "a\x00b"]),
    "q_format": Kind(["xml", "CSV", "csv; DROP TABLE", "a\x00b"]),
    "q_n": Kind(["0", "-1", "101", "abc", "99999999999999999999"]),
    "q_feed_token": Kind(["x" * 201], also=frozenset({404})),
    "path_id": Kind([*UUIDS[:4], "..%2F..%2Fetc%2Fpasswd"], also=frozenset({404, 405})),
}

# Every field of the document -> its kind ("Schema.field" for bodies, "METHOD path ?name" for
# query parameters; path parameters are all ids: "path_id").
FIELD_KINDS: dict[str, str] = {
    "RegisterRequest.email": "email",
    "RegisterRequest.password": "new_password",
    "RegisterRequest.display_name": "display_name",
    "RegisterRequest.timezone": "timezone",
    "LoginRequest.email": "credential",
    "LoginRequest.password": "credential",
    "RefreshRequest.refresh_token": "credential",
    "UserUpdate.display_name": "display_name",
    "UserUpdate.timezone": "timezone",
    "UserUpdate.email_notifications": "bool",
    "ApiTokenCreate.name": "short_name",
    "TaskCreate.title": "title",
    "TaskCreate.description": "description",
    "TaskCreate.priority": "priority",
    "TaskCreate.tags": "tags",
    "TaskCreate.due_at": "due_at",
    "TaskCreate.all_day": "bool",
    "TaskCreate.rrule": "rrule",
    "TaskCreate.repeat_from": "repeat_from",
    "TaskCreate.reminders": "reminders",
    "TaskCreate.remind_before_minutes": "remind_before_minutes",
    "TaskCreate.project_id": "ref_id",
    "TaskCreate.section_id": "ref_id",
    "TaskCreate.parent_id": "ref_id",
    "TaskUpdate.title": "title",
    "TaskUpdate.description": "description",
    "TaskUpdate.priority": "priority",
    "TaskUpdate.tags": "tags",
    "TaskUpdate.due_at": "due_at",
    "TaskUpdate.all_day": "bool",
    "TaskUpdate.rrule": "rrule",
    "TaskUpdate.repeat_from": "repeat_from",
    "TaskUpdate.reminders": "reminders",
    "TaskUpdate.remind_before_minutes": "remind_before_minutes",
    "TaskUpdate.project_id": "ref_id",
    "TaskUpdate.section_id": "ref_id",
    "TaskUpdate.parent_id": "ref_id",
    "TaskCreate.assignee_id": "ref_id",
    "TaskUpdate.assignee_id": "ref_id",
    "MemberAdd.email": "email",
    "MemberAdd.role": "role",
    "MemberUpdate.role": "role",
    "TransferRequest.user_id": "ref_id",
    "TaskUpdate.version": "version",
    "TaskMove.project_id": "ref_id",
    "TaskMove.section_id": "ref_id",
    "TaskMove.parent_id": "ref_id",
    "TaskMove.position": "position",
    "QuickAddRequest.text": "quick_text",
    "QuickAddRequest.project_id": "ref_id",
    "QuickAddRequest.section_id": "ref_id",
    "QuickAddRequest.parent_id": "ref_id",
    "ReorderRequest.ids": "ids",
    "SnoozeRequest.minutes": "minutes",
    "ProjectCreate.name": "project_name",
    "ProjectCreate.color": "color",
    "ProjectCreate.parent_id": "ref_id",
    "ProjectUpdate.name": "project_name",
    "ProjectUpdate.color": "color",
    "ProjectUpdate.parent_id": "ref_id",
    "ProjectUpdate.position": "position",
    "ProjectUpdate.view": "view",
    "SectionCreate.name": "project_name",
    "SectionUpdate.name": "project_name",
    "SectionUpdate.position": "position",
    "CommentCreate.text": "comment_text",
    "CommentUpdate.text": "comment_text",
    "SavedFilterCreate.name": "short_name",
    "SavedFilterCreate.query": "filter_query",
    "ChatRequest.message": "chat_message",
    "ChatRequest.conversation_id": "conversation_id",
    "GET /api/v1/tasks ?q": "q_search",
    "GET /api/v1/tasks ?status": "q_status",
    "GET /api/v1/tasks ?priority": "q_priority",
    "GET /api/v1/tasks ?tags": "q_tags",
    "GET /api/v1/tasks ?tag_mode": "q_tag_mode",
    "GET /api/v1/tasks ?due_after": "q_date",
    "GET /api/v1/tasks ?due_before": "q_date",
    "GET /api/v1/tasks ?overdue": "q_bool",
    "GET /api/v1/tasks ?is_recurring": "q_bool",
    "GET /api/v1/tasks ?project_id": "q_ref_id",
    "GET /api/v1/tasks ?section_id": "q_ref_id",
    "GET /api/v1/tasks ?parent_id": "q_ref_id",
    "GET /api/v1/tasks ?archived": "q_bool",
    "GET /api/v1/tasks ?assignee": "q_assignee",
    "GET /api/v1/tasks ?sort_by": "q_sort_by",
    "GET /api/v1/tasks ?sort_order": "q_sort_order",
    "GET /api/v1/tasks ?page": "q_page",
    "GET /api/v1/tasks ?limit": "q_limit",
    "GET /api/v1/tasks/{task_id}/occurrences ?n": "q_n",
    "GET /api/v1/tags ?project_id": "q_ref_id",
    "GET /api/v1/tags ?archived": "q_bool",
    "GET /api/v1/stats ?project_id": "q_ref_id",
    "GET /api/v1/projects ?archived": "q_bool",
    "GET /api/v1/notifications ?unread": "q_bool",
    "GET /api/v1/notifications ?page": "q_page",
    "GET /api/v1/notifications ?limit": "q_limit",
    "GET /api/v1/audit ?format": "q_format",
    "GET /api/v1/audit ?project_id": "q_ref_id",
    "GET /api/v1/audit ?page": "q_page",
    "GET /api/v1/audit ?limit": "q_limit",
    "GET /api/v1/calendar.ics ?token": "q_feed_token",
    "GET /api/v1/calendar.ics ?project_id": "q_ref_id",
}
# Operations whose answer to a wrong credential is a quiet success (reveals nothing).
QUIET = {"POST /api/v1/auth/logout": {204}}


def _types(schema: dict[str, Any]) -> set[str]:
    options = schema.get("anyOf", [schema])
    return {option.get("type", "any") for option in options}


def _items(schema: dict[str, Any]) -> dict[str, Any] | None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "array":
            return option.get("items", {})
    return None


def wrong_types(schema: dict[str, Any], required: bool) -> list[Any]:
    """Values of the wrong JSON type for `schema` (null too where it is not allowed)."""
    types = _types(schema)
    values: list[Any] = []
    if "string" not in types:
        values.append("a string")
    if "integer" not in types:
        values += [12345, 1.5]
    if "boolean" not in types and "integer" not in types:
        values.append(True)
    if "boolean" in types:
        values += [0, 1, 0.0, "true", "yes"]
    if "array" not in types:
        values.append(["a"])
    if "object" not in types:
        values.append({"a": "b"})
    if "null" not in types:
        values.append(None)
    items = _items(schema)
    if items is not None:
        item_types = _types(items)
        values += [[None], [["nested"]]]
        values += [[5]] if "string" in item_types else [["ten"], [1.5]]
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "object" and "additionalProperties" in option:
            values += [{"status": 5}, {"status": None}, {"status": ["all"]}]
    return values


@dataclass
class Target:
    op: Operation
    location: str  # body, query or path
    name: str
    kind: str
    schema: dict[str, Any]
    required: bool

    @property
    def key(self) -> str:
        if self.location == "body":
            return f"{self.op.body_schema}.{self.name}"
        return f"{self.op.label} ?{self.name}" if self.location == "query" else "path"


def targets(app: FastAPI) -> list[Target]:
    document = app.openapi()
    found: list[Target] = []
    for op in operations(app):
        if op.body_schema:
            schema = document["components"]["schemas"][op.body_schema]
            required = set(schema.get("required", []))
            for name, prop in schema.get("properties", {}).items():
                kind = FIELD_KINDS.get(f"{op.body_schema}.{name}", "")
                found.append(Target(op, "body", name, kind, prop, name in required))
        for parameter in op.spec.get("parameters", []):
            where, name = parameter["in"], parameter["name"]
            if where == "query":
                kind = FIELD_KINDS.get(f"{op.label} ?{name}", "")
                found.append(Target(op, "query", name, kind, parameter["schema"], False))
            elif where == "path":
                found.append(Target(op, "path", name, "path_id", parameter["schema"], True))
    return found


def test_every_field_has_a_kind(api_app: FastAPI) -> None:
    found = targets(api_app)
    missing = sorted({t.key for t in found if t.kind not in KINDS})
    assert not missing, f"fields without a kind in FIELD_KINDS: {missing}"
    stale = set(FIELD_KINDS) - {t.key for t in found}
    assert not stale, f"FIELD_KINDS names fields the API no longer has: {sorted(stale)}"


# -- the run ---------------------------------------------------------------------------------


def _base_body(schema: str, user: Seeded) -> dict[str, Any]:
    """A body that is accepted as it is, for the schema's operation."""
    unique = uuid.uuid4().hex[:8]
    return {
        "RegisterRequest": {"email": f"corpus-{unique}@example.com", "password": PASSWORD},
        "LoginRequest": {"email": user.email, "password": PASSWORD},
        "RefreshRequest": {"refresh_token": user.refresh_token},
        "UserUpdate": {},
        "ApiTokenCreate": {"name": f"corpus {unique}"},
        "TaskCreate": {"title": "corpus", "due_at": "2030-01-01T09:00:00Z"},
        "TaskUpdate": {},
        "TaskMove": {},
        "QuickAddRequest": {"text": "corpus tomorrow"},
        "ReorderRequest": {"ids": user.ids["task_id"][:2]},
        "SnoozeRequest": {"minutes": 10},
        "SavedFilterCreate": {"name": f"corpus {unique}", "query": {}},
        "ProjectCreate": {"name": f"corpus {unique}"},
        "ProjectUpdate": {},
        "SectionCreate": {"name": f"corpus {unique}"},
        "SectionUpdate": {},
        "CommentCreate": {"text": f"corpus {unique}"},
        "CommentUpdate": {"text": f"corpus {unique}"},
        "ChatRequest": {"message": "hello"},
        "MemberAdd": {"email": user.email, "role": "viewer"},
        "MemberUpdate": {"role": "viewer"},
        "TransferRequest": {"user_id": str(uuid.uuid4())},
    }[schema]


def _send(
    client: TestClient, target: Target, user: Seeded, value: Any
) -> tuple[Any, dict[str, Any]]:
    op = target.op
    path = op.path
    for name in op.path_params:
        replacement = value if target.location == "path" and name == target.name else None
        path = path.replace("{" + name + "}", replacement or user.ids[name][0])
    request: dict[str, Any] = {"headers": user.headers}
    if op.body_schema:
        body = _base_body(op.body_schema, user)
        if target.location == "body":
            body[target.name] = value
        request["json"] = body
    if target.location == "query":
        request["params"] = {target.name: value}
        if op.label == "GET /api/v1/calendar.ics" and target.name != "token":
            # The feed's other parameters are checked behind a valid secret.
            request["params"]["token"] = user.feed_token
    if target.location == "path" and value == "":
        path = path.replace("//", "/%20/")
    return client.request(op.method, path, **request), request


def _names_field(error: dict[str, Any], target: Target, status: int, value: Any) -> bool:
    field = error.get("field") or ""
    if status == 413:
        return field == "body"
    if target.kind == "filter_query" and isinstance(value, dict) and field in value:
        return True  # the rules of GET /tasks name the list parameter inside `query` (test_list)
    name = target.name
    # A task's reminders are counted together, whichever list went over.
    shared = {"remind_before_minutes": "reminders"}.get(name, name)
    return field in (name, shared) or field.startswith((f"{name}[", f"{name}."))


def _check(
    client: TestClient, user: Seeded, target: Target, values: list[Any], problems: list[str]
) -> int:
    kind = KINDS[target.kind]
    allowed = {400, 409, 413, 422} | kind.also | QUIET.get(target.op.label, set())
    for value in values:
        response, _ = _send(client, target, user, value)
        shown = repr(value) if len(repr(value)) < 80 else repr(value)[:77] + "..."
        where = f"{target.op.label} {target.location} {target.name}={shown}"
        if response.status_code not in allowed:
            problems.append(f"{where}: {response.status_code} {response.text[:200]}")
            continue
        if response.status_code in (204, 401, 404, 405):
            continue
        error = response.json()
        if not isinstance(error.get("detail"), str) or not _names_field(
            error, target, response.status_code, value
        ):
            problems.append(f"{where}: does not name the field: {response.text[:200]}")
    return len(values)


@pytest.fixture
def corpus_user(client: TestClient, db: str, victim: Seeded) -> Seeded:
    return victim


def test_bad_values_are_refused_and_change_nothing(
    client: TestClient, api_app: FastAPI, db: str, corpus_user: Seeded
) -> None:
    user = corpus_user
    problems: list[str] = []
    sent = 0
    before = db_rows(db)
    for target in targets(api_app):
        values = list(KINDS[target.kind].values)
        if target.location == "body":
            values += wrong_types(target.schema, target.required)
        sent += _check(client, user, target, values, problems)
    # Unknown query parameters are refused by name too (unknown body fields: wrong_types).
    for op in operations(api_app):
        # The feed URL is pasted into calendar apps, some of which add parameters of their own.
        if op.method == "GET" and op.query_params and op.label != "GET /api/v1/calendar.ics":
            target = Target(op, "query", "unknown_param", "q_status", {}, False)
            sent += _check(client, user, target, ["1"], problems)
    after = db_rows(db)
    changed = sorted(table for table in before if before[table] != after[table])
    assert not problems, f"{len(problems)} of {sent} bad values were not refused well:\n" + (
        "\n".join(problems)
    )
    assert not changed, f"refused requests changed tables: {changed}"
    assert sent > 500


# -- valid text that looks hostile is data ------------------------------------------------------


@pytest.mark.parametrize("text", TEXT_INJECTIONS)
def test_hostile_looking_text_is_stored_verbatim(
    client: TestClient, db: str, make_user: Callable[..., dict[str, str]], text: str
) -> None:
    headers = make_user()
    tags = [text] if "," not in text and not text.startswith("#") else []
    created = client.post(
        f"{API}/tasks",
        json={"title": text, "description": text, "tags": tags},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    task = created.json()
    stored = client.get(f"{API}/tasks/{task['id']}", headers=headers).json()
    assert (stored["title"], stored["description"], stored["tags"]) == (text, text, tags)
    client.post(f"{API}/tasks", json={"title": "zzz 42"}, headers=headers)
    found = client.get(f"{API}/tasks", params={"q": text}, headers=headers)
    assert found.status_code == 200, found.text
    ids = [item["id"] for item in found.json()["items"]]
    # PostgreSQL's full-text parser drops markup and reads URLs and paths as one lexeme, so
    # the words of "<script>" or "../../etc/passwd" may not find the task there (left alone).
    assert ids == [task["id"]] if db.startswith("sqlite") else set(ids) <= {task["id"]}, text
    if tags:
        tagged = client.get(f"{API}/tasks", params={"tags": text}, headers=headers).json()
        assert [item["id"] for item in tagged["items"]] == [task["id"]]
        assert {"name": text, "count": 1, "total": 1} in client.get(
            f"{API}/tags", headers=headers
        ).json()
    me = client.patch(f"{API}/auth/me", json={"display_name": text}, headers=headers)
    assert me.status_code == 200 and me.json()["display_name"] == text
    saved = client.post(
        f"{API}/filters", json={"name": text, "query": {"q": text}}, headers=headers
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["name"] == text and saved.json()["query"] == {"q": text}
    token = client.post(f"{API}/auth/tokens", json={"name": text}, headers=headers)
    assert token.status_code == 201 and token.json()["name"] == text
    chat = client.post(f"{API}/chat", json={"message": text}, headers=headers)
    assert chat.status_code == 200, chat.text
    conversation = client.get(f"{API}/chat/{chat.json()['conversation_id']}", headers=headers)
    assert conversation.json()["messages"][0]["content"] == text
    # Every table still exists and still answers.
    assert client.get(f"{API}/tasks?status=all", headers=headers).json()["total"] >= 2
