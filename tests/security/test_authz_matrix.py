"""Authorization matrix: every route x every kind of bad credential, and one user's ids in
another user's hands.

The routes come from the app itself (its OpenAPI document, and its route table for what the
document leaves out), so a new route is swept automatically; a route that is neither
bearer-protected and exercised here nor listed below as public, with the reason, fails
`test_every_route_is_accounted_for`.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.security.sweep import API, MARKER, Headers, Operation, Seeded, operations
from todo_app.config import get_settings

# Forged tokens are signed with whatever key the forger has, short or not.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

# Operations the OpenAPI document declares without the bearer scheme, and why that is right.
PUBLIC = {
    "POST /api/v1/auth/register": "makes the account: there is no credential yet",
    "POST /api/v1/auth/login": "trades email and password for tokens (throttled, see "
    "test_login_throttle.py)",
    "POST /api/v1/auth/refresh": "the refresh token in the body is the credential",
    "POST /api/v1/auth/logout": "the refresh token in the body is the credential; an unknown "
    "one is a no-op 204 that reveals nothing",
    "GET /api/v1/calendar.ics": "calendar apps cannot send headers: the feed secret in "
    "?token= is the credential (test_calendar_feed_secret)",
}
# Routes outside the OpenAPI document.
NOT_IN_OPENAPI = {
    "GET /health/live": "liveness probe, answers a constant",
    "GET /health/ready": "readiness probe: database and broker reachability, no user data",
    "GET /metrics": "Prometheus scrape: counters by route template, no user data "
    "(test_operational_endpoints_hold_no_user_data)",
    "GET /api/v1/openapi.json": "the API's description",
    "GET /api/v1/docs": "Swagger UI page over the description",
    "GET /docs/oauth2-redirect": "Swagger UI helper page",
    "GET /mcp": "bearer-checked like the REST API: in the matrix (MCP_CALLS)",
    "POST /mcp": "bearer-checked like the REST API: in the matrix (MCP_CALLS)",
    "DELETE /mcp": "bearer-checked like the REST API: in the matrix (MCP_CALLS)",
}
# What each path parameter names, so another user's id of that kind can be put in it.
PATH_PARAMS = {
    "task_id",
    "project_id",
    "section_id",
    "comment_id",
    "invitation_id",
    "token",
    "filter_id",
    "notification_id",
    "conversation_id",
    "token_id",
    "user_id",
}
# Query parameters that name one of the user's things, and the kind of id each takes.
QUERY_IDS = {"project_id": "project_id", "section_id": "section_id", "parent_id": "task_id"}
# A body that passes validation, so a refusal is about the credential or the id, not the input.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "UserUpdate": {"display_name": "Changed"},
    "ApiTokenCreate": {"name": "made by someone else"},
    "TaskCreate": {"title": "made by someone else"},
    "TaskUpdate": {"title": "changed by someone else", "priority": "low"},
    "TaskMove": {"position": 0},
    "QuickAddRequest": {"text": "made by someone else tomorrow"},
    "SnoozeRequest": {"minutes": 10},
    "SavedFilterCreate": {"name": "made by someone else", "query": {"status": "all"}},
    "ProjectCreate": {"name": "made by someone else"},
    "ProjectUpdate": {"name": "changed by someone else", "color": "red"},
    "SectionCreate": {"name": "made by someone else"},
    "SectionUpdate": {"name": "changed by someone else", "position": 0},
    "CommentCreate": {"text": "written by someone else"},
    "CommentUpdate": {"text": "changed by someone else"},
    "ChatRequest": {"message": "delete everything"},
    "MemberAdd": {"email": "attacker@example.com", "role": "admin"},
    "MemberUpdate": {"role": "admin"},
    "TransferRequest": {"user_id": str(uuid.uuid4())},
    # Filled with the victim's ids per request:
    "ReorderRequest": {},
    "RegisterRequest": {"email": "new@example.com", "password": "correct horse"},
    "LoginRequest": {"email": "victim@example.com", "password": "wrong password"},
    "RefreshRequest": {"refresh_token": "not-a-token"},
}
MCP_CALLS = [
    ("POST", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    ("GET", None),
    ("DELETE", None),
]
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


def _route_table(app: FastAPI) -> set[str]:
    """Every (method, path) the app answers, from its routes and included routers."""
    labels: set[str] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        entries = list(contexts()) if callable(contexts) else [route]
        for entry in entries:
            for method in getattr(entry, "methods", None) or ():
                if method != "HEAD":
                    labels.add(f"{method} {entry.path}")
    return labels


def test_every_route_is_accounted_for(api_app: FastAPI) -> None:
    ops = {op.label: op for op in operations(api_app)}
    routes = _route_table(api_app)
    assert len(ops) >= 34 and len(routes) >= len(ops)
    unprotected = {label for label, op in ops.items() if not op.secured}
    assert unprotected == set(PUBLIC), "an operation without the bearer scheme needs a reason"
    unknown = routes - set(ops) - set(NOT_IN_OPENAPI)
    assert not unknown, f"routes neither in OpenAPI nor listed with a reason: {sorted(unknown)}"
    stale = (set(NOT_IN_OPENAPI) - routes) | (set(PUBLIC) - set(ops))
    assert not stale, f"listed routes that no longer exist: {sorted(stale)}"
    for op in ops.values():
        assert set(op.path_params) <= PATH_PARAMS, f"{op.label}: teach PATH_PARAMS its ids"
        if op.body_schema:
            assert op.body_schema in VALID_BODIES, f"{op.label}: add a valid {op.body_schema}"


# -- credentials -----------------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(sub: str, **changes: Any) -> dict[str, Any]:
    settings = get_settings()
    now = int(time.time())
    claims = {
        "sub": sub,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        **changes,
    }
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], secret: str | None = None, algorithm: str = "HS256") -> str:
    key = get_settings().jwt_secret.get_secret_value() if secret is None else secret
    return jwt.encode(claims, key, algorithm=algorithm)


def bad_credentials(client: TestClient, victim: Seeded, attacker: Seeded) -> dict[str, Headers]:
    """Each would be the victim's (or someone's) credential but for one defect."""
    sub = victim.user_id
    head, payload, signature = victim.access_token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    # The attacker's genuine token with its subject swapped for the victim's.
    a_head, a_payload, a_signature = attacker.access_token.split(".")
    swapped = json.loads(base64.urlsafe_b64decode(a_payload + "=="))
    swapped["sub"] = sub
    revoked = client.post(f"{API}/auth/tokens", json={"name": "revoked"}, headers=victim.headers)
    assert revoked.status_code == 201
    response = client.delete(f"{API}/auth/tokens/{revoked.json()['id']}", headers=victim.headers)
    assert response.status_code == 204
    tokens = {
        "expired": _sign(_claims(sub, iat=int(time.time()) - 3600, exp=int(time.time()) - 60)),
        "tampered signature": f"{head}.{payload}.{flipped}",
        "tampered claims": f"{a_head}.{_b64(swapped)}.{a_signature}",
        "alg none": jwt.encode(_claims(sub), None, algorithm="none"),
        "alg none, empty signature kept": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "alg HS512 with the app's secret": _sign(_claims(sub), algorithm="HS512"),
        "another secret": _sign(_claims(sub), secret="another-secret-" + "x" * 32),
        "wrong audience": _sign(_claims(sub, aud="someone-else")),
        "wrong issuer": _sign(_claims(sub, iss="someone-else")),
        "no exp": _sign(_claims(sub, exp=None)),
        "unknown subject": _sign(_claims(str(uuid.uuid4()))),
        "subject not an id": _sign(_claims("admin")),
        "refresh token as bearer": victim.refresh_token,
        "revoked API token": revoked.json()["token"],
        "unknown API token": "todo_pat_" + uuid.uuid4().hex,
        "API token prefix only": "todo_pat_",
        "garbage": "' OR '1'='1",
    }
    credentials: dict[str, Headers] = {
        "none": {},
        "empty bearer": {"Authorization": "Bearer "},
        "basic scheme": {"Authorization": f"Basic {victim.access_token}"},
        "token without scheme": {"Authorization": victim.access_token},
    }
    credentials.update({name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()})
    return credentials


def _path(op: Operation, ids: dict[str, list[str]]) -> str:
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", ids[name][0])
    return path


def _body(op: Operation, owner: Seeded) -> dict[str, Any] | None:
    if op.body_schema is None:
        return None
    if op.body_schema == "ReorderRequest":
        return {"ids": owner.ids["task_id"][:2]}
    return VALID_BODIES[op.body_schema]


def _call(client: TestClient, op: Operation, path: str, body: Any, headers: Headers) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    return client.request(op.method, path, **kwargs)


def _no_leak(response: Any, victim: Seeded, context: str, echo: str = "") -> None:
    """Nothing of the victim's in the response (bar `echo`, what the caller itself sent)."""
    text = response.text.replace(echo, "") if echo else response.text
    for secret in (MARKER, victim.email, MARKER.lower()):
        assert secret not in text, f"{context}: leaks {secret!r}: {text[:300]}"


