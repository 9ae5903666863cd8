"""`todo`: the task manager from a terminal, over the REST API only.

    todo login                       # once: makes a personal API token, kept in the config file
    todo add "call mom tomorrow 6pm #family every sunday" [--project P] [--section S] [--parent ID]
    todo ls [--all|--completed] [--tag t] [--priority high] [--due-before D] [-q words]
            [--project P] [--section S] [--json]
    todo done ID...   todo rm ID...   todo undo   todo show ID
    todo edit ID --title T --priority high --tag +work --tag -home --due 2026-12-25
    todo mv ID [--project P] [--section S|none] [--parent ID|none] [--position N]
    todo projects [--json]           todo projects add NAME [--color C] [--parent P]

ID is a task's full id or a unique prefix of at least 6 characters. A project P is its name
(case-insensitive) or id, a section S its name or id within the project. The API is --api, else
TODO_API_URL, else the one used at login, else http://localhost:8000. Credentials live in
$XDG_CONFIG_HOME/todo/config.json (mode 0600). Exit codes: 0 ok, 1 API or user error, 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import platform
import re
import sys
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import httpx

DEFAULT_API = "http://localhost:8000"
API_PREFIX = "/api/v1"
MIN_PREFIX = 6
PAGE_LIMIT = 200
TITLE_WIDTH = 50


class CliError(Exception):
    """A message for the user; the command exits 1."""


# --- configuration ------------------------------------------------------------------------


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "todo"


def config_path() -> Path:
    return config_dir() / "config.json"


def load_config() -> dict[str, Any]:
    try:
        data = json.loads(config_path().read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {config_path()}: {exc}") from None
    return data if isinstance(data, dict) else {}


def save_config(data: dict[str, Any]) -> None:
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = config_path()
    temporary = path.with_suffix(".tmp")
    # Created 0600 from the start, so the token is never readable by others, even briefly.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


# --- the API --------------------------------------------------------------------------------


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return f"the API answered {response.status_code} {response.reason_phrase}"


class Api:
    def __init__(self, base: str, token: str | None) -> None:
        self.base = base.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers["User-Agent"] = "todo-cli"
        self.client = httpx.Client(base_url=self.base + API_PREFIX, headers=headers, timeout=30)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise CliError(f"cannot reach the API at {self.base}: {exc}") from None
        if response.status_code == 401 and "Authorization" in self.client.headers:
            raise CliError("your login is no longer valid (token revoked?); run `todo login`")
        if response.status_code >= 400:
            raise CliError(_error_message(response))
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise CliError(f"the API at {self.base} did not answer JSON") from None


def _api_base(args: argparse.Namespace, config: dict[str, Any]) -> str:
    return str(args.api or os.environ.get("TODO_API_URL") or config.get("api") or DEFAULT_API)


def _logged_in(args: argparse.Namespace) -> tuple[Api, dict[str, Any]]:
    config = load_config()
    if not config.get("token"):
        raise CliError("not logged in; run `todo login` first")
    return Api(_api_base(args, config), str(config["token"])), config


# --- ids, times, output -----------------------------------------------------------------------


def _all_tasks(api: Api, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = api.call("GET", "/tasks", params={**params, "page": page, "limit": PAGE_LIMIT})
        items.extend(answer["items"])
        if not answer["items"] or len(items) >= answer["total"]:
            return items
        page += 1


def resolve_id(api: Api, text: str) -> str:
    """A full task id, or the one task whose id starts with this prefix (>= 6 characters)."""
    candidate = text.strip().lower()
    with contextlib.suppress(ValueError):
        return str(uuid.UUID(candidate))
    if len(candidate) < MIN_PREFIX or not re.fullmatch(r"[0-9a-f-]+", candidate):
        raise CliError(
            f"{text!r} is not a task id: give the full id or at least {MIN_PREFIX} of its "
            "first characters"
        )
    matches = [t["id"] for t in _all_tasks(api, status="all") if t["id"].startswith(candidate)]
    if not matches:
        raise CliError(f"no task id starts with {text!r}")
    if len(matches) > 1:
        raise CliError(f"{text!r} matches {len(matches)} tasks; give more characters")
    return str(matches[0])


def resolve_project(api: Api, text: str) -> dict[str, Any]:
    """The project named `text` (its id, or the name of exactly one of your projects)."""
    wanted = text.strip()
    with contextlib.suppress(ValueError):
        return dict(api.call("GET", f"/projects/{uuid.UUID(wanted)}"))
    shown = api.call("GET", "/projects")["items"]
    found = [p for p in shown if p["name"].casefold() == wanted.casefold()]
    if not found:
        raise CliError(f"project: no project is named {wanted!r}; `todo projects` lists them")
    if len(found) > 1:
        ids = ", ".join(short(p["id"]) for p in found)
        raise CliError(f"project: {len(found)} projects are named {wanted!r} ({ids}); give the id")
    return dict(found[0])


def resolve_section(api: Api, project_id: str, text: str) -> str:
    """The id of the section of that project named `text` (its name or id)."""
    wanted = text.strip()
    sections = api.call("GET", f"/projects/{project_id}/sections")["items"]
    for section in sections:
        if section["id"] == wanted.lower() or section["name"].casefold() == wanted.casefold():
            return str(section["id"])
    raise CliError(f"section: the project has no section named {wanted!r}")


def _place(api: Api, args: argparse.Namespace) -> dict[str, str]:
    """The project_id and section_id that --project and --section name (those given)."""
    place: dict[str, str] = {}
    if args.project:
        place["project_id"] = resolve_project(api, args.project)["id"]
    if args.section:
        inbox = next(p for p in api.call("GET", "/projects")["items"] if p["is_inbox"])
        project_id = place.get("project_id") or inbox["id"]
        place["section_id"] = resolve_section(api, project_id, args.section)
    return place


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def format_due(task: dict[str, Any], zone: ZoneInfo) -> str:
    if not task.get("due_at"):
        return ""
    local = datetime.fromisoformat(task["due_at"]).astimezone(zone)
    return local.strftime("%Y-%m-%d") if task.get("all_day") else local.strftime("%Y-%m-%d %H:%M")


def short(task_id: str) -> str:
    return task_id[:8]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _user_zone(api: Api) -> ZoneInfo:
    return _zone(str(api.call("GET", "/auth/me").get("timezone") or "UTC"))


def _remember(config: dict[str, Any], action: str, ids: list[str]) -> None:
    config["last_action"] = {"action": action, "ids": ids}
    save_config(config)


def _describe(task: dict[str, Any], zone: ZoneInfo) -> str:
    parts = [f"{short(task['id'])}  {task['title']}"]
    due = format_due(task, zone)
    if due:
        parts.append(f"due {due}")
    if task.get("rrule"):
        parts.append(f"repeats {task['rrule']}")
    if task.get("priority") and task["priority"] != "medium":
        parts.append(f"priority {task['priority']}")
    if task.get("tags"):
        parts.append(" ".join(f"#{tag}" for tag in task["tags"]))
    return "  ".join(parts[:1]) + ("  (" + ", ".join(parts[1:]) + ")" if parts[1:] else "")


# --- commands -------------------------------------------------------------------------------


def cmd_login(args: argparse.Namespace) -> int:
    config = load_config()
    base = _api_base(args, config)
    email = args.email or input("Email: ").strip()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
    anonymous = Api(base, None)
    pair = anonymous.call("POST", "/auth/login", json={"email": email, "password": password})
    session = Api(base, pair["access_token"])
    name = f"todo CLI on {platform.node() or 'this machine'}"[:100]
    created = session.call("POST", "/auth/tokens", json={"name": name})
    # The CLI lives on its API token; the short-lived browser-style session is not needed.
    with contextlib.suppress(CliError):
        anonymous.call("POST", "/auth/logout", json={"refresh_token": pair["refresh_token"]})
    old = config.get("token_id"), config.get("token")
    if old[0] and old[1]:
        with contextlib.suppress(CliError):
            Api(str(config.get("api") or base), str(old[1])).call(
                "DELETE", f"/auth/tokens/{old[0]}"
            )
    save_config(
        {
            "api": base,
            "email": pair["user"]["email"],
            "token": created["token"],
            "token_id": created["id"],
        }
    )
    print(f"Logged in as {pair['user']['email']} at {base}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    config = load_config()
    if not config.get("token"):
        print("Not logged in")
        return 0
    api = Api(_api_base(args, config), str(config["token"]))
    problem = None
    try:
        api.call("DELETE", f"/auth/tokens/{config.get('token_id')}")
    except CliError as exc:
        problem = str(exc)
    config_path().unlink(missing_ok=True)
    print("Logged out" + (f" (the token could not be revoked: {problem})" if problem else ""))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    api, config = _logged_in(args)
    text = " ".join(args.text).strip()
    if not text:
        raise CliError('text: say what to do, e.g. todo add "buy milk tomorrow #errands"')
    body = {"text": text, **_place(api, args)}
    if args.parent:
        body["parent_id"] = resolve_id(api, args.parent)
    task = api.call("POST", "/tasks/quick", json=body)
    _remember(config, "add", [task["id"]])
    print("Added " + _describe(task, _user_zone(api)) + _where(api, task))
    return 0


def _where(api: Api, task: dict[str, Any]) -> str:
    """ " in PROJECT" (" / SECTION"), or " under TITLE" for a subtask; "" in the Inbox."""
    if task.get("parent_id"):
        return f" under {api.call('GET', '/tasks/' + task['parent_id'])['title']}"
    project = api.call("GET", f"/projects/{task['project_id']}")
    if project["is_inbox"] and not task.get("section_id"):
        return ""
    sections = api.call("GET", f"/projects/{project['id']}/sections")["items"]
    named = [s["name"] for s in sections if s["id"] == task.get("section_id")]
    return f" in {project['name']}" + "".join(f" / {name}" for name in named)


def cmd_ls(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    params: dict[str, Any] = {"status": "active", "sort_by": "due_at"}
    if args.all:
        params["status"] = "all"
    if args.completed:
        params["status"] = "completed"
    if args.tag:
        params["tags"] = ",".join(args.tag)
    if args.priority:
        params["priority"] = ",".join(args.priority)
    if args.due_before:
        params["due_before"] = args.due_before
    if args.due_after:
        params["due_after"] = args.due_after
    if args.q:
        params["q"] = " ".join(args.q)
    params.update(_place(api, args))
    tasks = _all_tasks(api, **params)
    if args.json:
        print(json.dumps(tasks, indent=2))
        return 0
    if not tasks:
        print("No tasks")
        return 0
    zone = _user_zone(api)
    names = {p["id"]: p["name"] for p in api.call("GET", "/projects")["items"]}
    rows = [
        [
            short(t["id"]),
            "x" if t["completed"] else " ",
            {"high": "H", "medium": "M", "low": "L"}.get(t["priority"], "?"),
            format_due(t, zone),
            "↻" if t.get("rrule") else "",
            _clip(t["title"], TITLE_WIDTH) + _progress(t),
            ",".join(t["tags"]),
            names.get(t["project_id"], ""),
        ]
        for t in tasks
    ]
    print(table(["ID", "✓", "P", "DUE", "R", "TITLE", "TAGS", "PROJECT"], rows))
    return 0


def _progress(task: dict[str, Any]) -> str:
    """[2/5]: subtasks done of all, for a task that has some."""
    counts = task.get("subtasks") or {}
    total = counts.get("total", 0)
    return f" [{total - counts.get('open', 0)}/{total}]" if total else ""


def _tree(projects: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """The projects depth first, each with its depth (0 at the top), in the API's order."""
    ids = {project["id"] for project in projects}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for project in projects:
        parent = project["parent_id"] if project["parent_id"] in ids else None
        children.setdefault(parent, []).append(project)
    ordered: list[tuple[int, dict[str, Any]]] = []
    pending = [(0, p) for p in reversed(children.get(None, []))]
    while pending:
        depth, project = pending.pop()
        ordered.append((depth, project))
        pending += [(depth + 1, c) for c in reversed(children.get(project["id"], []))]
    return ordered


