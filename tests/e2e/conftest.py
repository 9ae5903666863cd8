"""Browser tests: the real app, started as users start it, driven by headless Chromium.

One `reflex run --env prod` process serves the built UI and the backend (state, REST API) on one
free port, against a fresh migrated SQLite database in a temp dir. `--env prod` is used rather
than `--env dev` because the Vite dev server compiles each route on its first request (slow and
timing-dependent on two cores), while the production build is made once (about 10 s) and then
serves every page at once.

The compiled frontend (`REFLEX_WEB_WORKDIR`) and Reflex's state files (`REFLEX_STATES_WORKDIR`)
go to the same temp dir, so a developer's own `reflex run` in this checkout (ports 3000/8000, the
repo's `.web/` and `.states/`) is left alone. Packages come from the committed `reflex.lock/`
(bun's cache makes the install quick after the first time).

Without /usr/bin/chromium these tests skip; under CI=true they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_steps import UI
from playwright.sync_api import expect

# Assertions wait up to 10 s (Playwright's default is 5): a loaded 2-core CI box is slow.
expect.set_options(timeout=10_000)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUN = ROOT / ".tools/node_modules/@oven/bun-linux-x64/bin/bun"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_TIMEOUT = 300  # a cold bun cache downloads the frontend packages first
# The developer's own `reflex run` uses these; never take them.
RESERVED_PORTS = {3000, 3001, 8000, 8001}


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


def _free_port() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


def _tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.glob("*") if path.is_file()}


def _keep_lock_formatting(snapshot: dict[Path, bytes]) -> None:
    """Undo a formatting-only rewrite of reflex.lock/ by `reflex run`.

    Reflex copies .web's package.json back to reflex.lock/ after installing, compact or
    pretty-printed depending on how it was produced; a test run must not dirty the checkout
    with that. A real change of the dependencies is left as Reflex wrote it.
    """
    for path, before in snapshot.items():
        if not path.exists() or path.suffix != ".json":
            continue
        now = path.read_bytes()
        if now != before and json.loads(now) == json.loads(before):
            path.write_bytes(before)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole process group (reflex, granian workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(
    chromium: str,
    artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[str]:
    """Base URL of a running `reflex run --env prod` on a fresh, migrated SQLite database."""
    work = tmp_path_factory.mktemp("e2e-app")
    data = work / "data"
    data.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data / 'todo.db'}",
        "TODO_DATA_DIR": str(data),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "BCRYPT_ROUNDS": "4",
        "LOG_LEVEL": "WARNING",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_WEB_WORKDIR": str(work / "web"),
        "REFLEX_STATES_WORKDIR": str(work / "states"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if BUN.exists():
        env["REFLEX_BUN_PATH"] = str(BUN)
    for name in (
        "KAFKA_BOOTSTRAP_SERVERS",
        "REFLEX_REDIS_URL",
        "OPENAI_API_KEY",
        "SMTP_HOST",
        "REFLEX_API_URL",
        "REFLEX_FRONTEND_PORT",
        "REFLEX_BACKEND_PORT",
    ):
        env.pop(name, None)

    started = time.monotonic()
    migrated = subprocess.run(
        [sys.executable, "-m", "reflex", "db", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if migrated.returncode != 0:
        pytest.fail(f"reflex db migrate failed:\n{migrated.stdout}\n{migrated.stderr}")
    migrate_seconds = time.monotonic() - started

    port = _free_port()
    log_path = work / "reflex.log"
    log_file = log_path.open("wb")
    command = [
        sys.executable,
        "-m",
        "reflex",
        "run",
        "--env",
        "prod",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
        "--backend-host",
        "127.0.0.1",
        "--loglevel",
        "warning",
    ]
    lock_files = _snapshot(ROOT / "reflex.lock")
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"reflex run exited early ({process.returncode}):\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"reflex run not serving after {START_TIMEOUT} s:\n{_tail(log_path)}")
            try:
                ping = httpx.get(f"http://127.0.0.1:{port}/ping", timeout=2)
                home = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                if ping.status_code == 200 and home.status_code == 200 and "<html" in home.text:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        _report(
            request.config,
            f"migrate {migrate_seconds:.1f} s; `reflex run --env prod` (install, compile, build, "
            f"serve) {time.monotonic() - started:.1f} s on port {port}",
        )
        _keep_lock_formatting(lock_files)
        yield base
    finally:
        _stop(process)
        log_file.close()
        _keep_lock_formatting(lock_files)
        if request.session.testsfailed:
            shutil.copy(log_path, ARTIFACTS / "e2e-reflex.log")
        # The frontend build and its node_modules (~200 MB); pytest keeps its last temp dirs.
        shutil.rmtree(work / "web", ignore_errors=True)


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def live_app(app_url: str, browser: Any, request: pytest.FixtureRequest) -> str:
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
