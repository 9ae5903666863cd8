"""Start the real app as users start it: `reflex run --env prod` on a free port.

Shared by the browser tests (tests/e2e/conftest.py imports it as `app_server`), the tests of a
backend process (test_serving.py, test_cli.py: `running_backend`) and the benchmarks (as
`tests.e2e.app_server`), so it imports nothing from pytest. One process serves the built UI
and the backend (state, REST API) on one port, against a database migrated first with
`reflex db migrate` (by default a fresh SQLite file in the work dir).

`--env prod` is used rather than `--env dev` because the Vite dev server compiles each route on
its first request (slow and timing-dependent on two cores), while the production build is made
once (about 10 s) and then serves every page at once. The compiled frontend
(`REFLEX_WEB_WORKDIR`) and Reflex's state files (`REFLEX_STATES_WORKDIR`) go to the work dir, so
a developer's own `reflex run` in this checkout (ports 3000/8000, the repo's `.web/` and
`.states/`) is left alone. Packages come from the committed `reflex.lock/` (bun's cache makes
the install quick after the first time).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BUN = ROOT / ".tools/node_modules/@oven/bun-linux-x64/bin/bun"
# The developer's own `reflex run` uses these; never take them.
RESERVED_PORTS = {3000, 3001, 8000, 8001}
# Settings of the developer's shell that would point the app at other services or ports.
# The browser the tests and the UI benchmark drive (Debian's; never `playwright install`).
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
UNSET = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "REFLEX_REDIS_URL",
    "OPENAI_API_KEY",
    "SMTP_HOST",
    "REFLEX_API_URL",
    "REFLEX_FRONTEND_PORT",
    "REFLEX_BACKEND_PORT",
)


class AppStartError(RuntimeError):
    """Migrating or starting the app failed; the message carries the output."""


@dataclass(frozen=True)
class AppServer:
    base_url: str
    port: int
    log_path: Path
    migrate_seconds: float
    # `reflex run --env prod` until it serves: install, compile, build, serve.
    startup_seconds: float


def free_port() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


def tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.glob("*") if path.is_file()}


def _keep_lock_formatting(snapshot: dict[Path, bytes]) -> None:
    """Undo a formatting-only rewrite of reflex.lock/ by `reflex run`.

    Reflex copies .web's package.json back to reflex.lock/ after installing, compact or
    pretty-printed depending on how it was produced; a test or benchmark run must not dirty the
    checkout with that. A real change of the dependencies is left as Reflex wrote it.
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


def app_env(work_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The app's environment: a SQLite file, data, build and state dirs under `work_dir`."""
    data = work_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data / 'todo.db'}",
        "TODO_DATA_DIR": str(data),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "BCRYPT_ROUNDS": "4",
        "LOG_LEVEL": "WARNING",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_WEB_WORKDIR": str(work_dir / "web"),
        "REFLEX_STATES_WORKDIR": str(work_dir / "states"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if BUN.exists():
        env["REFLEX_BUN_PATH"] = str(BUN)
    for name in UNSET:
        env.pop(name, None)
    return {**env, **(extra_env or {})}


def _wait_until_serving(
    process: subprocess.Popen[bytes], port: int, log_path: Path, timeout: float
) -> None:
    """Until /ping answers and / serves the built page; the process dying ends the wait."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AppStartError(
                f"reflex run exited early ({process.returncode}):\n{tail(log_path)}"
            )
        if time.monotonic() > deadline:
            raise AppStartError(f"reflex run not serving after {timeout:.0f} s:\n{tail(log_path)}")
        try:
            ping = httpx.get(f"http://127.0.0.1:{port}/ping", timeout=2, trust_env=False)
            home = httpx.get(f"http://127.0.0.1:{port}/", timeout=2, trust_env=False)
            if ping.status_code == 200 and home.status_code == 200 and "<html" in home.text:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


@contextlib.contextmanager
def running_app(
    work_dir: Path, extra_env: dict[str, str] | None = None, timeout: float = 300
) -> Iterator[AppServer]:
    """Migrate, then run `reflex run --env prod` on a free port until the block ends.

    `extra_env` overrides the defaults of `app_env` (DATABASE_URL, JWT_SECRET...). `timeout`
    bounds the start; a cold bun cache downloads the frontend packages first. On exit the
    process group is stopped, reflex.lock/ keeps its formatting and the frontend build under
    `work_dir/web` (its node_modules, ~200 MB) is removed; the log stays in `work_dir`.
    """
    env = app_env(work_dir, extra_env)
    started = time.monotonic()
    migrated = subprocess.run(
        [sys.executable, "-m", "reflex", "db", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if migrated.returncode != 0:
        raise AppStartError(f"reflex db migrate failed:\n{migrated.stdout}\n{migrated.stderr}")
    migrate_seconds = time.monotonic() - started

    port = free_port()
    log_path = work_dir / "reflex.log"
    command = [
        sys.executable, "-m", "reflex", "run", "--env", "prod",
        "--frontend-port", str(port), "--backend-port", str(port),
        "--backend-host", "127.0.0.1", "--loglevel", "warning",
    ]  # fmt: skip
    lock_files = _snapshot(ROOT / "reflex.lock")
    started = time.monotonic()
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(process, port, log_path, timeout)
            startup_seconds = time.monotonic() - started
            _keep_lock_formatting(lock_files)
            yield AppServer(
                base_url=f"http://localhost:{port}",
                port=port,
                log_path=log_path,
                migrate_seconds=migrate_seconds,
                startup_seconds=startup_seconds,
            )
        finally:
            _stop(process)
            _keep_lock_formatting(lock_files)
            shutil.rmtree(work_dir / "web", ignore_errors=True)


@contextlib.contextmanager
def running_backend(
    database_url: str, log_path: Path, extra_env: dict[str, str] | None = None, timeout: float = 90
) -> Iterator[str]:
    """`reflex run --env prod --backend-only` (the REST API, no UI build) on a free port, on an
    already migrated database, until the block ends; yields its base URL once /health/ready
    answers 200. The environment is the caller's, plus DATABASE_URL and `extra_env`."""
    port = free_port()
    command = [
        sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
        "--backend-port", str(port), "--loglevel", "warning",
    ]  # fmt: skip
    env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise AppStartError(f"backend exited early:\n{tail(log_path)}")
                if time.monotonic() > deadline:
                    raise AppStartError(
                        f"backend not ready after {timeout:.0f} s:\n{tail(log_path)}"
                    )
                try:
                    ready = httpx.get(f"{base}/health/ready", timeout=1, trust_env=False)
                    if ready.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            yield base
        finally:
            _stop(process)