def cmd_projects(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    projects = api.call("GET", "/projects")["items"]
    if args.json:
        print(json.dumps(projects, indent=2))
        return 0
    rows = [
        [short(p["id"]), str(p["open_count"]), "  " * depth + p["name"], p["color"]]
        for depth, p in _tree(projects)
    ]
    print(table(["ID", "OPEN", "NAME", "COLOR"], rows))
    return 0


def cmd_projects_add(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    body: dict[str, Any] = {"name": args.name}
    if args.color:
        body["color"] = args.color
    if args.parent:
        body["parent_id"] = resolve_project(api, args.parent)["id"]
    project = api.call("POST", "/projects", json=body)
    print(f"Created project {short(project['id'])}  {project['name']}")
    return 0


def cmd_projects_share(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    project = resolve_project(api, args.project)
    body = {"email": args.email, "role": args.role}
    shared = api.call("POST", f"/projects/{project['id']}/members", json=body)
    if "expires_at" in shared:
        print(f"Invited {shared['email']} to {project['name']} as {shared['role']} (by mail)")
    else:
        print(f"Shared {project['name']} with {shared['email']} as {shared['role']}")
    return 0


def cmd_projects_members(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    project = resolve_project(api, args.project)
    listed = api.call("GET", f"/projects/{project['id']}/members")
    if args.json:
        print(json.dumps(listed, indent=2))
        return 0
    rows = [[m["display_name"] or "-", m["email"], m["role"]] for m in listed["items"]]
    waiting = listed["invitations"]
    rows += [["(invited)", i["email"], f"{i['role']}, {i['status']}"] for i in waiting]
    print(table(["NAME", "EMAIL", "ROLE"], rows))
    return 0


def _each(args: argparse.Namespace, action: str, method: str, suffix: str, verb: str) -> int:
    api, config = _logged_in(args)
    ids = [resolve_id(api, text) for text in args.ids]
    zone = _user_zone(api)
    done: list[str] = []
    try:
        for task_id in ids:
            task = api.call(method, f"/tasks/{task_id}{suffix}")
            done.append(task_id)
            print(f"{verb} " + _describe(task, zone))
    finally:
        if done:
            _remember(config, action, done)
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    return _each(args, "done", "POST", "/complete", "Completed")


def cmd_rm(args: argparse.Namespace) -> int:
    return _each(args, "rm", "DELETE", "", "Deleted")


UNDO = {
    "done": ("POST", "/uncomplete", "Reopened"),
    "rm": ("POST", "/restore", "Restored"),
    "add": ("DELETE", "", "Removed"),
}


def cmd_undo(args: argparse.Namespace) -> int:
    api, config = _logged_in(args)
    last = config.get("last_action")
    if not isinstance(last, dict) or last.get("action") not in UNDO:
        raise CliError("nothing to undo")
    method, suffix, verb = UNDO[last["action"]]
    zone = _user_zone(api)
    for task_id in last.get("ids", []):
        task = api.call(method, f"/tasks/{task_id}{suffix}")
        print(f"{verb} " + _describe(task, zone))
    config.pop("last_action", None)
    save_config(config)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    task_id = resolve_id(api, args.id)
    task = api.call("GET", f"/tasks/{task_id}")
    change: dict[str, Any] = {"version": task["version"]}
    if args.title is not None:
        change["title"] = args.title
    if args.description is not None:
        change["description"] = args.description
    if args.priority is not None:
        change["priority"] = args.priority
    if args.due is not None:
        change["due_at"] = None if args.due.lower() in ("", "none") else args.due
    if args.rrule is not None:
        change["rrule"] = None if args.rrule.lower() in ("", "none") else args.rrule
    if args.tag:
        tags = list(task["tags"])
        for item in args.tag:
            name = item[1:] if item[:1] in "+-" else item
            if item.startswith("-"):
                tags = [t for t in tags if t.lower() != name.lower()]
            elif name.lower() not in (t.lower() for t in tags):
                tags.append(name)
        change["tags"] = tags
    if len(change) == 1:
        raise CliError("nothing to change: give --title, --priority, --tag, --due, ...")
    updated = api.call("PATCH", f"/tasks/{task_id}", json=change)
    print("Updated " + _describe(updated, _user_zone(api)))
    return 0


def cmd_mv(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    task_id = resolve_id(api, args.id)
    move: dict[str, Any] = {}
    if args.project:
        move["project_id"] = resolve_project(api, args.project)["id"]
    if args.section:
        if args.section.lower() == "none":
            move["section_id"] = None
        else:
            task = api.call("GET", f"/tasks/{task_id}")
            project_id = move.get("project_id") or task["project_id"]
            move["section_id"] = resolve_section(api, project_id, args.section)
    if args.parent:
        move["parent_id"] = None if args.parent.lower() == "none" else resolve_id(api, args.parent)
    if args.position is not None:
        move["position"] = args.position
    if not move:
        raise CliError("nothing to move: give --project, --section, --parent or --position")
    task = api.call("POST", f"/tasks/{task_id}/move", json=move)
    print("Moved " + _describe(task, _user_zone(api)) + (_where(api, task) or " to the Inbox"))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    api, _ = _logged_in(args)
    task = api.call("GET", f"/tasks/{resolve_id(api, args.id)}")
    zone = _user_zone(api)
    if args.json:
        print(json.dumps(task, indent=2))
        return 0
    status = "deleted" if task.get("deleted_at") else "done" if task["completed"] else "open"
    counts = task.get("subtasks") or {}
    fields = [
        ("id", task["id"]),
        ("title", task["title"]),
        ("status", status),
        ("place", _where(api, task).strip()),
        ("subtasks", _progress(task).strip(" []") + " done" if counts.get("total") else ""),
        ("priority", task["priority"]),
        ("due", format_due(task, zone) + (" (all day)" if task.get("all_day") else "")),
        ("tags", ", ".join(task["tags"])),
        ("repeats", task.get("rrule") or ""),
        ("description", task.get("description") or ""),
        (
            "reminders",
            ", ".join(
                datetime.fromisoformat(r).astimezone(zone).strftime("%Y-%m-%d %H:%M")
                for r in task.get("reminders", [])
            ),
        ),
    ]
    if task.get("rrule"):
        nexts = api.call("GET", f"/tasks/{task['id']}/occurrences", params={"n": 5})
        if nexts.get("description"):
            where = [name for name, _ in fields].index("repeats")
            fields[where] = ("repeats", f"{nexts['description']} ({task['rrule']})")
        dates = [
            format_due({"due_at": at, "all_day": task.get("all_day")}, zone)
            for at in nexts["occurrences"]
        ]
        fields.append(("next", ", ".join(dates) or "(the series has ended)"))
    width = max(len(name) for name, _ in fields)
    for name, value in fields:
        if value:
            print(f"{name.ljust(width)}  {value}")
    return 0


# --- argument parsing -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="todo", description="Your tasks from the terminal, over the todo REST API."
    )
    parser.add_argument("--api", help=f"API base URL (default: TODO_API_URL or {DEFAULT_API})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    login = commands.add_parser("login", help="log in and keep an API token for this CLI")
    login.add_argument("--email")
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    login.set_defaults(func=cmd_login)

    logout = commands.add_parser("logout", help="revoke this CLI's token and forget it")
    logout.set_defaults(func=cmd_logout)

    add = commands.add_parser("add", help='add a task: todo add "call mom tomorrow 6pm #family"')
    add.add_argument("text", nargs="+")
    add.add_argument("--project", help="its project, by name or id (default: the Inbox)")
    add.add_argument("--section", help="a section of that project, by name or id")
    add.add_argument("--parent", help="make it a subtask of this task (ID)")
    add.set_defaults(func=cmd_add)

    ls = commands.add_parser("ls", help="list tasks (open ones by default)")
    which = ls.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="open and completed")
    which.add_argument("--completed", action="store_true", help="completed only")
    ls.add_argument("--tag", action="append", help="with this tag (repeat for all of several)")
    ls.add_argument("--priority", action="append", help="low, medium or high (repeat: any of)")
    ls.add_argument("--due-before", help="a date or date-time")
    ls.add_argument("--due-after", help="a date or date-time")
    ls.add_argument("-q", nargs="+", help="words in the title or description")
    ls.add_argument("--project", help="only this project's tasks (name or id)")
    ls.add_argument("--section", help="only this section's tasks (name or id)")
    ls.add_argument("--json", action="store_true", help="the tasks as the API gives them")
    ls.set_defaults(func=cmd_ls)

    done = commands.add_parser("done", help="complete tasks")
    done.add_argument("ids", nargs="+", metavar="ID")
    done.set_defaults(func=cmd_done)

    rm = commands.add_parser("rm", help="delete tasks (to the trash; `todo undo` restores)")
    rm.add_argument("ids", nargs="+", metavar="ID")
    rm.set_defaults(func=cmd_rm)

    undo = commands.add_parser("undo", help="revert the last add, done or rm of this CLI")
    undo.set_defaults(func=cmd_undo)

    edit = commands.add_parser("edit", help="change a task")
    edit.add_argument("id", metavar="ID")
    edit.add_argument("--title")
    edit.add_argument("--description")
    edit.add_argument("--priority", help="low, medium or high")
    edit.add_argument("--tag", action="append", help="+tag adds, -tag removes (repeatable)")
    edit.add_argument("--due", help="a date, a date-time, or none")
    edit.add_argument("--rrule", help="an RRULE, daily/weekly/..., or none")
    edit.set_defaults(func=cmd_edit)

    mv = commands.add_parser("mv", help="move a task to another project, section or parent")
    mv.add_argument("id", metavar="ID")
    mv.add_argument("--project", help="the project, by name or id")
    mv.add_argument("--section", help="a section of the project, by name or id; none: out of any")
    mv.add_argument("--parent", help="the parent task's id; none: a top-level task")
    mv.add_argument("--position", type=int, help="its place among its new siblings, from 0")
    mv.set_defaults(func=cmd_mv)

    projects = commands.add_parser("projects", help="your projects with open task counts")
    projects.add_argument("--json", action="store_true", help="the projects as the API gives them")
    projects.set_defaults(func=cmd_projects)
    project_commands = projects.add_subparsers(dest="action", metavar="ACTION")
    project_add = project_commands.add_parser("add", help="create a project")
    project_add.add_argument("name")
    project_add.add_argument("--color", help="a palette colour: blue, green, berry_red, ...")
    project_add.add_argument("--parent", help="put it inside this project (name or id)")
    project_add.set_defaults(func=cmd_projects_add)
    share = project_commands.add_parser(
        "share", help="share a project by email (an address with no account is invited)"
    )
    share.add_argument("project", help="the project's name or id")
    share.add_argument("email")
    share.add_argument(
        "--role", default="editor", help="admin, editor, commenter or viewer (default: editor)"
    )
    share.set_defaults(func=cmd_projects_share)
    members = project_commands.add_parser("members", help="who a project is shared with")
    members.add_argument("project", help="the project's name or id")
    members.add_argument("--json", action="store_true", help="the members as the API gives them")
    members.set_defaults(func=cmd_projects_members)

    show = commands.add_parser("show", help="a task's fields and next occurrences")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)
    return parser


def _fail(message: str) -> NoReturn:
    print(f"todo: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # "--tag -home" must reach edit as a value, not be taken for an option.
    raw = list(sys.argv[1:] if argv is None else argv)
    fixed = [
        f"{arg}={raw[i + 1]}"
        if arg == "--tag" and i + 1 < len(raw) and raw[i + 1].startswith("-")
        else arg
        for i, arg in enumerate(raw)
        if not (i > 0 and raw[i - 1] == "--tag" and arg.startswith("-"))
    ]
    args = parser.parse_args(fixed)
    try:
        return int(args.func(args))
    except CliError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
