"""Run every benchmark in bench/ and write bench/results/latest.json and latest.md.

    .venv/bin/python -m bench.run                 # every benchmark at its default size (make bench)
    .venv/bin/python -m bench.run --quick         # small sizes: a quick look, ~5 min
    .venv/bin/python -m bench.run --list          # what would run, with both sets of arguments
    .venv/bin/python -m bench.run --only events,realtime --quick
    .venv/bin/python -m bench.run --table         # only rewrite latest.md from the results there

Benchmarks are discovered, not listed: every module `bench/<name>.py` with a `main()` that
writes `bench/results/<name>.json` is one (this runner and package files excepted), so a new
benchmark is included as soon as it is there. Each runs alone, in a process of its own
(`python -m bench.<name> ARGS`), its output going to `bench/results/logs/<name>.log`; a
progress bar (rich) shows the benchmarks done and, for the current one, its time against the
expected duration and its last line of output. A benchmark that fails (non-zero exit, no
result file) is reported in the table and the run goes on; the runner exits non-zero then.

Arguments per benchmark come from SPECS below (default and `--quick`); a discovered module
without a spec runs with no arguments, or with its module-level `QUICK_ARGS` (a list of
strings) under `--quick`, read from the source without importing it. The table rows come from
each result file: known layouts have their own summary, any other is summarised from the
`{"metric", "measured", "baseline"}` verdicts or the `p50_ms`/`p95_ms` figures it holds.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LOGS = RESULTS / "logs"
NOT_BENCHMARKS = {"__init__", "__main__", "run"}
# Order of the usual ones; anything else discovered runs after them, alphabetically.
ORDER = ("api_list", "events", "ui_load", "realtime", "taskwarrior", "load", "chaos")

Row = dict[str, str]


@dataclass(frozen=True)
class Spec:
    args: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    # Expected minutes at the default size / quick (for the progress bar only).
    minutes: float = 3.0
    quick_minutes: float = 1.0
    summary: Callable[[dict[str, Any]], list[Row]] | None = None
    note: str = ""


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


# --- summaries of known result files ------------------------------------------------------------


def _ms(stats: dict[str, Any] | None) -> str:
    if not stats:
        return "-"
    return f"p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms"


def _ok(flag: Any) -> str:
    return "PASS" if flag else "FAIL"


def _api_list(result: dict[str, Any]) -> list[Row]:
    overall = result.get("overall")
    if not overall:
        return [{"metric": "GET /api/v1/tasks", "measured": "error", "verdict": "FAIL"}]
    worst = max(
        (row for row in result["shapes"] if row.get("error") is None),
        key=lambda row: row["api"]["p95_ms"],
    )
    return [
        {
            "metric": f"`GET /api/v1/tasks`, {result['tasks']:,} tasks, "
            f"{len(result['shapes'])} query shapes x {result['requests_per_shape']}",
            "measured": f"{_ms(overall['api'])} (worst shape {worst['shape']}: "
            f"p95 {worst['api']['p95_ms']:.1f} ms)",
            "baseline": f"raw SQL: {_ms(overall['raw_sql'])}",
            "ratio": f"{overall['ratio_p95']:.2f}x",
            "target": "p95 < 50 ms, <= 2x raw",
            "verdict": f"{_ok(overall['pass_p95'])}, {_ok(overall['pass_ratio'])}",
        }
    ]


def _events(result: dict[str, Any]) -> list[Row]:
    verdict = result["verdict"]
    sustained = result["sustained"]
    return [
        {
            "metric": f"completion -> audit row ({result['database']}, "
            f"{result['pipeline']['n']} completions)",
            "measured": _ms(result["pipeline"]),
            "baseline": f"raw produce -> consume: {_ms(result['raw'])}",
            "ratio": f"{verdict['ratio_p95']:.2f}x",
            "target": "p95 < 500 ms, <= 5x raw",
            "verdict": f"{_ok(verdict['pass_p95'])}, {_ok(verdict['pass_ratio'])}",
        },
        {
            "metric": f"sustained throughput, offered {sustained['rate_target']:,}/s "
            f"for {sustained['seconds']:.0f} s",
            "measured": f"{sustained['absorbed_per_s']:,.0f} events/s absorbed, "
            f"{sustained['pending_at_end']} pending at the end",
            "baseline": f"offered {sustained['emitted_per_s']:,.0f}/s",
            "ratio": f"{sustained['absorbed_per_s'] / max(sustained['emitted_per_s'], 1):.2f}",
            "target": ">= 1,000/s, not growing",
            "verdict": _ok(sustained["pass_rate"] and sustained["keeps_up"]),
        },
    ]


def _verdicts(result: dict[str, Any]) -> list[Row]:
    """Rows of `{"metric", "measured", "baseline", "ratio_p95", "pass"}` verdicts."""
    rows = []
    for verdict in result.get("results", []):
        if not isinstance(verdict, dict) or "measured" not in verdict:
            continue
        target = verdict.get("target_p95_ms_below")
        rows.append(
            {
                "metric": f"{verdict['metric']} (n={verdict['measured']['n']})",
                "measured": _ms(verdict["measured"]),
                "baseline": _ms(verdict.get("baseline")),
                "ratio": f"{verdict['ratio_p95']:.2f}x" if "ratio_p95" in verdict else "-",
                "target": f"p95 < {target:.0f} ms" if target else "-",
                "verdict": _ok(verdict.get("pass")),
            }
        )
    return rows


def _ui_load(result: dict[str, Any]) -> list[Row]:
    rows = _verdicts(result)
    for row in rows:
        bare = "same page, no task" if row["metric"].startswith("load") else "bare Reflex event"
        row["baseline"] = f"{bare}: {row['baseline']}"
    return rows


def _realtime(result: dict[str, Any]) -> list[Row]:
    rows = _verdicts(result)
    for row in rows:
        row["baseline"] = "bare Reflex round trip: " + row["baseline"]
    if rows:
        rows[0]["measured"] += f"; {result.get('missing_pushes', 0)} pushes missing"
    return rows


def _chaos(result: dict[str, Any]) -> list[Row]:
    faults: dict[str, int] = {}
    for fault in result["faults"]:
        target = fault["target"] if fault["target"] in ("broker", "backend") else "actors"
        faults[target] = faults.get(target, 0) + 1
    checks = sum(entry["expected"] for entry in result["invariants"])
    return [
        {
            "metric": f"fault campaign: {result['mutations']:,} REST mutations "
            f"({result['database']}), {len(result['faults'])} faults "
            f"({', '.join(f'{k} {v}' for k, v in faults.items())})",
            "measured": f"{result['violations']} violations of {len(result['invariants'])} "
            f"invariants ({checks:,} expected effects checked)",
            "baseline": "-",
            "ratio": "-",
            "target": "0 violations",
            "verdict": _ok(result["violations"] == 0),
        }
    ]


def _load(result: dict[str, Any]) -> list[Row]:
    phases = {phase["name"]: phase for phase in result["phases"]}
    rows = []
    for name, phase in phases.items():
        if not name.startswith("mixed"):
            continue
        floor = next(
            (p for n, p in phases.items() if p["users"] == phase["users"] and n != name), None
        )
        rows.append(
            {
                "metric": f"REST mixed workload, {phase['users']} users, {phase['seconds']:.0f} s",
                "measured": f"{_ms(phase['all'])}, {phase['throughput_rps']:.0f} req/s, "
                f"{phase['errors']} errors",
                "baseline": f"GET /health/live: {_ms(floor['all'])}" if floor else "-",
                "ratio": f"{phase['all']['p95_ms'] / floor['all']['p95_ms']:.2f}x"
                if floor and floor["all"]["p95_ms"]
                else "-",
                "target": "-",
                "verdict": "-",
            }
        )
    targets = result.get("targets", {})
    if rows and targets:
        rows[-1]["target"] = "; ".join(targets)
        rows[-1]["verdict"] = "; ".join(str(v) for v in targets.values())
    return rows


def _taskwarrior(result: dict[str, Any]) -> list[Row]:
    rows = []
    for size in result["sizes"]:
        for name, query in size["queries"].items():
            timings = query["timings"]
            ours, theirs = timings.get("rest"), timings.get("taskwarrior")
            check = query.get("check_adjusted") or query.get("check") or {}
            same = check.get("same")
            cli = timings.get("cli")
            rows.append(
                {
                    "metric": f"{name} over {size['size']:,} tasks: REST (CLI)",
                    "measured": _ms(ours) + (f" (CLI p50 {cli['p50_ms']:.0f} ms)" if cli else ""),
                    "baseline": f"Taskwarrior `{query['taskwarrior']}`: {_ms(theirs)}",
                    "ratio": f"{ours['p95_ms'] / theirs['p95_ms']:.2f}x"
                    if ours and theirs and theirs["p95_ms"]
                    else "-",
                    "target": "same results",
                    "verdict": "-" if same is None else ("same" if same else "differ"),
                }
            )
    return rows


def _generic(result: dict[str, Any]) -> list[Row]:
    """Verdict-shaped entries anywhere, else the p50/p95 figures found, up to 8."""
    rows: list[Row] = []

    def walk(node: Any, path: str) -> None:
        if len(rows) >= 8:
            return
        if isinstance(node, dict):
            if "metric" in node and isinstance(node.get("measured"), dict):
                rows.extend(_verdicts({"results": [node]}))
                return
            if "p50_ms" in node and "p95_ms" in node:
                label = node.get("name") or node.get("query") or path
                rows.append({"metric": str(label), "measured": _ms(node)})
                return
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                label = value.get("name") if isinstance(value, dict) else None
                walk(value, f"{path}[{label or index}]")

    walk(result, "")
    return rows or [{"metric": "see the result file", "measured": "-"}]


SPECS: dict[str, Spec] = {
    "api_list": Spec(
        quick=("--tasks", "5000", "--requests", "50"),
        minutes=4,
        quick_minutes=1,
        summary=_api_list,
    ),
    "events": Spec(
        quick=("--completions", "30", "--seconds", "5"),
        minutes=2,
        quick_minutes=0.7,
        summary=_events,
    ),
    "ui_load": Spec(
        quick=("--tasks", "200", "--runs", "5", "--adds", "10"),
        minutes=3,
        quick_minutes=1,
        summary=_ui_load,
    ),
    "realtime": Spec(
        quick=("--mutations", "20", "--clicks", "10"),
        minutes=1,
        quick_minutes=0.5,
        summary=_realtime,
    ),
    "taskwarrior": Spec(
        args=("--sizes", "10000"),
        quick=("--sizes", "1000", "--runs", "3", "--complete", "20"),
        minutes=6,
        quick_minutes=1.5,
        summary=_taskwarrior,
        note="10,000 tasks in make bench (100,000 alone: python -m bench.taskwarrior)",
    ),
    "load": Spec(quick=("--quick",), minutes=8, quick_minutes=3, summary=_load),
    "chaos": Spec(
        quick=("--mutations", "200", "--rounds", "1"),
        minutes=3,
        quick_minutes=1.5,
        summary=_chaos,
    ),
}


# --- discovery -----------------------------------------------------------------------------------


def discover() -> list[str]:
    """Modules of bench/ with a main() that write bench/results/<name>.json."""
    found = []
    for path in sorted(BENCH.glob("*.py")):
        name = path.stem
        if name in NOT_BENCHMARKS:
            continue
        source = path.read_text()
        if "def main(" in source and f"{name}.json" in source:
            found.append(name)
    known = [name for name in ORDER if name in found]
    return known + [name for name in found if name not in ORDER]


def quick_args_of(name: str) -> tuple[str, ...]:
    """A module-level `QUICK_ARGS = [...]` in bench/<name>.py, read without importing it."""
    tree = ast.parse((BENCH / f"{name}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "QUICK_ARGS" for t in targets):
                with_value = node.value
                if with_value is not None:
                    return tuple(str(arg) for arg in ast.literal_eval(with_value))
    return ()


def arguments(name: str, quick: bool) -> list[str]:
    spec = SPECS.get(name)
    if spec is None:
        return list(quick_args_of(name)) if quick else []
    return list(spec.quick if quick else spec.args)


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


def run_one(name: str, args: list[str], progress: Progress, task: Any, expected: float) -> Outcome:
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
            [sys.executable, "-u", "-m", f"bench.{name}", *args],
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
        outcome.rows = summarise(name, outcome.result)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        outcome.rows = _generic(outcome.result)
        outcome.error = f"summary failed: {exc!r}"
    if process.returncode != 0:
        outcome.error = f"exit {process.returncode}, see {log_path}"
    return outcome


def summarise(name: str, result: dict[str, Any]) -> list[Row]:
    spec = SPECS.get(name)
    summary = spec.summary if spec and spec.summary else _generic
    return summary(result)


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
        "| benchmark | metric | measured | same-run baseline | ratio (p95) | target | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in report["benchmarks"]:
        label = f"`{entry['name']}`"
        if entry["args"]:
            label += f" `{' '.join(entry['args'])}`"
        if entry["error"] and not entry["rows"]:
            lines.append(f"| {label} | - | {entry['error']} | - | - | - | FAIL |")
            continue
        for row in entry["rows"]:
            cells = [
                row.get(key, "-")
                for key in ("metric", "measured", "baseline", "ratio", "target", "verdict")
            ]
            lines.append(f"| {label} | " + " | ".join(c.replace("|", "/") for c in cells) + " |")
            label = ""
        if entry["error"]:
            lines.append(f"| | | {entry['error']} | | | | FAIL |")
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
    names = discover()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = set(wanted) - set(names)
        if unknown:
            console.print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {names}")
            return 2
        names = [n for n in names if n in wanted]
    names = [n for n in names if n not in set(args.skip.split(","))]
    if args.list:
        for name in names:
            spec = SPECS.get(name, Spec())
            print(
                f"{name:<12} default: {' '.join(arguments(name, False)) or '(none)'}; "
                f"--quick: {' '.join(arguments(name, True)) or '(none)'}"
                + (f" ({spec.note})" if spec.note else "")
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
        overall = progress.add_task(f"benchmarks 0/{len(names)}", total=len(names))
        for index, name in enumerate(names):
            spec = SPECS.get(name, Spec())
            expected = 60 * (spec.quick_minutes if args.quick else spec.minutes)
            bench_args = arguments(name, args.quick)
            task = progress.add_task(name, total=expected)
            progress.console.print(f"[bold]{name}[/bold] {' '.join(bench_args)}")
            outcome = run_one(name, bench_args, progress, task, expected)
            outcomes.append(outcome)
            status = "ok" if outcome.error is None else f"[red]{outcome.error}[/red]"
            progress.console.print(f"  {name}: {outcome.seconds:.0f} s, {status}")
            progress.update(
                overall, completed=index + 1, description=f"benchmarks {index + 1}/{len(names)}"
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
