"""A signed-in page in headless Chromium that timestamps itself, for the browser benchmarks.

`open_page` gives a fresh context (a cold visit) whose pages carry PAGE_SCRIPT: it signs the
user in and records, with in-page `performance.now()`, when the list became interactive, each
quick add's row and each echoed editor checkbox. `measure_toggles` is the bare Reflex event
round trip both browser benchmarks use as their baseline.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from bench.support.run import ROOT, exit_on_sigterm, log, write_results
from bench.support.seeds import TIMEZONE
from bench.support.servers import CHROMIUM
from bench.support.tables import print_verdicts
from todo_app.db import session_scope
from todo_app.schemas import RegisterRequest
from todo_app.services import auth

PASSWORD = "correct horse battery"
# Pause after typing or clicking: the previous event's round trip must be over, or it would be
# queued in front of the next one and timed with it.
SETTLE_MS = 250
WAIT_MS = 30_000

# Installed in every page before its own scripts: signs the user in (Reflex reads its
# LocalStorage vars at hydration) and timestamps, from a MutationObserver, the first moment the
# page is interactive, each quick-add row and each echoed checkbox state.
PAGE_SCRIPT = """
(({tokens, expectRows}) => {
  for (const [key, value] of Object.entries(tokens)) localStorage.setItem(key, value);
  const bench = (window.__bench = {
    interactiveAt: null, pendingAdd: null, adds: [], pendingToggle: null, toggles: [],
  });
  const allDay = () => {
    const el = document.getElementById("edit-all-day");
    if (!el) return null;
    return el.getAttribute("role") === "checkbox" ? el : el.querySelector("[role=checkbox]");
  };
  const interactive = () => {
    const input = document.getElementById("quick-add-input");
    if (!input || input.disabled) return false;
    if (expectRows === 0) return document.getElementById("empty-state") !== null;
    const list = document.getElementById("task-list");
    const rows = list ? list.getElementsByClassName("task-row") : [];
    return rows.length >= expectRows && rows[0].getClientRects().length > 0;
  };
  const hasRow = (title) =>
    [...document.querySelectorAll("#task-list .task-row")].some((r) => r.dataset.title === title);
  const check = () => {
    const now = performance.now();
    if (bench.interactiveAt === null && interactive()) bench.interactiveAt = now;
    if (bench.pendingAdd && hasRow(bench.pendingAdd.title)) {
      bench.adds.push(now - bench.pendingAdd.start);
      bench.pendingAdd = null;
    }
    const box = bench.pendingToggle && allDay();
    if (box && box.getAttribute("data-state") !== bench.pendingToggle.before) {
      bench.toggles.push(now - bench.pendingToggle.start);
      bench.pendingToggle = null;
    }
  };
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.id === "quick-add-input") {
      bench.pendingAdd = {title: event.target.value.trim(), start: performance.now()};
    }
  }, true);
  document.addEventListener("click", (event) => {
    const box = allDay();
    if (box && box.contains(event.target)) {
      bench.pendingToggle = {before: box.getAttribute("data-state"), start: performance.now()};
    }
  }, true);
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
})
"""


@dataclass(frozen=True)
class Account:
    name: str
    tokens: dict[str, str]
    rows: int  # rows on the first page of "/" (its active tasks, at most a page of 50)


def register(email: str) -> tuple[uuid.UUID, dict[str, str]]:
    """An account with a real password hash, and the tokens a UI login would store."""
    with session_scope() as session:
        user = auth.register(
            session,
            RegisterRequest(
                email=email, password=PASSWORD, display_name="Bench", timezone=TIMEZONE
            ),
            "bench",
        )
        pair = auth.issue_tokens(session, user)
        return user.id, {"todo_access": pair.access_token, "todo_refresh": pair.refresh_token}


def open_page(browser: Browser, base_url: str, account: Account) -> Page:
    """A fresh context (empty cache and storage: a cold visit) signed in as `account`."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1400, "height": 900},
        timezone_id=TIMEZONE,
        locale="en-GB",
    )
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(
        f"{PAGE_SCRIPT}({json.dumps({'tokens': account.tokens, 'expectRows': account.rows})})"
    )
    return context.new_page()


def measure_toggles(page: Page, clicks: int) -> list[float]:
    """Open the editor on the first row, click its controlled "All day" checkbox: one
    untimed click, then `clicks` timed ones."""
    page.locator("#task-list .task-title").first.click()
    checkbox = page.locator("#edit-all-day[role=checkbox], #edit-all-day [role=checkbox]")
    checkbox.wait_for(state="visible")
    page.wait_for_timeout(SETTLE_MS)
    for number in range(1, clicks + 2):
        checkbox.click()
        page.wait_for_function("n => window.__bench.toggles.length >= n", arg=number)
        page.wait_for_timeout(SETTLE_MS)
    # Leave the task as it was: the draft is discarded, nothing was saved.
    page.locator("#edit-cancel").click()
    return [round(ms, 1) for ms in page.evaluate("window.__bench.toggles")[1:]]


def browser_main(
    name: str,
    run: Callable[[argparse.Namespace, Path], dict[str, Any]],
    args: argparse.Namespace,
    legend: str,
) -> dict[str, Any] | None:
    """A browser benchmark's run in a scratch directory, its results written and their
    verdicts printed under `legend`; None when Chromium is missing."""
    if not CHROMIUM.exists():
        log(f"{CHROMIUM} is missing (apt-get install -y chromium; never `playwright install`)")
        return None
    exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix=f"todo_{name}_bench_") as workdir:
        results = run(args, Path(workdir))
    path = write_results(name, results)
    print_verdicts(results["results"], legend)
    log(f"results written to {path.relative_to(ROOT)}")
    return results
