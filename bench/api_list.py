"""Latency of GET /api/v1/tasks on PostgreSQL, against the same SQL run directly.

Creates a scratch database, migrates it with `reflex db migrate`, seeds one user's tasks with
COPY, serves the real API with uvicorn and times a fixed mix of list queries twice: through
HTTP, and through the statement the endpoint runs (parse_query + listing's page statement, which
carries the total and the reminders, without HTTP, JSON or presenting). Then, on the same
server, one project's list (`GET /api/v1/tasks?project_id=`) three ways, interleaved: a personal
project of the caller's, the same-size project of the caller's shared with `--members` accounts,
and one of another account's shared with the caller and others (`--members` member rows each);
the personal one is the baseline. The scratch database is dropped at the end, even on failure.
Run from the repository root:

    .venv/bin/python -m bench.api_list --tasks 5000     # a quick look
    .venv/bin/python -m bench.api_list                  # 100,000 tasks, 200 requests a shape
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, create_engine

from bench.support import seeds
from bench.support.database import add_database_url, inbox_of, scratch_workdir
from bench.support.listing import Listing, api_get, copy_tasks, raw_list, user_and_server, verdict
from bench.support.run import ROOT, exit_on_sigterm, log, write_results
from bench.support.seeds import TIMEZONE
from bench.support.servers import ACCOUNT_EMAIL, api_account, register_and_login
from bench.support.stats import mark, percentiles, ratio, timed

TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0
# A shared project's list against a personal one's of the same size, at p95.
TARGET_SHARED_RATIO = 1.2
# Of a shared project's tasks, this share is assigned to one of its people.
SHARE_ASSIGNED = 0.5


# --- seeding ---------------------------------------------------------------------------------


def seed(engine: Engine, user_id: uuid.UUID, count: int, rng: random.Random) -> None:
    log(f"generating {count} tasks")
    with engine.connect() as connection:
        inbox = inbox_of(connection, user_id)
    copy_tasks(engine, *seeds.task_rows(user_id, inbox, count, rng, datetime.now(UTC)))


# --- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    name: str
    params: dict[str, str]


def shapes(today: date) -> list[Shape]:
    return [
        Shape("default (active, position)", {}),
        Shape("active+tag, due_at", {"status": "active", "tags": "work", "sort_by": "due_at"}),
        Shape(
            "priority in, priority desc",
            {"priority": "high,medium", "sort_by": "priority", "sort_order": "desc"},
        ),
        Shape("search, all", {"q": "report", "status": "all"}),
        Shape("overdue, due_at", {"overdue": "true", "sort_by": "due_at"}),
        Shape(
            "any tag + due window",
            {
                "tags": "home,errands",
                "tag_mode": "any",
                "due_after": (today - timedelta(days=7)).isoformat(),
                "due_before": (today + timedelta(days=30)).isoformat(),
            },
        ),
        Shape("recurring, title", {"is_recurring": "true", "sort_by": "title"}),
        Shape("page 50, created_at", {"page": "50", "limit": "50", "sort_by": "created_at"}),
    ]


def api_listing(response: httpx.Response) -> Listing:
    page = response.json()
    return page["total"], [item["id"] for item in page["items"]]


@dataclass
class Outcome:
    shape: Shape
    total: int | None = None
    api: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    error: str | None = None


def measure(
    shape: Shape,
    api: Callable[[], httpx.Response],
    raw: Callable[[], Listing],
    warmup: int,
    n: int,
) -> Outcome:
    """Time both sides; the API is timed to the last byte received, not decoded."""
    outcome = Outcome(shape)
    try:
        api_result, raw_result = api_listing(api()), raw()
        # The baseline is only meaningful if it is the very query the endpoint answered.
        if api_result != raw_result:
            raise RuntimeError(
                f"API and raw SQL disagree: totals {api_result[0]} vs {raw_result[0]}, "
                f"page ids equal: {api_result[1] == raw_result[1]}"
            )
        outcome.total = api_result[0]
        for _ in range(warmup):
            api()
            raw()
        # Alternating keeps drift (autovacuum, CPU frequency) from favouring one side.
        for _ in range(n):
            outcome.api.append(timed(api)[0])
            outcome.raw.append(timed(raw)[0])
    except Exception as exc:  # one broken shape is reported; the others are still measured
        outcome.error = f"{type(exc).__name__}: {exc}"
    return outcome


# --- a shared project against a personal one ------------------------------------------------


@dataclass(frozen=True)
class Project:
    name: str
    id: str
    # Whose tasks they are (the project's owner), and who can be assigned one.
    owner_id: uuid.UUID
    people: list[uuid.UUID]


def share_projects(
    client: httpx.Client, user_id: uuid.UUID, members: int
) -> tuple[Project, Project, Project]:
    """The caller's personal project, the caller's project shared with `members` new accounts,
    and a project of one of them shared with the caller and `members - 1` others: every
    member an editor, made through the API as users make them."""
    base_url = str(client.base_url)
    accounts = [
        register_and_login(base_url, TIMEZONE, f"member-{number}@example.com")
        for number in range(members)
    ]
    people = [account_id for account_id, _ in accounts]

    def create(owner: httpx.Client, name: str, emails: list[str]) -> str:
        response = owner.post("/api/v1/projects", json={"name": name})
        response.raise_for_status()
        project_id = str(response.json()["id"])
        for email in emails:
            added = owner.post(
                f"/api/v1/projects/{project_id}/members", json={"email": email, "role": "editor"}
            )
            added.raise_for_status()
        return project_id

    emails = [f"member-{number}@example.com" for number in range(members)]
    personal = Project("personal", create(client, "Personal", []), user_id, [user_id])
    mine = Project(
        f"mine, shared with {members}",
        create(client, "Shared by me", emails),
        user_id,
        [user_id, *people],
    )
    other_id, other_token = accounts[0]
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {other_token}"}, trust_env=False
    ) as other:
        theirs_id = create(other, "Shared with me", [ACCOUNT_EMAIL, *emails[1:]])
    theirs = Project(
        f"another's, shared with me and {members - 1}", theirs_id, other_id, [user_id, *people]
    )
    return personal, mine, theirs


def seed_projects(engine: Engine, projects: list[Project], count: int, seed: int) -> None:
    """`count` tasks in each project, the same ones (same random seed) but for their ids and,
    in a shared project, `SHARE_ASSIGNED` of them assigned to one of its people."""
    log(f"generating {count} tasks in each of {len(projects)} projects")
    now = datetime.now(UTC)
    assign = random.Random(seed)
    tasks: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    for project in projects:
        rows, reminded = seeds.task_rows(
            project.owner_id, uuid.UUID(project.id), count, random.Random(seed), now
        )
        if len(project.people) > 1:
            for row in rows:
                if assign.random() < SHARE_ASSIGNED:
                    row["assignee_id"] = assign.choice(project.people)
        tasks += rows
        reminders += reminded
    copy_tasks(engine, tasks, reminders)


def measure_projects(
    client: httpx.Client, projects: list[Project], warmup: int, n: int
) -> dict[str, list[float]]:
    """Each project's list, in turns (the first to go rotates), timed to the last byte."""
    calls = {
        project.name: functools.partial(api_get, client, {"project_id": project.id})
        for project in projects
    }
    pages = {name: api_listing(call()) for name, call in calls.items()}
    totals = {name: total for name, (total, _) in pages.items()}
    lengths = {len(ids) for _, ids in pages.values()}
    # The comparison holds only if each answers the same list of its own project.
    if len(set(totals.values())) != 1 or len(lengths) != 1:
        raise RuntimeError(f"the projects' lists differ: totals {totals}, page sizes {lengths}")
    samples: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for turn in range(warmup + n):
        for name in names[turn % len(names) :] + names[: turn % len(names)]:
            ms = timed(calls[name])[0]
            if turn >= warmup:
                samples[name].append(ms)
    return samples


