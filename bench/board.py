"""A project's board in a real browser: load to every column's first cards shown, and a card
dragged to another column to its move in the DOM.

Starts the app as the browser tests do (`running_app`: migrate + `reflex run --env prod` on a
free port, fresh SQLite in a temp dir), registers two users through the service layer, gives
each a project of 4 sections through the services (one with `--cards` open top-level tasks,
the baseline with `--baseline-cards`), then times in headless Chromium, with timestamps taken
in the page (performance.now()):

  a. navigation to the board -> the first cards of every column (FIRST_CARDS, or all of a
     shorter column) in the DOM inside their column and each column's first one laid out:
     what a user sees as ready, since columns scroll on their own and mount only the cards in
     view. For the big board and (baseline) the small one, alternated;
  b. a card dragged with the mouse from the first column onto the first card of the second:
     release -> the card's element inside the second column (the move shown from the
     server's answer: dnd-kit only translates the dragged element until then), on each board.

Run from the repository root:

    .venv/bin/python -m bench.board                         # 500 cards, 15 loads, 30 drags
    .venv/bin/python -m bench.board --cards 100 --runs 3 --drags 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from bench.support import seeds
from bench.support.browser import SETTLE_MS, WAIT_MS, browser_main, register
from bench.support.run import log
from bench.support.seeds import TIMEZONE
from bench.support.servers import CHROMIUM, CHROMIUM_ARGS, running_app
from bench.support.stats import verdict
from todo_app.db import dispose_engines, session_scope
from todo_app.models import User
from todo_app.schemas import ProjectCreate, SectionCreate, TaskCreate
from todo_app.services import projects, tasks
from todo_app.state.board import project_tasks

TARGET_LOAD_P95_MS = 1500.0
TARGET_DRAG_P95_MS = 150.0
SECTIONS = ("Backlog", "Doing", "Review", "Done")
# Cards a column shows at the top in the bench's 900 px window, whatever else is mounted.
FIRST_CARDS = 8

# Installed in every page before its own scripts: signs the user in (Reflex reads its
# LocalStorage vars at hydration) and timestamps, from a MutationObserver, the moment every
# column shows its first cards and each awaited card in its new column after the pointer's
# release.
PAGE_SCRIPT = """
(({tokens, firsts}) => {
  for (const [key, value] of Object.entries(tokens)) localStorage.setItem(key, value);
  const bench = (window.__bench = {interactiveAt: null, pending: null, drags: []});
  const shows = ([column, ids]) => ids.every((id, at) => {
    const card = document.querySelector(`#board .board-card[data-id="${id}"]`);
    return card && card.closest(".board-column")?.dataset.column === column
      && (at > 0 || card.getClientRects().length > 0);
  });
  const check = () => {
    const now = performance.now();
    if (bench.interactiveAt === null && Object.entries(firsts).every(shows)) {
      bench.interactiveAt = now;
    }
    const pending = bench.pending;
    if (pending && pending.droppedAt !== null) {
      const card = document.querySelector(`.board-card[data-id="${pending.id}"]`);
      const column = card && card.closest(".board-column");
      if (column && column.dataset.column === pending.target) {
        bench.drags.push(now - pending.droppedAt);
        bench.pending = null;
      }
    }
  };
  document.addEventListener("pointerup", () => {
    if (bench.pending) bench.pending.droppedAt = performance.now();
  }, true);
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
})
"""


@dataclass(frozen=True)
class Board:
    name: str
    tokens: dict[str, str]
    project_id: str
    sections: list[str]
    cards: int
    # Each section's first FIRST_CARDS card ids, in order.
    firsts: dict[str, list[str]]

    @property
    def path(self) -> str:
        return f"/projects/{self.project_id}?view=board"


def seed_board(name: str, cards: int, rng_seed: int) -> Board:
    """A user with a project of SECTIONS and `cards` open tasks spread over them."""
    rng = random.Random(rng_seed)
    user_id, tokens = register(f"bench-{name}-{secrets.token_hex(4)}@example.com")
    with session_scope() as session:
        user = session.get_one(User, user_id)
        project = projects.create_project(session, user, ProjectCreate(name=f"Board {name}"))
        sections = [
            projects.create_section(session, user, project.id, SectionCreate(name=title)).id
            for title in SECTIONS
        ]
        for number in range(cards):
            tasks.create_task(
                session,
                user,
                TaskCreate(
                    title=f"{seeds.title(rng)} {number}",
                    priority=rng.choice(("low", "medium", "high")),
                    project_id=project.id,
                    section_id=sections[number % len(sections)],
                ),
            )
            if (number + 1) * 10 // cards > number * 10 // cards:
                log(f"  seeding {name}: {(number + 1) * 100 // cards}% ({number + 1}/{cards})")
        # In the board's order (a new task goes first), as the board reads it.
        firsts: dict[str, list[str]] = {str(section): [] for section in sections}
        for task in project_tasks(session, user, project.id, top_level=True):
            shown = firsts[str(task.section_id)]
            if len(shown) < FIRST_CARDS:
                shown.append(str(task.id))
    return Board(name, tokens, str(project.id), [str(s) for s in sections], cards, firsts)


def open_board(browser: Browser, base_url: str, board: Board) -> Page:
    """A fresh context (empty cache and storage: a cold visit) signed in as the board's user."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1400, "height": 900},
        timezone_id=TIMEZONE,
        locale="en-GB",
    )
    context.set_default_timeout(WAIT_MS)
    script = json.dumps({"tokens": board.tokens, "firsts": board.firsts})
    context.add_init_script(f"{PAGE_SCRIPT}({script})")
    return context.new_page()


