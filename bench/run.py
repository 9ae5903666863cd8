"""Run the benchmarks of bench/registry.py; write bench/results/latest.json and latest.md.

    .venv/bin/python -m bench.run                 # every benchmark at its default size (make bench)
    .venv/bin/python -m bench.run --quick         # small sizes: a quick look, ~5 min
    .venv/bin/python -m bench.run --list          # what would run, with both sets of arguments
    .venv/bin/python -m bench.run --only events,realtime --quick
    .venv/bin/python -m bench.run --table         # only rewrite latest.md from the results there

The benchmarks, their arguments (default and `--quick`) and how their result files read in
the table are listed in bench/registry.py. Each runs alone, in a process of its own (`python
-m <module> ARGS`), its output going to `bench/results/logs/<name>.log`; a progress bar (rich)
shows the benchmarks done and, for the current one, its time against the expected duration
and its last line of output. A benchmark that fails (non-zero exit, no fresh result file) is
reported in the table and the run goes on; the runner exits non-zero then.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from bench.registry import BENCHMARKS, Benchmark
from bench.summaries import Row, generic
from bench.support.run import RESULTS, ROOT
from bench.support.tables import markdown_table

LOGS = RESULTS / "logs"
# A summary row's keys, in the order of the table's columns after the benchmark's name.
COLUMNS = ("metric", "measured", "baseline", "ratio", "target", "verdict")
HEADERS = (
    "benchmark", "metric", "measured", "same-run baseline", "ratio (p95)", "target", "verdict",
)  # fmt: skip


@dataclass
class Outcome:
    name: str
    args: list[str]
    seconds: float = 0.0
    returncode: int | None = None
    result: dict[str, Any] | None = None
    rows: list[Row] = field(default_factory=list)
    error: str | None = None
    started: str = ""
    load_start: str = ""
    load_end: str = ""


# --- running -------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model, mhz, virtual = "unknown CPU", None, False
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "model name" and model == "unknown CPU":
                model = value
            elif key == "cpu MHz" and mhz is None:
                mhz = float(value)
            elif key == "flags":
                virtual = virtual or "hypervisor" in value.split()
    if mhz:
        model += f" @ {mhz / 1000:.1f} GHz"
    if virtual:
        model += " (virtual machine)"
    with open("/proc/meminfo") as meminfo:
        kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gib": round(kib / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def run_one(
    benchmark: Benchmark, args: list[str], progress: Progress, task: Any, expected: float
) -> Outcome:
    name = benchmark.name
    outcome = Outcome(name, args, started=datetime.now(UTC).strftime("%H:%M"))
    outcome.load_start = f"{os.getloadavg()[0]:.2f}"
    result_path = RESULTS / f"{name}.json"
    before = result_path.stat().st_mtime if result_path.exists() else None
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{name}.log"
    last_line = [""]
    began = time.monotonic()
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", benchmark.module, *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                log_file.write(line)
                log_file.flush()
                if line.strip():
                    last_line[0] = line.strip()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        while process.poll() is None:
            elapsed = time.monotonic() - began
            progress.update(
                task,
                completed=min(elapsed, expected * 0.99),
                description=f"{name}: {last_line[0][:70]}",
            )
            time.sleep(0.5)
        reader.join(5)
    outcome.seconds = round(time.monotonic() - began, 1)
    outcome.load_end = f"{os.getloadavg()[0]:.2f}"
    outcome.returncode = process.returncode
    progress.update(task, completed=expected, description=f"{name}: exit {process.returncode}")
    fresh = result_path.exists() and result_path.stat().st_mtime != before
    if not fresh:
        outcome.error = f"no fresh {result_path.name} (exit {process.returncode}), see {log_path}"
        return outcome
    outcome.result = json.loads(result_path.read_text())
    try:
        outcome.rows = benchmark.summary(outcome.result)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        outcome.rows = generic(outcome.result)
        outcome.error = f"summary failed: {exc!r}"
    if process.returncode != 0:
        outcome.error = f"exit {process.returncode}, see {log_path}"
    return outcome


def summarise(name: str, result: dict[str, Any]) -> list[Row]:
    """The rows of a result file, by its benchmark's summary (`generic` for an unknown one)."""
    known = {benchmark.name: benchmark.summary for benchmark in BENCHMARKS}
    return known.get(name, generic)(result)


