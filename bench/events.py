"""Event pipeline latency and throughput: outbox -> relay -> Tansu -> consumer -> committed effect.

Runs on a fresh SQLite file by default (`--database-url` creates and later drops a scratch
PostgreSQL database instead), an embedded Tansu broker, and the relay, recurrence and audit
workers as plain classes, each in a process of its own as each is its own Ray actor process in
production (`--threads`: all in threads of this process, sharing its GIL). Measures:

(a) completion -> audit row: from the commit of `services.tasks.complete_task` (which writes the
    task.completed outbox event) until the audit_log row of that event exists;
(b) the same broker's raw round trip, kafka-python producer -> consumer, in the same run;
(c) sustained throughput: outbox events inserted at a fixed rate, and whether relay + audit
    keep up (absorbed events/s, backlog growth).

    .venv/bin/python -m bench.events                          # ~1.5 min on SQLite
    .venv/bin/python -m bench.events --completions 50 --seconds 5
    .venv/bin/python -m bench.events --threads                # workers in one process
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, make_url, text
from sqlalchemy import event as sa_event
from sqlmodel import Session, col, func, select

from bench.support.database import migrate, scratch_database
from bench.support.pipeline import bus_config
from bench.support.run import ROOT, exit_on_sigterm, log, write_results
from bench.support.stats import mark, percentiles, ratio
from todo_app.bus import BusConfig, ensure_topics, make_consumer, make_producer
from todo_app.config import get_settings
from todo_app.db import dispose_engines, get_engine, session_scope
from todo_app.models import OutboxEvent, User
from todo_app.schemas import RegisterRequest, TaskCreate
from todo_app.services import auth, outbox, tasks
from workers.audit import AuditWorker
from workers.broker import EmbeddedBroker
from workers.recurrence import RecurrenceWorker
from workers.relay import RelayWorker

TARGET_P95_MS = 500.0
TARGET_RATIO = 5.0
TARGET_RATE = 1000.0
# Short fetch waits, as the tests use: an idle fetch returns after this long, not 500 ms.
FETCH_MAX_WAIT_MS = 10
RELAY_POLL_INTERVAL = 0.02
CONSUMER = {
    "poll_timeout_ms": 100,
    "max_poll_records": 500,
    "client_options": {"fetch_max_wait_ms": FETCH_MAX_WAIT_MS},
}
RAW_TOPIC = "bench-raw"
# How long (c) waits for the backlog after the emitter stops: bounds the run when it lags.
DRAIN_TIMEOUT = 20.0
# The emitter commits one batch per tick: 100 transactions a second at any rate.
TICK = 0.01


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.001) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --- (a) completion -> audit row ---------------------------------------------------------------


def make_user(url: str) -> uuid.UUID:
    with session_scope(url) as session:
        user = auth.register(
            session, RegisterRequest(email="bench@example.com", password="correct horse"), "bench"
        )
    return user.id


def audited(engine: Engine, event_id: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM audit_log WHERE event_id = :id"), {"id": event_id}
        )
        return found.first() is not None


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def audit_count(engine: Engine) -> int:
    return count_rows(engine, "audit_log")


def all_audited(engine: Engine) -> bool:
    return audit_count(engine) >= count_rows(engine, "outbox_events")


def measure_completions(url: str, user_id: uuid.UUID, count: int) -> list[float]:
    engine = get_engine(url)
    due = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    with session_scope(url) as session:
        user = session.get_one(User, user_id)
        ids = [
            tasks.create_task(
                session, user, TaskCreate(title=f"Daily {n}", due_at=due.isoformat(), rrule="daily")
            ).id
            for n in range(count)
        ]
    # The creations' events are audited before the clock runs, so they do not queue ahead.
    wait_for(lambda: all_audited(engine), 60, "the creations to be audited", 0.05)
    samples = []
    for task_id in ids:
        with Session(engine, expire_on_commit=False) as session:
            user = session.get_one(User, user_id)
            added: list[Any] = []
            # The service does not return its outbox row; catch it as it joins the session.
            sa_event.listen(
                session, "transient_to_pending", lambda _, row, added=added: added.append(row)
            )
            tasks.complete_task(session, user, task_id)
            [event_id] = [
                str(row.id)
                for row in added
                if isinstance(row, OutboxEvent) and row.payload["type"] == "task.completed"
            ]
            session.commit()
            started = time.perf_counter()
        wait_for(lambda event_id=event_id: audited(engine, event_id), 30, f"audit of {event_id}")
        samples.append((time.perf_counter() - started) * 1000)
        # A pause between completions: each one meets an idle pipeline, as a user's click does.
        time.sleep(0.02)
    return samples


# --- (b) raw produce -> consume ----------------------------------------------------------------


def measure_raw(bus: BusConfig, count: int) -> list[float]:
    ensure_topics(bus, [RAW_TOPIC])
    producer = make_producer(bus)
    consumer = make_consumer(
        bus, f"bench-raw-{secrets.token_hex(4)}", [RAW_TOPIC], fetch_max_wait_ms=FETCH_MAX_WAIT_MS
    )
    key = str(uuid.uuid4()).encode()

    def round_trip(payload: bytes) -> float:
        started = time.perf_counter()
        producer.send(RAW_TOPIC, key=key, value=payload).get(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=100).values():
                if any(record.value == payload for record in records):
                    return (time.perf_counter() - started) * 1000
        raise TimeoutError("raw message not consumed within 30 s")

    try:
        # The first round trip includes the group join: untimed.
        round_trip(b"warm-up")
        samples = []
        for n in range(count):
            samples.append(round_trip(f"raw-{n}".encode()))
            time.sleep(0.02)
        return samples
    finally:
        consumer.close(autocommit=False)
        producer.close(timeout=1)


# --- (c) sustained throughput ------------------------------------------------------------------


def sustain(url: str, user_id: uuid.UUID, rate: int, seconds: float) -> dict[str, Any]:
    engine = get_engine(url)
    base = audit_count(engine)
    emitted = 0
    stop = threading.Event()

    def emitter() -> None:
        nonlocal emitted
        started = time.perf_counter()
        while not stop.is_set():
            # Catch up to the schedule: a slow commit makes the next batch bigger, not later.
            due = int((time.perf_counter() - started) * rate) - emitted
            if due > 0:
                with session_scope(url) as session:
                    for n in range(due):
                        data = {"user_id": str(user_id), "task_id": str(uuid.uuid4()), "n": n}
                        outbox.emit(session, "task.updated", data, source="bench")
                emitted += due
            stop.wait(TICK)

    def backlog() -> int:
        with Session(engine) as session:
            statement = select(func.count()).select_from(OutboxEvent)
            unpublished = statement.where(col(OutboxEvent.published_at).is_(None))
            return int(session.exec(unpublished).one())

    thread = threading.Thread(target=emitter, name="emitter", daemon=True)
    started = time.perf_counter()
    thread.start()
    timeline = []
    while time.perf_counter() - started < seconds:
        time.sleep(1.0)
        done = audit_count(engine) - base
        timeline.append(
            {
                "t_s": round(time.perf_counter() - started, 2),
                "emitted": emitted,
                "audited": done,
                "pending": emitted - done,
                "outbox_backlog": backlog(),
            }
        )
        log(f"  t={timeline[-1]['t_s']:>5}s {timeline[-1]}")
    stop.set()
    thread.join()
    window = time.perf_counter() - started
    absorbed = audit_count(engine) - base
    total = emitted
    drain_started = time.perf_counter()
    drain_s: float | None = None
    try:
        wait_for(lambda: audit_count(engine) - base >= total, DRAIN_TIMEOUT, "the drain", 0.05)
        drain_s = round(time.perf_counter() - drain_started, 2)
    except TimeoutError:
        log(f"  not drained within {DRAIN_TIMEOUT} s")
    undrained = total - (audit_count(engine) - base)
    half = timeline[len(timeline) // 2]["pending"]
    end = timeline[-1]["pending"]
    absorbed_rate = absorbed / window
    # Keeping up: at most a second's worth pending at the end, and not more than at half time
    # plus a tick's batches (the pending count jitters by what is in flight).
    keeps_up = end <= rate and end <= half + rate * 0.25
    return {
        "rate_target": rate,
        "seconds": round(window, 2),
        "emitted": total,
        "emitted_per_s": round(total / window, 1),
        "absorbed": absorbed,
        "absorbed_per_s": round(absorbed_rate, 1),
        "pending_at_half": half,
        "pending_at_end": end,
        "drain_after_stop_s": drain_s,
        "undrained_after_wait": undrained,
        "keeps_up": keeps_up,
        "pass_rate": keeps_up and absorbed_rate >= min(TARGET_RATE, rate) * 0.95,
        "timeline": timeline,
    }


# --- the workers -------------------------------------------------------------------------------

WORKERS = ("relay", "recurrence", "audit")


def start_worker(kind: str, bus: BusConfig, url: str) -> Any:
    worker: RelayWorker | RecurrenceWorker | AuditWorker
    if kind == "relay":
        worker = RelayWorker(bus=bus, database_url=url, poll_interval=RELAY_POLL_INTERVAL)
    else:
        worker = {"recurrence": RecurrenceWorker, "audit": AuditWorker}[kind](
            bus=bus, database_url=url, **CONSUMER
        )
    worker.start()
    return worker


def report(worker: Any) -> dict[str, Any]:
    """What the run needs to know of a worker: has it joined its group, what did it DLQ."""
    if isinstance(worker, RelayWorker):
        return {"joined": True, "dead_lettered": 0}
    status = worker.consumer.status()
    return {"joined": status.lag is not None, "dead_lettered": status.dead_lettered}


def serve(kind: str, bus: BusConfig, url: str, connection: Connection) -> None:
    """A worker process: run the worker, answer report requests until told to stop."""
    worker = start_worker(kind, bus, url)
    try:
        while connection.recv() == "report":
            connection.send(report(worker))
    finally:
        worker.stop()
        dispose_engines()


class InThread:
    """A worker as a plain object in this process (its loops are threads of this process)."""

    def __init__(self, kind: str, bus: BusConfig, url: str) -> None:
        self.kind = kind
        self._worker = start_worker(kind, bus, url)

    def report(self) -> dict[str, Any]:
        return report(self._worker)

    def stop(self) -> None:
        self._worker.stop()


class InProcess:
    """A worker in a process of its own, as each worker is its own Ray actor process."""

    def __init__(self, kind: str, bus: BusConfig, url: str) -> None:
        self.kind = kind
        # Spawn, not fork: this process already runs Kafka and database threads.
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=serve, args=(kind, bus, url, theirs), name=f"bench-{kind}", daemon=True
        )
        self._process.start()
        # Only the child holds its end now: if it dies, recv() raises instead of hanging.
        theirs.close()

    def report(self) -> dict[str, Any]:
        self._connection.send("report")
        result: dict[str, Any] = self._connection.recv()
        return result

    def stop(self) -> None:
        if self._process.is_alive():
            self._connection.send("stop")
        self._process.join(30)
        if self._process.is_alive():
            self._process.kill()


# --- the run -----------------------------------------------------------------------------------


def print_table(results: dict[str, Any]) -> None:
    pipe, raw, sus = results["pipeline"], results["raw"], results["sustained"]
    print(f"\n{results['database']}; workers: {results['workers']}")
    print(f"{'measure':<34} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, row in (("completion -> audit row", pipe), ("raw produce -> consume", raw)):
        print(
            f"{name:<34} {row['n']:>5} {row['p50_ms']:>9.1f} {row['p95_ms']:>9.1f} "
            f"{row['max_ms']:>9.1f}"
        )
    verdict = results["verdict"]
    print(
        f"\np95 {pipe['p95_ms']:.1f} ms (target < {TARGET_P95_MS:.0f}): "
        f"{mark(verdict['pass_p95'])}; ratio p95 {verdict['ratio_p95']:.2f}x raw "
        f"(target <= {TARGET_RATIO:.0f}x): {mark(verdict['pass_ratio'])}"
    )
    print(
        f"sustained {sus['rate_target']}/s for {sus['seconds']} s:"
        f" emitted {sus['emitted_per_s']}/s,"
        f" absorbed {sus['absorbed_per_s']}/s, pending {sus['pending_at_half']} at half time ->"
        f" {sus['pending_at_end']} at the end; after stop drained in {sus['drain_after_stop_s']} s"
        f" ({sus['undrained_after_wait']} left)"
        f" (target >= {TARGET_RATE:.0f}/s, no growing backlog): {mark(sus['pass_rate'])}"
    )


def run(args: argparse.Namespace, url: str, workdir: Path) -> int:
    # Settings are read once: point them at this run's database and a throwaway data dir.
    os.environ.update(
        {
            "DATABASE_URL": url,
            "TODO_DATA_DIR": str(workdir),
            "JWT_SECRET": secrets.token_urlsafe(32),
            "LOG_LEVEL": "WARNING",
        }
    )
    get_settings.cache_clear()
    log("migrating with reflex db migrate")
    migrate(url)
    broker = EmbeddedBroker(log_path=workdir / "tansu.log")
    broker.start()
    bus = bus_config(broker.bootstrap_servers)
    host = InThread if args.threads else InProcess
    workers: list[InThread | InProcess] = []
    try:
        for kind in WORKERS:
            workers.append(host(kind, bus, url))
        wait_for(lambda: all(w.report()["joined"] for w in workers), 60, "group joins", 0.05)
        user_id = make_user(url)
        log(f"(b) raw round trip, {args.completions} messages")
        raw = measure_raw(bus, args.completions)
        log(f"(a) completion -> audit row, {args.completions} completions")
        pipeline = measure_completions(url, user_id, args.completions)
        log(f"(c) {args.rate} events/s for {args.seconds} s")
        sustained = sustain(url, user_id, args.rate, args.seconds)
        failures = {w.kind: w.report()["dead_lettered"] for w in workers if w.kind != "relay"}
    finally:
        for worker in workers:
            worker.stop()
        broker.stop()
        dispose_engines()
    pipe_stats, raw_stats = percentiles(pipeline), percentiles(raw)
    pipe_over_raw = ratio(pipe_stats, raw_stats)
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(url).get_backend_name(),
        "cpus": os.cpu_count(),
        "workers": "relay + recurrence + audit as plain classes, "
        + ("threads of one process" if args.threads else "one process each"),
        "relay_poll_interval_s": RELAY_POLL_INTERVAL,
        "fetch_max_wait_ms": FETCH_MAX_WAIT_MS,
        "targets": {
            "pipeline_p95_ms_below": TARGET_P95_MS,
            "pipeline_over_raw_p95_at_most": TARGET_RATIO,
            "sustained_events_per_s_at_least": TARGET_RATE,
        },
        "pipeline": {**pipe_stats, "samples_ms": [round(s, 3) for s in pipeline]},
        "raw": {**raw_stats, "samples_ms": [round(s, 3) for s in raw]},
        "verdict": {
            "ratio_p95": round(pipe_over_raw, 2),
            "pass_p95": pipe_stats["p95_ms"] < TARGET_P95_MS,
            "pass_ratio": pipe_over_raw <= TARGET_RATIO,
        },
        "sustained": sustained,
        "dead_lettered": failures,
    }
    path = write_results("events", results)
    print_table(results)
    log(f"results written to {path.relative_to(ROOT)}")
    return 1 if any(failures.values()) else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="admin URL of a PostgreSQL server to create a scratch database on "
        "(default: a fresh SQLite file)",
    )
    parser.add_argument("--completions", type=int, default=200, help="timed completions (a)")
    parser.add_argument("--rate", type=int, default=1000, help="events/s inserted in (c)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of (c)")
    parser.add_argument(
        "--threads",
        action="store_true",
        help="run the workers in threads of this process instead of one process each",
    )
    args = parser.parse_args(argv)
    if args.completions < 2 or args.rate < 1 or args.seconds < 2:
        parser.error("--completions must be >= 2, --rate >= 1 and --seconds >= 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    with (
        tempfile.TemporaryDirectory(prefix="todo_bench_events_") as workdir,
        scratch_database(args.database_url, Path(workdir)) as url,
    ):
        return run(args, url, Path(workdir))


if __name__ == "__main__":
    sys.exit(main())