def shared_report(
    samples: dict[str, list[float]], members: int, count: int, total: int
) -> dict[str, Any]:
    (personal, base), *shared = samples.items()
    base_stats = percentiles(base)
    rows = []
    for name, measured in shared:
        stats = percentiles(measured)
        over = ratio(stats, base_stats)
        rows.append(
            {
                "project": name,
                "api": stats,
                "ratio_p50": round(ratio(stats, base_stats, "p50_ms"), 2),
                "ratio_p95": round(over, 2),
                "pass_ratio": over <= TARGET_SHARED_RATIO,
            }
        )
    return {
        "members": members,
        "project_tasks": count,
        "listed": total,
        "share_assigned": SHARE_ASSIGNED,
        "target_ratio_p95_at_most": TARGET_SHARED_RATIO,
        "baseline": {"project": personal, "api": base_stats},
        "projects": rows,
    }


def print_shared(shared: dict[str, Any]) -> None:
    base = shared["baseline"]
    print(
        f"\nGET /api/v1/tasks?project_id=, {shared['project_tasks']:,} tasks a project "
        f"({shared['listed']:,} open), {shared['members']} members"
    )
    header = f"{'project':<36} {'p50':>7} {'p95':>7} {'x p50':>6} {'x p95':>6}  <=1.2x"
    print(header)
    print("-" * len(header))
    print(f"{base['project']:<36} {base['api']['p50_ms']:>7.1f} {base['api']['p95_ms']:>7.1f}")
    for row in shared["projects"]:
        print(
            f"{row['project']:<36} {row['api']['p50_ms']:>7.1f} {row['api']['p95_ms']:>7.1f} "
            f"{row['ratio_p50']:>5.2f}x {row['ratio_p95']:>5.2f}x  {mark(row['pass_ratio'])}"
        )
    print("(milliseconds; x = against the personal project, same run, interleaved)")


