"""Live updates in a browser: a REST mutation to the changed row in another open tab.

Starts the app as `make run` does, but on a free port with a fresh SQLite file: an embedded Tansu
broker, `reflex run --env prod` (`bench.support.servers.running_app`) with
KAFKA_BOOTSTRAP_SERVERS set, so its live consumer runs, and the outbox relay in a thread of this
process. One user with one task has the task list open in headless Chromium (signed in by
bench.support.browser's init script); this process renames the task through the REST API, like
another device, and the page timestamps the moment the new title is in its DOM:

  a. REST response returned -> new title in the other tab's DOM (the target metric), and
     REST request sent -> new title in the DOM, with wall clocks (`time.time()` here,
     `Date.now()` in the page: one machine, one clock);
  b. baseline, same run and page: a bare Reflex event round trip (the editor's checkbox).

See bench/README.md for the exact definitions. Run from the repository root:

    .venv/bin/python -m bench.realtime                        # 100 mutations, 50 clicks
    .venv/bin/python -m bench.realtime --mutations 20 --clicks 10
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

from bench.support.browser import (
    PASSWORD,
    WAIT_MS,
    Account,
    browser_main,
    measure_toggles,
    open_page,
    register,
)
from bench.support.pipeline import bus_config, bus_env
from bench.support.run import log
from bench.support.servers import CHROMIUM, CHROMIUM_ARGS, running_app
from bench.support.stats import verdict
from todo_app.db import dispose_engines
from workers.broker import EmbeddedBroker
from workers.relay import RelayWorker

TARGET_P95_MS = 250.0
RELAY_POLL_INTERVAL = 0.05
WARMUPS = 5
# Between mutations, so that each one meets an idle app, relay and page.
PAUSE_S = 0.05
# A push that has not arrived after this long is counted as missing (the run goes on).
PUSH_TIMEOUT_MS = 10_000

# Installed after bench.support.browser's PAGE_SCRIPT: the first Date.now() at which each
# `.task-title` text is in the DOM (a MutationObserver callback runs before paint).
TITLE_SCRIPT = """
(() => {
  const seen = (window.__titles = {});
  const check = () => {
    const now = Date.now();
    for (const el of document.querySelectorAll("#task-list .task-title")) {
      const text = el.textContent.trim();
      if (!(text in seen)) seen[text] = now;
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, characterData: true,
  });
})();
"""
LIVE = "() => document.querySelector('#connection-status')?.dataset.status === 'live'"


class Api:
    """The REST API as another device of the user uses it (as tests/e2e/test_live.py's)."""

    def __init__(self, base_url: str, email: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=10, trust_env=False)
        response = self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        response.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def create(self, title: str) -> str:
        response = self.client.post("/api/v1/tasks", json={"title": title})
        response.raise_for_status()
        return str(response.json()["id"])

    def rename(self, task_id: str, title: str) -> tuple[float, float]:
        """PATCH the title; wall clock (ms) just before sending and just after the response."""
        sent = time.time() * 1000
        response = self.client.patch(f"/api/v1/tasks/{task_id}", json={"title": title})
        returned = time.time() * 1000
        response.raise_for_status()
        return sent, returned


def measure_mutations(page: Page, api: Api, task_id: str, count: int) -> list[dict[str, Any]]:
    """`WARMUPS` untimed renames, then `count` timed ones, one at a time, `PAUSE_S` apart."""
    token = secrets.token_hex(3)
    samples: list[dict[str, Any]] = []
    for number in range(1 - WARMUPS, count + 1):
        title = f"Bench live {number:03d} {token}"
        sent, returned = api.rename(task_id, title)
        try:
            page.wait_for_function("t => t in window.__titles", arg=title, timeout=PUSH_TIMEOUT_MS)
            shown: float | None = page.evaluate("t => window.__titles[t]", title)
        except Exception:  # playwright's TimeoutError: the push never came
            shown = None
        if number >= 1:
            sample: dict[str, Any] = {
                "request_ms": round(returned - sent, 1),
                "response_to_dom_ms": None if shown is None else round(shown - returned, 1),
                "sent_to_dom_ms": None if shown is None else round(shown - sent, 1),
            }
            samples.append(sample)
            if shown is None:
                log(f"  mutation {number}: no push within {PUSH_TIMEOUT_MS} ms")
            elif number % 10 == 0:
                log(
                    f"  mutation {number}/{count}: response->DOM "
                    f"{sample['response_to_dom_ms']:.0f} ms, sent->DOM "
                    f"{sample['sent_to_dom_ms']:.0f} ms"
                )
        elif shown is None:
            raise RuntimeError(f"warm-up mutation {title!r} never reached the page")
        time.sleep(PAUSE_S)
    return samples


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=100, help="timed REST renames")
    parser.add_argument("--clicks", type=int, default=50, help="timed baseline round trips")
    args = parser.parse_args(argv)
    if args.mutations < 2 or args.clicks < 2:
        parser.error("--mutations and --clicks must be >= 2")
    return args


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{data / 'todo.db'}"
    broker = EmbeddedBroker(log_path=work / "tansu.log")
    broker.start()
    try:
        env = {
            "DATABASE_URL": database_url,
            "TODO_DATA_DIR": str(data),
            "JWT_SECRET": secrets.token_urlsafe(32),
            "BCRYPT_ROUNDS": "4",
            "ACCESS_TOKEN_MINUTES": "600",
            **bus_env(broker.bootstrap_servers),
        }
        os.environ.update(env)
        log("starting the app (migrate, reflex run --env prod) with the embedded broker")
        with running_app(work, extra_env=env) as app:
            log(f"serving on port {app.port} after {app.startup_seconds:.1f} s")
            bus = bus_config(broker.bootstrap_servers)
            relay = RelayWorker(
                bus=bus, database_url=database_url, poll_interval=RELAY_POLL_INTERVAL
            )
            relay.start()
            try:
                return measure(args, app.base_url, app.startup_seconds)
            finally:
                relay.stop()
    finally:
        broker.stop()


