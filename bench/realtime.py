"""Live updates in a browser: a REST mutation to the changed row in other open tabs.

Starts the app as `make run` does, but on a free port with a fresh SQLite file: an embedded Tansu
broker, `reflex run --env prod` (`bench.support.servers.running_app`) with
KAFKA_BOOTSTRAP_SERVERS set, so its live consumer runs, and the outbox relay in a thread of this
process. One user with one task has the task list open in headless Chromium (signed in by
bench.support.browser's init script); this process renames the task through the REST API, like
another device, and the page timestamps the moment the new title is in its DOM:

  a. REST response returned -> new title in the other tab's DOM (the target metric), and
     REST request sent -> new title in the DOM, with wall clocks (`time.time()` here,
     `Date.now()` in the page: one machine, one clock);
  b. baseline, same run and page: a bare Reflex event round trip (the editor's checkbox);
  c. a shared project: its owner and `--members - 1` members, each with `--tabs-per-member`
     tabs open on the project's page (one browser, a context per person); the owner renames a
     task of it through the REST API and every tab is timed as in a. The same run's one-tab
     renames, interleaved with these, are its baseline.

See bench/README.md for the exact definitions. Run from the repository root:

    .venv/bin/python -m bench.realtime                        # 100 + 50 mutations, 40 tabs
    .venv/bin/python -m bench.realtime --mutations 20 --clicks 10 --members 5
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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
from bench.support.stats import percentiles, verdict
from todo_app import routes
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
# How often a waiting tab checks for the title: its timestamp is the observer's, not the check's.
POLL_MS = 20

# Installed after bench.support.browser's PAGE_SCRIPT: the first Date.now() at which each
# `.task-title` text is in the DOM (a MutationObserver callback runs before paint), and at which
# a websocket message carrying it arrived (before the page's own handler sees it).
TITLE_SCRIPT = """
(() => {
  const seen = (window.__titles = {});
  const frames = (window.__frames = {});
  const TITLE = /Bench (?:live|shared) -?\\d+ [0-9a-f]{6}/g;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string") return;
        const now = Date.now();
        for (const [title] of event.data.matchAll(TITLE)) {
          if (!(title in frames)) frames[title] = now;
        }
      });
    }
  };
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
ONE_TAB = "one tab, interleaved"
LIVE = "() => document.querySelector('#connection-status')?.dataset.status === 'live'"
SEEN = "t => [window.__titles[t] ?? null, window.__frames[t] ?? null]"


