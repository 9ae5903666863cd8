"""Tables of results: verdicts printed by a benchmark, Markdown for bench/results/latest.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a GitHub Markdown table; a `|` inside a cell becomes `/`."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |")
    return lines


def print_verdicts(rows: list[dict[str, Any]], note: str) -> None:
    """The p50/p95 table of `stats.verdict` rows against their baselines; `note` under it."""
    width = max(26, *(len(row["metric"]) for row in rows))
    header = (
        f"{'metric':<{width}} {'n':>4} {'p50':>8} {'p95':>8} {'base p50':>9} {'base p95':>9} "
        f"{'x p50':>6} {'x p95':>6}  {'target p95':<11} result"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        measured, base = row["measured"], row["baseline"]
        print(
            f"{row['metric']:<{width}} {measured['n']:>4} {measured['p50_ms']:>8.1f} "
            f"{measured['p95_ms']:>8.1f} {base['p50_ms']:>9.1f} {base['p95_ms']:>9.1f} "
            f"{row['ratio_p50']:>5.2f}x {row['ratio_p95']:>5.2f}x  "
            f"{'< ' + format(row['target_p95_ms_below'], '.0f') + ' ms':<11} "
            f"{'PASS' if row['pass'] else 'FAIL'}"
        )
    print(note)
