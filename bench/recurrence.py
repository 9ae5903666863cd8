"""What the recurrence cost model buys: one next-occurrence call on rules made to be slow.

dateutil steps period by period through a rule that hardly ever matches (a leap-day Tuesday
of a WEEKLY or MONTHLY rule with every hour and a hundred BYSETPOS positions). The model in
`todo_app/core/recurrence/bounded.py` (`reach`) shortens the search horizon of such a rule so
that a call stays cheap, however the rule was written. This benchmark times
`next_occurrence` on those rules as shipped and with the horizon alone (the model switched
off), against a plain weekly rule in the same run.

    .venv/bin/python -m bench.recurrence                 # 200 calls a rule
    .venv/bin/python -m bench.recurrence --calls 30      # a quick look

Target: p95 < 50 ms a call with the model, on every rule.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.support.run import exit_on_sigterm, log, write_results
from bench.support.stats import percentiles, timed, verdict
from bench.support.tables import print_verdicts
from todo_app.core.recurrence import expansion, next_occurrence

TARGET_P95_MS = 50.0
EVERY_HOUR = ",".join(str(hour) for hour in range(24))
BASELINE = "FREQ=WEEKLY;BYDAY=MO,WE,FR"
COSTLY = {
    "weekly, leap-day Tuesdays, 24 hours, 100 positions": (
        f"FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU;BYHOUR={EVERY_HOUR};"
        "BYSETPOS=" + ",".join(str(p) for p in range(1, 101))
    ),
    "monthly, leap-day Tuesdays, 24 hours, 110 positions": (
        f"FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU;BYHOUR={EVERY_HOUR};"
        "BYSETPOS=" + ",".join(str(p) for p in range(1, 111))
    ),
    "daily, leap-day Tuesdays": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU",
}
DTSTART = datetime(2026, 1, 5, 9, tzinfo=UTC)
# After the 2028 leap-day Tuesday: the next is in 2056, beyond a costly rule's horizon.
FIRST_AFTER = datetime(2029, 1, 1, tzinfo=UTC)


@contextlib.contextmanager
def horizon_only() -> Iterator[None]:
    """The cost model switched off: every rule searches its whole horizon."""
    modelled = expansion.reach
    expansion.reach = lambda rule: timedelta(days=3_650_000)
    try:
        yield
    finally:
        expansion.reach = modelled


def calls(rule: str, count: int) -> list[float]:
    """Milliseconds of `count` next_occurrence calls, each after a different day."""
    return [
        timed(lambda i=i: next_occurrence(rule, DTSTART, FIRST_AFTER + timedelta(days=i), "UTC"))[0]
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per rule and arm")
    args = parser.parse_args()
    exit_on_sigterm()
    calls(BASELINE, 20)  # parse caches and imports warm before anything is timed
    baseline = calls(BASELINE, args.calls)
    rows: list[dict[str, Any]] = []
    without: dict[str, Any] = {}
    for name, rule in COSTLY.items():
        log(f"{name}: {args.calls} calls with the cost model, then without")
        rows.append(verdict(name, calls(rule, args.calls), baseline, TARGET_P95_MS))
        with horizon_only():
            without[name] = percentiles(calls(rule, args.calls))
    print_verdicts(rows, f"baseline: next_occurrence of {BASELINE}")
    for row in rows:
        off = without[row["metric"]]
        row["without_model"] = off
        row["without_over_with_p95"] = round(off["p95_ms"] / row["measured"]["p95_ms"], 1)
        print(
            f"without the cost model, {row['metric']}: p50 {off['p50_ms']:.1f} ms, "
            f"p95 {off['p95_ms']:.1f} ms ({row['without_over_with_p95']}x the p95 with it)"
        )
    write_results("recurrence", {"calls": args.calls, "results": rows})


if __name__ == "__main__":
    main()