def load_once(browser: Browser, base_url: str, board: Board) -> float:
    page = open_board(browser, base_url, board)
    try:
        page.goto(board.path, wait_until="commit")
        page.wait_for_function("() => window.__bench.interactiveAt !== null", timeout=WAIT_MS)
        return round(float(page.evaluate("window.__bench.interactiveAt")), 1)
    finally:
        page.context.close()


def measure_loads(
    browser: Browser, base_url: str, big: Board, small: Board, runs: int
) -> dict[str, list[float]]:
    """Alternate big and small loads, so drift does not favour one; one untimed warm-up."""
    for board in (big, small):
        load_once(browser, base_url, board)
    samples: dict[str, list[float]] = {"big": [], "small": []}
    for run in range(1, runs + 1):
        samples["big"].append(load_once(browser, base_url, big))
        samples["small"].append(load_once(browser, base_url, small))
        log(
            f"  load {run}/{runs}: {samples['big'][-1]:.0f} ms ({big.cards} cards), "
            f"{samples['small'][-1]:.0f} ms ({small.cards} cards)"
        )
    return samples


def drag_once(page: Page, board: Board) -> None:
    """The first card of the first non-empty column onto the first card of its neighbour."""
    columns = page.locator(".board-column")
    source_index = next(
        i
        for i in range(len(board.sections) + 1)
        if columns.nth(i).locator(".board-card").count() > 0
    )
    target_index = source_index + 1 if source_index < len(board.sections) else source_index - 1
    source = columns.nth(source_index).locator(".board-card").first
    target_column = columns.nth(target_index)
    # The board scrolls sideways (dnd-kit scrolls it near an edge): two neighbours fit in view.
    columns.nth(min(source_index, target_index)).evaluate(
        "column => column.scrollIntoView({block: 'nearest', inline: 'start'})"
    )
    has_cards = target_column.locator(".board-card").count() > 0
    target = target_column.locator(".board-card" if has_cards else ".column-cards").first
    page.evaluate(
        "([id, target]) => { window.__bench.pending = {id, target, droppedAt: null}; }",
        [source.get_attribute("data-id"), target_column.get_attribute("data-column")],
    )
    start, end = source.bounding_box(), target.bounding_box()
    assert start is not None and end is not None
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 8, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()
    page.wait_for_function("() => window.__bench.pending === null", timeout=WAIT_MS)
    page.wait_for_timeout(SETTLE_MS)


def measure_drags(browser: Browser, base_url: str, board: Board, drags: int) -> list[float]:
    """`drags` timed drags after an untimed first one, on one open board."""
    page = open_board(browser, base_url, board)
    try:
        page.goto(board.path)
        page.wait_for_function("() => window.__bench.interactiveAt !== null")
        page.wait_for_timeout(SETTLE_MS)
        for _ in range(drags + 1):
            drag_once(page, board)
        return [round(ms, 1) for ms in page.evaluate("window.__bench.drags")[1:]]
    finally:
        page.context.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500, help="cards on the big board")
    parser.add_argument(
        "--baseline-cards", type=int, default=10, help="cards on the baseline board"
    )
    parser.add_argument("--runs", type=int, default=15, help="timed loads of each board")
    parser.add_argument("--drags", type=int, default=30, help="timed drags on each board")
    parser.add_argument("--seed", type=int, default=42, help="random seed for the data")
    args = parser.parse_args(argv)
    if args.cards < 2 or args.baseline_cards < 2 or args.runs < 2 or args.drags < 2:
        parser.error("--cards, --baseline-cards, --runs and --drags must be >= 2")
    return args


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = work / "data"
    env = {
        "DATABASE_URL": f"sqlite:///{data / 'todo.db'}",
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
        started = time.monotonic()
        big = seed_board("big", args.cards, args.seed)
        small = seed_board("small", args.baseline_cards, args.seed + 1)
        seed_seconds = time.monotonic() - started
        # The app is the only writer from here on (SQLite allows one at a time).
        dispose_engines()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                log(f"measuring {args.runs} cold loads of each board")
                loads = measure_loads(browser, app.base_url, big, small, args.runs)
                log(f"measuring {args.drags} drags on each board")
                drags = {
                    board.name: measure_drags(browser, app.base_url, board, args.drags)
                    for board in (big, small)
                }
            finally:
                browser.close()
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite",
        "cards": args.cards,
        "baseline_cards": args.baseline_cards,
        "runs": args.runs,
        "drags": args.drags,
        "app_startup_s": round(app.startup_seconds, 1),
        "seed_s": round(seed_seconds, 1),
        "results": [
            verdict(
                f"board of {args.cards}: load -> first cards shown",
                loads["big"],
                loads["small"],
                TARGET_LOAD_P95_MS,
            ),
            verdict(
                f"board of {args.cards}: drop -> card moved in DOM",
                drags["big"],
                drags["small"],
                TARGET_DRAG_P95_MS,
            ),
        ],
        "loads_ms": loads,
        "drags_ms": drags,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    legend = (
        f"(milliseconds, in-page performance.now(); base = the same measure on a board of "
        f"{args.baseline_cards} cards in the same run; x = measured / baseline)"
    )
    return 0 if browser_main("board", run, args, legend) is not None else 1


if __name__ == "__main__":
    sys.exit(main())
