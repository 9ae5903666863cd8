"""Closed-loop load on the REST API: 1, 10 and 50 concurrent users over a mixed workload.

The backend runs as deployed: replicas of `reflex run --env prod --backend-only`, one process
each as a pod of kuberay/base/backend.yaml, sharing Redis and a scratch PostgreSQL database;
each user keeps its connection to one replica, as a Service spreads connections (two here, one
a core; `--replicas 1` is the laptop's single process, without Redis). Each virtual user has
its own account, seeded with tasks, and sends its next request only when the previous answer
is in: 70 % list/filter, 20 % create/update, 10 % complete. Before each workload phase, the
same number of users hits GET /health/live (the framework's floor) in the same way. Reports
throughput, p50/p95/p99, errors, the backend processes' summed RSS (sampled each second) and
the generator's own CPU time. Run from the repository root:

    .venv/bin/python -m bench.load --quick       # 20 s a phase, ~3 min
    .venv/bin/python -m bench.load               # 30 s at 1 and 10 users, 5 min at 50
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import psutil

from bench.support.database import DEFAULT_ADMIN_URL
from bench.support.run import ROOT, exit_on_sigterm, log, write_results
from bench.support.seeds import TIMEZONE
from bench.support.servers import Backend, scratch_backend
from bench.support.stats import percentiles

PASSWORD = "bench password 1"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
TARGET_P95_MS = 200.0
TARGET_RSS_GROWTH = 0.10
TAGS = ("work", "home", "errands", "urgent", "finance", "family", "garden", "calls")
WORDS = ("report", "invoice", "dentist", "groceries", "slides", "budget", "plumber", "backup")
VERBS = ("Call", "Email", "Review", "Write", "Fix", "Plan", "Buy", "Book", "Pay", "Update")
RULES = ("FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY")


# --- accounts and seed data ----------------------------------------------------------------------


def _task_fields(rng: random.Random, today: date) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": f"{rng.choice(VERBS)} {rng.choice(WORDS)} {rng.randint(1, 9999)}",
        "priority": rng.choices(("low", "medium", "high"), weights=(25, 55, 20))[0],
        "tags": rng.sample(TAGS, rng.randint(0, 2)),
    }
    if rng.random() < 0.8:
        day = today + timedelta(days=rng.randint(-60, 90))
        fields["due_at"] = f"{day.isoformat()}T{rng.randint(8, 18):02d}:00"
    return fields


@dataclass
class VirtualUser:
    index: int
    token: str
    open_ids: list[str]  # open, non-recurring: what "complete" and "update" pick from
    rng: random.Random = field(default_factory=random.Random)


def make_users(count: int, tasks_each: int, seed: int) -> list[VirtualUser]:
    """Accounts through services.auth (an access token each), tasks through create_task."""
    from todo_app.db import session_scope
    from todo_app.schemas import RegisterRequest, TaskCreate
    from todo_app.services import auth, tasks

    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    users = []
    tag = secrets.token_hex(3)
    for index in range(count):
        rng = random.Random(seed + index)
        with session_scope() as session:
            user = auth.register(
                session,
                RegisterRequest(
                    email=f"load-{tag}-{index}@example.com",
                    password=PASSWORD,
                    display_name=f"Load {index}",
                    timezone=TIMEZONE,
                ),
                "bench",
            )
            pair = auth.issue_tokens(session, user)
            open_ids = []
            for _ in range(tasks_each):
                fields = _task_fields(rng, today)
                recurring = "due_at" in fields and rng.random() < 0.1
                if recurring:
                    fields["rrule"] = rng.choice(RULES)
                task = tasks.create_task(session, user, TaskCreate(**fields))
                if not recurring:
                    open_ids.append(str(task.id))
        users.append(
            VirtualUser(index, pair.access_token, open_ids, random.Random(seed * 7 + index))
        )
    return users


# --- the workload --------------------------------------------------------------------------------


def list_params(rng: random.Random, today: date) -> dict[str, str]:
    shape = rng.randrange(5)
    if shape == 0:
        return {}
    if shape == 1:
        return {"tags": rng.choice(TAGS), "sort_by": "due_at"}
    if shape == 2:
        return {"priority": "high,medium", "sort_by": "priority", "sort_order": "desc"}
    if shape == 3:
        return {"q": rng.choice(WORDS), "status": "all"}
    return {
        "due_after": (today - timedelta(days=7)).isoformat(),
        "due_before": (today + timedelta(days=30)).isoformat(),
        "sort_by": "due_at",
    }


@dataclass
class Answer:
    status_code: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Client:
    """One user's keep-alive connection. aiohttp, because the generator shares the machine
    with the backend: it costs less CPU a request than httpx (bench/README.md, load.py)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.session = aiohttp.ClientSession(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=30),
        )

    async def request(self, method: str, path: str, **options: Any) -> Answer:
        async with self.session.request(method, path, **options) as response:
            return Answer(response.status, await response.read())

    async def get(self, path: str, params: dict[str, str] | None = None) -> Answer:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, json: Any = None) -> Answer:
        return await self.request("POST", path, json=json)

    async def patch(self, path: str, json: Any = None) -> Answer:
        return await self.request("PATCH", path, json=json)


