"""The whole stack on one machine, as `make run` starts it.

An embedded broker (unless KAFKA_BOOTSTRAP_SERVERS names one), the worker actors on a local Ray
head (unless RAY_ADDRESS names a cluster), and `reflex run` for the web app; Ctrl-C stops them
all, the web app first so nothing is left writing events nobody relays.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from todo_app.config import get_settings
from workers.broker import EmbeddedBroker, free_port

ROOT = Path(__file__).resolve().parent.parent
# The usual Kafka port when it is free, so a second terminal finds the broker where expected.
PREFERRED_PORT = 9092


def _broker_port() -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", PREFERRED_PORT))
        except OSError:
            return free_port()
    return PREFERRED_PORT


def _stop(process: subprocess.Popen[bytes], timeout: float = 30, group: bool = True) -> None:
    """SIGTERM (to the process group, or to the leader alone), SIGKILL to the group if it lingers.

    `workers up` is stopped through its leader alone: it must stop the actors through the Ray
    head that shares its group, which a group-wide signal would take down first.
    """
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def main(argv: list[str]) -> int:
    settings = get_settings()
    env = dict(os.environ)
    broker: EmbeddedBroker | None = None
    if not settings.kafka_bootstrap_servers:
        broker = EmbeddedBroker(_broker_port(), log_path=settings.data_dir / "broker.log")
        env["KAFKA_BOOTSTRAP_SERVERS"] = broker.start()
        print(f"embedded broker on {env['KAFKA_BOOTSTRAP_SERVERS']}", flush=True)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    workers = subprocess.Popen(
        [sys.executable, "-m", "workers", "up"], cwd=ROOT, env=env, start_new_session=True
    )
    web = subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", *argv], cwd=ROOT, env=env, start_new_session=True
    )
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    try:
        while not done.wait(1):
            if web.poll() is not None or workers.poll() is not None:
                break
    finally:
        _stop(web)
        _stop(workers, timeout=60, group=False)
        if broker is not None:
            broker.stop()
    return web.returncode or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
