"""Rows of the `make bench` table from each benchmark's result file.

A row is a dict of the table's columns: metric, measured, baseline, ratio, target, verdict
(a missing one reads "-"). `generic` summarises any result file it does not know, from the
verdict-shaped entries or the p50/p95 figures it holds.
"""

from __future__ import annotations

from typing import Any

from bench.support.stats import mark

Row = dict[str, str]


def ms(stats: dict[str, Any] | None) -> str:
    if not stats:
        return "-"
    return f"p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms"


def api_list(result: dict[str, Any]) -> list[Row]:
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
            "measured": f"{ms(overall['api'])} (worst shape {worst['shape']}: "
            f"p95 {worst['api']['p95_ms']:.1f} ms)",
            "baseline": f"raw SQL: {ms(overall['raw_sql'])}",
            "ratio": f"{overall['ratio_p95']:.2f}x",
            "target": "p95 < 50 ms, <= 2x raw",
            "verdict": f"{mark(overall['pass_p95'])}, {mark(overall['pass_ratio'])}",
        },
        *api_list_shared(result.get("shared")),
    ]


def api_list_shared(shared: dict[str, Any] | None) -> list[Row]:
    """A shared project's list against the same-size personal one's, one row a shared project."""
    if not shared:
        return []
    base = shared["baseline"]
    return [
        {
            "metric": f"`GET /api/v1/tasks?project_id=`, {shared['project_tasks']:,} tasks, "
            f"project {row['project']} ({base['api']['n']} lists each, interleaved)",
            "measured": ms(row["api"]),
            "baseline": f"{base['project']} project: {ms(base['api'])}",
            "ratio": f"{row['ratio_p95']:.2f}x",
            "target": f"<= {shared['target_ratio_p95_at_most']}x personal",
            "verdict": mark(row["pass_ratio"]),
        }
        for row in shared["projects"]
    ]


def projects(result: dict[str, Any]) -> list[Row]:
    page, pages = result["page"], result["pages"]
    counts = "with subtask counts" if pages["subtask_counts"] else "without subtask counts"
    return [
        {
            "metric": f"project page (`GET /api/v1/tasks?project_id=&parent_id=none&limit=50`, "
            f"{counts}), {result['tasks']:,} tasks in {result['projects']} projects, "
            f"{result['share_subtasks']:.0%} subtasks, {result['requests']} pages",
            "measured": ms(page["api"]),
            "baseline": f"raw SQL: {ms(page['raw_sql'])}",
            "ratio": f"{page['ratio_p95']:.2f}x",
            "target": "p95 < 20 ms, <= 2x raw",
            "verdict": f"{mark(page['pass_p95'])}, {mark(page['pass_ratio'])}",
        }
    ]


def events(result: dict[str, Any]) -> list[Row]:
    verdict = result["verdict"]
    sustained = result["sustained"]
    return [
        {
            "metric": f"completion -> audit row ({result['database']}, "
            f"{result['pipeline']['n']} completions)",
            "measured": ms(result["pipeline"]),
            "baseline": f"raw produce -> consume: {ms(result['raw'])}",
            "ratio": f"{verdict['ratio_p95']:.2f}x",
            "target": "p95 < 500 ms, <= 5x raw",
            "verdict": f"{mark(verdict['pass_p95'])}, {mark(verdict['pass_ratio'])}",
        },
        {
            "metric": f"sustained throughput, offered {sustained['rate_target']:,}/s "
            f"for {sustained['seconds']:.0f} s",
            "measured": f"{sustained['absorbed_per_s']:,.0f} events/s absorbed, "
            f"{sustained['pending_at_end']} pending at the end",
            "baseline": f"offered {sustained['emitted_per_s']:,.0f}/s",
            "ratio": f"{sustained['absorbed_per_s'] / max(sustained['emitted_per_s'], 1):.2f}",
            "target": ">= 1,000/s, not growing",
            "verdict": mark(sustained["pass_rate"] and sustained["keeps_up"]),
        },
    ]


def verdicts(result: dict[str, Any]) -> list[Row]:
    """Rows of `{"metric", "measured", "baseline", "ratio_p95", "pass"}` verdicts."""
    rows = []
    for verdict in result.get("results", []):
        if not isinstance(verdict, dict) or "measured" not in verdict:
            continue
        target = verdict.get("target_p95_ms_below")
        rows.append(
            {
                "metric": f"{verdict['metric']} (n={verdict['measured']['n']})",
                "measured": ms(verdict["measured"]),
                "baseline": ms(verdict.get("baseline")),
                "ratio": f"{verdict['ratio_p95']:.2f}x" if "ratio_p95" in verdict else "-",
                "target": f"p95 < {target:.0f} ms" if target else "-",
                "verdict": mark(verdict.get("pass")),
            }
        )
    return rows


def ui_load(result: dict[str, Any]) -> list[Row]:
    rows = verdicts(result)
    for row in rows:
        bare = "same page, no task" if row["metric"].startswith("load") else "bare Reflex event"
        row["baseline"] = f"{bare}: {row['baseline']}"
    return rows


