"""The app started as users start it, on a free port, for the benchmarks and the tests.

- `Backend`: `reflex run --env prod --backend-only` (state, REST API, no UI build) on an
  already migrated database; it can be killed and started again on the same port.
- `ApiServer`: the bare FastAPI app under uvicorn (`todo_app.api.main:create_api`).
- `scratch_backend`: a scratch database, migrated, and a `Backend` on it.
- `api_account`: a database migrated, an `ApiServer` on it and a client signed in to it.
- `running_app`: migrate, then `reflex run --env prod` serving the built UI and the backend on
  one port (the browser tests and the browser benchmarks).

Every process runs in a session of its own and is stopped with its whole process group
(reflex, granian workers): SIGTERM, then SIGKILL if it lingers. This module imports nothing
from pytest, so the tests import it as it is.

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
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.support.database import migrate, scratch_database
from bench.support.run import ROOT, log

BUN = ROOT / ".tools/node_modules/@oven/bun-linux-x64/bin/bun"
# The developer's own `reflex run` uses these; never take them.
RESERVED_PORTS = {3000, 3001, 8000, 8001}
# The browser the tests and the UI benchmarks drive (Debian's; never `playwright install`).
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
# The account `api_account` signs in as.
ACCOUNT_EMAIL = "bench@example.com"
# Settings of the developer's shell that would point the app at other services or ports.
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


def free_port() -> int:
    """A loopback port nothing listens on right now, never one of RESERVED_PORTS."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in RESERVED_PORTS:
            return port


def tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def stop_group(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> None:
    """`signum` to the process's whole group, SIGKILL if it lingers; waits for the end."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Backend:
    """`reflex run --env prod --backend-only` on a fixed port (a free one by default), in the
    environment `env` (DATABASE_URL and the rest: the caller's); restartable on that port."""

    ready_path = "/health/ready"

    def __init__(self, env: Mapping[str, str], log_path: Path, port: int | None = None) -> None:
        self.env = dict(env)
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
            "--backend-port", str(self.port), "--loglevel", "warning",
        ]  # fmt: skip

    def start(self, timeout: float = 120.0) -> float:
        """Start and wait until `ready_path` answers 200; returns the seconds that took."""
        began = time.monotonic()
        with self.log_path.open("ab") as output:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AppStartError(f"backend exited early:\n{tail(self.log_path)}")
            try:
                ready = httpx.get(f"{self.base_url}{self.ready_path}", timeout=1, trust_env=False)
                if ready.status_code == 200:
                    return time.monotonic() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AppStartError(f"backend not ready after {timeout:.0f} s:\n{tail(self.log_path)}")

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash would."""
        if self.process is not None:
            stop_group(self.process, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)


class ApiServer(Backend):
    """The REST API alone: `uvicorn --factory todo_app.api.main:create_api`."""

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "--factory", "todo_app.api.main:create_api",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip


@contextlib.contextmanager
def running_backend(
    database_url: str, log_path: Path, extra_env: dict[str, str] | None = None, timeout: float = 90
) -> Iterator[str]:
    """A `Backend` on an already migrated database until the block ends; yields its base URL
    once /health/ready answers 200. The environment is ours, plus DATABASE_URL and
    `extra_env`."""
    backend = Backend({**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}, log_path)
    try:
        backend.start(timeout)
        yield backend.base_url
    finally:
        backend.stop()


@dataclass(frozen=True)
class AppServer:
    base_url: str
    port: int
    log_path: Path
    migrate_seconds: float
    # `reflex run --env prod` until it serves: install, compile, build, serve.
    startup_seconds: float


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
    try:
        migrate(env["DATABASE_URL"], env, timeout)
    except RuntimeError as exc:
        raise AppStartError(str(exc)) from exc
    migrate_seconds = time.monotonic() - started

    log_path = work_dir / "reflex.log"
    lock_files = _snapshot(ROOT / "reflex.lock")
    started = time.monotonic()
    process: subprocess.Popen[bytes] | None = None
    try:
        process, port = _serve(env, log_path, timeout)
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
        if process is not None:
            stop_group(process)
        _keep_lock_formatting(lock_files)
        shutil.rmtree(work_dir / "web", ignore_errors=True)


# Between free_port() and reflex binding it, another process may take the port (as the
# local end of an outgoing connection): then the app starts again on a fresh one.
PORT_TRIES = 3


def _serve(
    env: dict[str, str], log_path: Path, timeout: float
) -> tuple[subprocess.Popen[bytes], int]:
    """`reflex run --env prod` serving on a free port: the process and the port."""
    attempt = 0
    while True:
        attempt += 1
        port = free_port()
        command = [
            sys.executable, "-m", "reflex", "run", "--env", "prod",
            "--frontend-port", str(port), "--backend-port", str(port),
            "--backend-host", "127.0.0.1", "--loglevel", "warning",
        ]  # fmt: skip
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
        except AppStartError as error:
            stop_group(process)
            if "already in use" in str(error) and attempt < PORT_TRIES:
                continue
            raise
        except BaseException:
            stop_group(process)
            raise
        return process, port


@contextlib.contextmanager
def scratch_backend(
    admin_url: str, work: Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[Backend]:
    """A scratch database on the PostgreSQL server of `admin_url`, migrated, and a `Backend`
    on it, until the block ends (then the backend stops and the database is dropped).

    This process gets the same DATABASE_URL, JWT_SECRET and BCRYPT_ROUNDS as the backend, so
    it can seed through the services and issue tokens the backend accepts.
    """
    from todo_app.config import get_settings
    from todo_app.db import dispose_engines

    with scratch_database(admin_url, work) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TODO_DATA_DIR": str(work / "data"),
            "JWT_SECRET": secrets.token_urlsafe(32),
            "BCRYPT_ROUNDS": "4",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "JWT_SECRET", "BCRYPT_ROUNDS")})
        get_settings.cache_clear()
        backend = Backend(env, work / "backend.log")
        try:
            log("migrating with reflex db migrate")
            migrate(url, env)
            log("starting reflex run --env prod --backend-only")
            backend.start()
            yield backend
        finally:
            backend.stop()
            dispose_engines()


def register_and_login(
    base_url: str, timezone: str, email: str = ACCOUNT_EMAIL
) -> tuple[uuid.UUID, str]:
    """A real account made by the API (real password hash), then one login for the token."""
    credentials = {"email": email, "password": secrets.token_urlsafe(16)}
    with httpx.Client(base_url=base_url, trust_env=False, timeout=30) as client:
        response = client.post(
            "/api/v1/auth/register",
            json={**credentials, "display_name": "Bench", "timezone": timezone},
        )
        response.raise_for_status()
        user_id = uuid.UUID(response.json()["user"]["id"])
        response = client.post("/api/v1/auth/login", json=credentials)
        response.raise_for_status()
        return user_id, response.json()["access_token"]


@contextlib.contextmanager
def api_account(
    database_url: str, work: Path, timezone: str
) -> Iterator[tuple[uuid.UUID, httpx.Client]]:
    """`database_url` migrated, an `ApiServer` on it and one account registered through it,
    until the block ends: yields the account's id and a client sending its token."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        # A throwaway secret and data dir, so nothing is written into the checkout's data/.
        "JWT_SECRET": secrets.token_urlsafe(32),
        "TODO_DATA_DIR": str(work),
        # The default 15 minutes could expire mid-run on a slow machine.
        "ACCESS_TOKEN_MINUTES": "600",
    }
    log("migrating with reflex db migrate")
    migrate(database_url, env)
    server = ApiServer(env, work / "server.log")
    try:
        log("starting the API server")
        server.start(timeout=60)
        log("registering the user")
        user_id, token = register_and_login(server.base_url, timezone)
        with httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {token}"},
            trust_env=False,
            timeout=60,
        ) as client:
            yield user_id, client
    finally:
        server.stop()
