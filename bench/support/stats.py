"""Timings and their summaries: percentiles, and ratios against a same-run baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def timed(call: Callable[[], T]) -> tuple[float, T]:
    """Milliseconds `call` took, and what it returned."""
    started = time.perf_counter()
    value = call()
    return (time.perf_counter() - started) * 1000, value


def percentiles(samples: list[float]) -> dict[str, float]:
    """n, p50/p95/p99 (inclusive method), mean and max of millisecond samples."""
    if not samples:
        return {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "mean_ms": 0.0, "max_ms": 0.0}
    # quantiles() needs two points; one sample is its own every percentile.
    cuts = statistics.quantiles(
        samples * 2 if len(samples) == 1 else samples, n=100, method="inclusive"
    )
    return {
        "n": len(samples),
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "p99_ms": round(cuts[98], 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "max_ms": round(max(samples), 3),
    }


def ratio(measured: dict[str, Any], baseline: dict[str, Any], key: str = "p95_ms") -> float:
    """measured / baseline of one percentile (of two `percentiles` results)."""
    return float(measured[key] / baseline[key])


def mark(ok: Any) -> str:
    return "PASS" if ok else "FAIL"


def verdict(
    name: str, samples: list[float], baseline: list[float], target: float
) -> dict[str, Any]:
    """A named measure against its same-run baseline and its p95 target, as bench/run.py
    summarises it: {"metric", "measured", "baseline", "ratio_p50", "ratio_p95", "pass"...}."""
    measured, base = percentiles(samples), percentiles(baseline)
    return {
        "metric": name,
        "measured": measured,
        "baseline": base,
        "ratio_p50": round(measured["p50_ms"] / base["p50_ms"], 2),
        "ratio_p95": round(measured["p95_ms"] / base["p95_ms"], 2),
        "target_p95_ms_below": target,
        "pass": measured["p95_ms"] < target,
    }