def board(result: dict[str, Any]) -> list[Row]:
    rows = verdicts(result)
    for row in rows:
        row["baseline"] = f"board of {result['baseline_cards']} cards: {row['baseline']}"
    return rows


def realtime(result: dict[str, Any]) -> list[Row]:
    rows = verdicts(result)
    for row, verdict in zip(rows, result["results"], strict=True):
        row["baseline"] = f"{verdict.get('baseline_name', 'bare Reflex round trip')}: "
        row["baseline"] += ms(verdict["baseline"])
    if rows:
        rows[0]["measured"] += f"; {result.get('missing_pushes', 0)} pushes missing"
    shared = result.get("shared")
    if shared and len(rows) > 2:
        rows[2]["measured"] += (
            f"; {shared['missing_pushes']} pushes missing ({shared['tabs_that_missed']} tabs); "
            f"server push p95 {shared['response_to_socket']['p95_ms']:.0f} ms, "
            f"render p95 {shared['socket_to_dom']['p95_ms']:.0f} ms"
        )
    return rows


def recurrence(result: dict[str, Any]) -> list[Row]:
    rows = verdicts(result)
    for row, verdict in zip(rows, result["results"], strict=True):
        row["metric"] = f"next_occurrence, {row['metric']}"
        row["measured"] += (
            f" (without the cost model: {ms(verdict['without_model'])}, "
            f"{verdict['without_over_with_p95']}x)"
        )
        row["baseline"] = "a plain weekly rule: " + row["baseline"]
    return rows


def chaos(result: dict[str, Any]) -> list[Row]:
    faults: dict[str, int] = {}
    for fault in result["faults"]:
        target = fault["target"] if fault["target"] in ("broker", "backend") else "actors"
        faults[target] = faults.get(target, 0) + 1
    checks = sum(entry["expected"] for entry in result["invariants"])
    rows = [
        {
            "metric": f"fault campaign: {result['mutations']:,} REST mutations "
            f"({result['database']}), {len(result['faults'])} faults "
            f"({', '.join(f'{k} {v}' for k, v in faults.items())})",
            "measured": f"{result['violations']} violations of {len(result['invariants'])} "
            f"invariants ({checks:,} expected effects checked)",
            "baseline": "-",
            "ratio": "-",
            "target": "0 violations",
            "verdict": mark(result["violations"] == 0),
        }
    ]
    shared = result.get("shared")
    if shared:
        rows.append(chaos_shared(shared, result["invariants"]))
    return rows


def chaos_shared(shared: dict[str, Any], invariants: list[dict[str, Any]]) -> Row:
    """The fault campaign's shared-project mutations: each notification and audit row once."""
    entries = {e["invariant"]: e for e in invariants if e["invariant"].startswith("shared-")}
    notified = entries["shared-project notifications, each exactly once"]
    audited = entries["shared-project audit rows, each exactly once (whose, actor, project)"]
    violations = sum(e["violations"] for e in entries.values())
    return {
        "metric": f"fault campaign, shared projects: {shared['mutations']} mutations by "
        f"{shared['people']} people (members added, roles, removals, assignments, comments)",
        "measured": f"notifications {notified['found']}/{notified['expected']}, audit rows "
        f"{audited['found']}/{audited['expected']} exactly once; {violations} violations",
        "baseline": "-",
        "ratio": "-",
        "target": "each exactly once",
        "verdict": mark(violations == 0),
    }


def load(result: dict[str, Any]) -> list[Row]:
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
                "measured": f"{ms(phase['all'])}, {phase['throughput_rps']:.0f} req/s, "
                f"{phase['errors']} errors",
                "baseline": f"GET /health/live: {ms(floor['all'])}" if floor else "-",
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


def taskwarrior(result: dict[str, Any]) -> list[Row]:
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
                    "measured": ms(ours) + (f" (CLI p50 {cli['p50_ms']:.0f} ms)" if cli else ""),
                    "baseline": f"Taskwarrior `{query['taskwarrior']}`: {ms(theirs)}",
                    "ratio": f"{ours['p95_ms'] / theirs['p95_ms']:.2f}x"
                    if ours and theirs and theirs["p95_ms"]
                    else "-",
                    "target": "same results",
                    "verdict": "-" if same is None else ("same" if same else "differ"),
                }
            )
    return rows


def generic(result: dict[str, Any]) -> list[Row]:
    """Verdict-shaped entries anywhere, else the p50/p95 figures found, up to 8."""
    rows: list[Row] = []

    def walk(node: Any, path: str) -> None:
        if len(rows) >= 8:
            return
        if isinstance(node, dict):
            if "metric" in node and isinstance(node.get("measured"), dict):
                rows.extend(verdicts({"results": [node]}))
                return
            if "p50_ms" in node and "p95_ms" in node:
                label = node.get("name") or node.get("query") or path
                rows.append({"metric": str(label), "measured": ms(node)})
                return
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                label = value.get("name") if isinstance(value, dict) else None
                walk(value, f"{path}[{label or index}]")

    walk(result, "")
    return rows or [{"metric": "see the result file", "measured": "-"}]