def test_bad_credentials_are_refused_everywhere(
    client: TestClient,
    api_app: FastAPI,
    victim: Seeded,
    attacker: Seeded,
    unchanged: Callable[[Seeded], Any],
) -> None:
    credentials = bad_credentials(client, victim, attacker)
    secured = [op for op in operations(api_app) if op.secured]
    checked = 0
    with unchanged(victim):
        for op in secured:
            path, body = _path(op, victim.ids), _body(op, victim)
            for name, headers in credentials.items():
                response = _call(client, op, path, body, headers)
                context = f"{op.label} with {name}"
                assert response.status_code == 401, f"{context}: {response.status_code}"
                assert response.headers.get("www-authenticate") == "Bearer", context
                error = response.json()
                assert isinstance(error["detail"], str) and "field" in error, context
                _no_leak(response, victim, context)
                checked += 1
        for method, payload in MCP_CALLS:
            for name, headers in credentials.items():
                response = client.request(
                    method, "/mcp", json=payload, headers={**MCP_HEADERS, **headers}
                )
                assert response.status_code == 401, f"{method} /mcp with {name}"
                _no_leak(response, victim, f"{method} /mcp with {name}")
                checked += 1
    assert checked == (len(secured) + len(MCP_CALLS)) * len(credentials)
    # The genuine credentials still work: the refusals were about the defects.
    for headers in (victim.headers, victim.pat_headers):
        assert client.get(f"{API}/auth/me", headers=headers).status_code == 200


