"""The `todo` command, run for real (a subprocess with its own config dir) against a real
`reflex run --env prod --backend-only` process, on each database."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bench.support.servers import free_port, running_backend

ROOT = Path(__file__).resolve().parent.parent
TZ = "Europe/Paris"
PASSWORD = "correct horse"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def backend(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One backend process per database for the whole module (each test registers its own
    user, so the tests do not see each other's tasks)."""
    log_path = tmp_path_factory.mktemp("cli-backend") / "backend.log"
    with running_backend(database_url, log_path) as base:
        yield base


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def todo(backend: str, tmp_path: Path) -> Callable[..., Result]:
    """Run `python -m todo_app.cli ARGS` with its own XDG_CONFIG_HOME, against the backend."""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TODO_API_URL": backend,
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("DATABASE_URL", None)

    def run(*args: str, stdin: str | None = None) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "todo_app.cli", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def user(backend: str, todo: Callable[..., Result]) -> str:
    """A registered user, logged in with the CLI; returns the email."""
    email = f"cli-{uuid.uuid4().hex[:10]}@example.com"
    registered = httpx.post(
        f"{backend}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "timezone": TZ},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    result = todo("login", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    assert result.code == 0, result.err
    assert email in result.out
    return email


def _tasks(todo: Callable[..., Result], *args: str) -> list[dict]:
    result = todo("ls", "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _add(todo: Callable[..., Result], text: str) -> dict:
    before = {t["id"] for t in _tasks(todo, "--all")}
    result = todo("add", text)
    assert result.code == 0, result.err
    assert result.out.startswith("Added ")
    (task,) = [t for t in _tasks(todo, "--all") if t["id"] not in before]
    return task


def test_login_keeps_an_api_token_in_a_private_file(todo, user, tmp_path, backend):
    path = tmp_path / "config" / "todo" / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = json.loads(path.read_text())
    assert config["token"].startswith("todo_pat_")
    assert config["email"] == user
    me = httpx.get(
        f"{backend}/api/v1/auth/me",
        headers={"Authorization": f"Bearer {config['token']}"},
        timeout=10,
    )
    assert me.status_code == 200 and me.json()["email"] == user


def test_add_ls_done_undo(todo, user):
    task = _add(todo, "call mom tomorrow 6pm #family every sunday")
    assert task["title"] == "call mom"
    assert task["tags"] == ["family"]
    assert task["rrule"] == "FREQ=WEEKLY;BYDAY=SU"
    local_due = datetime.fromisoformat(task["due_at"]).astimezone(ZoneInfo(TZ))
    assert (local_due.weekday(), local_due.hour, local_due.minute) == (6, 18, 0)
    other = _add(todo, "pay rent friday !high #home")
    assert other["priority"] == "high" and other["all_day"]

    table = todo("ls")
    assert table.code == 0, table.err
    lines = table.out.splitlines()
    assert lines[0].split()[:4] == ["ID", "✓", "P", "DUE"]
    row = next(line for line in lines if line.startswith(task["id"][:8]))
    assert local_due.strftime("%Y-%m-%d 18:00") in row
    assert "call mom" in row and "family" in row
    rent = next(line for line in lines if line.startswith(other["id"][:8]))
    assert " H " in rent and "pay rent" in rent

    assert [t["id"] for t in _tasks(todo, "--tag", "home")] == [other["id"]]
    assert [t["id"] for t in _tasks(todo, "--priority", "high")] == [other["id"]]
    assert [t["id"] for t in _tasks(todo, "-q", "mom")] == [task["id"]]

    # done with a 6-character prefix, like git
    done = todo("done", other["id"][:6])
    assert done.code == 0, done.err
    assert "Completed" in done.out and "pay rent" in done.out
    assert other["id"] not in {t["id"] for t in _tasks(todo)}
    assert other["id"] in {t["id"] for t in _tasks(todo, "--completed")}

    undo = todo("undo")
    assert undo.code == 0, undo.err
    assert "Reopened" in undo.out
    assert other["id"] in {t["id"] for t in _tasks(todo)}
    again = todo("undo")
    assert again.code == 1 and "nothing to undo" in again.err


def test_undo_add_and_rm(todo, user):
    task = _add(todo, "throw me away")
    assert todo("undo").code == 0
    assert task["id"] not in {t["id"] for t in _tasks(todo, "--all")}

    keep = _add(todo, "keep me")
    removed = todo("rm", keep["id"])
    assert removed.code == 0 and "Deleted" in removed.out
    assert keep["id"] not in {t["id"] for t in _tasks(todo, "--all")}
    restored = todo("undo")
    assert restored.code == 0 and "Restored" in restored.out
    assert keep["id"] in {t["id"] for t in _tasks(todo)}


def test_edit_and_show(todo, user):
    task = _add(todo, "water plants #home #garden")
    edited = todo(
        "edit",
        task["id"][:8],
        "--title",
        "water the plants",
        "--priority",
        "high",
        "--tag",
        "+balcony",
        "--tag",
        "-home",
        "--due",
        "2030-06-01T09:00",
        "--rrule",
        "weekly",
    )
    assert edited.code == 0, edited.err
    (after,) = [t for t in _tasks(todo) if t["id"] == task["id"]]
    assert after["title"] == "water the plants"
    assert after["priority"] == "high"
    assert after["tags"] == ["garden", "balcony"]
    assert after["rrule"] == "FREQ=WEEKLY"

    show = todo("show", task["id"][:7])
    assert show.code == 0, show.err
    assert "water the plants" in show.out
    assert "2030-06-01 09:00" in show.out
    next_line = next(line for line in show.out.splitlines() if line.startswith("next"))
    assert "2030-06-08 09:00" in next_line and "2030-07-06 09:00" in next_line


def test_errors_name_the_field_and_exit_1(todo, user):
    task = _add(todo, "something")
    bad = todo("edit", task["id"], "--priority", "urgent")
    assert bad.code == 1
    assert bad.err.strip().startswith("todo: error: priority")
    assert len(bad.err.strip().splitlines()) == 1

    bad_due = todo("ls", "--due-before", "someday")
    assert bad_due.code == 1 and "due_before" in bad_due.err

    unknown = todo("done", "ffffffffff")
    assert unknown.code == 1 and "no task id starts with" in unknown.err
    short = todo("done", "abc")
    assert short.code == 1 and "at least 6" in short.err

    usage = todo("ls", "--bogus")
    assert usage.code == 2
    assert todo().code == 2


def test_not_logged_in_and_logout(todo, backend, tmp_path):
    result = todo("ls")
    assert result.code == 1
    assert result.err.strip() == "todo: error: not logged in; run `todo login` first"

    email = f"cli-{uuid.uuid4().hex[:10]}@example.com"
    httpx.post(
        f"{backend}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD},
        timeout=10,
    ).raise_for_status()
    wrong = todo("login", "--email", email, "--password-stdin", stdin="wrong password\n")
    assert wrong.code == 1 and "email or password is wrong" in wrong.err
    assert todo("login", "--email", email, "--password-stdin", stdin=PASSWORD).code == 0
    token = json.loads((tmp_path / "config" / "todo" / "config.json").read_text())["token"]
    assert todo("logout").code == 0
    assert todo("ls").code == 1
    revoked = httpx.get(
        f"{backend}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert revoked.status_code == 401


def test_unreachable_api(tmp_path):
    config = tmp_path / "todo"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"token": "todo_pat_x"}))
    done = subprocess.run(
        [sys.executable, "-m", "todo_app.cli", "--api", f"http://127.0.0.1:{free_port()}", "ls"],
        cwd=ROOT,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("todo: error: cannot reach the API")


def _token(tmp_path: Path) -> dict[str, str]:
    token = json.loads((tmp_path / "config" / "todo" / "config.json").read_text())["token"]
    return {"Authorization": f"Bearer {token}"}


def test_projects_sections_subtasks_and_mv(todo, user, backend, tmp_path):
    made = todo("projects", "add", "Home renovation", "--color", "blue")
    assert made.code == 0, made.err
    assert made.out.startswith("Created project ") and "Home renovation" in made.out
    assert todo("projects", "add", "Kitchen", "--parent", "home renovation").code == 0
    bad = todo("projects", "add", "Garden", "--color", "plaid")
    assert bad.code == 1 and bad.err.startswith("todo: error: color must be one of")
    listed = json.loads(todo("projects", "--json").out)
    home = next(p for p in listed if p["name"] == "Home renovation")
    kitchen = next(p for p in listed if p["name"] == "Kitchen")
    assert (home["color"], kitchen["parent_id"]) == ("blue", home["id"])
    section = httpx.post(
        f"{backend}/api/v1/projects/{home['id']}/sections",
        json={"name": "Paint jobs"},
        headers=_token(tmp_path),
        timeout=10,
    ).json()

    added = todo(
        "add", "sand the door tomorrow", "--project", "home RENOVATION", "--section", "paint jobs"
    )
    assert added.code == 0, added.err
    assert added.out.rstrip().endswith("in Home renovation / Paint jobs")
    (door,) = _tasks(todo, "--project", "Home renovation")
    assert (door["title"], door["section_id"]) == ("sand the door", section["id"])
    # The text names a project too (^Name, matched like the bar's).
    sandpaper = _add(todo, "buy sandpaper ^kitchen #shop")
    assert (sandpaper["project_id"], sandpaper["title"]) == (kitchen["id"], "buy sandpaper")
    step = todo("add", "fill the cracks", "--parent", door["id"][:8])
    assert step.code == 0 and step.out.rstrip().endswith("under sand the door")
    (fill,) = _tasks(todo, "-q", "cracks")
    assert (fill["parent_id"], fill["section_id"]) == (door["id"], section["id"])

    shown = dict(line.split(None, 1) for line in todo("show", door["id"][:8]).out.splitlines())
    assert (shown["place"], shown["subtasks"]) == ("in Home renovation / Paint jobs", "0/1 done")
    step_shown = dict(line.split(None, 1) for line in todo("show", fill["id"]).out.splitlines())
    assert step_shown["place"] == "under sand the door" and "subtasks" not in step_shown

    table = todo("ls", "--project", "home renovation")
    assert table.code == 0, table.err
    assert table.out.splitlines()[0].split()[-1] == "PROJECT"
    door_row = next(line for line in table.out.splitlines() if line.startswith(door["id"][:8]))
    assert "sand the door [0/1]" in door_row and door_row.endswith("Home renovation")
    tree = todo("projects").out.splitlines()
    assert tree[0].split() == ["ID", "OPEN", "NAME", "COLOR"]
    assert [line.split()[1:] for line in tree[1:]] == [
        ["0", "Inbox", "charcoal"],
        ["2", "Home", "renovation", "blue"],
        ["1", "Kitchen", "charcoal"],
    ]
    assert tree[3].index("Kitchen") == tree[2].index("Home renovation") + 2  # under its parent

    moved = todo(
        "mv", sandpaper["id"][:8], "--project", "Home renovation", "--section", "Paint jobs",
        "--position", "0",
    )  # fmt: skip
    assert moved.code == 0, moved.err
    assert moved.out.startswith("Moved ") and moved.out.rstrip().endswith("/ Paint jobs")
    by_id = {t["id"]: t for t in _tasks(todo, "--section", section["id"], "--project", home["id"])}
    assert set(by_id) == {door["id"], fill["id"], sandpaper["id"]}
    assert by_id[sandpaper["id"]]["position"] < by_id[door["id"]]["position"]
    top = todo("mv", fill["id"], "--parent", "none", "--section", "none")
    assert top.code == 0, top.err
    (fill,) = _tasks(todo, "-q", "cracks")
    assert (fill["parent_id"], fill["section_id"], fill["project_id"]) == (None, None, home["id"])

    unknown = todo("add", "tile the floor", "--project", "Nowhere")
    assert unknown.code == 1
    assert unknown.err.startswith("todo: error: project: no project is named 'Nowhere'")
    in_text = todo("add", "tile the floor ^Nowhere")
    assert in_text.code == 1 and "no project is named “Nowhere”" in in_text.err
    assert todo("ls", "--project", "Nowhere").code == 1
    nothing = todo("mv", door["id"])
    assert nothing.code == 1 and "nothing to move" in nothing.err
    assert "tile the floor" not in {t["title"] for t in _tasks(todo, "--all")}


def test_projects_are_shared_and_their_members_listed(todo, user, backend):
    assert todo("projects", "add", "Allotment").code == 0
    friend = f"friend-{uuid.uuid4().hex[:6]}@example.com"
    registered = httpx.post(
        f"{backend}/api/v1/auth/register",
        json={"email": friend, "password": "correct horse", "display_name": "Fran"},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    shared = todo("projects", "share", "allotment", friend.upper(), "--role", "viewer")
    assert shared.code == 0, shared.err
    assert shared.out.strip() == f"Shared Allotment with {friend} as viewer"
    invited = todo("projects", "share", "Allotment", "new-" + friend)
    assert invited.out.strip() == f"Invited new-{friend} to Allotment as editor (by mail)"
    bad = todo("projects", "share", "Allotment", "someone@example.com", "--role", "boss")
    assert bad.code == 1 and "role" in bad.err
    rows = [line.split() for line in todo("projects", "members", "Allotment").out.splitlines()]
    assert rows[0] == ["NAME", "EMAIL", "ROLE"]
    assert rows[2] == ["Fran", friend, "viewer"]
    assert rows[3] == ["(invited)", f"new-{friend}", "editor,", "pending"]
    listed = json.loads(todo("projects", "members", "Allotment", "--json").out)
    assert [m["role"] for m in listed["items"]] == ["owner", "viewer"]
