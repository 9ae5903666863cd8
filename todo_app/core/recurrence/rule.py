"""Rule text: an RFC 5545 RRULE read into a `Rule` value, written back, and described."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PRESETS: dict[str, str] = {
    "daily": "FREQ=DAILY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "weekly": "FREQ=WEEKLY",
    "monthly": "FREQ=MONTHLY",
    "yearly": "FREQ=YEARLY",
}

MAX_RULE_LENGTH = 500
MAX_INTERVAL = 1000
# Denser rules (one a second, say) would make a single call walk through tens of thousands of
# occurrences around `after`.
MAX_TIMES_PER_DAY = 1440

FREQS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_FREQ_UNITS = {
    "HOURLY": "hour",
    "DAILY": "day",
    "WEEKLY": "week",
    "MONTHLY": "month",
    "YEARLY": "year",
}
_FREQ_ERROR = "rrule FREQ must be one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY"
NEVER_ERROR = "rrule never produces an occurrence"
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = dict(zip(DAY_CODES, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# Longest each month can be; February counts its leap-year length.
_MONTH_LENGTHS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
# RFC 5545 bounds of the integer-list parts; a zero is never valid in the signed ones.
_INT_LIST_BOUNDS = {
    "BYSECOND": (0, 59),
    "BYMINUTE": (0, 59),
    "BYHOUR": (0, 23),
    "BYMONTH": (1, 12),
    "BYMONTHDAY": (-31, 31),
    "BYYEARDAY": (-366, 366),
    "BYWEEKNO": (-53, 53),
    "BYSETPOS": (-366, 366),
}
# Every part after FREQ, in the order a part not written in the text is added.
_PARTS = ("INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", *_INT_LIST_BOUNDS)
_INT_RE = re.compile(r"[+-]?\d+")
_BYDAY_RE = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL_RE = re.compile(r"\d{8}(T\d{6}Z?)?")
# Most days one period of each FREQ can hold, for telling BYSETPOS positions that can never
# exist apart from those that can.
_PERIOD_DAYS = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7, "DAILY": 1, "HOURLY": 1}


def not_valid(detail: str) -> ValueError:
    return ValueError(f"rrule is not a valid RFC 5545 rule: {detail}")


def _parse_int(key: str, text: str) -> int:
    if not _INT_RE.fullmatch(text):
        raise not_valid(f"{key} must be an integer, got {text!r}")
    return int(text)


def _distinct(values: tuple[int, ...], default: int = 1) -> int:
    """How many different values a list part holds (`default` when it is absent)."""
    return len(set(values)) if values else default


@dataclass(frozen=True)
class Rule:
    """One well-formed RRULE: FREQ HOURLY..YEARLY and RFC 5545's other parts, in canonical form.

    Absent parts are None or (); `text` writes FREQ first and the other parts in the order
    they were read (`order`), then any part set since.
    """

    freq: str
    interval: int = 1
    count: int | None = None
    # As written: 20261231 (a date), 20261231T090000 (wall clock) or 20261231T090000Z (UTC).
    until: str | None = None
    wkst: str | None = None
    # Weekday codes with an optional ordinal: MO, 2TU, -1FR.
    byday: tuple[str, ...] = ()
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byhour: tuple[int, ...] = ()
    byminute: tuple[int, ...] = ()
    bysecond: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    order: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_text(cls, rule: str) -> Rule:
        """Read a preset name ("daily") or an (RRULE:)FREQ=...;... rule, in any case.

        Raises ValueError with a readable message, starting "rrule ", for anything that is not
        a single RFC 5545 rule with FREQ HOURLY..YEARLY, COUNT >= 1 (never with UNTIL),
        INTERVAL 1..1000, <= 500 chars and at most MAX_TIMES_PER_DAY times a day; and with
        NEVER_ERROR for month days or BYSETPOS positions that no period has.
        """
        text = rule.strip()
        if not text:
            raise not_valid("the rule is empty")
        if len(text) > MAX_RULE_LENGTH:
            raise not_valid(f"the rule is longer than {MAX_RULE_LENGTH} characters")
        if "\n" in text or "\r" in text:
            raise not_valid("only a single RRULE line is accepted (no DTSTART, EXDATE or RDATE)")
        text = PRESETS.get(text.lower(), text).upper()
        if text.startswith("RRULE:"):
            text = text.removeprefix("RRULE:").strip()
        if ":" in text:
            raise not_valid("only a single RRULE is accepted (no DTSTART, EXDATE or RDATE)")
        values: dict[str, Any] = {}
        for chunk in text.split(";"):
            key, sep, value = (piece.strip() for piece in chunk.partition("="))
            if not sep or not key or not value:
                raise not_valid(f"{chunk.strip()!r} is not a KEY=VALUE part")
            if key != "FREQ" and key not in _PARTS:
                raise not_valid(f"unknown part {key}")
            if key in values:
                raise not_valid(f"{key} is given twice")
            values[key] = _read_value(key, value)
        if "FREQ" not in values:
            raise not_valid("FREQ is required")
        if "COUNT" in values and "UNTIL" in values:
            raise not_valid("COUNT and UNTIL must not both be set")
        if "BYSETPOS" in values and not any(k.startswith("BY") and k != "BYSETPOS" for k in values):
            raise not_valid("BYSETPOS needs another BYxxx part")
        order = tuple(key for key in values if key != "FREQ")
        parsed = cls(order=order, **{key.lower(): value for key, value in values.items()})
        parsed._reject_impossible_days()
        parsed._check_times()
        return parsed

    @functools.cached_property
    def text(self) -> str:
        """The canonical "FREQ=...;..." text."""
        written = {
            "INTERVAL": str(self.interval)
            if "INTERVAL" in self.order or self.interval != 1
            else None,
            "COUNT": None if self.count is None else str(self.count),
            "UNTIL": self.until,
            "WKST": self.wkst,
            "BYDAY": ",".join(self.byday) or None,
            **{
                key: ",".join(map(str, getattr(self, key.lower()))) or None
                for key in _INT_LIST_BOUNDS
            },
        }
        keys = [*self.order, *(key for key in _PARTS if key not in self.order)]
        return ";".join(
            [f"FREQ={self.freq}", *(f"{key}={written[key]}" for key in keys if written[key])]
        )

    def replace(self, **changes: Any) -> Rule:
        """A copy with the given fields changed (count=None drops COUNT, and so on)."""
        return dataclasses.replace(self, **changes)

    @property
    def until_at(self) -> datetime | None:
        """UNTIL as a datetime: aware UTC for "...Z", naive otherwise (a date at 00:00)."""
        return None if self.until is None else _until_datetime(self.until)

    def reachable_positions(self) -> list[int]:
        """The BYSETPOS values some period can have: one period holds at most its days times
        the times of day (of the hour, for HOURLY); dateutil silently skips the others."""
        per_day = _distinct(self.byminute) * _distinct(self.bysecond)
        if self.freq != "HOURLY":
            per_day *= _distinct(self.byhour)
        most = _PERIOD_DAYS[self.freq] * per_day
        return [p for p in self.bysetpos if abs(p) <= most]

    def _reject_impossible_days(self) -> None:
        """Reject month/day combinations that never occur, with a message saying why."""
        if not self.bymonthday or not self.bymonth:
            return
        lengths = [_MONTH_LENGTHS[month - 1] for month in self.bymonth]
        if min(abs(day) for day in self.bymonthday) > max(lengths):
            raise not_valid("no month in BYMONTH has any day in BYMONTHDAY")

    def _check_times(self) -> None:
        """Reject rules denser than MAX_TIMES_PER_DAY and BYSETPOS no period can ever reach."""
        hours = _distinct(self.byhour, 24 if self.freq == "HOURLY" else 1)
        if hours * _distinct(self.byminute) * _distinct(self.bysecond) > MAX_TIMES_PER_DAY:
            raise ValueError(f"rrule must not occur more than {MAX_TIMES_PER_DAY} times a day")
        if self.bysetpos and not self.reachable_positions():
            raise ValueError(NEVER_ERROR)

    def describe(self) -> str:
        """Short English text, e.g. "every 2 weeks on Mon, Wed, 10 times"."""
        unit = _FREQ_UNITS[self.freq]
        days = list(self.byday)
        text = f"every {unit}" if self.interval == 1 else f"every {self.interval} {unit}s"
        if (
            tuple(days) == _WEEKDAYS
            and self.interval == 1
            and self.freq in ("DAILY", "WEEKLY")
            and not self.bysetpos
        ):
            text = "every weekday"
            days = []
        details = self._describe_calendar(days)
        details += [
            f"{label} {', '.join(map(str, values))}"
            for label, values in (
                ("on year day", self.byyearday),
                ("in week", self.byweekno),
                ("at hour", self.byhour),
                ("at minute", self.byminute),
                ("at second", self.bysecond),
            )
            if values
        ]
        if self.bysetpos and not days:
            details.append(f"keeping only the {_positions(self.bysetpos)} of each {unit}")
        text = " ".join([text, *details])
        if self.count is not None:
            text += ", once" if self.count == 1 else f", {self.count} times"
        if self.until is not None:
            text += f", until {_describe_until(self.until)}"
        return text

    def _describe_calendar(self, days: list[str]) -> list[str]:
        months = [_MONTH_NAMES[month - 1] for month in self.bymonth]
        monthdays = list(self.bymonthday)
        details: list[str] = []
        if len(months) == 1 and len(monthdays) == 1 and monthdays[0] > 0:
            details.append(f"on {months[0]} {monthdays[0]}")
        else:
            if months:
                details.append("in " + ", ".join(months))
            if monthdays:
                details.append("on " + _describe_monthdays(monthdays))
        if days and self.bysetpos:
            weekdays = tuple(days) == _WEEKDAYS
            kind = "weekday" if weekdays else " or ".join(_DAY_NAMES[d] for d in days)
            details.append(f"on the {_positions(self.bysetpos)} {kind}")
        elif days:
            details.append("on " + ", ".join(_describe_day(d) for d in days))
        return details


def _read_value(key: str, value: str) -> object:
    """Check one part's value against RFC 5545 and return it as the Rule field holds it."""
    if key == "FREQ":
        if value not in FREQS:
            raise ValueError(_FREQ_ERROR)
        return value
    if key == "COUNT":
        count = _parse_int(key, value)
        if count < 1:
            raise not_valid("COUNT must be at least 1")
        return count
    if key == "INTERVAL":
        interval = _parse_int(key, value)
        if not 1 <= interval <= MAX_INTERVAL:
            raise not_valid(f"INTERVAL must be between 1 and {MAX_INTERVAL}")
        return interval
    if key == "UNTIL":
        _until_datetime(value)
        return value
    if key == "WKST":
        if value not in DAY_CODES:
            raise not_valid(f"WKST must be a weekday code, got {value!r}")
        return value
    items = [item.strip() for item in value.split(",")]
    if key == "BYDAY":
        return tuple(_canonical_byday(item) for item in items)
    low, high = _INT_LIST_BOUNDS[key]
    numbers = tuple(_parse_int(key, item) for item in items)
    if any(not low <= n <= high or (low < 0 and n == 0) for n in numbers):
        raise not_valid(f"{key} values must be within {low}..{high} and non-zero")
    return numbers