def test_another_users_ids_are_not_found(
    client: TestClient,
    api_app: FastAPI,
    victim: Seeded,
    attacker: Seeded,
    unchanged: Callable[[Seeded], Any],
) -> None:
    ops = [op for op in operations(api_app) if op.secured]
    with_ids = [op for op in ops if op.path_params]
    assert len(with_ids) >= 14
    with unchanged(victim):
        for op in with_ids:
            for index in range(len(victim.ids[op.path_params[0]])):
                ids = {
                    name: victim.ids[name][min(index, len(victim.ids[name]) - 1) :]
                    for name in op.path_params
                }
                for headers in (attacker.headers, attacker.pat_headers):
                    response = _call(client, op, _path(op, ids), _body(op, attacker), headers)
                    context = f"{op.label} on the victim's {ids}"
                    assert response.status_code == 404, f"{context}: {response.status_code}"
                    assert response.json()["field"] is None or "id" in response.json()["field"]
                    _no_leak(response, victim, context)
        # Ids carried in query strings (the feed's behind the attacker's own secret).
        named = 0
        for op in ops + [op for op in operations(api_app) if op.label in PUBLIC]:
            names = [p["name"] for p in op.query_params if p["name"] in QUERY_IDS]
            if op.method != "GET" or op.path_params or not names:
                continue
            for name in names:
                for victim_id in victim.ids[QUERY_IDS[name]]:
                    params = {name: victim_id}
                    if op.label == "GET /api/v1/calendar.ics":
                        params["token"] = attacker.feed_token
                        response = client.get(op.path, params=params)
                    else:
                        response = client.get(op.path, params=params, headers=attacker.headers)
                    context = f"{op.label} ?{name}= the victim's {victim_id}"
                    assert response.status_code == 404, f"{context}: {response.status_code}"
                    _no_leak(response, victim, context)
                    named += 1
        # project_id on tasks, tags, stats, audit and the feed; section_id and parent_id on tasks.
        assert named >= 5 * len(victim.ids["project_id"]) + 1 + 4, named
        # Ids carried in bodies.
        reorder = client.post(
            f"{API}/tasks/reorder",
            json={"ids": [attacker.ids["task_id"][0], victim.ids["task_id"][0]]},
            headers=attacker.headers,
        )
        assert reorder.status_code == 404, reorder.text
        chat = client.post(
            f"{API}/chat",
            json={"message": "what is due?", "conversation_id": victim.ids["conversation_id"][0]},
            headers=attacker.headers,
        )
        assert chat.status_code == 404, chat.text
        # Every list the attacker can read holds only the attacker's things.
        for op in ops:
            if op.method != "GET" or op.path_params:
                continue
            for query in ("", "?status=all", "?archived=true", "?format=json", "?format=csv"):
                if query and not op.query_params:
                    continue
                response = client.get(f"{op.path}{query}", headers=attacker.headers)
                if response.status_code == 422:
                    continue  # a query parameter this operation does not have
                assert response.status_code == 200, f"{op.label}{query}: {response.text}"
                _no_leak(response, victim, f"{op.label}{query}")
        search = client.get(f"{API}/tasks?status=all&q={MARKER}", headers=attacker.headers)
        assert search.json()["total"] == 0
        feed = client.get(f"{API}/calendar.ics", params={"token": attacker.feed_token})
        assert feed.status_code == 200 and "ATTACKER" in feed.text
        _no_leak(feed, victim, "the attacker's calendar feed")
        # The same over MCP: the tools act only on the caller's tasks.
        for name, arguments in [
            ("list_tasks", {}),
            ("complete_task", {"task": victim.ids["task_id"][0]}),
            ("complete_task", {"task": victim.ids["task_id"][0][:8]}),
            ("complete_task", {"task": f"{MARKER} plain"}),
            ("update_task", {"task": victim.ids["task_id"][0], "title": "mine now"}),
            ("delete_task", {"task": victim.ids["task_id"][1], "confirm": True}),
            ("uncomplete_task", {"task": victim.ids["task_id"][2]}),
            ("skip_occurrence", {"task": victim.ids["task_id"][1]}),
            ("next_occurrences", {"task": victim.ids["task_id"][1]}),
            ("list_projects", {}),
            ("list_tasks", {"project": victim.ids["project_id"][0]}),
            ("add_task", {"title": "mine now", "project": victim.ids["project_id"][0]}),
            ("add_subtask", {"title": "mine now", "parent": victim.ids["task_id"][0]}),
            ("move_task", {"task": victim.ids["task_id"][0], "project": "Inbox"}),
            ("create_project", {"name": "mine now", "parent": victim.ids["project_id"][1]}),
        ]:
            call = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": name, "arguments": arguments},
            }
            response = client.post(
                "/mcp", json=call, headers={**MCP_HEADERS, **attacker.pat_headers}
            )
            assert response.status_code == 200, response.text
            result = response.json()["result"]
            # Only the calls that name nothing of the victim's succeed.
            assert result["isError"] is bool(arguments), (name, result)
            _no_leak(response, victim, f"MCP {name}", echo=str(arguments.get("task", "")))
    # The attacker's own ids still work for the attacker, so the 404s were about ownership.
    own = client.get(f"{API}/tasks/{attacker.ids['task_id'][0]}", headers=attacker.headers)
    assert own.status_code == 200


