"""The embedded Tansu broker: start, crash, restart on the same port, stop."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from todo_app.bus import BusConfig, make_producer
from workers.broker import BrokerError, EmbeddedBroker


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_broker_serves_restarts_on_its_port_and_stops(broker: EmbeddedBroker, tmp_path: Path):
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as own:
        port = own.port
        assert own.running and own.pid and _listening(port)
        producer = make_producer(BusConfig(own.bootstrap_servers, timeout_ms=3000))
        assert producer.send("probe", b"x").get(timeout=5).offset == 0
        producer.close()

        own.kill()
        assert not own.running and not _listening(port)
        assert own.start() == f"127.0.0.1:{port}"
        assert own.restart() == f"127.0.0.1:{port}" and own.running
    assert not own.running and not _listening(port)
    assert "tansu" in (tmp_path / "tansu.log").read_text().lower()


def test_a_taken_port_is_an_error(broker: EmbeddedBroker):
    with pytest.raises(BrokerError, match="already listens"):
        EmbeddedBroker(port=broker.port).start()
