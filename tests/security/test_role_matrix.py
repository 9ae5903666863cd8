"""Role matrix: every route that reaches into a project (its own, a section's or a task's id in
the path) x every member role, on a project shared by its owner.

The routes come from the OpenAPI document, and each must be listed in NEEDS with the
permission it asks for, so a new route cannot be missed. A role whose permissions hold the
need succeeds; any other is refused with 403 naming the permission. A non-member's 404 on the
same routes is test_authz_matrix's `test_another_users_ids_are_not_found`.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.security.sweep import API, PASSWORD, Headers, Operation, operations
from todo_app.core.projects import ROLE_PERMISSIONS, Permission, Role

NEEDS: dict[str, Permission] = {
    "GET /api/v1/projects/{project_id}": Permission.view,
    "PATCH /api/v1/projects/{project_id}": Permission.manage,
    "DELETE /api/v1/projects/{project_id}": Permission.manage,
    "POST /api/v1/projects/{project_id}/restore": Permission.manage,
    "POST /api/v1/projects/{project_id}/archive": Permission.manage,
    "POST /api/v1/projects/{project_id}/unarchive": Permission.manage,
    "POST /api/v1/projects/{project_id}/transfer": Permission.manage,
    "GET /api/v1/projects/{project_id}/sections": Permission.view,
    "POST /api/v1/projects/{project_id}/sections": Permission.edit,
    "PATCH /api/v1/sections/{section_id}": Permission.edit,
    "DELETE /api/v1/sections/{section_id}": Permission.edit,
    "GET /api/v1/projects/{project_id}/members": Permission.view,
    "POST /api/v1/projects/{project_id}/members": Permission.manage_members,
    "PATCH /api/v1/projects/{project_id}/members/{user_id}": Permission.manage_members,
    "DELETE /api/v1/projects/{project_id}/members/{user_id}": Permission.manage_members,
    "DELETE /api/v1/projects/{project_id}/invitations/{invitation_id}": Permission.manage_members,
    # Any member may leave.
    "POST /api/v1/projects/{project_id}/leave": Permission.view,
    "GET /api/v1/tasks/{task_id}": Permission.view,
    "GET /api/v1/tasks/{task_id}/occurrences": Permission.view,
    "PATCH /api/v1/tasks/{task_id}": Permission.edit,
    "DELETE /api/v1/tasks/{task_id}": Permission.edit,
    "POST /api/v1/tasks/{task_id}/complete": Permission.edit,
    "POST /api/v1/tasks/{task_id}/uncomplete": Permission.edit,
    "POST /api/v1/tasks/{task_id}/skip": Permission.edit,
    "POST /api/v1/tasks/{task_id}/restore": Permission.edit,
    # Reminders are personal: a reader sets their own.
    "POST /api/v1/tasks/{task_id}/snooze": Permission.view,
    "POST /api/v1/tasks/{task_id}/move": Permission.edit,
    "GET /api/v1/tasks/{task_id}/comments": Permission.view,
    "POST /api/v1/tasks/{task_id}/comments": Permission.comment,
    # The owner's comment: deleting another's takes managing the members.
    "DELETE /api/v1/comments/{comment_id}": Permission.manage_members,
}
# Routes no role opens on what another wrote: each member is refused, naming the author.
AUTHOR_ONLY = {"PATCH /api/v1/comments/{comment_id}"}
MEMBER_ROLES = [role for role in Role if role is not Role.owner]


def _account(client: TestClient, name: str) -> tuple[str, str, Headers]:
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
    response = client.post(f"{API}/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["user"]["id"], email, {"Authorization": f"Bearer {body['access_token']}"}


def _post(client: TestClient, path: str, headers: Headers, body: dict[str, Any]) -> Any:
    response = client.post(f"{API}{path}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _reaches_a_project(op: Operation) -> bool:
    return bool({"project_id", "section_id", "task_id", "comment_id"} & set(op.path_params))


def test_every_route_into_a_project_names_its_permission(api_app: FastAPI) -> None:
    routes = {op.label for op in operations(api_app) if _reaches_a_project(op)}
    listed = set(NEEDS) | AUTHOR_ONLY
    assert routes == listed, (
        f"unlisted: {sorted(routes - listed)}, stale: {sorted(listed - routes)}"
    )


def test_each_role_gets_what_its_permissions_allow(client: TestClient, api_app: FastAPI) -> None:
    _, _, owner = _account(client, "owner")
    members = {role: _account(client, role.value) for role in MEMBER_ROLES}
    peer_id, peer_email, _ = _account(client, "peer")
    _, joiner_email, _ = _account(client, "joiner")
    ops = [op for op in operations(api_app) if _reaches_a_project(op)]
    checked = 0
    for role, (member_id, member_email, headers) in members.items():
        for op in ops:
            # A fresh project each time: what one operation does cannot hide the next one's.
            project = _post(client, "/projects", owner, {"name": "Shared"})
            for who, given in ((member_email, role.value), (peer_email, "viewer")):
                body = {"email": who, "role": given}
                _post(client, f"/projects/{project['id']}/members", owner, body)
            section = _post(client, f"/projects/{project['id']}/sections", owner, {"name": "S"})
            task = _post(
                client,
                "/tasks",
                owner,
                {
                    "title": "Weekly",
                    "project_id": project["id"],
                    "due_at": "2030-01-07T09:00:00Z",
                    "rrule": "weekly",
                },
            )
            said = _post(client, f"/tasks/{task['id']}/comments", owner, {"text": "Mine"})
            pending = client.post(
                f"{API}/projects/{project['id']}/members",
                json={"email": f"pending-{uuid.uuid4().hex[:6]}@example.com", "role": "viewer"},
                headers=owner,
            )
            assert pending.status_code == 202, pending.text
            ids = {
                "invitation_id": pending.json()["id"],
                "project_id": project["id"],
                "section_id": section["id"],
                "task_id": task["id"],
                "comment_id": said["id"],
                "user_id": peer_id,
            }
            path = op.path
            for name in op.path_params:
                path = path.replace("{" + name + "}", ids[name])
            bodies: dict[str, dict[str, Any]] = {
                "TaskUpdate": {"title": "changed", "assignee_id": member_id},
                "TaskMove": {"section_id": section["id"]},
                "SnoozeRequest": {"minutes": 10},
                "ProjectUpdate": {"name": "changed"},
                "SectionCreate": {"name": "more"},
                "SectionUpdate": {"name": "changed"},
                "MemberAdd": {"email": joiner_email, "role": "viewer"},
                "MemberUpdate": {"role": "editor"},
                "TransferRequest": {"user_id": peer_id},
                "CommentCreate": {"text": "a member's"},
                "CommentUpdate": {"text": "changed"},
            }
            kwargs: dict[str, Any] = {"headers": headers}
            if op.body_schema:
                kwargs["json"] = bodies[op.body_schema]
            response = client.request(op.method, path, **kwargs)
            context = f"{role.value}: {op.label}: {response.text[:200]}"
            checked += 1
            if op.label in AUTHOR_ONLY:
                assert response.status_code == 403, context
                assert "author" in response.json()["detail"], context
                continue
            need = NEEDS[op.label]
            if need in ROLE_PERMISSIONS[role]:
                assert response.status_code < 300, context
            else:
                assert response.status_code == 403, context
                assert f"{need.value} permission" in response.json()["detail"], context
    assert checked == len(ops) * len(MEMBER_ROLES)


def test_mcp_tools_act_with_the_callers_role(client: TestClient) -> None:
    """The tools the assistant and MCP share go through the same services: a viewer reads a
    shared project's tasks and changes none; an editor changes them."""
    _, _, owner = _account(client, "owner")
    project = _post(client, "/projects", owner, {"name": "Shared"})
    task = _post(client, "/tasks", owner, {"title": "Shared chore", "project_id": project["id"]})
    tokens = {}
    for role in ("viewer", "editor"):
        _, email, headers = _account(client, role)
        _post(client, f"/projects/{project['id']}/members", owner, {"email": email, "role": role})
        tokens[role] = _post(client, "/auth/tokens", headers, {"name": "mcp"})["token"]

    def tool(role: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        call = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        }
        headers = {
            "Accept": "application/json, text/event-stream",
            "Authorization": f"Bearer {tokens[role]}",
        }
        response = client.post("/mcp", json=call, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    listed = tool("viewer", "list_tasks", {"project": project["id"]})
    assert not listed["isError"] and "Shared chore" in str(listed)
    for name, arguments in [
        ("complete_task", {"task": task["id"]}),
        ("update_task", {"task": task["id"], "title": "mine now"}),
        ("add_task", {"title": "mine now", "project": project["id"]}),
    ]:
        refused = tool("viewer", name, arguments)
        assert refused["isError"] and "edit permission" in str(refused), (name, refused)
    for role in ("viewer", "editor"):
        asked = {"project": project["id"], "email": "someone@example.com"}
        refused = tool(role, "share_project", asked)
        assert refused["isError"] and "manage_members permission" in str(refused), refused
    assert not tool("editor", "complete_task", {"task": task["id"]})["isError"]
    done = client.get(f"{API}/tasks/{task['id']}", headers=owner).json()
    assert done["completed"] is True and done["title"] == "Shared chore"
    # "Assigned to me" over the tools too.
    editor_id = client.get(
        f"{API}/auth/me", headers={"Authorization": f"Bearer {tokens['editor']}"}
    )
    assignee = {"assignee_id": editor_id.json()["id"]}
    assert (
        client.patch(f"{API}/tasks/{task['id']}", json=assignee, headers=owner).status_code == 200
    )
    mine = tool("editor", "list_tasks", {"assignee": "me", "status": "all"})
    assert not mine["isError"] and "Shared chore" in str(mine)
    assert "No tasks match" in str(
        tool("viewer", "list_tasks", {"assignee": "me", "status": "all"})
    )