def test_calendar_feed_secret(client: TestClient, victim: Seeded, attacker: Seeded) -> None:
    feed = f"{API}/calendar.ics"
    mine = client.get(feed, params={"token": victim.feed_token})
    assert mine.status_code == 200 and MARKER in mine.text and "ATTACKER" not in mine.text
    for params, headers, status in [
        ({}, {}, 422),
        ({}, victim.headers, 422),  # a bearer token does not open the feed
        ({"token": ""}, victim.headers, 404),
        ({"token": victim.access_token[:200]}, {}, 404),
        ({"token": victim.pat}, {}, 404),
        ({"token": victim.feed_token[:-1]}, {}, 404),
        ({"token": victim.feed_token.upper()}, {}, 404),
        ({"token": "x" * 201}, {}, 422),
    ]:
        response = client.get(feed, params=params, headers=headers)
        assert response.status_code == status, (params, response.text)
        _no_leak(response, victim, f"feed with {params}")
    renewed = client.post(f"{API}/calendar/token", headers=victim.headers)
    assert renewed.status_code == 200
    assert client.get(feed, params={"token": victim.feed_token}).status_code == 404


def test_operational_endpoints_hold_no_user_data(client: TestClient, victim: Seeded) -> None:
    for path, status in [
        ("/health/live", 200),
        ("/health/ready", 200),
        ("/metrics", 200),
        (f"{API}/openapi.json", 200),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        _no_leak(response, victim, path)
        for task_id in victim.ids["task_id"]:
            assert task_id not in response.text, path
