"""Task list page in a real browser: load to interactive, and quick add to the new row.

Starts the app as the browser tests do (`running_app`: migrate + `reflex run --env prod` on a
free port, fresh SQLite in a temp dir), registers two users through the service layer, seeds
one of them with tasks through `services.tasks.create_task`, then times in headless Chromium,
with timestamps taken in the page (performance.now()):

  a. navigation to "/" -> list interactive, for the seeded user and (baseline) the empty one;
  b. Enter in quick add -> the new row in the DOM, and (baseline) a click on the editor's
     "All day" checkbox -> its checked state echoed back by the backend.

See bench/README.md for the exact definitions. Run from the repository root:

    .venv/bin/python -m bench.ui_load                      # 1,000 tasks, 15 runs, 50 adds
    .venv/bin/python -m bench.ui_load --tasks 200 --runs 5 --adds 10
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, sync_playwright

from bench.support import seeds
from bench.support.browser import (
    SETTLE_MS,
    WAIT_MS,
    Account,
    browser_main,
    measure_toggles,
    open_page,
    register,
)
from bench.support.run import log
from bench.support.seeds import (
    DUE_SPREAD_DAYS,
    RULES,
    SENTENCES,
    SHARE_ALL_DAY,
    SHARE_COMPLETED,
    SHARE_DESCRIBED,
    SHARE_RECURRING,
    SHARE_REMINDED,
    SHARE_UNDATED,
    TIMEZONE,
)
from bench.support.servers import CHROMIUM, CHROMIUM_ARGS, running_app
from bench.support.stats import verdict
from todo_app.db import dispose_engines, session_scope
from todo_app.models import User
from todo_app.schemas import TaskCreate
from todo_app.services import tasks

TARGET_LOAD_P95_MS = 1500.0
TARGET_ADD_P95_MS = 150.0
PAGE_SIZE = 50  # the list's default page (core.filters: limit 50)
# Newest first, so that an added task lands on the first page (the default order is manual
# position, where a new task goes last: on page 21 of 1,000 tasks, never seen).
ADD_VIEW = "/?sort_by=created_at&sort_order=desc"
NAVIGATION_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {response_end_ms: nav.responseEnd, dom_content_loaded_ms: nav.domContentLoadedEventEnd,
          load_ms: nav.loadEventEnd};
}"""


# --- users and tasks -------------------------------------------------------------------------


def _task(rng: random.Random, today: date) -> TaskCreate:
    """A task as a user would enter it: the same mix as bench/api_list.py seeds (`seeds`)."""
    kind = rng.random()
    rule = rng.choice(RULES) if kind < SHARE_RECURRING else None
    due = None
    before: list[int] = []
    if rule is not None or kind >= SHARE_RECURRING + SHARE_UNDATED:
        day = today + timedelta(days=rng.randint(-DUE_SPREAD_DAYS, DUE_SPREAD_DAYS))
        due = day.isoformat()
        if rng.random() >= SHARE_ALL_DAY / (1 - SHARE_UNDATED):
            due += f"T{rng.randint(8, 18):02d}:{rng.choice((0, 30)):02d}"
        if day > today and rng.random() < SHARE_REMINDED:
            before = [rng.choice((15, 60, 1440))]
    described = rng.random() < SHARE_DESCRIBED
    return TaskCreate(
        title=seeds.title(rng),
        description=" ".join(rng.sample(SENTENCES, rng.randint(1, 3))) if described else "",
        priority=rng.choices(("low", "medium", "high"), weights=(25, 55, 20))[0],
        tags=seeds.tags(rng),
        due_at=due,
        rrule=rule,
        remind_before_minutes=before,
    )


def seed(user_id: uuid.UUID, count: int, rng: random.Random) -> int:
    """`count` tasks through services.tasks, some completed; returns how many stay active."""
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    active = 0
    with session_scope() as session:
        user = session.get_one(User, user_id)
        for done in range(1, count + 1):
            task = tasks.create_task(session, user, _task(rng, today))
            # Recurring tasks stay open: completing one adds its next occurrence, and the
            # list would no longer hold exactly `count` tasks.
            if task.rrule is None and rng.random() < SHARE_COMPLETED:
                tasks.complete_task(session, user, task.id)
            else:
                active += 1
            if done * 10 // count > (done - 1) * 10 // count:
                log(f"  seeding tasks: {done * 100 // count}% ({done}/{count})")
    return active


# --- measuring -------------------------------------------------------------------------------


def load_once(browser: Browser, base_url: str, account: Account) -> dict[str, float]:
    page = open_page(browser, base_url, account)
    try:
        started = time.perf_counter()
        page.goto("/", wait_until="commit")
        page.wait_for_function("() => window.__bench.interactiveAt !== null", timeout=WAIT_MS)
        wall_ms = (time.perf_counter() - started) * 1000
        timings = {
            "interactive_ms": page.evaluate("window.__bench.interactiveAt"),
            "wall_ms": wall_ms,
            **page.evaluate(NAVIGATION_TIMING),
        }
        return {name: round(ms, 1) for name, ms in timings.items()}
    finally:
        page.context.close()


