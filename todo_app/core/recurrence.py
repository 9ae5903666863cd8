"""Recurrence rules: validation of RFC 5545 RRULE text and wall-clock expansion in an IANA zone.

Pure logic, no I/O. Rules are expanded on naive local time in the task's zone (so "daily at
09:00" stays 09:00 local across DST changes) and every occurrence is returned as an aware UTC
datetime.

Every expansion is bounded, because dateutil on its own scans period after period until year
9999 when nothing matches (seconds of CPU for one request). `normalize_rrule` rejects rules that
have no occurrence within their search horizon from a fixed reference start, and the expanding
functions look no further than the horizon past `after` (see `search_horizon`). Expansion
restarts near `after` instead of walking from dtstart, so its cost does not grow with the age of
the series (except under COUNT, which has to be counted from dtstart).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
from bisect import bisect_left
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, HOURLY, MONTHLY, WEEKLY, YEARLY, rrule, weekdays

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
# Denser rules (one a second, say) would make a single call walk through tens of thousands of
# occurrences around `after`.
MAX_TIMES_PER_DAY = 1440
# The search horizon: this many years past `after`, or HORIZON_PERIODS times FREQ*INTERVAL when
# that is longer, shortened for rules that are slow to step through (see search_horizon).
HORIZON_YEARS = {"YEARLY": 100, "MONTHLY": 100, "WEEKLY": 50, "DAILY": 10, "HOURLY": 10}
HORIZON_PERIODS = 40

_FREQ_UNITS = {
    "HOURLY": "hour",
    "DAILY": "day",
    "WEEKLY": "week",
    "MONTHLY": "month",
    "YEARLY": "year",
}
_FREQ_ERROR = "rrule FREQ must be one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY"
_NEVER_ERROR = "rrule never produces an occurrence"
_DAY_NAMES = {
    "MO": "Mon",
    "TU": "Tue",
    "WE": "Wed",
    "TH": "Thu",
    "FR": "Fri",
    "SA": "Sat",
    "SU": "Sun",
}
_DAY_INDEX = {code: index for index, code in enumerate(_DAY_NAMES)}
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

# --- Bounded expansion -------------------------------------------------------------------------
_FREQ_CODES = {
    "YEARLY": YEARLY,
    "MONTHLY": MONTHLY,
    "WEEKLY": WEEKLY,
    "DAILY": DAILY,
    "HOURLY": HOURLY,
}
_INT_LIST_ARGS = {key: key.lower() for key in _INT_LIST_BOUNDS}
_DAY_FILTERS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
# Most days one period of each FREQ can hold, for telling BYSETPOS positions that can never
# exist apart from those that can.
_PERIOD_DAYS = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7, "DAILY": 1, "HOURLY": 1}
_UNIT = {
    "YEARLY": timedelta(days=366),
    "MONTHLY": timedelta(days=31),
    "WEEKLY": timedelta(weeks=1),
    "DAILY": timedelta(days=1),
    "HOURLY": timedelta(hours=1),
}
_YEAR = timedelta(days=365.2425)
# Cost model of dateutil stepping through one year in which nothing matches, calibrated in
# microseconds on a 2-core machine: a base per FREQ (HOURLY is walked day by day, like DAILY),
# the day-filter lists it checks every day against, and BYSETPOS, which it resolves position by
# position in every period (not for HOURLY and DAILY, see _Series.by_day).
_SCAN_BASE = {"YEARLY": 50, "MONTHLY": 60, "WEEKLY": 160, "DAILY": 800, "HOURLY": 800}
_SCAN_PER_VALUE = 8
_SCAN_PER_POSITION = {"YEARLY": 4, "MONTHLY": 17, "WEEKLY": 75, "DAILY": 0, "HOURLY": 0}
# Modelled work allowed for scanning in one call (about 10 ms), and the shortest reach it buys.
_SCAN_BUDGET = 10_000
_MIN_REACH = timedelta(days=30)
# Under COUNT the series is walked from dtstart: at most this many occurrences (days, for the
# day-by-day walk) before `after`.
_MAX_SKIPPED = 2000
# Fixed start from which normalize_rrule checks that a rule can occur at all.
_PROBE_START = datetime(2000, 1, 1, 9)
# Leaves room to convert the last wall-clock time to UTC in any zone.
_LAST_LOCAL = datetime(9999, 12, 30)


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
    _check_times(canonical)
    # Start at the first BYHOUR: dateutil rejects an HOURLY rule whose INTERVAL never reaches
    # BYHOUR from the start hour, which is a property of the dtstart, not of the rule.
    probe_hour = int(canonical["BYHOUR"].split(",")[0]) if "BYHOUR" in canonical else 0
    try:
        rrule(dtstart=datetime(2000, 1, 1, probe_hour), **_rule_args(canonical, _PROBE_START))
    except (ValueError, TypeError, KeyError) as exc:
        raise _invalid(str(exc)) from exc
    if not _can_occur(_join(canonical)):
        raise ValueError(_NEVER_ERROR)
    return canonical


def _reject_impossible_days(parts: dict[str, str]) -> None:
    """Reject month/day combinations that never occur, with a message saying why."""
    if "BYMONTHDAY" not in parts or "BYMONTH" not in parts:
        return
    days = [abs(int(d)) for d in parts["BYMONTHDAY"].split(",")]
    lengths = [_MONTH_LENGTHS[int(m) - 1] for m in parts["BYMONTH"].split(",")]
    if min(days) > max(lengths):
        raise _invalid("no month in BYMONTH has any day in BYMONTHDAY")


def _distinct(parts: dict[str, str], key: str, default: int = 1) -> int:
    """How many different values the list part `key` holds (`default` when it is absent)."""
    return len(set(parts[key].split(","))) if key in parts else default


def _check_times(parts: dict[str, str]) -> None:
    """Reject rules denser than MAX_TIMES_PER_DAY and BYSETPOS no period can ever reach."""
    hourly = parts["FREQ"] == "HOURLY"
    per_hour = _distinct(parts, "BYMINUTE") * _distinct(parts, "BYSECOND")
    if _distinct(parts, "BYHOUR", 24 if hourly else 1) * per_hour > MAX_TIMES_PER_DAY:
        raise ValueError(f"rrule must not occur more than {MAX_TIMES_PER_DAY} times a day")
    if "BYSETPOS" in parts and not _reachable_positions(parts):
        raise ValueError(_NEVER_ERROR)


def _reachable_positions(parts: dict[str, str]) -> list[int]:
    """The BYSETPOS values some period can have: one period holds at most its days times the
    times of day (of the hour, for HOURLY); dateutil silently skips the others."""
    per_day = _distinct(parts, "BYMINUTE") * _distinct(parts, "BYSECOND")
    if parts["FREQ"] != "HOURLY":
        per_day *= _distinct(parts, "BYHOUR")
    most = _PERIOD_DAYS[parts["FREQ"]] * per_day
    return [p for p in map(int, parts["BYSETPOS"].split(",")) if abs(p) <= most]


def _join(parts: dict[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _split(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";"))


@functools.lru_cache(maxsize=1024)
def _can_occur(text: str) -> bool:
    """Whether the canonical rule has an occurrence within its horizon from _PROBE_START.

    INTERVAL, COUNT and UNTIL are dropped: they only thin out or cut off the series, and which
    periods INTERVAL keeps depends on the dtstart (every 7 days on Mondays is fine from a Monday).
    """
    parts = {k: v for k, v in _split(text).items() if k not in ("INTERVAL", "COUNT", "UNTIL")}
    series = _Series.build(parts, _PROBE_START, None)
    limit = _PROBE_START + _horizon(parts)
    return next(series.walk(_PROBE_START, _PROBE_START, limit), None) is not None


def search_horizon(rule: str) -> timedelta:
    """How far past `after` next_occurrence and upcoming look for occurrences of `rule`.

    HORIZON_YEARS[FREQ] years, or HORIZON_PERIODS times FREQ*INTERVAL when that is longer, but
    shortened for rules that are slow to step through (long BYxxx lists, many BYSETPOS values)
    so that one call never scans for more than a fixed amount of work.
    """
    return _horizon(_parse(rule))


def _horizon(parts: dict[str, str]) -> timedelta:
    freq = parts["FREQ"]
    interval = int(parts.get("INTERVAL", "1"))
    wanted = max(HORIZON_YEARS[freq] * _YEAR, HORIZON_PERIODS * interval * _UNIT[freq])
    return min(wanted, _reach(parts))


def _reach(parts: dict[str, str]) -> timedelta:
    """How much calendar one call may scan for this rule within the modelled work budget."""
    freq = parts["FREQ"]
    interval = int(parts.get("INTERVAL", "1"))
    per_year = (
        _SCAN_BASE[freq]
        + _SCAN_PER_VALUE * sum(_distinct(parts, key, 0) for key in _DAY_FILTERS)
        + _SCAN_PER_POSITION[freq]
        * (len(_reachable_positions(parts)) if "BYSETPOS" in parts else 0)
    )
    # INTERVAL thins out the periods dateutil steps through (HOURLY steps through all days).
    steps = 1 if freq == "HOURLY" else interval
    years = min(_SCAN_BUDGET * steps / per_year, 10_000.0)
    return max(_MIN_REACH, years * _YEAR)


class _ScanLimit(Exception):
    """Raised from inside dateutil's expansion once a _BoundedRule has used up its budget."""


