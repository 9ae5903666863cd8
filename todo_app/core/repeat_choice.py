"""The editor's recurrence picker, as data: to an RRULE and back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from todo_app.core.recurrence import Rule

KINDS = ("none", "daily", "weekdays", "weekly", "monthly_day", "monthly_nth", "yearly", "custom")
ENDS = ("never", "count", "until")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WORKWEEK = ["MO", "TU", "WE", "TH", "FR"]
_NTH = re.compile(r"^(-?[1-4])(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass
class RepeatChoice:
    kind: str = "none"
    interval: int = 1
    weekdays: list[str] = field(default_factory=list)
    month_day: int = 1
    nth: int = 1
    nth_weekday: str = "MO"
    custom: str = ""
    end: str = "never"
    count: int = 10
    until: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def to_rrule(choice: RepeatChoice) -> str | None:
    """The RRULE the choice stands for (not yet validated), or None for no repetition."""
    if choice.kind == "none":
        return None
    if choice.kind == "custom":
        return choice.custom.strip() or None
    parts: list[str]
    if choice.kind == "daily":
        parts = ["FREQ=DAILY"]
    elif choice.kind == "weekdays":
        parts = ["FREQ=WEEKLY", "BYDAY=" + ",".join(_WORKWEEK)]
    elif choice.kind == "weekly":
        parts = ["FREQ=WEEKLY"]
        days = [day for day in WEEKDAYS if day in choice.weekdays]
        if days:
            parts.append("BYDAY=" + ",".join(days))
    elif choice.kind == "monthly_day":
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={choice.month_day}"]
    elif choice.kind == "monthly_nth":
        parts = ["FREQ=MONTHLY", f"BYDAY={choice.nth}{choice.nth_weekday}"]
    else:
        parts = ["FREQ=YEARLY"]
    if choice.interval > 1 and choice.kind != "weekdays":
        parts.append(f"INTERVAL={choice.interval}")
    if choice.end == "count":
        parts.append(f"COUNT={choice.count}")
    elif choice.end == "until" and choice.until:
        parts.append("UNTIL=" + choice.until.replace("-", ""))
    return ";".join(parts)


def from_rrule(rule: str | None) -> RepeatChoice:
    """The picker state that shows `rule`; what the picker cannot show stays as custom text."""
    if not rule:
        return RepeatChoice()
    text = rule.removeprefix("RRULE:")
    choice = RepeatChoice(custom=text)
    try:
        parsed = Rule.from_text(text)
    except ValueError:
        choice.kind = "custom"
        return choice
    choice.interval = parsed.interval
    if parsed.count is not None:
        choice.end, choice.count = "count", parsed.count
    elif parsed.until is not None:
        until = parsed.until[:8]
        choice.end, choice.until = "until", f"{until[:4]}-{until[4:6]}-{until[6:8]}"
    shown = parsed.replace(interval=1, count=None, until=None, byday=(), bymonthday=())
    if shown != Rule(freq=parsed.freq):
        choice.kind = "custom"
        return choice
    freq, days, monthdays = parsed.freq, list(parsed.byday), parsed.bymonthday
    nth = _NTH.match(days[0]) if len(days) == 1 else None
    if freq == "DAILY" and not days and not monthdays:
        choice.kind = "daily"
    elif freq == "WEEKLY" and days == _WORKWEEK and choice.interval == 1 and not monthdays:
        choice.kind = "weekdays"
    elif freq == "WEEKLY" and all(day in WEEKDAYS for day in days) and not monthdays:
        choice.kind, choice.weekdays = "weekly", days
    elif freq == "MONTHLY" and len(monthdays) == 1 and not days:
        choice.kind, choice.month_day = "monthly_day", monthdays[0]
    elif freq == "MONTHLY" and nth and not monthdays:
        choice.kind, choice.nth, choice.nth_weekday = "monthly_nth", int(nth[1]), nth[2]
    elif freq == "YEARLY" and not days and not monthdays:
        choice.kind = "yearly"
    else:
        choice.kind = "custom"
    return choice
