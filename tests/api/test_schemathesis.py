"""Property-based run of every operation in /api/v1/openapi.json with Schemathesis.

One pytest test per database (the `db` fixture gives it empty tables) walks every operation
itself: for each it runs a bounded, derandomized Hypothesis search over Schemathesis cases,
authenticated as a user registered through the API. These kinds of case are mixed:

- schema-valid data as Schemathesis generates it (mostly refused by the business rules,
  since the spec declares types but not enums, lengths or formats);
- the same with path ids that refer to a task, saved filter or notification seeded for the
  user, and with bodies or queries the business rules accept, so the success paths run too;
- those with a NUL put into one string (schema-valid, and fatal to PostgreSQL text);
- schema-violating data (Schemathesis' negative mode), which must be refused with a 4xx.

Every response must be free of 5xx, conform to its declared schema and content type, and
carry either a documented status or a sensible 4xx with the API's error body
{"detail": ..., "field": ...}. Failures are collected (the first per operation and kind)
rather than raised at once, so one run reports every distinct problem; nothing is shrunk.
"""

from __future__ import annotations

import copy
import os
import traceback
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)
from sqlmodel import Session

from todo_app.db import get_engine
from todo_app.models import AuditLog, Invitation, Notification, utcnow
from todo_app.services import invitations

API = "/api/v1"
EMAIL = "schemathesis@example.com"
PASSWORD = "correct horse"
# The quick run's search per operation and mode. SCHEMATHESIS_EXAMPLES=N searches deeper (N
# positive and N // 2 negative examples per operation): see "Tests" in the README.
_DEEP = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "0") or 0)
EXAMPLES = (
    {GenerationMode.POSITIVE: _DEEP, GenerationMode.NEGATIVE: max(1, _DEEP // 2)}
    if _DEEP > 0
    else {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}
)

# Statuses the spec does not list but that are the API's deliberate answers: 400 a broken
# rule, 404 an id that is not the user's, 409 a stale version or a duplicate (filter name,
# email), 413 a body over the 64 KiB limit, 422 a rejected value. 401 is sensible only
# where no bearer token is involved.
SENSIBLE_4XX = {400, 404, 409, 413, 422}
EXTRA_4XX = {
    # Unknown email or wrong password, then the throttle after 5 failures (both expected).
    "POST /api/v1/auth/login": {401, 429},
    # Generated refresh tokens are never valid ones.
    "POST /api/v1/auth/refresh": {401},
}

# Nothing is excluded. /auth/refresh and /auth/logout get, besides generated tokens, the
# refresh token of a second login of the test user, never that of the session the run
# uses, so they cannot end it (checked at the end). /auth/login gets the user's real
# password too, but after 5 failures from one client its answer is 429 (accepted above).
EXCLUDED: frozenset[str] = frozenset()


def documented_or_sensible_status(ctx: CheckContext, response: Any, case: Any) -> None:
    label = case.operation.label
    documented = {int(code) for code in case.operation.responses.status_codes if code.isdigit()}
    status = response.status_code
    if status in documented:
        return
    allowed = SENSIBLE_4XX | EXTRA_4XX.get(label, set())
    assert status in allowed, (
        f"{label} answered {status}: neither documented {sorted(documented)} nor a sensible 4xx"
    )
    try:
        body = response.json()
    except ValueError:
        body = None
    assert isinstance(body, dict) and isinstance(body.get("detail"), str) and "field" in body, (
        f"{label} answered {status} without the error body: {response.text[:300]}"
    )


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    documented_or_sensible_status,
    # Schema-violating data must be refused; over 64 KiB it is, with 413, before validation.
    negative_data_rejection,
]
# Explicit, so a schemathesis.toml found in a parent directory cannot change the run.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "404", "409", "413", "422", "429"]
            }
        }
    }
)


# -- inputs the business rules accept -------------------------------------------------------

