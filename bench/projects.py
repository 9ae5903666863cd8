"""Latency of a project page on PostgreSQL, against the same SQL run directly.

A project page is `GET /api/v1/tasks?project_id=<id>&parent_id=none&limit=50`: the project's
first 50 open top-level tasks, each with its subtask counts (`subtasks`: open and total, where
the code has them). Creates a scratch database, migrates it with `reflex db migrate`, makes
one user and its projects through the API, seeds the tasks with COPY (the same mix as
bench/api_list.py, spread evenly over the projects, a share of them subtasks one or two levels
deep), serves the real API with uvicorn and times project pages of projects drawn at random
twice: through HTTP, and through the statement the endpoint runs (parse_query +
`listing.page_statement`, without HTTP, JSON or presenting). The scratch database is dropped at
the end, even on failure. Run from the repository root:

    .venv/bin/python -m bench.projects --tasks 10000     # a quick look
    .venv/bin/python -m bench.projects                   # 100,000 tasks in 200 projects
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine

from bench.support import seeds
from bench.support.database import add_database_url, inbox_of, scratch_workdir
from bench.support.listing import Listing, api_get, copy_tasks, raw_list, user_and_server, verdict
from bench.support.run import ROOT, exit_on_sigterm, log, write_results
from bench.support.servers import api_account
from bench.support.stats import mark, timed

TARGET_P95_MS = 20.0
TARGET_RATIO = 2.0
PAGE = {"parent_id": "none", "limit": "50"}
# Of the subtasks, this share sits under another subtask rather than under a top-level task.
SHARE_NESTED = 0.25


# --- seeding ---------------------------------------------------------------------------------


def make_projects(client: httpx.Client, count: int) -> list[uuid.UUID]:
    """The user's Inbox and `count - 1` projects made through the API, as users make them."""
    ids = [uuid.UUID(client.get("/api/v1/projects").json()["items"][0]["id"])]
    for number in range(1, count):
        response = client.post("/api/v1/projects", json={"name": f"Project {number}"})
        response.raise_for_status()
        ids.append(uuid.UUID(response.json()["id"]))
    return ids


def nest(rows: list[dict[str, Any]], share: float, rng: random.Random) -> list[dict[str, Any]]:
    """Make `share` of one project's rows subtasks: most under a top-level task, some under
    another subtask (two levels below the top). Parents come before their subtasks in the
    answer, so COPY meets each parent first."""
    picked = rng.sample(range(len(rows)), round(len(rows) * share))
    nested = set(rng.sample(picked, round(len(picked) * SHARE_NESTED)))
    chosen = set(picked)
    tops = [row for index, row in enumerate(rows) if index not in chosen]
    children = [rows[index] for index in picked if index not in nested]
    grandchildren = [rows[index] for index in nested]
    for row in children:
        row["parent_id"] = rng.choice(tops)["id"]
    for row in grandchildren:
        row["parent_id"] = rng.choice(children or tops)["id"]
    return tops + children + grandchildren


def seed(
    engine: Engine,
    user_id: uuid.UUID,
    projects: list[uuid.UUID],
    count: int,
    share_subtasks: float,
    rng: random.Random,
) -> None:
    log(f"generating {count} tasks in {len(projects)} projects")
    now = datetime.now(UTC)
    tasks: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    for index, project_id in enumerate(projects):
        share = count // len(projects) + (index < count % len(projects))
        rows, reminded = seeds.task_rows(user_id, project_id, share, rng, now)
        tasks += nest(rows, share_subtasks, rng)
        reminders += reminded
    copy_tasks(engine, tasks, reminders)


# --- measuring -------------------------------------------------------------------------------


def page_params(project_id: uuid.UUID) -> dict[str, str]:
    return {**PAGE, "project_id": str(project_id)}


def check(
    projects: list[uuid.UUID],
    api: Callable[[uuid.UUID], httpx.Response],
    raw: Callable[[uuid.UUID], Listing],
) -> dict[str, Any]:
    """Both sides answer every project alike; what the pages hold."""
    rows = with_subtasks = 0
    counted = True
    for project_id in projects:
        items = api(project_id).json()
        answered = (items["total"], [item["id"] for item in items["items"]])
        # The baseline is only meaningful if it is the very query the endpoint answered.
        if answered != raw(project_id):
            raise RuntimeError(f"API and raw SQL disagree on project {project_id}")
        rows += len(items["items"])
        counted = counted and all("subtasks" in item for item in items["items"])
        with_subtasks += sum(1 for item in items["items"] if item.get("subtasks", {}).get("total"))
    return {
        "rows_per_page": round(rows / len(projects), 1),
        "subtask_counts": counted,
        "rows_with_subtasks_per_page": round(with_subtasks / len(projects), 1),
    }