def measure(args: argparse.Namespace, base_url: str, startup_s: float) -> dict[str, Any]:
    email = f"bench-live-{secrets.token_hex(4)}@example.com"
    _, tokens = register(email)
    dispose_engines()  # the app (and the relay) write from here on
    api = Api(base_url, email)
    task_id = api.create("Bench live task")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, base_url, Account("live", tokens, 1))
            page.context.add_init_script(TITLE_SCRIPT)
            page.goto("/")
            page.wait_for_function("() => window.__bench.interactiveAt !== null", timeout=WAIT_MS)
            page.wait_for_function(LIVE, timeout=WAIT_MS)
            log(f"measuring {args.mutations} REST renames (after {WARMUPS} warm-ups)")
            samples = measure_mutations(page, api, task_id, args.mutations)
            log(f"measuring {args.clicks} editor checkbox round trips")
            toggles = measure_toggles(page, args.clicks)
        finally:
            browser.close()
    arrived = [s for s in samples if s["response_to_dom_ms"] is not None]
    if len(arrived) < 2:
        raise RuntimeError(f"only {len(arrived)} of {len(samples)} pushes arrived")
    after_response = [s["response_to_dom_ms"] for s in arrived]
    after_sent = [s["sent_to_dom_ms"] for s in arrived]
    requests = [s["request_ms"] for s in samples]
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite",
        "mutations": args.mutations,
        "clicks": args.clicks,
        "missing_pushes": len(samples) - len(arrived),
        "pushes_before_response": sum(ms < 0 for ms in after_response),
        "min_response_to_dom_ms": min(after_response),
        "app_startup_s": round(startup_s, 1),
        "request_ms": {
            "p50_ms": round(statistics.median(requests), 1),
            "max_ms": max(requests),
        },
        "results": [
            verdict("REST response returned -> DOM", after_response, toggles, TARGET_P95_MS),
            verdict("REST request sent -> DOM", after_sent, toggles, TARGET_P95_MS),
        ],
        "mutations_ms": samples,
        "checkbox_round_trips_ms": toggles,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    legend = (
        "(milliseconds, wall clock: time.time() in the bench, Date.now() in the page; "
        "base = same run's bare Reflex event round trip (editor checkbox, in-page "
        "performance.now()); x = measured / baseline)"
    )
    results = browser_main("realtime", run, args, legend)
    if results is None:
        return 1
    log(
        f"missing pushes: {results['missing_pushes']}; pushes before the REST response: "
        f"{results['pushes_before_response']}; PATCH round trip p50 "
        f"{results['request_ms']['p50_ms']} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