async def one_request(client: Client, user: VirtualUser, today: date) -> tuple[str, Answer]:
    """One request of the mix: 70 % list/filter, 20 % create/update, 10 % complete."""
    rng = user.rng
    roll = rng.random()
    if roll < 0.70:
        return "list", await client.get("/api/v1/tasks", params=list_params(rng, today))
    if roll < 0.80 or (roll >= 0.90 and not user.open_ids):
        response = await client.post("/api/v1/tasks", json=_task_fields(rng, today))
        if response.status_code == 201:
            user.open_ids.append(response.json()["id"])
        return "create", response
    if roll < 0.90:
        if not user.open_ids:
            return "create", await client.post("/api/v1/tasks", json=_task_fields(rng, today))
        task_id = rng.choice(user.open_ids)
        change = {"title": f"{rng.choice(VERBS)} {rng.choice(WORDS)} {rng.randint(1, 9999)}"}
        if rng.random() < 0.5:
            change = {"priority": rng.choice(("low", "medium", "high"))}
        return "update", await client.patch(f"/api/v1/tasks/{task_id}", json=change)
    task_id = user.open_ids.pop(rng.randrange(len(user.open_ids)))
    return "complete", await client.post(f"/api/v1/tasks/{task_id}/complete")


@dataclass
class Phase:
    name: str
    users: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    finished: list[tuple[float, float]] = field(default_factory=list)  # (seconds in, ms)
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)
    requests: int = 0
    elapsed: float = 0.0
    generator_cpu_s: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    load_average: list[float] = field(default_factory=list)  # at the start and at the end


async def run_phase(
    base_urls: list[str], users: list[VirtualUser], phase: Phase, baseline: bool
) -> None:
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    deadline = phase_started = 0.0

    def record(kind: str, ms: float, response: Answer | None, problem: str = "") -> None:
        phase.latencies.setdefault(kind, []).append(ms)
        phase.finished.append((time.perf_counter() - phase_started, ms))
        if response is None or response.status_code >= 400:
            phase.errors[kind] = phase.errors.get(kind, 0) + 1
            if len(phase.error_examples) < 10:
                detail = problem or f"{response.status_code} {response.text[:200]}"  # type: ignore[union-attr]
                phase.error_examples.append(f"{kind}: {detail}")

    async def loop(user: VirtualUser) -> None:
        client = Client(base_urls[user.index % len(base_urls)], user.token)
        try:
            # One untimed request opens the connection.
            await client.get("/health/live")
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    if baseline:
                        kind, response = "health", await client.get("/health/live")
                    else:
                        kind, response = await one_request(client, user, today)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    record("transport", (time.perf_counter() - started) * 1000, None, repr(exc))
                    continue
                record(kind, (time.perf_counter() - started) * 1000, response)
        finally:
            await client.session.close()

    phase.load_average.append(os.getloadavg()[0])
    cpu_before = time.process_time()
    phase_started = time.perf_counter()
    deadline = phase_started + phase.seconds
    await asyncio.gather(*(loop(user) for user in users[: phase.users]))
    phase.elapsed = time.perf_counter() - phase_started
    phase.generator_cpu_s = time.process_time() - cpu_before
    phase.requests = sum(len(v) for v in phase.latencies.values())
    phase.load_average.append(os.getloadavg()[0])


# --- RSS -----------------------------------------------------------------------------------------


class RssSampler(threading.Thread):
    """The backend process trees' summed RSS, once a second, into the current phase."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.roots = [psutil.Process(pid) for pid in pids]
        self.phase: Phase | None = None
        self.stopped = threading.Event()
        self.timeline: list[tuple[float, float]] = []

    def rss_mb(self) -> float:
        total = 0
        for root in self.roots:
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
        return total / 2**20

    def run(self) -> None:
        started = time.monotonic()
        while not self.stopped.wait(1.0):
            value = self.rss_mb()
            self.timeline.append((round(time.monotonic() - started, 1), round(value, 1)))
            if self.phase is not None:
                self.phase.rss_mb.append(value)


# --- the machine ------------------------------------------------------------------------------


def cpu_probe_ms() -> float:
    """The best of three timings of a fixed pure-Python loop: how fast this (shared, virtual)
    machine runs Python right now. Taken while no phase runs; lower is faster."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(300_000))
        timings.append((time.perf_counter() - started) * 1000)
    return round(min(timings), 1)


