"""Recurrence rules: validation of RFC 5545 RRULE text and wall-clock expansion in an IANA zone.

Pure logic, no I/O. Rules are expanded on naive local time in the task's zone (so "daily at
09:00" stays 09:00 local across DST changes) and every occurrence is returned as an aware UTC
datetime.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

PRESETS: dict[str, str] = {
    "daily": "FREQ=DAILY",
    "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "weekly": "FREQ=WEEKLY",
    "monthly": "FREQ=MONTHLY",
    "yearly": "FREQ=YEARLY",
}

MAX_RULE_LENGTH = 500
MAX_INTERVAL = 1000
MAX_UPCOMING = 100

_UTC_ZONE = ZoneInfo("UTC")
_FREQ_UNITS = {
    "HOURLY": "hour",
    "DAILY": "day",
    "WEEKLY": "week",
    "MONTHLY": "month",
    "YEARLY": "year",
}
_FREQ_ERROR = "rrule FREQ must be one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY"
_DAY_NAMES = {
    "MO": "Mon",
    "TU": "Tue",
    "WE": "Wed",
    "TH": "Thu",
    "FR": "Fri",
    "SA": "Sat",
    "SU": "Sun",
}
_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
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
_KEYS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "WKST", "BYDAY", *_INT_LIST_BOUNDS}
_INT_RE = re.compile(r"[+-]?\d+")
_BYDAY_RE = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL_RE = re.compile(r"\d{8}(T\d{6}Z?)?")
# Largest jump of any zone's clock (Samoa skipped a whole day in 2011): a wall-clock time in a
# DST gap maps to at most this much later than the occurrences right after the gap.
_MAX_GAP = timedelta(days=1)


def _invalid(detail: str) -> ValueError:
    return ValueError(f"rrule is not a valid RFC 5545 rule: {detail}")


def _parse_int(key: str, text: str) -> int:
    if not _INT_RE.fullmatch(text):
        raise _invalid(f"{key} must be an integer, got {text!r}")
    return int(text)


def _canonical_value(key: str, value: str) -> str:
    """Check one part's value against RFC 5545 and return it in canonical spelling."""
    if key == "FREQ":
        if value not in _FREQ_UNITS:
            raise ValueError(_FREQ_ERROR)
        return value
    if key == "COUNT":
        count = _parse_int(key, value)
        if count < 1:
            raise _invalid("COUNT must be at least 1")
        return str(count)
    if key == "INTERVAL":
        interval = _parse_int(key, value)
        if not 1 <= interval <= MAX_INTERVAL:
            raise _invalid(f"INTERVAL must be between 1 and {MAX_INTERVAL}")
        return str(interval)
    if key == "UNTIL":
        _until_datetime(value)
        return value
    if key == "WKST":
        if value not in _DAY_NAMES:
            raise _invalid(f"WKST must be a weekday code, got {value!r}")
        return value
    items = [item.strip() for item in value.split(",")]
    if key == "BYDAY":
        return ",".join(_canonical_byday(item) for item in items)
    low, high = _INT_LIST_BOUNDS[key]
    numbers = [_parse_int(key, item) for item in items]
    if any(not low <= n <= high or (low < 0 and n == 0) for n in numbers):
        raise _invalid(f"{key} values must be within {low}..{high} and non-zero")
    return ",".join(str(n) for n in numbers)


def _canonical_byday(item: str) -> str:
    match = _BYDAY_RE.fullmatch(item)
    if match is None:
        raise _invalid(f"BYDAY item {item!r} is not like MO, 2TU or -1FR")
    ordinal, day = match.groups()
    if ordinal is None:
        return day
    if not 1 <= abs(int(ordinal)) <= 53:
        raise _invalid("BYDAY ordinals must be within -53..53 and non-zero")
    return f"{int(ordinal)}{day}"


def _until_datetime(value: str) -> datetime:
    """Parse an RFC 5545 UNTIL: aware UTC for "...Z", naive otherwise (date-only at 00:00)."""
    if not _UNTIL_RE.fullmatch(value):
        raise _invalid("UNTIL must look like 20261231, 20261231T090000 or 20261231T090000Z")
    try:
        if len(value) == 8:
            until = datetime.strptime(value, "%Y%m%d")
        elif value.endswith("Z"):
            until = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            until = datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise _invalid(f"UNTIL {value!r} is not a real date") from exc
    # Year 9999 leaves no room to shift UNTIL into a zone east of UTC.
    if until.year >= 9999:
        raise _invalid("UNTIL must be before the year 9999")
    return until