# Text as users type it, or laced with control characters, NUL above all (Hypothesis alone
# rarely draws one): the rules must refuse those with a 4xx before PostgreSQL sees them.
_text = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc",)), max_size=30),
    st.builds(
        lambda before, control, after: before + control + after,
        st.text(max_size=4),
        st.sampled_from(["\x00", "\x1f", "\t"]),
        st.text(max_size=4),
    ),
    # Edge values: LIKE wildcards and escapes, quotes, NUL alone, emoji, bidi override.
    st.sampled_from(["\x00", " \x00 ", "%", "_", "\\", "'", "🙂", "\u202e", " "]),
)
_title = _text.filter(lambda value: value.strip() != "")
_tag = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
_day = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def _instants(*offsets: str) -> Any:
    return st.builds(
        lambda day, hour, minute, offset: f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{offset}",
        _day,
        st.integers(0, 23),
        st.integers(0, 59),
        st.sampled_from(offsets),
    )


_due = st.one_of(
    st.none(), _day.map(lambda value: value.isoformat()), _instants("Z", "+02:00", "-05:30", "")
)
_rrule = st.sampled_from(
    [
        "daily",
        "weekdays",
        "weekly",
        "monthly",
        "yearly",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=DAILY;INTERVAL=3;COUNT=4",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    ]
)
_zone = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Pacific/Chatham"])
_task_fields = {
    "description": _text,
    "priority": st.sampled_from(["low", "medium", "high"]),
    "tags": st.lists(_tag, max_size=4),
    "due_at": _due,
    "all_day": st.one_of(st.none(), st.booleans()),
    "rrule": st.one_of(st.none(), _rrule),
    "repeat_from": st.sampled_from(["due", "completion"]),
    "reminders": st.lists(_instants("Z", "+02:00"), max_size=2),
    "remind_before_minutes": st.lists(st.integers(0, 10_080), max_size=2),
}
_list_query = {
    "q": st.one_of(_text, _tag),
    "status": st.sampled_from(["all", "active", "completed"]),
    "priority": st.sampled_from(["low", "high", "low,medium,high"]),
    "tags": st.sampled_from(["home", "work", "home,work"]),
    "tag_mode": st.sampled_from(["all", "any"]),
    "due_after": _due.filter(bool),
    "due_before": _due.filter(bool),
    "overdue": st.sampled_from(["true", "false"]),
    "is_recurring": st.sampled_from(["true", "false"]),
    "parent_id": st.just("none"),
    "archived": st.sampled_from(["true", "false"]),
    "sort_by": st.sampled_from(["due_at", "priority", "created_at", "title", "position"]),
    "sort_order": st.sampled_from(["asc", "desc"]),
    "page": st.integers(1, 3).map(str),
    "limit": st.integers(1, 200).map(str),
}
_role = st.sampled_from(["admin", "editor", "commenter", "viewer", "owner"])
# Accounts the run may add to its projects (never the one a project is handed over to: the
# run's user must stay the owner of the projects every other operation uses).
JOINERS = [f"joiner{i}@example.com" for i in range(3)]
# (where the value goes, its strategy) per operation
VALID_INPUTS: dict[str, tuple[str, Any]] = {
    "POST /api/v1/auth/register": (
        "body",
        st.fixed_dictionaries(
            {
                "email": st.from_regex(r"[a-z][a-z0-9.]{0,10}@example\.(com|org)", fullmatch=True),
                "password": st.text(min_size=8, max_size=40),
            },
            optional={"display_name": _text, "timezone": _zone},
        ),
    ),
    "POST /api/v1/auth/login": (
        "body",
        st.fixed_dictionaries(
            {
                "email": st.one_of(st.just(EMAIL), _text),
                "password": st.one_of(st.just(PASSWORD), _text),
            }
        ),
    ),
    "PATCH /api/v1/auth/me": (
        "body",
        st.fixed_dictionaries(
            {},
            optional={
                "display_name": _text,
                "timezone": _zone,
                "email_notifications": st.booleans(),
            },
        ),
    ),
    "GET /api/v1/tasks": ("query", st.fixed_dictionaries({}, optional=_list_query)),
    "POST /api/v1/tasks": ("body", st.fixed_dictionaries({"title": _title}, optional=_task_fields)),
    "PATCH /api/v1/tasks/{task_id}": (
        "body",
        st.fixed_dictionaries(
            {}, optional={"title": _title, "version": st.integers(1, 4), **_task_fields}
        ),
    ),
    "POST /api/v1/projects": (
        "body",
        st.fixed_dictionaries(
            {"name": _title},
            optional={"color": st.sampled_from(["red", "teal", "charcoal", "mauve"])},
        ),
    ),
    "PATCH /api/v1/projects/{project_id}": (
        "body",
        st.fixed_dictionaries(
            {},
            optional={
                "name": _title,
                "color": st.sampled_from(["red", "grape", "taupe"]),
                "view": st.sampled_from(["list", "board"]),
                "position": st.integers(0, 5),
            },
        ),
    ),
    "POST /api/v1/projects/{project_id}/members": (
        "body",
        st.fixed_dictionaries({"email": st.sampled_from(JOINERS), "role": _role}),
    ),
    "PATCH /api/v1/projects/{project_id}/members/{user_id}": (
        "body",
        st.fixed_dictionaries({"role": _role}),
    ),
    "POST /api/v1/filters": (
        "body",
        st.fixed_dictionaries(
            {
                "name": _title,
                "query": st.fixed_dictionaries(
                    {}, optional={k: _list_query[k] for k in ("status", "tags", "sort_by", "q")}
                ),
            }
        ),
    ),
}


# Sent before anything generated: a login that succeeds (before failures throttle it), and
# a NUL in each text input that reaches SQL, which PostgreSQL text and jsonb cannot hold.
NUL = "\x00"
EXPLICIT: dict[str, list[dict[str, Any]]] = {
    "POST /api/v1/auth/register": [
        {"body": {"email": f"nul{NUL}@example.com", "password": PASSWORD}},
        {"body": {"email": "nul@example.com", "password": PASSWORD, "display_name": NUL}},
    ],
    "POST /api/v1/auth/login": [
        {"body": {"email": EMAIL, "password": PASSWORD}},
        {"body": {"email": NUL, "password": PASSWORD}},
    ],
    "POST /api/v1/auth/refresh": [{"body": {"refresh_token": NUL}}],
    "PATCH /api/v1/auth/me": [{"body": {"display_name": NUL}}, {"body": {"timezone": NUL}}],
    "GET /api/v1/tasks": [{"query": {"q": NUL}}, {"query": {"tags": NUL}}],
    "POST /api/v1/tasks": [
        {"body": {"title": NUL}},
        {"body": {"title": "t", "description": NUL, "tags": [NUL], "rrule": NUL}},
    ],
    "POST /api/v1/projects": [{"body": {"name": NUL}}, {"body": {"name": "p", "color": NUL}}],
    "POST /api/v1/filters": [
        {"body": {"name": NUL, "query": {}}},
        {"body": {"name": "nul", "query": {"q": NUL}}},
    ],
}


def _with(location: str) -> Callable[[tuple[Any, Any]], Any]:
    def replace(pair: tuple[Any, Any]) -> Any:
        case, value = pair
        setattr(case, location, value)
        return case

    return replace


@st.composite
def _nul_laced(draw: st.DrawFn, cases: Any) -> Any:
    """A case with NUL put into one of its strings (still schema-valid), or left alone."""
    case = draw(cases)
    body, query = copy.deepcopy(case.body), copy.deepcopy(dict(case.query or {}))
    slots: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        for key, item in node.items() if isinstance(node, dict) else enumerate(node):
            if isinstance(item, str):
                slots.append((node, key))
            elif isinstance(item, dict | list):
                collect(item)

    for container in (body, query):
        if isinstance(container, dict | list):
            collect(container)
    if slots:
        node, key = draw(st.sampled_from(slots))
        node[key] = draw(st.sampled_from(["\x00", node[key] + "\x00"]))
        case.body, case.query = body, query
    return case


# -- seeding ---------------------------------------------------------------------------------


def _seed(client: TestClient, headers: dict[str, str], db: str) -> dict[str, list[str]]:
    """Tasks of each kind, comments, projects and sections, saved filters, notifications,
    audit rows, conversations, API tokens, a calendar feed, a spare login, and projects shared
    both ways (one to leave, one with a member to change and remove, one to hand over)."""

    def post(
        path: str, body: dict[str, Any], expected: int = 201, as_: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = client.post(f"{API}{path}", json=body, headers=as_ or headers)
        assert response.status_code == expected, response.text
        return response.json()

    def account(email: str) -> tuple[str, dict[str, str]]:
        tokens = post("/auth/register", {"email": email, "password": PASSWORD})
        return tokens["user"]["id"], {"Authorization": f"Bearer {tokens['access_token']}"}

    for email in JOINERS:
        account(email)
    member_id, _ = account("member@example.com")
    heir_id, _ = account("heir@example.com")
    _, other = account("other@example.com")
    theirs = post("/projects", {"name": "Theirs"}, as_=other)
    post(f"/projects/{theirs['id']}/members", {"email": EMAIL, "role": "viewer"}, as_=other)
    team = post("/projects", {"name": "Team"})
    post(f"/projects/{team['id']}/members", {"email": "member@example.com", "role": "editor"})
    handover = post("/projects", {"name": "Handover"})
    post(f"/projects/{handover['id']}/members", {"email": "heir@example.com", "role": "viewer"})

    plain = post("/tasks", {"title": "Plain", "tags": ["home"], "priority": "high"})
    weekly = post(
        "/tasks", {"title": "Weekly", "due_at": "2030-01-07T09:00:00Z", "rrule": "weekly"}
    )
    dated = post(
        "/tasks", {"title": "Dated", "due_at": "2030-02-01", "reminders": ["2030-01-31T08:00:00Z"]}
    )
    done = post("/tasks", {"title": "Done", "tags": ["work"]})
    post(f"/tasks/{done['id']}/complete", {}, expected=200)
    trashed = post("/tasks", {"title": "Trashed", "rrule": "daily", "due_at": "2030-03-01"})
    assert client.delete(f"{API}/tasks/{trashed['id']}", headers=headers).status_code == 200
    task_ids = [plain["id"], weekly["id"], dated["id"], done["id"], trashed["id"]]
    # Only skip gets this one: earlier operations may have made the others unskippable.
    spare = post("/tasks", {"title": "Spare", "due_at": "2030-01-08T09:00:00Z", "rrule": "daily"})

    inbox = client.get(f"{API}/projects", headers=headers).json()["items"][0]
    home = post("/projects", {"name": "Home", "color": "teal"})
    child = post("/projects", {"name": "Garden", "parent_id": home["id"]})
    archived = post("/projects", {"name": "Old"})
    post(f"/projects/{archived['id']}/archive", {}, expected=200)
    # One in the Inbox, which no operation can trash.
    section_ids = [
        post(f"/projects/{project_id}/sections", {"name": "S"})["id"]
        for project_id in (home["id"], inbox["id"])
    ]
    post("/tasks", {"title": "Sectioned", "section_id": section_ids[0]})
    # On a task of their own: operations on the seeded tasks may have deleted them.
    discussed = post("/tasks", {"title": "Discussed"})
    comment_ids = [
        post(f"/tasks/{discussed['id']}/comments", {"text": f"Noted {i}"})["id"] for i in range(3)
    ]

    query = {"status": "all", "tags": "home"}
    filter_ids = [post("/filters", {"name": f"filter {i}", "query": query})["id"] for i in range(3)]

    user_id = uuid.UUID(client.get(f"{API}/auth/me", headers=headers).json()["id"])
    now = utcnow()
    notification_ids = []
    later = {"email": "later@example.com", "role": "viewer"}
    pending = post(f"/projects/{team['id']}/members", later, expected=202)
    # Invitations to this user's address, sent before the account existed: one to accept,
    # one to decline.
    waiting = [uuid.uuid4(), uuid.uuid4()]
    with Session(get_engine(db)) as session:
        for invitation_id in waiting:
            session.add(
                Invitation(
                    id=invitation_id,
                    project_id=uuid.UUID(theirs["id"]),
                    email=EMAIL,
                    role="viewer",
                    expires_at=now + timedelta(days=7),
                )
            )
        for i, task_id in enumerate([plain["id"], None, dated["id"]]):
            row = Notification(
                user_id=user_id,
                task_id=uuid.UUID(task_id) if task_id else None,
                kind="reminder",
                title=f"Reminder {i}",
                body="body",
                created_at=now - timedelta(minutes=i),
                read_at=now if i == 2 else None,
                channels=["in_app"],
            )
            session.add(row)
            notification_ids.append(str(row.id))
        for i in range(3):
            session.add(
                AuditLog(
                    user_id=user_id,
                    action="task.created",
                    resource_type="task",
                    resource_id=task_ids[i],
                    event_id=uuid.uuid4().hex,
                    details={"title": f"t{i}", "n": i},
                    at=now - timedelta(seconds=i),
                )
            )
        session.commit()
    login = client.post(f"{API}/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token_ids = [post("/auth/tokens", {"name": f"token {i}"})["id"] for i in range(2)]
    feed_url = post("/calendar/token", {}, expected=200)["url"]
    conversation_ids = [
        post("/chat", {"message": f"what's due this week? {i}"}, expected=200)["conversation_id"]
        for i in range(3)
    ]
    return {
        "conversation_id": conversation_ids,
        "task_id": task_ids,
        "filter_id": filter_ids,
        "project_id": [home["id"], child["id"], archived["id"], inbox["id"]],
        "section_id": section_ids,
        "comment_id": comment_ids,
        "invitation": [team["id"], pending["id"]],
        "token": [invitations.token_of(waiting[0])],
        "declined_token": [invitations.token_of(waiting[1])],
        "notification_id": notification_ids,
        "refresh_token": [login.json()["refresh_token"]],
        "skippable_task_id": [spare["id"]],
        "token_id": token_ids,
        # The feed comes before POST /calendar/token (which replaces this secret) in the run.
        "calendar_token": [feed_url.split("token=", 1)[1]],
        "membership": [team["id"], member_id],
        "shared_project_id": [theirs["id"]],
        "handover": [handover["id"], heir_id],
    }


# -- the run ---------------------------------------------------------------------------------


def _strategy(
    operation: Any, mode: GenerationMode, headers: dict[str, str], known: dict[str, list[str]]
) -> Any:
    label = operation.label
    generated = operation.as_strategy(generation_mode=mode, headers=headers)
    if mode is GenerationMode.NEGATIVE:
        return generated
    seeded = [
        operation.as_strategy(headers=headers, path_parameters={parameter.name: value})
        for parameter in operation.path_parameters
        for value in known.get(parameter.name, [])
    ]
    if label in ("POST /api/v1/auth/refresh", "POST /api/v1/auth/logout"):
        seeded = [
            operation.as_strategy(headers=headers, body={"refresh_token": token})
            for token in known["refresh_token"]
        ]
    if label == "POST /api/v1/tasks/{task_id}/skip":
        seeded = [
            operation.as_strategy(headers=headers, path_parameters={"task_id": task_id})
            for task_id in known["skippable_task_id"]
        ]
    if label == "GET /api/v1/calendar.ics":
        seeded = [
            operation.as_strategy(headers=headers, query={"token": token})
            for token in known["calendar_token"]
        ]
    if any(p.location == "query" and p.name == "project_id" for p in operation.iter_parameters()):
        # One project's tasks, tags, stats, activity or feed: the user's own projects too.
        fixed = {"token": known["calendar_token"][0]} if label == "GET /api/v1/calendar.ics" else {}
        seeded += [
            operation.as_strategy(headers=headers, query={**fixed, "project_id": project_id})
            for project_id in known["project_id"]
        ]
    if label.startswith(("PATCH", "DELETE")) and label.endswith("/members/{user_id}"):
        project_id, user_id = known["membership"]
        path = {"project_id": project_id, "user_id": user_id}
        seeded = [operation.as_strategy(headers=headers, path_parameters=path)]
    if label == "DELETE /api/v1/projects/{project_id}/invitations/{invitation_id}":
        project_id, invitation_id = known["invitation"]
        path = {"project_id": project_id, "invitation_id": invitation_id}
        seeded = [operation.as_strategy(headers=headers, path_parameters=path)]
    if label == "POST /api/v1/invitations/{token}/decline":
        seeded = [
            operation.as_strategy(headers=headers, path_parameters={"token": token})
            for token in known["declined_token"]
        ]
    if label == "POST /api/v1/projects/{project_id}/leave":
        seeded += [
            operation.as_strategy(headers=headers, path_parameters={"project_id": project_id})
            for project_id in known["shared_project_id"]
        ]
    if label == "POST /api/v1/projects/{project_id}/transfer":
        project_id, user_id = known["handover"]
        seeded = [
            operation.as_strategy(
                headers=headers,
                path_parameters={"project_id": project_id},
                body={"user_id": user_id},
            )
        ]
    if label == "POST /api/v1/tasks/reorder":
        ids = known["task_id"][:4]
        seeded = [
            operation.as_strategy(headers=headers, body={"ids": order})
            for order in (ids, ids[::-1], ids[1:3])
        ]
    branches = [generated, *seeded]
    base = st.one_of(seeded) if seeded else generated
    if label in VALID_INPUTS:
        location, values = VALID_INPUTS[label]
        base = st.tuples(base, values).map(_with(location))
        branches.append(base)
    if operation.body or any(p.location == "query" for p in operation.iter_parameters()):
        branches.append(_nul_laced(base))
    return st.one_of(branches)


def _run_operation(
    operation: Any,
    mode: GenerationMode,
    strategy: Any,
    record: Callable[[str, str, str], None],
    statuses: dict[int, int],
    examples: list[Any],
) -> None:
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        try:
            response = case.call()
        except Exception as exc:  # the ASGI transport re-raises what the app raised (a 500)
            while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
                exc = exc.exceptions[0]
            # Schemathesis notes the curl command reproducing the request on the exception.
            detail = "".join(traceback.format_exception_only(exc))
            record(operation.label, f"{mode}: 500, raised {type(exc).__name__}", detail)
            return
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                kind = f"{mode}: {failure.title} [{response.status_code}]"
                record(operation.label, kind, str(group))

    for case in examples:
        run = example(case=case)(run)
    try:
        run()
    except Unsatisfiable:
        # Negative mode has nothing to break where the only input is the (fixed) bearer token.
        inputs = [p for p in operation.iter_parameters() if p.name != "Authorization"]
        if mode is not GenerationMode.NEGATIVE or operation.body or inputs:
            raise


def _order(operation: Any) -> int:
    # Deleting comes last so the seeded tasks and filters serve every other operation first.
    return operation.method.upper() == "DELETE"


def test_every_operation_conforms(client: TestClient, make_user, db: str, api_app) -> None:
    headers = make_user(email=EMAIL, password=PASSWORD, timezone="Europe/Berlin")
    known = _seed(client, headers, db)
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", api_app, config=CONFIG)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) >= 24, [operation.label for operation in operations]

    failures: dict[tuple[str, str], str] = {}
    seen: dict[str, dict[int, int]] = {}

    def record(label: str, kind: str, detail: str) -> None:
        failures.setdefault((label, kind), detail if len(detail) < 4000 else detail[:4000] + " ...")

    for operation in operations:
        if operation.label in EXCLUDED:
            continue
        statuses = seen.setdefault(operation.label, {})
        for mode in EXAMPLES:
            strategy = _strategy(operation, mode, headers, known)
            examples = [
                operation.Case(headers=headers, **fields)
                for fields in EXPLICIT.get(operation.label, [])
                if mode is GenerationMode.POSITIVE
            ]
            _run_operation(operation, mode, strategy, record, statuses, examples)

    summary = "\n".join(f"- {label}: {kind}" for label, kind in failures)
    details = "\n\n".join(
        f"== {label} ({kind})\n{detail}" for (label, kind), detail in failures.items()
    )
    assert not failures, f"{len(failures)} distinct failures:\n{summary}\n\n{details}"
    # The run's own session survived /auth/logout and /auth/refresh.
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 200
    # Every operation succeeded at least once, so the run reached past auth and id lookups.
    unreached = {
        label: dict(sorted(statuses.items()))
        for label, statuses in seen.items()
        if not any(200 <= status < 300 for status in statuses)
    }
    assert not unreached, (
        f"operations that never answered 2xx (extend _seed or VALID_INPUTS): {unreached}"
    )