class _BoundedRule(rrule):
    """A dateutil rule whose expansion stops after a fixed number of calendar steps.

    dateutil's generator only hands back matches: when nothing matches it keeps stepping, period
    by period, up to year 9999. Its per-year/month bookkeeping (_iterinfo.rebuild) reads
    `_byeaster` on every step into a new month or year (every period for YEARLY and MONTHLY),
    so counting those reads bounds the scan without changing any result. BYEASTER is never
    accepted here, so the attribute is always None.
    """

    def __init__(self, budget: int, **kwargs: Any) -> None:
        self._budget: int | None = None
        super().__init__(**kwargs)
        self._budget = budget

    @property
    def _byeaster(self) -> None:
        if self._budget is not None:
            if self._budget <= 0:
                raise _ScanLimit
            self._budget -= 1
        return None

    @_byeaster.setter
    def _byeaster(self, value: object) -> None:
        """dateutil's constructor stores None here; there is nothing to keep."""


def _scan_budget(freq: str, interval: int, start: datetime, end: datetime) -> int:
    """Reads of `_byeaster` that take dateutil from `start` past `end`, and no further.

    YEARLY and MONTHLY read it once a period; the others once per month boundary crossed (a
    step may cross several). Two more reads happen before the first period.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if freq == "YEARLY":
        steps = (end.year - start.year) // interval
    elif freq == "MONTHLY":
        steps = months // interval
    else:
        steps = months
    return max(steps, 0) + 3


def _rule_args(parts: dict[str, str], local_start: datetime) -> dict[str, Any]:
    """dateutil arguments for the rule without COUNT and UNTIL, with every default dateutil
    would take from dtstart spelled out, so the series can restart from a later dtstart."""
    freq = parts["FREQ"]
    args: dict[str, Any] = {
        "freq": _FREQ_CODES[freq],
        "interval": int(parts.get("INTERVAL", "1")),
        # RFC 5545 default; dateutil would otherwise follow calendar.firstweekday().
        "wkst": _DAY_INDEX[parts.get("WKST", "MO")],
    }
    for key, name in _INT_LIST_ARGS.items():
        if key in parts:
            args[name] = [int(value) for value in parts[key].split(",")]
    if "BYSETPOS" in parts:
        args["bysetpos"] = _reachable_positions(parts)
    if "BYDAY" in parts:
        args["byweekday"] = [
            weekdays[_DAY_INDEX[item[-2:]]](int(item[:-2]) if len(item) > 2 else None)
            for item in parts["BYDAY"].split(",")
        ]
    if not any(k in parts for k in ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")):
        if freq == "YEARLY":
            args.setdefault("bymonth", [local_start.month])
            args["bymonthday"] = [local_start.day]
        elif freq == "MONTHLY":
            args["bymonthday"] = [local_start.day]
        elif freq == "WEEKLY":
            args["byweekday"] = [local_start.weekday()]
    if freq != "HOURLY":
        args.setdefault("byhour", [local_start.hour])
    args.setdefault("byminute", [local_start.minute])
    args.setdefault("bysecond", [local_start.second])
    return args


def _local_until(text: str, zone: ZoneInfo) -> datetime:
    """UNTIL moved onto the zone's wall clock; a date-only UNTIL includes that whole day."""
    until = _until_datetime(text)
    if until.tzinfo is not None:
        return until.astimezone(zone).replace(tzinfo=None)
    if len(text) == 8:
        return datetime.combine(until.date(), time(23, 59, 59))
    return until