def _parse(rule: str) -> dict[str, str]:
    """Validate a rule in any accepted form and return its canonical parts, FREQ first."""
    text = rule.strip()
    if not text:
        raise _invalid("the rule is empty")
    if len(text) > MAX_RULE_LENGTH:
        raise _invalid(f"the rule is longer than {MAX_RULE_LENGTH} characters")
    if "\n" in text or "\r" in text:
        raise _invalid("only a single RRULE line is accepted (no DTSTART, EXDATE or RDATE)")
    text = PRESETS.get(text.lower(), text).upper()
    if text.startswith("RRULE:"):
        text = text.removeprefix("RRULE:").strip()
    if ":" in text:
        raise _invalid("only a single RRULE is accepted (no DTSTART, EXDATE or RDATE)")
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        key, sep, value = (piece.strip() for piece in chunk.partition("="))
        if not sep or not key or not value:
            raise _invalid(f"{chunk.strip()!r} is not a KEY=VALUE part")
        if key not in _KEYS:
            raise _invalid(f"unknown part {key}")
        if key in parts:
            raise _invalid(f"{key} is given twice")
        parts[key] = _canonical_value(key, value)
    if "FREQ" not in parts:
        raise _invalid("FREQ is required")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid("COUNT and UNTIL must not both be set")
    if "BYSETPOS" in parts and not any(k.startswith("BY") and k != "BYSETPOS" for k in parts):
        raise _invalid("BYSETPOS needs another BYxxx part")
    _reject_impossible_days(parts)
    canonical = {"FREQ": parts.pop("FREQ"), **parts}
    # Start at the first BYHOUR: dateutil rejects an HOURLY rule whose INTERVAL never reaches
    # BYHOUR from the start hour, which is a property of the dtstart, not of the rule.
    probe_hour = int(canonical["BYHOUR"].split(",")[0]) if "BYHOUR" in canonical else 0
    try:
        _local_series(canonical, datetime(2000, 1, 1, probe_hour), _UTC_ZONE)
    except (ValueError, TypeError, KeyError) as exc:
        raise _invalid(str(exc)) from exc
    return canonical


def _reject_impossible_days(parts: dict[str, str]) -> None:
    """Reject month/day combinations that never occur: dateutil would scan to year 9999 for them."""
    if "BYMONTHDAY" not in parts or "BYMONTH" not in parts:
        return
    days = [abs(int(d)) for d in parts["BYMONTHDAY"].split(",")]
    lengths = [_MONTH_LENGTHS[int(m) - 1] for m in parts["BYMONTH"].split(",")]
    if min(days) > max(lengths):
        raise _invalid("no month in BYMONTH has any day in BYMONTHDAY")