def _canonical_byday(item: str) -> str:
    match = _BYDAY_RE.fullmatch(item)
    if match is None:
        raise not_valid(f"BYDAY item {item!r} is not like MO, 2TU or -1FR")
    ordinal, day = match.groups()
    if ordinal is None:
        return day
    if not 1 <= abs(int(ordinal)) <= 53:
        raise not_valid("BYDAY ordinals must be within -53..53 and non-zero")
    return f"{int(ordinal)}{day}"


def _until_datetime(value: str) -> datetime:
    """Parse an RFC 5545 UNTIL: aware UTC for "...Z", naive otherwise (date-only at 00:00)."""
    if not _UNTIL_RE.fullmatch(value):
        raise not_valid("UNTIL must look like 20261231, 20261231T090000 or 20261231T090000Z")
    try:
        if len(value) == 8:
            until = datetime.strptime(value, "%Y%m%d")
        elif value.endswith("Z"):
            until = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            until = datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise not_valid(f"UNTIL {value!r} is not a real date") from exc
    # Year 9999 leaves no room to shift UNTIL into a zone east of UTC.
    if until.year >= 9999:
        raise not_valid("UNTIL must be before the year 9999")
    return until


def _describe_monthdays(monthdays: list[int]) -> str:
    labels = []
    positive = [str(d) for d in monthdays if d > 0]
    if positive:
        labels.append("day " + ", ".join(positive))
    labels += [f"the {_ordinal(d)} day" for d in monthdays if d < 0]
    return " and ".join(labels)


def _describe_day(item: str) -> str:
    day = item[-2:]
    if len(item) == 2:
        return _DAY_NAMES[day]
    return f"the {_ordinal(int(item[:-2]))} {_DAY_NAMES[day]}"


def _positions(bysetpos: tuple[int, ...]) -> str:
    return ", ".join(_ordinal(p) for p in bysetpos)


def _ordinal(n: int) -> str:
    """1 -> "1st", -1 -> "last", -2 -> "2nd to last"."""
    if n == -1:
        return "last"
    if n < 0:
        return f"{_ordinal(-n)} to last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _describe_until(value: str) -> str:
    until = _until_datetime(value)
    if len(value) == 8:
        return until.strftime("%Y-%m-%d")
    return until.strftime("%Y-%m-%d %H:%M") + (" UTC" if until.tzinfo else "")