def measure_loads(
    browser: Browser, base_url: str, seeded: Account, empty: Account, runs: int
) -> dict[str, list[dict[str, float]]]:
    """Alternate seeded and empty loads, so drift does not favour one; one untimed warm-up."""
    for account in (seeded, empty):
        load_once(browser, base_url, account)
    samples: dict[str, list[dict[str, float]]] = {"seeded": [], "empty": []}
    for run in range(1, runs + 1):
        samples["seeded"].append(load_once(browser, base_url, seeded))
        samples["empty"].append(load_once(browser, base_url, empty))
        log(
            f"  load {run}/{runs}: {samples['seeded'][-1]['interactive_ms']:.0f} ms "
            f"({seeded.rows} rows), {samples['empty'][-1]['interactive_ms']:.0f} ms (empty)"
        )
    return samples


def measure_adds(page: Page, adds: int) -> list[float]:
    """`adds` timed quick adds after an untimed first one (as for the loads: a warm-up)."""
    box = page.locator("#quick-add-input")
    token = secrets.token_hex(3)
    for number in range(1, adds + 2):
        box.fill(f"Bench add {number:03d} {token}")
        page.wait_for_timeout(SETTLE_MS)
        box.press("Enter")
        page.wait_for_function("n => window.__bench.adds.length >= n", arg=number)
        page.wait_for_function("() => document.getElementById('quick-add-input').value === ''")
        page.wait_for_timeout(SETTLE_MS)
    return [round(ms, 1) for ms in page.evaluate("window.__bench.adds")[1:]]


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000, help="tasks to seed")
    parser.add_argument("--runs", type=int, default=15, help="timed loads per list")
    parser.add_argument("--adds", type=int, default=50, help="timed quick adds (and clicks)")
    parser.add_argument("--seed", type=int, default=42, help="random seed for the data")
    parser.add_argument(
        "--database-url",
        help="an empty scratch database to migrate and fill instead of a temp SQLite file",
    )
    args = parser.parse_args(argv)
    if args.tasks < 1 or args.runs < 2 or args.adds < 2:
        parser.error("--tasks must be >= 1, --runs >= 2 and --adds >= 2")
    return args


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = work / "data"
    env = {
        "DATABASE_URL": args.database_url or f"sqlite:///{data / 'todo.db'}",
        "TODO_DATA_DIR": str(data),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "BCRYPT_ROUNDS": "4",
        # The default 15 minutes could expire mid-run; a refresh would then rotate the tokens
        # that every fresh context is given again.
        "ACCESS_TOKEN_MINUTES": "600",
    }
    # This process seeds through the service layer: same database and secret as the app.
    os.environ.update(env)
    log("starting the app (migrate, reflex run --env prod)")
    with running_app(work, extra_env=env) as app:
        log(f"serving on port {app.port} after {app.startup_seconds:.1f} s")
        tag = secrets.token_hex(4)
        seeded_id, seeded_tokens = register(f"bench-{tag}@example.com")
        _, empty_tokens = register(f"bench-empty-{tag}@example.com")
        started = time.monotonic()
        active = seed(seeded_id, args.tasks, random.Random(args.seed))
        seed_seconds = time.monotonic() - started
        # The app is the only writer from here on (SQLite allows one at a time).
        dispose_engines()
        seeded = Account("seeded", seeded_tokens, min(active, PAGE_SIZE))
        empty = Account("empty", empty_tokens, 0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                log(f"measuring {args.runs} cold loads of each list")
                loads = measure_loads(browser, app.base_url, seeded, empty, args.runs)
                page = open_page(browser, app.base_url, seeded)
                page.goto(ADD_VIEW)
                page.wait_for_function("() => window.__bench.interactiveAt !== null")
                log(f"measuring {args.adds} quick adds")
                adds = measure_adds(page, args.adds)
                log(f"measuring {args.adds} editor checkbox round trips")
                toggles = measure_toggles(page, args.adds)
            finally:
                browser.close()
    load_ms = {name: [s["interactive_ms"] for s in runs] for name, runs in loads.items()}
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite" if args.database_url is None else "custom (--database-url)",
        "tasks": args.tasks,
        "active_tasks": active,
        "rows_on_first_page": seeded.rows,
        "runs": args.runs,
        "adds": args.adds,
        "app_startup_s": round(app.startup_seconds, 1),
        "seed_s": round(seed_seconds, 1),
        "results": [
            verdict(
                "load -> interactive",
                load_ms["seeded"],
                load_ms["empty"],
                TARGET_LOAD_P95_MS,
            ),
            verdict("quick add -> row in DOM", adds, toggles, TARGET_ADD_P95_MS),
        ],
        "loads": loads,
        "adds_ms": adds,
        "checkbox_round_trips_ms": toggles,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    legend = (
        "(milliseconds, in-page performance.now(); base = same run's baseline: load of an "
        "empty list, and an editor checkbox round trip; x = measured / baseline)"
    )
    return 0 if browser_main("ui_load", run, args, legend) is not None else 1


if __name__ == "__main__":
    sys.exit(main())