def measure(
    projects: list[uuid.UUID],
    api: Callable[[uuid.UUID], httpx.Response],
    raw: Callable[[uuid.UUID], Listing],
    warmup: int,
    n: int,
    rng: random.Random,
) -> tuple[list[float], list[float]]:
    """Time both sides on the same project each time, timed to the last byte received."""
    for _ in range(warmup):
        project_id = rng.choice(projects)
        api(project_id)
        raw(project_id)
    api_ms: list[float] = []
    raw_ms: list[float] = []
    # Alternating keeps drift (autovacuum, CPU frequency) from favouring one side.
    for _ in range(n):
        project_id = rng.choice(projects)
        api_ms.append(timed(functools.partial(api, project_id))[0])
        raw_ms.append(timed(functools.partial(raw, project_id))[0])
    return api_ms, raw_ms


# --- reporting -------------------------------------------------------------------------------


def print_results(results: dict[str, Any]) -> None:
    page, shape = results["page"], results["pages"]
    print(
        f"project page ({results['tasks']:,} tasks, {results['projects']} projects, "
        f"{results['share_subtasks']:.0%} subtasks; {shape['rows_per_page']} rows a page, "
        f"{shape['rows_with_subtasks_per_page']} with subtasks; subtask counts "
        f"{'in every row' if shape['subtask_counts'] else 'absent'})"
    )
    for name, stats in (("API", page["api"]), ("raw SQL", page["raw_sql"])):
        print(f"  {name:<8} p50 {stats['p50_ms']:>6.1f} ms   p95 {stats['p95_ms']:>6.1f} ms")
    print(
        f"  API/SQL at p95 {page['ratio_p95']:.2f}x   "
        f"p95 < {TARGET_P95_MS:.0f} ms: {mark(page['pass_p95'])}   "
        f"<= {TARGET_RATIO:.0f}x: {mark(page['pass_ratio'])}"
    )


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_url(parser)
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks to seed")
    parser.add_argument("--projects", type=int, default=200, help="projects, the Inbox included")
    parser.add_argument(
        "--subtasks", type=float, default=0.2, help="share of tasks that are subtasks"
    )
    parser.add_argument("--requests", type=int, default=500, help="timed project pages")
    parser.add_argument("--warmup", type=int, default=50, help="untimed project pages")
    parser.add_argument("--seed", type=int, default=42, help="random seed for the data")
    args = parser.parse_args(argv)
    if args.projects < 1 or args.tasks < args.projects or args.requests < 2 or args.warmup < 0:
        parser.error("need --projects >= 1, --tasks >= --projects, --requests >= 2, --warmup >= 0")
    if not 0 <= args.subtasks < 1:
        parser.error("--subtasks is a share: at least 0, below 1")
    return args


def run(args: argparse.Namespace, scratch_url: str, workdir: Path) -> int:
    engine = create_engine(scratch_url)
    rng = random.Random(args.seed)
    try:
        with api_account(scratch_url, workdir, seeds.TIMEZONE) as (user_id, client):
            log(f"making {args.projects - 1} projects beside the Inbox")
            projects = make_projects(client, args.projects)
            with engine.connect() as connection:
                assert projects[0] == inbox_of(connection, user_id)
            seed(engine, user_id, projects, args.tasks, args.subtasks, rng)
            user, postgres = user_and_server(engine, user_id)

            def api(project_id: uuid.UUID) -> httpx.Response:
                return api_get(client, page_params(project_id))

            def raw(project_id: uuid.UUID) -> Listing:
                return raw_list(engine, user, page_params(project_id))

            log("checking that the API and the raw query agree on every project")
            pages = check(projects, api, raw)
            log(f"timing {args.requests} project pages each way")
            api_ms, raw_ms = measure(projects, api, raw, args.warmup, args.requests, rng)
    finally:
        engine.dispose()
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "postgres": postgres,
        "tasks": args.tasks,
        "projects": args.projects,
        "share_subtasks": args.subtasks,
        "requests": args.requests,
        "warmup": args.warmup,
        "params": PAGE,
        "targets": {"api_p95_ms_below": TARGET_P95_MS, "api_over_raw_p95_at_most": TARGET_RATIO},
        "pages": pages,
        "page": verdict(api_ms, raw_ms, TARGET_P95_MS, TARGET_RATIO),
    }
    path = write_results("projects", results)
    print_results(results)
    log(f"results written to {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    with scratch_workdir(args.database_url) as (scratch_url, workdir):
        return run(args, scratch_url, workdir)


if __name__ == "__main__":
    sys.exit(main())