class Api:
    """The REST API as another device of the user uses it (as tests/e2e/test_live.py's)."""

    def __init__(self, base_url: str, email: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=10, trust_env=False)
        response = self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        response.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(f"/api/v1{path}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def create(self, title: str, project_id: str | None = None) -> str:
        return str(self.post("/tasks", {"title": title, "project_id": project_id})["id"])

    def rename(self, task_id: str, title: str) -> tuple[float, float]:
        """PATCH the title; wall clock (ms) just before sending and just after the response."""
        sent = time.time() * 1000
        response = self.client.patch(f"/api/v1/tasks/{task_id}", json={"title": title})
        returned = time.time() * 1000
        response.raise_for_status()
        return sent, returned


def delays(
    sent: float, returned: float, shown: float | None, frame: float | None
) -> dict[str, Any]:
    """One tab's timings of one rename (ms); None where the push never came."""

    def since(start: float, end: float | None) -> float | None:
        return None if end is None else round(end - start, 1)

    return {
        "request_ms": round(returned - sent, 1),
        "response_to_dom_ms": since(returned, shown),
        "sent_to_dom_ms": since(sent, shown),
        # Where the time goes: the server's push reaching the tab, then the tab rendering it.
        "response_to_socket_ms": since(returned, frame),
        "socket_to_dom_ms": None if frame is None else since(frame, shown),
    }


def rename_everywhere(
    api: Api, task_id: str, title: str, pages: list[Page]
) -> list[dict[str, Any]]:
    """Rename the task once and wait for the title in every page, `PUSH_TIMEOUT_MS` from the
    response at most; each page's delays, in the order of `pages`."""
    sent, returned = api.rename(task_id, title)
    deadline = time.monotonic() + PUSH_TIMEOUT_MS / 1000
    samples = []
    for page in pages:
        left_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        # The tabs stamp the title themselves; waiting on them one after another costs nothing.
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(
                "t => t in window.__titles", arg=title, timeout=left_ms, polling=POLL_MS
            )
        shown, frame = page.evaluate(SEEN, title)
        samples.append(delays(sent, returned, shown, frame))
    return samples


def titles(kind: str) -> Iterator[tuple[int, str]]:
    """(number, unique title): `WARMUPS` untimed ones numbered below 1, then 1, 2, ..."""
    token = secrets.token_hex(3)
    number = 1 - WARMUPS
    while True:
        yield number, f"Bench {kind} {number:03d} {token}"
        number += 1


def measure_mutations(page: Page, api: Api, task_id: str, count: int) -> list[dict[str, Any]]:
    """`WARMUPS` untimed renames, then `count` timed ones, one at a time, `PAUSE_S` apart."""
    samples: list[dict[str, Any]] = []
    for number, title in titles("live"):
        if number > count:
            break
        [sample] = rename_everywhere(api, task_id, title, [page])
        if number >= 1:
            samples.append(sample)
            if sample["response_to_dom_ms"] is None:
                log(f"  mutation {number}: no push within {PUSH_TIMEOUT_MS} ms")
            elif number % 10 == 0:
                log(
                    f"  mutation {number}/{count}: response->DOM "
                    f"{sample['response_to_dom_ms']:.0f} ms, sent->DOM "
                    f"{sample['sent_to_dom_ms']:.0f} ms"
                )
        elif sample["response_to_dom_ms"] is None:
            raise RuntimeError(f"warm-up mutation {title!r} never reached the page")
        time.sleep(PAUSE_S)
    return samples


@dataclass(frozen=True)
class Shared:
    """A project shared by its owner with the other people, every tab open on its page."""

    owner: Api
    task_id: str
    pages: list[Page]


def open_tabs(
    browser: Browser, base_url: str, tokens: dict[str, str], path: str, tabs: int
) -> list[Page]:
    """`tabs` pages of one person (one context: their browser), each on `path`, live."""
    first = open_page(browser, base_url, Account("shared", tokens, 1))
    first.context.add_init_script(TITLE_SCRIPT)
    pages = [first, *(first.context.new_page() for _ in range(tabs - 1))]
    for page in pages:
        page.goto(path)
        page.wait_for_function("() => window.__bench.interactiveAt !== null", timeout=WAIT_MS)
        page.wait_for_function(LIVE, timeout=WAIT_MS)
    return pages


def share(
    browser: Browser, base_url: str, people: list[tuple[str, dict[str, str]]], tabs: int
) -> Shared:
    """The first person's project with one task, shared with the others as editors, open in
    `tabs` tabs of each."""
    (owner_email, _), *members = people
    owner = Api(base_url, owner_email)
    project_id = str(owner.post("/projects", {"name": "Bench shared"})["id"])
    for email, _ in members:
        owner.post(f"/projects/{project_id}/members", {"email": email, "role": "editor"})
    task_id = owner.create("Bench shared task", project_id)
    pages: list[Page] = []
    for number, (_, tokens) in enumerate(people, start=1):
        pages += open_tabs(browser, base_url, tokens, routes.project(project_id), tabs)
        log(f"  {number}/{len(people)} people: {len(pages)} tabs open")
    return Shared(owner, task_id, pages)


def measure_shared(
    shared: Shared, page: Page, api: Api, task_id: str, count: int
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Renames in the shared project, each followed by one in the single tab's own list (the
    baseline, interleaved so that drift favours neither); `WARMUPS` untimed of each first."""
    rounds: list[list[dict[str, Any]]] = []
    singles: list[dict[str, Any]] = []
    for (number, title), (_, own) in zip(titles("shared"), titles("live"), strict=False):
        if number > count:
            break
        tabs = rename_everywhere(shared.owner, shared.task_id, title, shared.pages)
        time.sleep(PAUSE_S)
        [single] = rename_everywhere(api, task_id, own, [page])
        time.sleep(PAUSE_S)
        missing = sum(tab["response_to_dom_ms"] is None for tab in tabs)
        if number < 1:
            continue
        rounds.append(tabs)
        singles.append(single)
        arrived = [
            tab["response_to_dom_ms"] for tab in tabs if tab["response_to_dom_ms"] is not None
        ]
        if missing or number % 10 == 0:
            log(
                f"  shared mutation {number}/{count}: response->DOM first "
                f"{min(arrived, default=0):.0f} ms, last {max(arrived, default=0):.0f} ms, "
                f"{missing} of {len(tabs)} tabs missing"
            )
    return rounds, singles


def fan_out(rounds: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Where the shared renames' time went (their every-tab and last-tab delays are the
    verdicts): the server's push and the page's rendering, each rename's first tab and the
    spread from its first to its last tab's message; and the misses."""

    def present(values: Iterable[float | None]) -> list[float]:
        return [value for value in values if value is not None]

    arrivals = [present(tab["response_to_socket_ms"] for tab in tabs) for tabs in rounds]
    shown = [present(tab["response_to_dom_ms"] for tab in tabs) for tabs in rounds]
    tabs = len(rounds[0])
    return {
        "tabs": tabs,
        "missing_pushes": sum(len(each) - len(ms) for each, ms in zip(rounds, shown, strict=True)),
        "tabs_that_missed": sum(
            any(each[index]["response_to_dom_ms"] is None for each in rounds)
            for index in range(tabs)
        ),
        "response_to_socket": percentiles([ms for each in arrivals for ms in each]),
        "socket_to_dom": percentiles(
            present(tab["socket_to_dom_ms"] for each in rounds for tab in each)
        ),
        "first_tab": percentiles([min(ms) for ms in shown if ms]),
        "socket_spread": percentiles([max(ms) - min(ms) for ms in arrivals if ms]),
        "request_ms": percentiles([each[0]["request_ms"] for each in rounds]),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=100, help="timed REST renames")
    parser.add_argument("--clicks", type=int, default=50, help="timed baseline round trips")
    parser.add_argument(
        "--members",
        type=int,
        default=20,
        help="people with the shared project open, its owner counted (0: no shared measure)",
    )
    parser.add_argument("--tabs-per-member", type=int, default=2, help="open tabs of each")
    parser.add_argument(
        "--shared-mutations", type=int, default=50, help="timed renames in the shared project"
    )
    args = parser.parse_args(argv)
    if args.mutations < 2 or args.clicks < 2:
        parser.error("--mutations and --clicks must be >= 2")
    if args.members == 1 or args.members < 0:
        parser.error("--members is 0 (no shared measure) or >= 2 (the owner and a member)")
    if args.tabs_per_member < 1 or args.shared_mutations < 2:
        parser.error("--tabs-per-member must be >= 1 and --shared-mutations >= 2")
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
    people = []
    for number in range(args.members):
        person = f"bench-shared-{number}-{secrets.token_hex(3)}@example.com"
        people.append((person, register(person)[1]))
    dispose_engines()  # the app (and the relay) write from here on
    api = Api(base_url, email)
    task_id = api.create("Bench live task")
    rounds: list[list[dict[str, Any]]] = []
    singles: list[dict[str, Any]] = []
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
            if people:
                log(
                    f"opening a shared project: {args.tabs_per_member} tabs of {len(people)} people"
                )
                shared = share(browser, base_url, people, args.tabs_per_member)
                log(
                    f"measuring {args.shared_mutations} renames in it, each followed by one in "
                    f"the single tab (after {WARMUPS} warm-ups)"
                )
                rounds, singles = measure_shared(shared, page, api, task_id, args.shared_mutations)
        finally:
            browser.close()
    arrived = [s for s in samples if s["response_to_dom_ms"] is not None]
    if len(arrived) < 2:
        raise RuntimeError(f"only {len(arrived)} of {len(samples)} pushes arrived")
    after_response = [s["response_to_dom_ms"] for s in arrived]
    after_sent = [s["sent_to_dom_ms"] for s in arrived]
    requests = [s["request_ms"] for s in samples]
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "sqlite",
        "mutations": args.mutations,
        "clicks": args.clicks,
        "members": args.members,
        "tabs_per_member": args.tabs_per_member,
        "shared_mutations": args.shared_mutations if people else 0,
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
    if rounds:
        results["results"] += shared_verdicts(rounds, singles)
        results["shared"] = {
            **fan_out(rounds),
            "rounds_ms": rounds,
            "single_tab_ms": singles,
        }
    return results


def shared_verdicts(
    rounds: list[list[dict[str, Any]]], singles: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every tab, and each rename's last tab, against the interleaved single-tab renames."""
    shown = [[tab["response_to_dom_ms"] for tab in tabs] for tabs in rounds]
    every = [ms for tabs in shown for ms in tabs if ms is not None]
    last = [
        max(ms for ms in tabs if ms is not None)
        for tabs in shown
        if any(ms is not None for ms in tabs)
    ]
    base = [ms for ms in (single["response_to_dom_ms"] for single in singles) if ms is not None]
    name = f"shared project, {len(rounds[0])} tabs: REST response returned -> DOM"
    return [
        {**verdict(f"{name}, every tab", every, base, TARGET_P95_MS), "baseline_name": ONE_TAB},
        {**verdict(f"{name}, last tab", last, base, TARGET_P95_MS), "baseline_name": ONE_TAB},
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    legend = (
        "(milliseconds, wall clock: time.time() in the bench, Date.now() in the page; "
        "base = same run's bare Reflex event round trip (editor checkbox, in-page "
        "performance.now()), for the shared project the single tab's renames interleaved "
        "with its own; x = measured / baseline)"
    )
    results = browser_main("realtime", run, args, legend)
    if results is None:
        return 1
    log(
        f"missing pushes: {results['missing_pushes']}; pushes before the REST response: "
        f"{results['pushes_before_response']}; PATCH round trip p50 "
        f"{results['request_ms']['p50_ms']} ms"
    )
    shared = results.get("shared")
    if shared:
        log(
            f"shared project, {shared['tabs']} tabs: {shared['missing_pushes']} pushes missing "
            f"({shared['tabs_that_missed']} tabs missed one or more); p50/p95 response -> "
            f"socket message {shared['response_to_socket']['p50_ms']:.0f}/"
            f"{shared['response_to_socket']['p95_ms']:.0f} ms, socket message -> DOM "
            f"{shared['socket_to_dom']['p50_ms']:.0f}/{shared['socket_to_dom']['p95_ms']:.0f} ms, "
            f"first to last tab's socket message {shared['socket_spread']['p50_ms']:.0f}/"
            f"{shared['socket_spread']['p95_ms']:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