def _period_index(freq: str, at: datetime, wkst: int) -> int:
    """Number of the FREQ period holding `at` (weeks start on WKST)."""
    if freq == "YEARLY":
        return at.year
    if freq == "MONTHLY":
        return at.year * 12 + at.month - 1
    day = at.toordinal()
    if freq == "WEEKLY":
        return (day - 1 - wkst) // 7  # ordinal 1, 0001-01-01, is a Monday
    if freq == "DAILY":
        return day
    return day * 24 + at.hour


def _period_start(freq: str, index: int, wkst: int) -> datetime:
    if freq == "YEARLY":
        return datetime(index, 1, 1)
    if freq == "MONTHLY":
        return datetime(index // 12, index % 12 + 1, 1)
    if freq == "WEEKLY":
        return datetime.fromordinal(index * 7 + 1 + wkst)
    if freq == "DAILY":
        return datetime.fromordinal(index)
    return datetime.fromordinal(index // 24).replace(hour=index % 24)


@dataclass(frozen=True)
class _Series:
    """A valid rule bound to a wall-clock dtstart (whole seconds), ready to expand."""

    freq: str
    interval: int
    wkst: int
    args: dict[str, Any]
    start: datetime
    count: int | None
    until: datetime | None

    @property
    def by_day(self) -> bool:
        """Whether the series is walked day by day (see _walk_days): every HOURLY and DAILY
        one, since their BYSETPOS picks the same times in every hour or day, and the others
        without BYSETPOS."""
        return self.freq in ("HOURLY", "DAILY") or "bysetpos" not in self.args

    @classmethod
    def build(cls, parts: dict[str, str], start: datetime, zone: ZoneInfo | None) -> _Series:
        until = parts.get("UNTIL")
        args = _rule_args(parts, start)
        # Fails here, not mid-expansion, when an HOURLY INTERVAL never reaches BYHOUR.
        rrule(dtstart=start, **args)
        return cls(
            freq=parts["FREQ"],
            interval=args["interval"],
            wkst=args["wkst"],
            args=args,
            start=start,
            count=int(parts["COUNT"]) if "COUNT" in parts else None,
            until=None if until is None or zone is None else _local_until(until, zone),
        )

    def anchor(self, target: datetime) -> datetime:
        """Where expansion can restart and still yield every occurrence from `target` on.

        That is `target` itself inside a period INTERVAL keeps, or the whole period when
        BYSETPOS needs all of it, or else the start of the next kept period. COUNT is counted
        from dtstart, so it always restarts there.
        """
        if self.count is not None or target <= self.start:
            return self.start
        first = _period_index(self.freq, self.start, self.wkst)
        index = _period_index(self.freq, target, self.wkst)
        kept = first + (index - first) // self.interval * self.interval
        if kept < index:
            return _period_start(self.freq, kept + self.interval, self.wkst)
        if self.by_day:
            return target
        # The first period starts at dtstart itself (WEEKLY counts BYSETPOS in that part week).
        return self.start if kept == first else _period_start(self.freq, kept, self.wkst)

    def walk(self, anchor: datetime, skip_before: datetime, limit: datetime) -> Iterator[datetime]:
        """Wall-clock occurrences in [skip_before, limit], ascending, expanding from `anchor`.

        Raises ValueError when COUNT would need counting through too much of the series.
        """
        budget = _scan_budget(self.freq, self.interval, anchor, limit)
        if self.by_day:
            found = self._walk_days(budget, anchor, skip_before, limit)
        else:
            found = self._walk_dateutil(budget, anchor, skip_before, limit)
        try:
            cut_short = yield from found
        except _ScanLimit:  # raised only once the scan is past `limit`
            cut_short = True
        # Only COUNT starts far enough back for `limit` to come before `skip_before`; then it
        # is unknown whether the series ends before `after`.
        if cut_short and self.count is not None and limit < skip_before:
            raise _too_far()

    def _walk_dateutil(
        self, budget: int, anchor: datetime, skip_before: datetime, limit: datetime
    ) -> Generator[datetime, None, bool]:
        """Expansion by dateutil alone; returns whether it stopped at `limit`."""
        rule = _BoundedRule(budget, dtstart=anchor, count=self.count, until=self.until, **self.args)
        skipped = 0
        for at in rule:
            if at > limit:
                return True
            if at < skip_before:
                skipped += 1
                if skipped > _MAX_SKIPPED:
                    raise _too_far()
                continue
            yield at
        return False

    def _walk_days(
        self, budget: int, anchor: datetime, skip_before: datetime, limit: datetime
    ) -> Generator[datetime, None, bool]:
        """Let dateutil find the matching days and add the times of day here.

        Every matching day has the same times (for HOURLY, those of the hours INTERVAL keeps
        that day), while dateutil would build (and for those before `anchor`, throw away) each
        of them in the anchor's whole period, or step hour by hour. Returns whether it stopped
        at `limit`.
        """
        args = {**self.args, "byhour": 0, "byminute": 0, "bysecond": 0}
        args.pop("bysetpos", None)
        if self.freq == "HOURLY":
            # The day filters select the same days for DAILY; INTERVAL is applied to the hours.
            args.update(freq=DAILY, interval=1)
        times_on = self._times_of_day()
        days = _BoundedRule(
            budget,
            dtstart=datetime.combine(anchor.date(), time()),
            until=None if self.until is None else datetime.combine(self.until.date(), time()),
            **args,
        )
        remaining = self.count
        skipped = 0
        for day in days:
            if day > limit:
                return True
            today = day.date()
            todays = times_on(today)
            if today == anchor.date():
                todays = todays[bisect_left(todays, anchor.time()) :]
            if not todays:
                continue
            if datetime.combine(today, todays[-1]) < skip_before:
                # The whole day lies before `skip_before`: count it without building it.
                if self.until is not None and datetime.combine(today, todays[-1]) > self.until:
                    return False
                if remaining is not None:
                    if remaining <= len(todays):
                        return False
                    remaining -= len(todays)
                skipped += 1
                if skipped > _MAX_SKIPPED:
                    raise _too_far()
                continue
            for moment in todays:
                at = datetime.combine(today, moment)
                if (self.until is not None and at > self.until) or remaining == 0:
                    return False
                if remaining is not None:
                    remaining -= 1
                if at > limit:
                    return True
                if at >= skip_before:
                    yield at
        return False

    def _times_of_day(self) -> Callable[[date], list[time]]:
        """The sorted times of the series on a matching day (for HOURLY, those of the hours
        that INTERVAL keeps on that day); BYSETPOS picks among those of each day (hour)."""
        positions = self.args.get("bysetpos")

        def picked(values: list[Any]) -> list[Any]:
            if positions is None:
                return values
            count = len(values)
            return sorted({values[p - 1 if p > 0 else p] for p in positions if abs(p) <= count})

        minute_seconds = sorted(
            {(m, s) for m in self.args["byminute"] for s in self.args["bysecond"]}
        )
        if self.freq != "HOURLY":
            every_day = picked(
                sorted({time(h, m, s) for h in self.args["byhour"] for m, s in minute_seconds})
            )
            return lambda _day: every_day
        minute_seconds = picked(minute_seconds)
        hours = sorted(set(self.args.get("byhour", range(24))))
        first = _period_index("HOURLY", self.start, self.wkst)
        by_phase: dict[int, list[time]] = {}

        def times_on(day: date) -> list[time]:
            phase = (day.toordinal() * 24 - first) % self.interval
            if phase not in by_phase:
                by_phase[phase] = [
                    time(h, m, s)
                    for h in hours
                    if (phase + h) % self.interval == 0
                    for m, s in minute_seconds
                ]
            return by_phase[phase]

        return times_on


def _too_far() -> ValueError:
    return ValueError(
        "rrule with COUNT is counted from dtstart, and dtstart is too far before `after` for "
        "that; use a later dtstart and a smaller COUNT"
    )


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"timezone {tz!r} is not a valid IANA time zone") from exc


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _plus(at: datetime, delta: timedelta, last: datetime) -> datetime:
    """`at + delta`, but no later than `last`."""
    try:
        return min(at + delta, last)
    except OverflowError:
        return last


def _instants_after(rule: str, dtstart: datetime, after: datetime, tz: str) -> Iterator[datetime]:
    """Validate the inputs; return the occurrences in (after, after + horizon] as aware UTC
    datetimes, ascending, without repeats (the horizon counts from dtstart if that is later;
    under COUNT it can end sooner, see next_occurrence)."""
    parts = _parse(rule)
    zone = _zone(tz)
    _require_aware(dtstart, "dtstart")
    _require_aware(after, "after")
    local_start = dtstart.astimezone(zone).replace(tzinfo=None, microsecond=0)
    try:
        series = _Series.build(parts, local_start, zone)
    except ValueError as exc:
        raise ValueError(f"rrule cannot be expanded from this dtstart: {exc}") from exc
    horizon = _horizon(parts)
    origin = max(after, dtstart)
    try:
        local_origin = origin.astimezone(zone).replace(tzinfo=None)
        # A wall-clock time up to _MAX_GAP before `after`'s can still be a later instant.
        skip_before = after.astimezone(zone).replace(tzinfo=None) - _MAX_GAP
        anchor = series.anchor(skip_before)
    except (ValueError, OverflowError):  # `after` or the next kept period is past year 9999
        return iter(())
    limit = _plus(local_origin, horizon + 2 * _MAX_GAP, _LAST_LOCAL)
    if series.count is not None:
        # The scan starts at dtstart, so it is the scan, not the horizon, that gets the budget.
        limit = min(limit, _plus(anchor, _reach(parts) + 2 * _MAX_GAP, _LAST_LOCAL))
    # Wall-clock times later than `limit` are instants more than a day past this one.
    cut = min(_plus(origin, horizon, datetime.max.replace(tzinfo=UTC)), _as_utc(limit - _MAX_GAP))
    local_times = series.walk(anchor, skip_before, limit)
    found = (at for at in _sorted_instants(local_times, zone) if at > after)
    return itertools.takewhile(lambda at: at <= cut, found)


def _as_utc(naive: datetime) -> datetime:
    return naive.replace(tzinfo=UTC)


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
    rule with FREQ HOURLY..YEARLY, COUNT >= 1 (never with UNTIL), INTERVAL 1..1000, <= 500 chars,
    at most MAX_TIMES_PER_DAY times a day; and with "rrule never produces an occurrence" for a
    rule that, from 2000-01-01T09:00 with INTERVAL, COUNT and UNTIL ignored, has no occurrence
    within its search_horizon (say FREQ=DAILY;BYDAY=MO;BYSETPOS=2).
    """
    return _join(_parse(rule))


def next_occurrence(rrule: str, dtstart: datetime, after: datetime, tz: str) -> datetime | None:
    """Return the first occurrence strictly after `after` as an aware UTC datetime.

    The rule is expanded on wall-clock time in IANA zone `tz` from `dtstart` (dateutil semantics:
    dtstart counts only if it matches the rule, COUNT counts from dtstart). Returns None once
    COUNT or UNTIL has ended the series, and also when the series has no occurrence within
    search_horizon(rrule) past `after` (past `dtstart`, if that is later): the search never
    looks further, so each call does a bounded amount of work whatever the rule. With COUNT
    the walk has to start at dtstart, and for a rule that is slow to step through the horizon
    then ends early by as much as dtstart lies before `after`.

    `dtstart` and `after` must be aware. Raises ValueError for bad rules, zones or naive
    datetimes, and for a COUNT rule whose dtstart lies so far before `after` that counting up
    to it would take thousands of occurrences (or days).
    """
    return next(_instants_after(rrule, dtstart, after, tz), None)


def upcoming(rrule: str, dtstart: datetime, tz: str, after: datetime, n: int) -> list[datetime]:
    """Return the next `n` (1..100) occurrences strictly after `after`, as next_occurrence finds
    them: fewer if the series ends or the rest lie beyond the search horizon."""
    if not 1 <= n <= MAX_UPCOMING:
        raise ValueError(f"n must be between 1 and {MAX_UPCOMING}")
    return list(itertools.islice(_instants_after(rrule, dtstart, after, tz), n))


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
