"""Every benchmark `make bench` (bench/run.py) runs, in this order.

Each runs alone as `python -m <module> ARGS` and writes bench/results/<name>.json; `summary`
turns that file into rows of the table. A new benchmark is added here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import summaries


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    summary: Callable[[dict[str, Any]], list[summaries.Row]]
    # Arguments at the default size and under `--quick`.
    args: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    # Expected minutes at the default size and under `--quick` (for the progress bar only).
    minutes: float = 3.0
    quick_minutes: float = 1.0
    note: str = ""

    def arguments(self, quick: bool) -> list[str]:
        return list(self.quick if quick else self.args)


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "api_list",
        "bench.api_list",
        summaries.api_list,
        quick=("--tasks", "5000", "--requests", "50", "--project-tasks", "500"),
        minutes=4,
        quick_minutes=1,
    ),
    Benchmark(
        "projects",
        "bench.projects",
        summaries.projects,
        quick=("--tasks", "10000", "--requests", "100", "--warmup", "20"),
        minutes=3,
        quick_minutes=1,
    ),
    Benchmark(
        "events",
        "bench.events",
        summaries.events,
        quick=("--completions", "30", "--seconds", "5"),
        minutes=2,
        quick_minutes=0.7,
    ),
    Benchmark(
        "recurrence",
        "bench.recurrence",
        summaries.recurrence,
        quick=("--calls", "30"),
        minutes=1,
        quick_minutes=0.3,
    ),
    Benchmark(
        "ui_load",
        "bench.ui_load",
        summaries.ui_load,
        quick=("--tasks", "200", "--runs", "5", "--adds", "10"),
        minutes=3,
        quick_minutes=1,
    ),
    Benchmark(
        "board",
        "bench.board",
        summaries.board,
        quick=("--cards", "100", "--runs", "3", "--drags", "5"),
        minutes=4,
        quick_minutes=1.5,
    ),
    Benchmark(
        "realtime",
        "bench.realtime",
        summaries.realtime,
        quick=("--mutations", "20", "--clicks", "10", "--shared-mutations", "10"),
        minutes=4,
        quick_minutes=1.7,
    ),
    Benchmark(
        "taskwarrior",
        "bench.taskwarrior",
        summaries.taskwarrior,
        args=("--sizes", "10000"),
        quick=("--sizes", "1000", "--runs", "3", "--complete", "20"),
        minutes=6,
        quick_minutes=1.5,
        note="10,000 tasks in make bench (100,000 alone: python -m bench.taskwarrior)",
    ),
    Benchmark(
        "load",
        "bench.load",
        summaries.load,
        quick=("--quick",),
        minutes=8,
        quick_minutes=3,
    ),
    Benchmark(
        "chaos",
        "bench.chaos",
        summaries.chaos,
        quick=("--mutations", "200", "--rounds", "1"),
        minutes=3,
        quick_minutes=1.5,
    ),
)
