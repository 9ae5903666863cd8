"""Recurrence rules: RFC 5545 RRULE text and its bounded wall-clock expansion in an IANA zone.

Pure logic, no I/O, in three parts:
- `rule`: the `Rule` value: text read (`Rule.from_text`), written back (`Rule.text`), described;
- `expansion`: the occurrences after an instant, within a search horizon (`next_occurrence`,
  `upcoming`), and the check that a rule can occur at all (`valid_rule`);
- `bounded`: dateutil behind a scan that must stop (`BoundedRule`), and how far it may scan.
"""

from __future__ import annotations

from todo_app.core.recurrence.expansion import (
    HORIZON_PERIODS,
    HORIZON_YEARS,
    MAX_UPCOMING,
    next_occurrence,
    search_horizon,
    upcoming,
    valid_rule,
)
from todo_app.core.recurrence.rule import (
    MAX_INTERVAL,
    MAX_RULE_LENGTH,
    MAX_TIMES_PER_DAY,
    PRESETS,
    Rule,
)

__all__ = [
    "HORIZON_PERIODS",
    "HORIZON_YEARS",
    "MAX_INTERVAL",
    "MAX_RULE_LENGTH",
    "MAX_TIMES_PER_DAY",
    "MAX_UPCOMING",
    "PRESETS",
    "Rule",
    "describe",
    "next_occurrence",
    "normalize_rrule",
    "search_horizon",
    "upcoming",
    "valid_rule",
]


def normalize_rrule(rule: str) -> str:
    """Return the canonical "FREQ=...;..." text of a preset name or (RRULE:)FREQ=... rule.

    Keys and values are upper-cased, FREQ comes first and the other parts keep their order.
    Raises ValueError as `valid_rule` does, with a message starting "rrule ".
    """
    return valid_rule(rule).text


def describe(rule: str) -> str:
    """Return short English text for a rule, e.g. "every 2 weeks on Mon, Wed, 10 times"."""
    return valid_rule(rule).describe()
