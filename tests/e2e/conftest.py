"""Browser tests: the real app, started as users start it, driven by headless Chromium.

One `reflex run --env prod` process serves the built UI and the backend (state, REST API) on one
free port, against a fresh migrated SQLite database in a temp dir; bench/support/servers.py,
shared with the benchmarks, starts it (and says why prod, and why the build and state dirs go
to the temp dir). As with `make run`, the
embedded broker and the workers run next to it (the workers as threads of the test process, on
the same database), so live updates, next occurrences and reminders travel the real pipeline.

Without /usr/bin/chromium these tests skip; under CI=true they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from e2e_steps import UI
from playwright.sync_api import expect

from bench.support.servers import CHROMIUM, CHROMIUM_ARGS, AppStartError, running_app
from todo_app.bus import BusConfig
from workers.broker import EmbeddedBroker
from workers.notifications import NotificationsWorker
from workers.recurrence import RecurrenceWorker
from workers.relay import RelayWorker
from workers.reminders import RemindersWorker

# Assertions wait up to 10 s (Playwright's default is 5): a loaded 2-core CI box is slow.
expect.set_options(timeout=10_000)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_TIMEOUT = 300  # a cold bun cache downloads the frontend packages first
# Tansu makes a group join wait max(1 s, session timeout / 2): short ones keep joins quick.
SESSION_TIMEOUT_MS = 2000
HEARTBEAT_INTERVAL_MS = 500


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell that a test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _report(config: pytest.Config, message: str) -> None:
    """A line on the terminal (not captured) and in test-artifacts/e2e-timings.txt."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"[e2e] {message}")
    with (ARTIFACTS / "e2e-timings.txt").open("a") as handle:
        handle.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ (git-ignored), emptied of the previous run's timings and failures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(SCREENSHOTS / "failures", ignore_errors=True)
    (ARTIFACTS / "e2e-timings.txt").unlink(missing_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser binary; a missing one skips these tests, or fails them under CI=true."""
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install -y chromium; never `playwright install`)"
        if IN_CI:
            pytest.fail(f"browser tests cannot run: {problem}")
        pytest.skip(problem)
    return str(CHROMIUM)


@dataclass
class Stack:
    """What runs next to the app: the broker, the workers, the database they share."""

    database_url: str
    bus: BusConfig
    recurrence: RecurrenceWorker
    workers: list[Any] = field(default_factory=list)


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-app")


@pytest.fixture(scope="session")
def broker(stack_dir: Path) -> Iterator[EmbeddedBroker]:
    embedded = EmbeddedBroker(log_path=stack_dir / "tansu.log")
    try:
        embedded.start()
    except Exception as exc:
        message = f"the embedded broker did not start: {exc!r}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    yield embedded
    embedded.stop()


@pytest.fixture(scope="session")
def app_url(
    chromium: str,
    artifacts: Path,
    stack_dir: Path,
    broker: EmbeddedBroker,
    request: pytest.FixtureRequest,
) -> Iterator[str]:
    """Base URL of a running `reflex run --env prod` on a fresh, migrated SQLite database."""
    work = stack_dir
    kafka_env = {
        # The stack's workers run in this process: they sign what the app checks (invitations).
        "JWT_SECRET": os.environ["JWT_SECRET"],
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "KAFKA_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_MS),
        "KAFKA_HEARTBEAT_INTERVAL_MS": str(HEARTBEAT_INTERVAL_MS),
    }
    try:
        with running_app(work, extra_env=kafka_env, timeout=START_TIMEOUT) as app:
            _report(
                request.config,
                f"migrate {app.migrate_seconds:.1f} s; `reflex run --env prod` (install, "
                f"compile, build, serve) {app.startup_seconds:.1f} s on port {app.port}",
            )
            yield app.base_url
    except AppStartError as error:
        pytest.fail(str(error))
    finally:
        log_path = work / "reflex.log"
        if request.session.testsfailed and log_path.exists():
            shutil.copy(log_path, ARTIFACTS / "e2e-reflex.log")


@pytest.fixture(scope="session")
def stack(app_url: str, stack_dir: Path, broker: EmbeddedBroker) -> Iterator[Stack]:
    """The workers of `make run`, on the app's database and broker, for the whole session."""
    database_url = f"sqlite:///{stack_dir / 'data' / 'todo.db'}"
    bus = BusConfig(
        bootstrap_servers=broker.bootstrap_servers,
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
    )
    fast = {"poll_timeout_ms": 100, "client_options": {"fetch_max_wait_ms": 20}}
    relay = RelayWorker(bus=bus, database_url=database_url, poll_interval=0.05)
    recurrence = RecurrenceWorker(bus=bus, database_url=database_url, **fast)
    running = Stack(database_url=database_url, bus=bus, recurrence=recurrence)
    running.workers = [
        relay,
        recurrence,
        RemindersWorker(bus=bus, database_url=database_url, poll_interval=1.0, **fast),
        NotificationsWorker(bus=bus, database_url=database_url, mail=False, **fast),
    ]
    for worker in running.workers:
        worker.start()
    yield running
    for worker in running.workers:
        worker.stop()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_app(app_url: str, stack: Stack, browser: Any, request: pytest.FixtureRequest) -> str:
    """The app once the UI really works: a page loads, hydrates, talks to the backend."""
    started = time.monotonic()
    context = browser.new_context(base_url=app_url)
    page = context.new_page()
    try:
        # An anonymous visit to the task list runs its on_load over the websocket, which answers
        # with a redirect to the login page: the whole round trip, not just a served file.
        page.goto("/", timeout=60_000)
        page.wait_for_url(re.compile(r"/login\?next="), timeout=60_000)
        page.locator("#login-email").wait_for(state="visible", timeout=30_000)
    finally:
        context.close()
    _report(request.config, f"first page interactive in {time.monotonic() - started:.1f} s")
    return app_url


@pytest.fixture
def new_context(
    live_app: str, browser: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Factory of fresh browser contexts (own localStorage, so own login) on the app.

    On a failed test, each open page is saved to test-artifacts/screenshots/failures/.
    """
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options = {
            "base_url": live_app,
            "viewport": {"width": 1400, "height": 900},
            "timezone_id": "Europe/Paris",
            "locale": "en-GB",
            **options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(30_000)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for index, context in enumerate(contexts):
        if failed:
            folder = SCREENSHOTS / "failures"
            folder.mkdir(exist_ok=True)
            for number, page in enumerate(context.pages):
                name = f"{request.node.name}-{index}-{number}.png"
                # A crashed page must not hide the test's own failure.
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(folder / name), full_page=True)
        context.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    return new_context().new_page()


@pytest.fixture
def ui(page: Any) -> UI:
    return UI(page)


@pytest.fixture
def new_ui(new_context: Callable[..., Any]) -> Callable[..., UI]:
    """Another user's browser: its own context, page and steps."""
    return lambda **options: UI(new_context(**options).new_page())


@pytest.fixture
def screenshot(artifacts: Path) -> Callable[[Any, str], Path]:
    """Save a page as test-artifacts/screenshots/<name>.png."""

    def save(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