def _join(parts: dict[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _local_series(
    parts: dict[str, str], local_start: datetime, zone: ZoneInfo
) -> Iterable[datetime]:
    """Build the dateutil rule on naive wall-clock time, with UNTIL moved into that frame."""
    local_parts = dict(parts)
    # RFC 5545 default; dateutil would otherwise follow the process-wide calendar.firstweekday().
    local_parts.setdefault("WKST", "MO")
    until_text = local_parts.pop("UNTIL", None)
    if until_text is not None:
        until = _until_datetime(until_text)
        if until.tzinfo is not None:
            until = until.astimezone(zone).replace(tzinfo=None)
        elif len(until_text) == 8:
            # A date-only UNTIL includes that whole local day.
            until = datetime.combine(until.date(), time(23, 59, 59))
        local_parts["UNTIL"] = until.strftime("%Y%m%dT%H%M%S")
    series: Iterable[datetime] = rrulestr(_join(local_parts), dtstart=local_start)
    return series


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"timezone {tz!r} is not a valid IANA time zone") from exc


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _instants(rule: str, dtstart: datetime, tz: str) -> Iterator[datetime]:
    """Validate the inputs and return the series as aware UTC datetimes, ascending, no repeats."""
    parts = _parse(rule)
    zone = _zone(tz)
    _require_aware(dtstart, "dtstart")
    local_start = dtstart.astimezone(zone).replace(tzinfo=None)
    try:
        series = _local_series(parts, local_start, zone)
    except ValueError as exc:
        raise ValueError(f"rrule cannot be expanded from this dtstart: {exc}") from exc
    return _sorted_instants(series, zone)


def _sorted_instants(local_times: Iterable[datetime], zone: ZoneInfo) -> Iterator[datetime]:
    # fold=0 moves a time in a DST gap past the gap (02:30 -> 03:30) and picks the first of an
    # ambiguous pair; the gap shift can put an instant after later ones, so hold instants back
    # until no later wall-clock time can map before them.
    pending: list[datetime] = []
    last: datetime | None = None
    for local in local_times:
        instant = local.replace(tzinfo=zone).astimezone(UTC)
        heapq.heappush(pending, instant)
        while pending[0] < instant - _MAX_GAP:
            ready = heapq.heappop(pending)
            if ready != last:
                last = ready
                yield ready
    while pending:
        ready = heapq.heappop(pending)
        if ready != last:
            last = ready
            yield ready


def normalize_rrule(rule: str) -> str:
    """Return the canonical "FREQ=...;..." text of a preset name or (RRULE:)FREQ=... rule.

    Keys and values are upper-cased, FREQ comes first and the other parts keep their order.
    Raises ValueError with a readable message for anything that is not a single valid RFC 5545
    rule with FREQ HOURLY..YEARLY, COUNT >= 1 (never with UNTIL), INTERVAL 1..1000, <= 500 chars.
    """
    return _join(_parse(rule))


def next_occurrence(rrule: str, dtstart: datetime, after: datetime, tz: str) -> datetime | None:
    """Return the first occurrence strictly after `after` as an aware UTC datetime.

    The rule is expanded on wall-clock time in IANA zone `tz` from `dtstart` (dateutil semantics:
    dtstart counts only if it matches the rule, COUNT counts from dtstart). None once COUNT or
    UNTIL has ended the series. `dtstart` and `after` must be aware; raises ValueError for bad
    rules, zones or naive datetimes.
    """
    _require_aware(after, "after")
    return next((at for at in _instants(rrule, dtstart, tz) if at > after), None)


def upcoming(rrule: str, dtstart: datetime, tz: str, after: datetime, n: int) -> list[datetime]:
    """Return the next `n` (1..100) occurrences strictly after `after`, fewer if the series ends."""
    if not 1 <= n <= MAX_UPCOMING:
        raise ValueError(f"n must be between 1 and {MAX_UPCOMING}")
    _require_aware(after, "after")
    later = (at for at in _instants(rrule, dtstart, tz) if at > after)
    return list(itertools.islice(later, n))


def rrule_count(rule: str) -> int | None:
    """Return the rule's COUNT, or None when it has none."""
    count = _parse(rule).get("COUNT")
    return None if count is None else int(count)


def strip_count(rule: str) -> str:
    """Return the canonical rule without its COUNT part."""
    parts = _parse(rule)
    parts.pop("COUNT", None)
    return _join(parts)


_PART_LABELS = {
    "BYYEARDAY": "on year day",
    "BYWEEKNO": "in week",
    "BYHOUR": "at hour",
    "BYMINUTE": "at minute",
    "BYSECOND": "at second",
}


def describe(rule: str) -> str:
    """Return short English text for a rule, e.g. "every 2 weeks on Mon, Wed, 10 times"."""
    parts = _parse(rule)
    freq = parts["FREQ"]
    unit = _FREQ_UNITS[freq]
    interval = int(parts.get("INTERVAL", "1"))
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    text = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    if (
        days == _WEEKDAYS
        and interval == 1
        and freq in ("DAILY", "WEEKLY")
        and "BYSETPOS" not in parts
    ):
        text = "every weekday"
        days = []
    details = _describe_calendar(parts, days)
    details += [
        f"{label} {', '.join(parts[key].split(','))}"
        for key, label in _PART_LABELS.items()
        if key in parts
    ]
    if "BYSETPOS" in parts and not days:
        details.append(f"keeping only the {_positions(parts['BYSETPOS'])} of each {unit}")
    text = " ".join([text, *details])
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        text += ", once" if count == 1 else f", {count} times"
    if "UNTIL" in parts:
        text += f", until {_describe_until(parts['UNTIL'])}"
    return text


def _describe_calendar(parts: dict[str, str], days: list[str]) -> list[str]:
    months = (
        [_MONTH_NAMES[int(m) - 1] for m in parts["BYMONTH"].split(",")]
        if "BYMONTH" in parts
        else []
    )
    monthdays = [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
    details: list[str] = []
    if len(months) == 1 and len(monthdays) == 1 and monthdays[0] > 0:
        details.append(f"on {months[0]} {monthdays[0]}")
    else:
        if months:
            details.append("in " + ", ".join(months))
        if monthdays:
            details.append("on " + _describe_monthdays(monthdays))
    if days and "BYSETPOS" in parts:
        kind = "weekday" if days == _WEEKDAYS else " or ".join(_DAY_NAMES[d] for d in days)
        details.append(f"on the {_positions(parts['BYSETPOS'])} {kind}")
    elif days:
        details.append("on " + ", ".join(_describe_day(d) for d in days))
    return details


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


def _positions(bysetpos: str) -> str:
    return ", ".join(_ordinal(int(p)) for p in bysetpos.split(","))


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
