"""Plumbing of a benchmark run: where results go, progress lines, stopping cleanly."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"


def result_path(name: str) -> Path:
    """bench/results/<name>.json, the file bench/run.py reads back."""
    return RESULTS / f"{name}.json"


def write_results(name: str, results: dict[str, Any]) -> Path:
    path = result_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path


def log(message: str) -> None:
    """A progress line on stderr, so stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)


def exit_on_sigterm() -> None:
    """Make a plain `kill` unwind like Ctrl-C: `finally` blocks stop the servers and drop the
    scratch database."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
