"""Side by side with Taskwarrior 2.6: the same generated tasks, the same queries, the same run.

For each size (default 10,000 and 100,000) the same tasks (unique titles, lowercase tags,
priorities, due dates on Europe/Berlin wall clock, some recurring) are imported into a
throwaway Taskwarrior (`task import`, its own TASKDATA/TASKRC, TZ=Europe/Berlin) and into this
app (a scratch PostgreSQL database, `services.tasks.create_task`, one account per size). The
app runs as users run it (`reflex run --env prod --backend-only`); the REST API and the `todo`
CLI (`python -m todo_app.cli`, a personal API token) are timed end to end against
`task ... export`. Each query's result sets are compared (ids mapped through the unique
title = Taskwarrior description), and a sample of recurring tasks has its next occurrences
compared with what Taskwarrior generates. Run from the repository root:

    .venv/bin/python -m bench.taskwarrior --sizes 1000       # a quick look
    .venv/bin/python -m bench.taskwarrior                    # 10,000 and 100,000 tasks
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench.support.database import DEFAULT_ADMIN_URL, copy_rows, inbox_of, vacuum_analyze
from bench.support.run import ROOT, exit_on_sigterm, log, write_results
from bench.support.seeds import TIMEZONE
from bench.support.servers import Backend, scratch_backend
from bench.support.stats import percentiles, timed

ZONE = ZoneInfo(TIMEZONE)
PASSWORD = "bench password 1"

SHARE_RECURRING = 0.05
SHARE_UNDATED = 0.15
DUE_SPREAD_DAYS = 180
QUERY_TAG = "work"
SEARCH_WORD = "report"
WINDOW_DAYS = 30

VERBS = (
    "Call", "Email", "Review", "Write", "Fix", "Plan", "Buy", "Book", "Pay", "Update",
    "Prepare", "Send", "Clean", "Schedule", "Read", "Draft", "Submit", "Check", "Renew",
)  # fmt: skip
# "unreported expenses" holds the search word inside a word: a substring match finds it, a
# word-prefix match does not.
OBJECTS = (
    "report", "invoice", "dentist", "groceries", "slides", "budget", "tax return", "car service",
    "passport", "insurance", "newsletter", "roadmap", "contract", "quarterly report", "reports",
    "expense report", "team meeting", "code review", "release notes", "unreported expenses",
    "landlord", "plumber", "library books", "backup", "photos", "presentation", "spreadsheet",
)  # fmt: skip
TAGS = (
    "work", "home", "errands", "urgent", "finance", "health", "family", "shopping", "reading",
    "garden", "car", "travel", "admin", "kids", "calls",
)  # fmt: skip
TAG_WEIGHTS = tuple(1 / (rank + 1) for rank in range(len(TAGS)))
# Taskwarrior recurrence period -> the RRULE this app is given for it.
RECURRENCES = {
    "daily": "FREQ=DAILY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "quarterly": "FREQ=MONTHLY;INTERVAL=3",
    "yearly": "FREQ=YEARLY",
}
PRIORITY = {"H": "high", "M": "medium", "L": "low"}


# --- generated tasks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    title: str
    priority: str  # H, M, L
    tags: tuple[str, ...]
    due: datetime | None  # aware UTC
    recur: str | None  # a Taskwarrior period, a key of RECURRENCES


def tw_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_tw_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def generate(count: int, rng: random.Random, today: date) -> list[Spec]:
    specs: list[Spec] = []
    for number in range(count):
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} n{number:06d}"
        picked = dict.fromkeys(rng.choices(TAGS, weights=TAG_WEIGHTS, k=rng.randint(0, 3)))
        kind = rng.random()
        recur = rng.choice(tuple(RECURRENCES)) if kind < SHARE_RECURRING else None
        due = None
        if recur is not None:
            # Recurring tasks start in the future: from a past due date Taskwarrior back-fills
            # every missed occurrence as its own pending task (see the recurrence section).
            day = today + timedelta(days=rng.randint(1, 60))
        elif kind < SHARE_RECURRING + SHARE_UNDATED:
            day = None
        else:
            day = today + timedelta(days=rng.randint(-DUE_SPREAD_DAYS, DUE_SPREAD_DAYS))
        if day is not None:
            local = datetime.combine(day, clock(rng.randint(8, 18), rng.choice((0, 30))), ZONE)
            due = local.astimezone(UTC)
        specs.append(
            Spec(
                title=title,
                priority=rng.choices("HML", weights=(20, 55, 25))[0],
                tags=tuple(picked),
                due=due,
                recur=recur,
            )
        )
    return specs


def tw_record(spec: Spec, entry: datetime) -> dict[str, Any]:
    record: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "description": spec.title,
        "status": "recurring" if spec.recur else "pending",
        "entry": tw_time(entry),
        "priority": spec.priority,
    }
    if spec.tags:
        record["tags"] = list(spec.tags)
    if spec.due is not None:
        record["due"] = tw_time(spec.due)
    if spec.recur:
        record["recur"] = spec.recur
    return record


# --- Taskwarrior -------------------------------------------------------------------------------


class Taskwarrior:
    """One throwaway TASKDATA with an explicit TASKRC; every call is a `task` process."""

    def __init__(self, home: Path, recurrence_limit: int = 1) -> None:
        self.home = home
        (home / "data").mkdir(parents=True)
        self.rc = home / "taskrc"
        self.rc.write_text(
            "\n".join(
                [
                    f"data.location={home / 'data'}",
                    "confirmation=off",
                    "hooks=off",
                    "verbose=nothing",
                    "recurrence=on",
                    f"recurrence.limit={recurrence_limit}",
                    "recurrence.confirmation=no",
                    "gc=on",
                    "search.case.sensitive=no",
                    "regex=on",
                    "json.array=on",
                    "dateformat=Y-M-D",
                    # `task ... export bydue` applies this report's sort (2.6 exports by report).
                    "report.bydue.columns=uuid,due,description",
                    "report.bydue.sort=due+",
                    "report.bydue.filter=status:pending",
                    "",
                ]
            )
        )
        self.env = {**os.environ, "TASKRC": str(self.rc), "TZ": TIMEZONE}

    def run(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            ["task", *args], env=self.env, input=stdin, capture_output=True, text=True
        )
        if result.returncode not in (0, 1):  # 1: nothing matched
            raise RuntimeError(f"task {' '.join(args)} failed: {result.stderr[-2000:]}")
        return result.stdout

    def export(self, *args: str, report: str | None = None) -> list[dict[str, Any]]:
        out = self.run(*args, "export", *([report] if report else [])).strip()
        return json.loads(out) if out else []


# --- the app -----------------------------------------------------------------------------------


@dataclass
class Account:
    user_id: uuid.UUID
    token: str  # a personal API token (todo_pat_...)
    cli_home: Path  # XDG_CONFIG_HOME holding the CLI's config.json


def make_account(email: str, base_url: str, home: Path) -> Account:
    from todo_app.db import session_scope
    from todo_app.schemas import RegisterRequest
    from todo_app.services import api_tokens, auth

    with session_scope() as session:
        user = auth.register(
            session,
            RegisterRequest(
                email=email, password=PASSWORD, display_name="Bench", timezone=TIMEZONE
            ),
            "bench",
        )
        created = api_tokens.create_token(session, user, "bench CLI")
        user_id, token, token_id = user.id, created.token, created.id
    config = home / "todo"
    config.mkdir(parents=True, mode=0o700)
    path = config / "config.json"
    path.write_text(
        json.dumps({"api": base_url, "email": email, "token": token, "token_id": str(token_id)})
    )
    path.chmod(0o600)
    return Account(user_id, token, home)


def import_ours(user_id: uuid.UUID, specs: list[Spec]) -> dict[str, str]:
    """Create every task through services.tasks.create_task; answers title -> task id."""
    from todo_app.db import session_scope
    from todo_app.models import User
    from todo_app.schemas import TaskCreate
    from todo_app.services import tasks

    ids: dict[str, str] = {}
    batch = 2000
    for start in range(0, len(specs), batch):
        with session_scope() as session:
            user = session.get_one(User, user_id)
            for spec in specs[start : start + batch]:
                task = tasks.create_task(
                    session,
                    user,
                    TaskCreate(
                        title=spec.title,
                        priority=PRIORITY[spec.priority],
                        tags=list(spec.tags),
                        due_at=spec.due.isoformat() if spec.due else None,
                        rrule=RECURRENCES[spec.recur] if spec.recur else None,
                    ),
                )
                ids[spec.title] = str(task.id)
        log(f"  ours: {min(start + batch, len(specs))}/{len(specs)}")
    return ids


def copy_ours(user_id: uuid.UUID, specs: list[Spec]) -> dict[str, str]:
    """The same rows create_task would write, loaded with COPY, for the sizes above
    --service-import-max, where create_task (its own position query, flush and outbox event
    each task) would take longer than the rest of the run.

    Titles, tags, tag keys, search text, RRULE and series fields are filled by the same
    functions create_task uses; no outbox events are written (nothing consumes them here).
    """
    from todo_app.core.recurrence import normalize_rrule
    from todo_app.core.validation import clean_tags, clean_title, search_text, tag_key
    from todo_app.db import get_engine
    from todo_app.models import Task

    now = datetime.now(UTC)
    engine = get_engine()
    with engine.connect() as connection:
        inbox = inbox_of(connection, user_id)
    rows: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    for position, spec in enumerate(specs, start=1):
        task_id = uuid.uuid4()
        title = clean_title(spec.title)
        tags = clean_tags(list(spec.tags))
        rule = normalize_rrule(RECURRENCES[spec.recur]) if spec.recur else None
        rows.append(
            {
                "id": task_id,
                "user_id": user_id,
                "project_id": inbox,
                "section_id": None,
                "parent_id": None,
                "assignee_id": None,
                "title": title,
                "description": "",
                "priority": PRIORITY[spec.priority],
                "tags": json.dumps(tags),
                "tag_keys": json.dumps([tag_key(tag) for tag in tags]),
                "search_text": search_text(title, ""),
                "due_at": spec.due,
                "all_day": False,
                "rrule": rule,
                "repeat_from": "due",
                "series_id": task_id,
                "occurrence_at": spec.due if rule else None,
                "completed": False,
                "completed_at": None,
                "deleted_at": None,
                "skipped_at": None,
                "position": position,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        ids[spec.title] = str(task_id)
    with engine.begin() as connection:
        copy_rows(connection, Task.__table__, rows, "ours (COPY)")  # type: ignore[attr-defined]
    vacuum_analyze(engine)
    return ids


class Api:
    def __init__(self, base_url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=f"{base_url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )

    def all_tasks(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every page, as the CLI reads them (limit 200)."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self.client.get("/tasks", params={**params, "page": page, "limit": 200})
            response.raise_for_status()
            body = response.json()
            items.extend(body["items"])
            if not body["items"] or len(items) >= body["total"]:
                return items
            page += 1


def cli(account: Account, *args: str) -> str:
    env = {**os.environ, "XDG_CONFIG_HOME": str(account.cli_home)}
    env.pop("TODO_API_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "todo_app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"todo {' '.join(args)} failed: {result.stderr[-1000:]}")
    return result.stdout


# --- measuring ---------------------------------------------------------------------------------


def alternate(runs: int, calls: dict[str, Callable[[], Any]]) -> dict[str, list[float]]:
    """One untimed warm-up each, then `runs` rounds, the sides alternating within a round."""
    for call in calls.values():
        call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            samples[name].append(timed(call)[0])
    return samples


def compare_sets(
    label: str, ours: list[str], theirs: list[str], differences: list[dict[str, Any]]
) -> dict[str, Any]:
    """Titles found by one side only (multiset: Taskwarrior may hold one title twice)."""
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    duplicates = len(theirs) - len(set(theirs))
    entry = {
        "query": label,
        "ours": len(ours),
        "taskwarrior": len(theirs),
        "only_ours": only_ours[:10],
        "only_ours_count": len(only_ours),
        "only_taskwarrior": only_theirs[:10],
        "only_taskwarrior_count": len(only_theirs),
        "taskwarrior_duplicates": duplicates,
        "same": not only_ours and not only_theirs and not duplicates,
    }
    if not entry["same"]:
        differences.append(entry)
    return entry


def local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %a %H:%M %Z")


def run_size(
    size: int, args: argparse.Namespace, backend: Backend, work: Path, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = now.astimezone(ZONE).date()
    specs = generate(size, rng, today)
    result: dict[str, Any] = {"size": size, "recurring": sum(1 for s in specs if s.recur)}
    differences: list[dict[str, Any]] = []

    log(f"[{size}] importing into Taskwarrior")
    tw = Taskwarrior(work / f"tw{size}")
    records = [tw_record(spec, now) for spec in specs]
    import_file = work / f"import{size}.json"
    import_file.write_text(json.dumps(records))
    tw_import_ms, _ = timed(lambda: tw.run("import", str(import_file)))
    # The first command after the import generates the recurring tasks' pending instances.
    tw_first_ms, _ = timed(lambda: tw.run("status:pending", "count"))
    via = "create_task" if size <= args.service_import_max else "COPY"
    log(f"[{size}] importing into ours ({via})")
    account = make_account(
        f"tw-{size}-{secrets.token_hex(3)}@example.com", backend.base_url, work / f"cli{size}"
    )
    loader = import_ours if via == "create_task" else copy_ours
    ours_import_ms, ours_ids = timed(lambda: loader(account.user_id, specs))
    result["import"] = {
        "taskwarrior_import_s": round(tw_import_ms / 1000, 2),
        "taskwarrior_first_command_s": round(tw_first_ms / 1000, 2),
        "ours_via": via,
        "ours_import_s": round(ours_import_ms / 1000, 2),
    }
    api = Api(backend.base_url, account.token)

    # Whole pending set first: the same tasks on both sides?
    tw_pending = [t["description"] for t in tw.export("status:pending")]
    ours_active = [t["title"] for t in api.all_tasks({"status": "active"})]
    result["pending_set"] = compare_sets("all pending", ours_active, tw_pending, differences)

    runs = args.runs or (10 if size <= 10_000 else 5)
    window = (today + timedelta(days=WINDOW_DAYS)).isoformat()
    queries: dict[str, Any] = {}

    # 1. pending +work priority:H due.before:<date>, sorted by due.
    tw_filter = ("status:pending", f"+{QUERY_TAG}", "priority:H", f"due.before:{window}")
    params = {
        "status": "active",
        "tags": QUERY_TAG,
        "priority": "high",
        "due_before": window,
        "sort_by": "due_at",
    }
    cli_args = ("ls", "--tag", QUERY_TAG, "--priority", "high", "--due-before", window, "--json")
    log(f"[{size}] query 1: {' '.join(tw_filter)}, sorted by due")
    samples = alternate(
        runs,
        {
            "taskwarrior": lambda: tw.export(*tw_filter, report="bydue"),
            "rest": lambda: api.all_tasks(params),
            "cli": lambda: cli(account, *cli_args),
        },
    )
    theirs = tw.export(*tw_filter, report="bydue")
    ours = api.all_tasks(params)
    via_cli = json.loads(cli(account, *cli_args))
    check = compare_sets(
        "filter+sort (same words)",
        [t["title"] for t in ours],
        [t["description"] for t in theirs],
        differences,
    )
    # due_before=<date> here includes that whole local day; Taskwarrior's due.before:<date>
    # stops at its midnight. The day before, here, is the same bound.
    previous_day = (today + timedelta(days=WINDOW_DAYS - 1)).isoformat()
    adjusted = api.all_tasks({**params, "due_before": previous_day})
    check_adjusted = compare_sets(
        "filter+sort (ours due_before = the day before)",
        [t["title"] for t in adjusted],
        [t["description"] for t in theirs],
        differences,
    )
    extra = [t for t in ours if t["title"] not in {x["description"] for x in theirs}]
    check["only_ours_due_local_dates"] = sorted(
        {local(datetime.fromisoformat(t["due_at"]))[:10] for t in extra}
    )
    order_ours = [datetime.fromisoformat(t["due_at"]) for t in adjusted]
    order_theirs = [parse_tw_time(t["due"]) for t in theirs]
    check_adjusted["same_due_order"] = order_ours == order_theirs
    check["cli_same_as_rest"] = [t["id"] for t in via_cli] == [t["id"] for t in ours]
    queries["filter_sort"] = {
        "taskwarrior": " ".join(tw_filter) + " export bydue",
        "rest": params,
        "cli": "todo " + " ".join(cli_args),
        "timings": {name: percentiles(values) for name, values in samples.items()},
        "check": check,
        "check_adjusted": check_adjusted,
    }

    # 2. text search among pending tasks.
    log(f"[{size}] query 2: text search {SEARCH_WORD!r}")
    search_params = {"status": "active", "q": SEARCH_WORD}
    samples = alternate(
        runs,
        {
            "taskwarrior": lambda: tw.export("status:pending", f"/{SEARCH_WORD}/"),
            "rest": lambda: api.all_tasks(search_params),
            "cli": lambda: cli(account, "ls", "-q", SEARCH_WORD, "--json"),
        },
    )
    theirs = [t["description"] for t in tw.export("status:pending", f"/{SEARCH_WORD}/")]
    ours_titles = [t["title"] for t in api.all_tasks(search_params)]
    check = compare_sets("text search", ours_titles, theirs, differences)
    check["only_taskwarrior_objects"] = sorted(
        {" ".join(title.split()[1:-1]) for title in set(theirs) - set(ours_titles)}
    )
    queries["text_search"] = {
        "taskwarrior": f"status:pending /{SEARCH_WORD}/ export",
        "rest": search_params,
        "cli": f"todo ls -q {SEARCH_WORD} --json",
        "timings": {name: percentiles(values) for name, values in samples.items()},
        "check": check,
    }

    # 3. completing tasks one by one: the same tasks in Taskwarrior and through REST, other
    # tasks (drawn alike) through the CLI. Some recurring ones among them.
    n = args.complete
    tw_by_title = {t["description"]: t["uuid"] for t in tw.export("status:pending")}
    candidates = [s for s in specs if s.title in tw_by_title and s.due is not None]
    picker = random.Random(seed + 1)
    picked = picker.sample(candidates, min(len(candidates), 2 * n))
    shared, cli_only = picked[:n], picked[n:]
    log(
        f"[{size}] completing {len(shared)} tasks one by one (Taskwarrior, REST), "
        f"{len(cli_only)} others (CLI)"
    )
    done: dict[str, list[float]] = {"taskwarrior": [], "rest": [], "cli": []}
    for index, spec in enumerate(shared):
        tw_id, our_id = tw_by_title[spec.title], ours_ids[spec.title]
        done["taskwarrior"].append(timed(lambda t=tw_id: tw.run(t, "done"))[0])
        ms, response = timed(lambda t=our_id: api.client.post(f"/tasks/{t}/complete"))
        response.raise_for_status()
        done["rest"].append(ms)
        if index < len(cli_only):
            other_id = ours_ids[cli_only[index].title]
            done["cli"].append(timed(lambda t=other_id: cli(account, "done", t))[0])
    # After: recurring tasks among those completed, what each side holds pending for them.
    recurring_done = [s for s in shared if s.recur]
    pending_after = tw.export("status:pending")
    tw_after = {}
    for spec in recurring_done:
        tw_after[spec.title] = sorted(
            t["due"] for t in pending_after if t["description"] == spec.title
        )
    ours_after = {}
    for spec in recurring_done:
        found = api.all_tasks({"status": "active", "q": spec.title.split()[-1]})
        ours_after[spec.title] = sorted(tw_time(datetime.fromisoformat(t["due_at"])) for t in found)
    completion = {
        "recurring_completed": len(recurring_done),
        "ours_successor_pending": sum(1 for v in ours_after.values() if v),
        "taskwarrior_successor_pending": sum(1 for v in tw_after.values() if v),
        "examples": [
            {
                "title": t,
                "due": tw_time(s.due) if s.due else None,
                "ours_pending": ours_after[t],
                "taskwarrior_pending": tw_after[t],
            }
            for t, s in ((s.title, s) for s in recurring_done[:5])
        ],
    }
    if completion["ours_successor_pending"] != completion["taskwarrior_successor_pending"]:
        differences.append({"query": "complete recurring", **completion})
    queries["complete"] = {
        "taskwarrior": "task <uuid> done",
        "rest": "POST /api/v1/tasks/{id}/complete",
        "cli": "todo done <id>",
        "timings": {name: percentiles(values) for name, values in done.items() if values},
        "recurring": completion,
    }
    result["queries"] = queries
    result["differences"] = differences
    return result


# --- recurrence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    label: str
    recur: str
    local_due: str  # ISO, Europe/Berlin wall clock
    all_day: bool = False


def recurrence_samples(today: date) -> list[Sample]:
    year = today.year + 1
    past = (today - timedelta(days=4)).isoformat()
    return [
        Sample("daily 09:00 over spring DST", "daily", f"{year}-03-25T09:00"),
        Sample("daily 09:00 over autumn DST", "daily", f"{year}-10-28T09:00"),
        Sample("weekdays 09:00 over spring DST", "weekdays", f"{year}-03-24T09:00"),
        Sample("weekly 18:30 over spring DST", "weekly", f"{year}-03-15T18:30"),
        Sample("biweekly 07:00 over autumn DST", "biweekly", f"{year}-10-15T07:00"),
        Sample("monthly 09:00 from the 15th (DST inside)", "monthly", f"{year}-01-15T09:00"),
        Sample("monthly from the 31st", "monthly", f"{year}-01-31T09:00"),
        Sample("monthly from the 30th", "monthly", f"{year}-01-30T09:00"),
        Sample("quarterly from the 31st", "quarterly", f"{year}-01-31T09:00"),
        Sample("yearly from 29 Feb", "yearly", "2028-02-29T09:00"),
        Sample("daily all-day over spring DST", "daily", f"{year}-03-26", all_day=True),
        Sample("daily all-day over autumn DST", "daily", f"{year}-10-29", all_day=True),
        Sample("daily 09:00, due 4 days ago", "daily", f"{past}T09:00"),
    ]


def sample_due(sample: Sample) -> datetime:
    if sample.all_day:
        return datetime.combine(date.fromisoformat(sample.local_due), clock(0), ZONE)
    return datetime.fromisoformat(sample.local_due).replace(tzinfo=ZONE)


def classify(ours: datetime, theirs: datetime) -> str:
    a, b = ours.astimezone(ZONE), theirs.astimezone(ZONE)
    if a == b:
        return "same"
    if a.date() == b.date():
        return f"same day, wall clock {a:%H:%M} vs {b:%H:%M} (DST)"
    if abs((a - b).total_seconds()) <= 3600:
        return f"one hour apart across midnight: the date moves ({a:%m-%d} vs {b:%m-%d}) (DST)"
    return f"different date ({a:%Y-%m-%d} vs {b:%Y-%m-%d})"


def compare_recurrence(
    backend: Backend, work: Path, occurrences: int, today: date
) -> list[dict[str, Any]]:
    from todo_app.db import session_scope
    from todo_app.models import User
    from todo_app.schemas import TaskCreate
    from todo_app.services import tasks

    samples = recurrence_samples(today)
    # With a future due date Taskwarrior makes the due itself plus `limit - 1` more.
    tw = Taskwarrior(work / "tw-recurrence", recurrence_limit=occurrences + 1)
    now = datetime.now(UTC)
    parents: dict[str, str] = {}
    records = []
    for sample in samples:
        spec = Spec(sample.label, "M", (), sample_due(sample).astimezone(UTC), sample.recur)
        record = tw_record(spec, now)
        parents[sample.label] = record["uuid"]
        records.append(record)
    path = work / "recurrence.json"
    path.write_text(json.dumps(records))
    tw.run("import", str(path))
    children = tw.export("status:pending")
    account = make_account(
        f"recur-{secrets.token_hex(3)}@example.com", backend.base_url, work / "cli-recurrence"
    )
    api = Api(backend.base_url, account.token)
    ours_ids: dict[str, str] = {}
    with session_scope() as session:
        user = session.get_one(User, account.user_id)
        for sample in samples:
            task = tasks.create_task(
                session,
                user,
                TaskCreate(
                    title=sample.label, due_at=sample.local_due, rrule=RECURRENCES[sample.recur]
                ),
            )
            ours_ids[sample.label] = str(task.id)
    report = []
    for sample in samples:
        theirs = sorted(
            parse_tw_time(c["due"]) for c in children if c.get("parent") == parents[sample.label]
        )
        response = api.client.get(
            f"/tasks/{ours_ids[sample.label]}/occurrences", params={"n": occurrences}
        )
        response.raise_for_status()
        ours_next = [datetime.fromisoformat(x) for x in response.json()["occurrences"]]
        task = api.client.get(f"/tasks/{ours_ids[sample.label]}").json()
        ours_all = [datetime.fromisoformat(task["due_at"]), *ours_next]
        # Taskwarrior's list: every generated instance (back-filled past ones included).
        rows = []
        for index in range(max(len(ours_all), len(theirs))):
            a = ours_all[index] if index < len(ours_all) else None
            b = theirs[index] if index < len(theirs) else None
            rows.append(
                {
                    "ours": local(a) if a else None,
                    "taskwarrior": local(b) if b else None,
                    "verdict": classify(a, b) if a and b else "only one side",
                }
            )
        report.append(
            {
                "sample": sample.label,
                "taskwarrior": f"recur:{sample.recur} due:{sample.local_due}",
                "ours": f"rrule {RECURRENCES[sample.recur]}, due_at {sample.local_due}",
                "taskwarrior_pending_instances": sum(1 for b in theirs if b <= now),
                "differing": sum(1 for row in rows if row["verdict"] != "same"),
                "rows": rows,
            }
        )
    return report


# --- main --------------------------------------------------------------------------------------


def load_average() -> float:
    return os.getloadavg()[0]


def print_results(results: dict[str, Any]) -> None:
    print(
        f"\nTaskwarrior {results['taskwarrior_version']}, load average at start "
        f"{results['load_average_start']:.2f}, at end {results['load_average_end']:.2f}"
    )
    header = (
        f"{'size':>7}  {'query':<14} {'taskwarrior p50/p95':>20} {'REST p50/p95':>18} "
        f"{'CLI p50/p95':>18} {'REST/tw p50':>11} {'CLI/tw p50':>10}  same set"
    )
    for size in results["sizes"]:
        imp = size["import"]
        print(
            f"\n{size['size']} tasks ({size['recurring']} recurring). Import: Taskwarrior "
            f"{imp['taskwarrior_import_s']} s (+ first command {imp['taskwarrior_first_command_s']}"
            f" s), ours through {imp['ours_via']} {imp['ours_import_s']} s"
        )
        print(header)
        for name, query in size["queries"].items():
            t = query["timings"]
            tw, rest = t["taskwarrior"], t["rest"]
            cli_t = t.get("cli")
            same = query.get("check", {}).get("same")
            if name == "filter_sort":
                same = f"{same} (day-before bound: {query['check_adjusted']['same']})"
            if name == "complete":
                rec = query["recurring"]
                same = (
                    f"successors: ours {rec['ours_successor_pending']}/"
                    f"{rec['recurring_completed']}, tw {rec['taskwarrior_successor_pending']}"
                )
            cli_text = f"{cli_t['p50_ms']:.0f}/{cli_t['p95_ms']:.0f} ms" if cli_t else "-"
            cli_ratio = f"{cli_t['p50_ms'] / tw['p50_ms']:.2f}x" if cli_t else "-"
            print(
                f"{size['size']:>7}  {name:<14} {tw['p50_ms']:>9.0f}/{tw['p95_ms']:.0f} ms "
                f"{rest['p50_ms']:>9.1f}/{rest['p95_ms']:.1f} ms {cli_text:>18} "
                f"{rest['p50_ms'] / tw['p50_ms']:>10.3f}x {cli_ratio:>10}  {same}"
            )
        for difference in size["differences"]:
            print(f"  difference: {json.dumps(difference)[:600]}")
    print("\nRecurrence: the task's own due date, then the next ones (Europe/Berlin wall clock)")
    for sample in results["recurrence"]:
        print(
            f"  {sample['sample']}: {sample['differing']} differing of {len(sample['rows'])}"
            f"; Taskwarrior pending instances already due: "
            f"{sample['taskwarrior_pending_instances']}"
        )
        for row in sample["rows"]:
            if row["verdict"] != "same":
                print(f"      ours {row['ours']}  tw {row['taskwarrior']}  {row['verdict']}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma list of task counts")
    parser.add_argument(
        "--runs",
        type=int,
        default=0,
        help="timed runs of each query a side (default 10; 5 above 10,000)",
    )
    parser.add_argument(
        "--service-import-max",
        type=int,
        default=10_000,
        help="sizes up to this go through services.tasks.create_task, larger ones through COPY",
    )
    parser.add_argument("--complete", type=int, default=100, help="tasks completed one by one")
    parser.add_argument("--occurrences", type=int, default=8, help="next dates compared")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--database-url", default=DEFAULT_ADMIN_URL, help="PostgreSQL admin URL")
    args = parser.parse_args(argv)
    args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    if shutil.which("task") is None:
        log("taskwarrior is not installed: apt-get install -y taskwarrior")
        return 1
    version = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
    results: dict[str, Any] = {
        "taskwarrior_version": version,
        "load_average_start": load_average(),
        "timezone": TIMEZONE,
        "sizes": [],
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-tw-") as tmp:
        work = Path(tmp)
        with scratch_backend(args.database_url, work) as backend:
            today = datetime.now(ZONE).date()
            log("recurrence: comparing next occurrences")
            results["recurrence"] = compare_recurrence(backend, work, args.occurrences, today)
            for size in args.size_list:
                results["sizes"].append(run_size(size, args, backend, work, args.seed + size))
    results["load_average_end"] = load_average()
    results["seconds"] = round(time.monotonic() - started, 1)
    path = write_results("taskwarrior", results)
    print_results(results)
    print(f"\n{results['seconds']} s; wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