def markdown(report: dict[str, Any]) -> str:
    info = report["machine"]
    reruns = "".join(
        f" Re-run {m['date']} (`--merge`): {', '.join(m['names'])}."
        for m in report.get("merged", [])
    )
    lines = [
        f"Run {report['date']} ({'`--quick`' if report['quick'] else 'default sizes'}) on "
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM "
        f"({info['os']}, Python {info['python']}); load average "
        f"{report['load_start']} at the start, {report['load_end']} at the end; "
        f"{report['seconds'] / 60:.1f} min in all.{reruns}",
        "",
    ]
    rows: list[list[str]] = []
    for entry in report["benchmarks"]:
        label = f"`{entry['name']}`"
        if entry["args"]:
            label += f" `{' '.join(entry['args'])}`"
        if entry["error"] and not entry["rows"]:
            rows.append([label, "-", entry["error"], "-", "-", "-", "FAIL"])
            continue
        for row in entry["rows"]:
            rows.append([label, *(row.get(key, "-") for key in COLUMNS)])
            label = ""
        if entry["error"]:
            rows.append(["", "", entry["error"], "", "", "", "FAIL"])
    lines += markdown_table(HEADERS, rows)
    timing = [
        f"{e['name']} {e['date'][-5:]} UTC, {e['seconds'] / 60:.1f} min, load "
        f"{e['load_start']} -> {e['load_end']}"
        for e in report["benchmarks"]
        if e.get("load_start")
    ]
    if timing:
        lines += [
            "",
            "Each benchmark's start, length and 1-minute load average: " + "; ".join(timing) + ".",
        ]
    return "\n".join(lines) + "\n"


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a quick look")
    parser.add_argument("--only", default="", help="comma list of benchmark names")
    parser.add_argument("--skip", default="", help="comma list of benchmark names to leave out")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="replace only these benchmarks' entries in an existing latest.json",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--table", action="store_true", help="rewrite latest.md from latest.json only"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    names = [benchmark.name for benchmark in BENCHMARKS]
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = set(wanted) - set(names)
        if unknown:
            console.print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {names}")
            return 2
        names = [n for n in names if n in wanted]
    names = [n for n in names if n not in set(args.skip.split(","))]
    chosen = [benchmark for benchmark in BENCHMARKS if benchmark.name in names]
    if args.list:
        for benchmark in chosen:
            print(
                f"{benchmark.name:<12} default: {' '.join(benchmark.args) or '(none)'}; "
                f"--quick: {' '.join(benchmark.quick) or '(none)'}"
                + (f" ({benchmark.note})" if benchmark.note else "")
            )
        return 0
    if args.table:
        report = json.loads((RESULTS / "latest.json").read_text())
        for entry in report["benchmarks"]:  # summaries as this version of the runner makes them
            if entry.get("result"):
                with contextlib.suppress(KeyError, TypeError, ValueError, ZeroDivisionError):
                    entry["rows"] = summarise(entry["name"], entry["result"])
        (RESULTS / "latest.md").write_text(markdown(report))
        print(markdown(report))
        return 0

    began = time.monotonic()
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": machine(),
        "load_start": load_average(),
        "benchmarks": [],
    }
    outcomes: list[Outcome] = []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", justify="left"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        overall = progress.add_task(f"benchmarks 0/{len(chosen)}", total=len(chosen))
        for index, benchmark in enumerate(chosen):
            name = benchmark.name
            expected = 60 * (benchmark.quick_minutes if args.quick else benchmark.minutes)
            bench_args = benchmark.arguments(args.quick)
            task = progress.add_task(name, total=expected)
            progress.console.print(f"[bold]{name}[/bold] {' '.join(bench_args)}")
            outcome = run_one(benchmark, bench_args, progress, task, expected)
            outcomes.append(outcome)
            status = "ok" if outcome.error is None else f"[red]{outcome.error}[/red]"
            progress.console.print(f"  {name}: {outcome.seconds:.0f} s, {status}")
            progress.update(
                overall, completed=index + 1, description=f"benchmarks {index + 1}/{len(chosen)}"
            )
    report["load_end"] = load_average()
    report["seconds"] = round(time.monotonic() - began, 1)
    report["benchmarks"] = [
        {
            "name": o.name,
            "args": o.args,
            "seconds": o.seconds,
            "date": report["date"][:11] + o.started,
            "load_start": o.load_start,
            "load_end": o.load_end,
            "returncode": o.returncode,
            "error": o.error,
            "rows": o.rows,
            "result": o.result,
        }
        for o in outcomes
    ]
    latest = RESULTS / "latest.json"
    if args.merge and latest.exists():
        # A re-run of some benchmarks (e.g. once the machine is quiet) into the last report.
        previous = json.loads(latest.read_text())
        fresh = {entry["name"]: entry for entry in report["benchmarks"]}
        merged = [fresh.pop(e["name"], e) for e in previous["benchmarks"]] + list(fresh.values())
        report = {
            **previous,
            "benchmarks": merged,
            "seconds": previous["seconds"] + report["seconds"],
            "merged": [*previous.get("merged", []), {"date": report["date"], "names": names}],
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    table = markdown(report)
    (RESULTS / "latest.md").write_text(table)
    console.print()
    print(table, flush=True)
    console.print("wrote bench/results/latest.json and bench/results/latest.md")
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