# --- reporting -------------------------------------------------------------------------------


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        row: dict[str, Any] = {
            "shape": outcome.shape.name,
            "params": outcome.shape.params,
            "total": outcome.total,
            "error": outcome.error,
        }
        if outcome.error is None:
            row |= verdict(outcome.api, outcome.raw, TARGET_P95_MS, TARGET_RATIO)
        rows.append(row)
    measured = [outcome for outcome in outcomes if outcome.error is None]
    overall = (
        verdict(
            [ms for outcome in measured for ms in outcome.api],
            [ms for outcome in measured for ms in outcome.raw],
            TARGET_P95_MS,
            TARGET_RATIO,
        )
        if measured
        else None
    )
    return {"shapes": rows, "overall": overall}


def print_table(results: dict[str, Any]) -> None:
    header = (
        f"{'query shape':<28} {'rows':>7} {'API p50':>8} {'API p95':>8} {'SQL p50':>8} "
        f"{'SQL p95':>8} {'API/SQL':>8}  {'p95<50ms':<8}  {'API<=2x':<7}"
    )
    print(header)
    print("-" * len(header))
    lines = [(row["shape"], row) for row in results["shapes"]]
    if results["overall"] is not None:
        lines.append(("overall", {"total": None, "error": None, **results["overall"]}))
    for name, row in lines:
        if row["error"] is not None:
            print(f"{name:<28} ERROR {row['error']}")
            continue
        total = "" if row["total"] is None else str(row["total"])
        print(
            f"{name:<28} {total:>7} {row['api']['p50_ms']:>8.1f} {row['api']['p95_ms']:>8.1f} "
            f"{row['raw_sql']['p50_ms']:>8.1f} {row['raw_sql']['p95_ms']:>8.1f} "
            f"{row['ratio_p95']:>7.2f}x  {mark(row['pass_p95']):<8}  {mark(row['pass_ratio'])}"
        )
    print("(milliseconds; rows = matching tasks; API/SQL compares p95)")


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_url(parser)
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks to seed")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per shape")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per shape")
    parser.add_argument("--seed", type=int, default=42, help="random seed for the data")
    parser.add_argument(
        "--members", type=int, default=20, help="member rows of each shared project"
    )
    parser.add_argument(
        "--project-tasks", type=int, default=1000, help="tasks in each compared project"
    )
    args = parser.parse_args(argv)
    if args.tasks < 1 or args.requests < 2 or args.warmup < 0:
        parser.error("--tasks must be >= 1, --requests >= 2 and --warmup >= 0")
    if args.members < 1 or args.project_tasks < 1:
        parser.error("--members and --project-tasks must be >= 1")
    return args


def run(args: argparse.Namespace, scratch_url: str, workdir: Path) -> int:
    engine = create_engine(scratch_url)
    try:
        with api_account(scratch_url, workdir, TIMEZONE) as (user_id, client):
            seed(engine, user_id, args.tasks, random.Random(args.seed))
            user, postgres = user_and_server(engine, user_id)
            outcomes: list[Outcome] = []
            for shape in shapes(datetime.now(ZoneInfo(TIMEZONE)).date()):
                log(f"measuring {shape.name}")
                outcomes.append(
                    measure(
                        shape,
                        lambda params=shape.params: api_get(client, params),
                        lambda params=shape.params: raw_list(engine, user, params),
                        args.warmup,
                        args.requests,
                    )
                )
            log(f"sharing projects with {args.members} members")
            compared = share_projects(client, user_id, args.members)
            seed_projects(engine, list(compared), args.project_tasks, args.seed)
            log(f"timing {args.requests} lists of each project, interleaved")
            samples = measure_projects(client, list(compared), args.warmup, args.requests)
            listed = api_listing(api_get(client, {"project_id": compared[0].id}))[0]
    finally:
        engine.dispose()
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "postgres": postgres,
        "tasks": args.tasks,
        "requests_per_shape": args.requests,
        "warmup_per_shape": args.warmup,
        "targets": {"api_p95_ms_below": TARGET_P95_MS, "api_over_raw_p95_at_most": TARGET_RATIO},
        **report(outcomes),
        "shared": shared_report(samples, args.members, args.project_tasks, listed),
    }
    path = write_results("api_list", results)
    print_table(results)
    print_shared(results["shared"])
    log(f"results written to {path.relative_to(ROOT)}")
    return 1 if any(outcome.error for outcome in outcomes) else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    with scratch_workdir(args.database_url) as (scratch_url, workdir):
        return run(args, scratch_url, workdir)


if __name__ == "__main__":
    sys.exit(main())