# --- report --------------------------------------------------------------------------------------


def rss_growth(samples: list[float]) -> dict[str, float]:
    """Mean RSS of seconds 10-30 of the phase against the mean of its last 20 seconds."""
    if len(samples) < 40:
        start, end = samples[: max(len(samples) // 3, 1)], samples[-max(len(samples) // 3, 1) :]
    else:
        start, end = samples[10:30], samples[-20:]
    first, last = statistics.fmean(start), statistics.fmean(end)
    return {
        "start_mb": round(first, 1),
        "end_mb": round(last, 1),
        "max_mb": round(max(samples), 1),
        "growth": round(last / first - 1, 4),
    }


def timeline(phase: Phase, window: float = 30.0) -> list[dict[str, float]]:
    """Throughput and p95 over consecutive windows: a phase that slows down as it runs shows."""
    windows: dict[int, list[float]] = {}
    for at, ms in phase.finished:
        windows.setdefault(int(at // window), []).append(ms)
    return [
        {
            "from_s": index * window,
            "throughput_rps": round(len(samples) / window, 1),
            "p95_ms": percentiles(samples)["p95_ms"],
        }
        for index, samples in sorted(windows.items())
        if (index + 1) * window <= phase.elapsed + 1
    ]


def summary(phase: Phase) -> dict[str, Any]:
    everything = [ms for values in phase.latencies.values() for ms in values]
    return {
        "name": phase.name,
        "users": phase.users,
        "seconds": round(phase.elapsed, 1),
        "requests": phase.requests,
        "throughput_rps": round(phase.requests / phase.elapsed, 1) if phase.elapsed else 0,
        "all": percentiles(everything),
        "by_kind": {kind: percentiles(v) for kind, v in sorted(phase.latencies.items())},
        "errors": sum(phase.errors.values()),
        "errors_by_kind": phase.errors,
        "error_examples": phase.error_examples,
        "generator_cpu_s": round(phase.generator_cpu_s, 1),
        "generator_cpu_share": round(phase.generator_cpu_s / phase.elapsed, 3)
        if phase.elapsed
        else 0,
        "rss": rss_growth(phase.rss_mb) if phase.rss_mb else None,
        "timeline": timeline(phase),
        "load_average_start_end": [round(x, 2) for x in phase.load_average],
    }


def print_report(results: dict[str, Any]) -> None:
    print(
        f"\nbackend replicas {results['backend_replicas']}; "
        f"load average at start {results['load_average_start']:.2f}, before the 50-user "
        f"phase {results['load_average_before_50']:.2f}, at end {results['load_average_end']:.2f}"
    )
    probes = ", ".join(f"{when} {ms:.0f} ms" for when, ms in results["cpu_probe_ms"])
    print(f"machine speed probe (a fixed Python loop between phases, lower is faster): {probes}")
    print(
        f"{'phase':<22} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'errors':>7} "
        f"{'gen CPU':>8} {'RSS MB start/end (growth)':>28} {'load avg':>11}"
    )
    for row in results["phases"]:
        a = row["all"]
        rss = row["rss"]
        rss_text = (
            f"{rss['start_mb']:.0f}/{rss['end_mb']:.0f} ({rss['growth'] * 100:+.1f}%)"
            if rss
            else "-"
        )
        print(
            f"{row['name']:<22} {row['throughput_rps']:>8.1f} {a['p50_ms']:>7.1f}ms "
            f"{a['p95_ms']:>7.1f}ms {a['p99_ms']:>7.1f}ms {row['errors']:>7} "
            f"{row['generator_cpu_share'] * 100:>7.0f}% {rss_text:>28} "
            f"{'-'.join(f'{x:.1f}' for x in row['load_average_start_end']):>11}"
        )
        if not row["name"].startswith("health"):
            kinds = ", ".join(
                f"{kind} p95 {v['p95_ms']:.0f} ms (n={v['n']})"
                for kind, v in row["by_kind"].items()
            )
            print(f"{'':<22} {kinds}")
        if len(row["timeline"]) > 2:
            steps = ", ".join(
                f"{w['throughput_rps']:.0f}/{w['p95_ms']:.0f}" for w in row["timeline"]
            )
            print(f"{'':<22} each 30 s, req/s/p95 ms: {steps}")
        for example in row["error_examples"][:3]:
            print(f"{'':<22} error: {example}")
    print("\ntargets:")
    for name, verdict in results["targets"].items():
        print(f"  {name}: {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 s a phase, 5 s baselines")
    parser.add_argument("--users", default="1,10,50", help="concurrency levels")
    parser.add_argument("--seconds", type=float, default=30.0, help="phase length below max")
    parser.add_argument("--final-seconds", type=float, default=300.0, help="at max users")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--tasks", type=int, default=100, help="seeded tasks a user")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--database-url", default=DEFAULT_ADMIN_URL, help="PostgreSQL admin URL")
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="backend processes (pods), users spread over them; more than 1 shares Redis",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = args.final_seconds = 20.0
        args.baseline_seconds = 5.0
    args.levels = [int(x) for x in args.users.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    results: dict[str, Any] = {
        "load_average_start": os.getloadavg()[0],
        "phases": [],
        "cpu_probe_ms": [("start", cpu_probe_ms())],
    }
    os.environ["ACCESS_TOKEN_MINUTES"] = "600"  # the backend inherits it: no expiry mid-run
    os.environ["GRANIAN_WORKERS"] = "1"  # one process a replica, as kuberay/base/backend.yaml
    if args.replicas > 1:
        os.environ["REFLEX_REDIS_URL"] = args.redis_url
    else:
        os.environ.pop("REFLEX_REDIS_URL", None)
    results["backend_replicas"] = args.replicas
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-") as tmp,
        scratch_backend(args.database_url, Path(tmp)) as first,
        contextlib.ExitStack() as stack,
    ):
        backends = [first]
        for number in range(2, args.replicas + 1):
            log(f"starting replica {number}")
            replica = Backend(first.env, Path(tmp) / f"backend-{number}.log")
            stack.callback(replica.stop)
            replica.start()
            backends.append(replica)
        log(f"seeding {max(args.levels)} users x {args.tasks} tasks")
        started = time.monotonic()
        users = make_users(max(args.levels), args.tasks, args.seed)
        results["seed_seconds"] = round(time.monotonic() - started, 1)
        base_urls = [backend.base_url for backend in backends]
        sampler = RssSampler([backend.pid for backend in backends])
        sampler.start()
        results["rss_before_mb"] = round(sampler.rss_mb(), 1)
        for level in args.levels:
            final = level == max(args.levels)
            results["cpu_probe_ms"].append((f"before x{level}", cpu_probe_ms()))
            if final:
                results["load_average_before_50"] = os.getloadavg()[0]
            for baseline in (True, False):
                seconds = (
                    args.baseline_seconds
                    if baseline
                    else (args.final_seconds if final else args.seconds)
                )
                name = f"{'health/live' if baseline else 'mixed'} x{level}"
                phase = Phase(name, level, seconds)
                log(f"phase {name}: {seconds:.0f} s")
                sampler.phase = phase
                asyncio.run(run_phase(base_urls, users, phase, baseline))
                sampler.phase = None
                results["phases"].append(summary(phase))
        results["cpu_probe_ms"].append(("end", cpu_probe_ms()))
        sampler.stopped.set()
        results["rss_after_mb"] = round(sampler.rss_mb(), 1)
        results["rss_timeline"] = sampler.timeline
    results["load_average_end"] = os.getloadavg()[0]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results["generator_cpu_total_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    top = max(args.levels)
    final_mixed = next(p for p in results["phases"] if p["name"] == f"mixed x{top}")
    errors = sum(p["errors"] for p in results["phases"])
    p95 = final_mixed["all"]["p95_ms"]
    growth = final_mixed["rss"]["growth"] if final_mixed["rss"] else float("nan")
    verdict = "PASS" if p95 < TARGET_P95_MS else "FAIL"
    results["targets"] = {
        f"p95 < {TARGET_P95_MS:.0f} ms at {top} users": f"{verdict} ({p95:.1f} ms)",
        "zero errors": f"{'PASS' if errors == 0 else 'FAIL'} ({errors})",
        f"RSS growth < {TARGET_RSS_GROWTH:.0%} over the {top}-user phase "
        f"({final_mixed['seconds']:.0f} s)": f"{'PASS' if growth < TARGET_RSS_GROWTH else 'FAIL'}"
        f" ({growth * 100:+.1f}%)",
    }
    path = write_results("load", results)
    print_report(results)
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
