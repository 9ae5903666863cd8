"""Expansion: the occurrences of a rule on wall-clock time in an IANA zone, within a horizon.

Rules are expanded on naive local time in the task's zone (so "daily at 09:00" stays 09:00
local across DST changes) and every occurrence is returned as an aware UTC datetime.

Every expansion is bounded. `valid_rule` rejects rules that have no occurrence within their
search horizon from a fixed reference start, and the expanding functions look no further than
the horizon past `after` (see `search_horizon`), with dateutil's own scan stopped by
`BoundedRule`. Expansion restarts near `after` instead of walking from dtstart, so its cost does
not grow with the age of the series (except under COUNT, which has to be counted from dtstart).
"""

from __future__ import annotations

import functools
import heapq
import itertools
from bisect import bisect_left
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, rrule

from todo_app.core.recurrence.bounded import (
    BoundedRule,
    ScanLimit,
    dateutil_args,
    reach,
    scan_budget,
)
from todo_app.core.recurrence.rule import NEVER_ERROR, Rule, not_valid

MAX_UPCOMING = 100
# The search horizon: this many years past `after`, or HORIZON_PERIODS times FREQ*INTERVAL when
# that is longer, shortened for rules that are slow to step through (see search_horizon).
HORIZON_YEARS = {"YEARLY": 100, "MONTHLY": 100, "WEEKLY": 50, "DAILY": 10, "HOURLY": 10}
HORIZON_PERIODS = 40

_UNIT = {
    "YEARLY": timedelta(days=366),
    "MONTHLY": timedelta(days=31),
    "WEEKLY": timedelta(weeks=1),
    "DAILY": timedelta(days=1),
    "HOURLY": timedelta(hours=1),
}
_YEAR = timedelta(days=365.2425)
# Largest jump of any zone's clock (Samoa skipped a whole day in 2011): a wall-clock time in a
# DST gap maps to at most this much later than the occurrences right after the gap.
_MAX_GAP = timedelta(days=1)
# Under COUNT the series is walked from dtstart: at most this many occurrences (days, for the
# day-by-day walk) before `after`.
_MAX_SKIPPED = 2000
# Fixed start from which valid_rule checks that a rule can occur at all.
_PROBE_START = datetime(2000, 1, 1, 9)
# Leaves room to convert the last wall-clock time to UTC in any zone.
_LAST_LOCAL = datetime(9999, 12, 30)


def valid_rule(rule: str | Rule) -> Rule:
    """The rule, checked as every expanding function checks it: well-formed (Rule.from_text),
    accepted by dateutil, and with an occurrence within its search_horizon from
    2000-01-01T09:00 when INTERVAL, COUNT and UNTIL are ignored (else "rrule never produces an
    occurrence", say for FREQ=DAILY;BYDAY=MO;BYSETPOS=2). Raises ValueError."""
    return _valid_text(rule if isinstance(rule, str) else rule.text)


# Rules are immutable and few users write new ones: most calls find theirs here.
@functools.lru_cache(maxsize=1024)
def _valid_text(text: str) -> Rule:
    parsed = Rule.from_text(text)
    # Start at the first BYHOUR: dateutil rejects an HOURLY rule whose INTERVAL never reaches
    # BYHOUR from the start hour, which is a property of the dtstart, not of the rule.
    probe_hour = parsed.byhour[0] if parsed.byhour else 0
    try:
        rrule(dtstart=datetime(2000, 1, 1, probe_hour), **dateutil_args(parsed, _PROBE_START))
    except (ValueError, TypeError, KeyError) as exc:
        raise not_valid(str(exc)) from exc
    if not _can_occur(parsed.replace(interval=1, count=None, until=None)):
        raise ValueError(NEVER_ERROR)
    return parsed


@functools.lru_cache(maxsize=1024)
def _can_occur(rule: Rule) -> bool:
    """Whether the rule has an occurrence within its horizon from _PROBE_START.

    Called without INTERVAL, COUNT and UNTIL: they only thin out or cut off the series, and
    which periods INTERVAL keeps depends on the dtstart (every 7 days on Mondays is fine from a
    Monday).
    """
    series = _Series.build(rule, _PROBE_START, None)
    limit = _PROBE_START + _horizon(rule)
    return next(series.walk(_PROBE_START, _PROBE_START, limit), None) is not None


def search_horizon(rule: str | Rule) -> timedelta:
    """How far past `after` next_occurrence and upcoming look for occurrences of `rule`.

    HORIZON_YEARS[FREQ] years, or HORIZON_PERIODS times FREQ*INTERVAL when that is longer, but
    shortened for rules that are slow to step through (long BYxxx lists, many BYSETPOS values)
    so that one call never scans for more than a fixed amount of work (see bounded.reach).
    """
    return _horizon(valid_rule(rule))


def _horizon(rule: Rule) -> timedelta:
    wanted = max(
        HORIZON_YEARS[rule.freq] * _YEAR, HORIZON_PERIODS * rule.interval * _UNIT[rule.freq]
    )
    return min(wanted, reach(rule))


def _local_until(rule: Rule, zone: ZoneInfo) -> datetime | None:
    """UNTIL moved onto the zone's wall clock; a date-only UNTIL includes that whole day."""
    until = rule.until_at
    if until is None:
        return None
    if until.tzinfo is not None:
        return until.astimezone(zone).replace(tzinfo=None)
    if rule.until is not None and len(rule.until) == 8:
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
    def build(cls, rule: Rule, start: datetime, zone: ZoneInfo | None) -> _Series:
        args = dateutil_args(rule, start)
        # Fails here, not mid-expansion, when an HOURLY INTERVAL never reaches BYHOUR.
        rrule(dtstart=start, **args)
        return cls(
            freq=rule.freq,
            interval=args["interval"],
            wkst=args["wkst"],
            args=args,
            start=start,
            count=rule.count,
            until=None if zone is None else _local_until(rule, zone),
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
        budget = scan_budget(self.freq, self.interval, anchor, limit)
        if self.by_day:
            found = self._walk_days(budget, anchor, skip_before, limit)
        else:
            found = self._walk_dateutil(budget, anchor, skip_before, limit)
        try:
            cut_short = yield from found
        except ScanLimit:  # raised only once the scan is past `limit`
            cut_short = True
        # Only COUNT starts far enough back for `limit` to come before `skip_before`; then it
        # is unknown whether the series ends before `after`.
        if cut_short and self.count is not None and limit < skip_before:
            raise _too_far()

    def _walk_dateutil(
        self, budget: int, anchor: datetime, skip_before: datetime, limit: datetime
    ) -> Generator[datetime, None, bool]:
        """Expansion by dateutil alone; returns whether it stopped at `limit`."""
        rule = BoundedRule(budget, dtstart=anchor, count=self.count, until=self.until, **self.args)
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
        days = BoundedRule(
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


def _instants_after(
    rule: str | Rule, dtstart: datetime, after: datetime, tz: str
) -> Iterator[datetime]:
    """Validate the inputs; return the occurrences in (after, after + horizon] as aware UTC
    datetimes, ascending, without repeats (the horizon counts from dtstart if that is later;
    under COUNT it can end sooner, see next_occurrence)."""
    parsed = valid_rule(rule)
    zone = _zone(tz)
    _require_aware(dtstart, "dtstart")
    _require_aware(after, "after")
    local_start = dtstart.astimezone(zone).replace(tzinfo=None, microsecond=0)
    try:
        series = _Series.build(parsed, local_start, zone)
    except ValueError as exc:
        raise ValueError(f"rrule cannot be expanded from this dtstart: {exc}") from exc
    horizon = _horizon(parsed)
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
        limit = min(limit, _plus(anchor, reach(parsed) + 2 * _MAX_GAP, _LAST_LOCAL))
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


def next_occurrence(
    rule: str | Rule, dtstart: datetime, after: datetime, tz: str
) -> datetime | None:
    """Return the first occurrence strictly after `after` as an aware UTC datetime.

    The rule is expanded on wall-clock time in IANA zone `tz` from `dtstart` (dateutil semantics:
    dtstart counts only if it matches the rule, COUNT counts from dtstart). Returns None once
    COUNT or UNTIL has ended the series, and also when the series has no occurrence within
    search_horizon(rule) past `after` (past `dtstart`, if that is later): the search never
    looks further, so each call does a bounded amount of work whatever the rule. With COUNT
    the walk has to start at dtstart, and for a rule that is slow to step through the horizon
    then ends early by as much as dtstart lies before `after`.

    `dtstart` and `after` must be aware. Raises ValueError for bad rules, zones or naive
    datetimes, and for a COUNT rule whose dtstart lies so far before `after` that counting up
    to it would take thousands of occurrences (or days).
    """
    return next(_instants_after(rule, dtstart, after, tz), None)


def upcoming(
    rule: str | Rule, dtstart: datetime, tz: str, after: datetime, n: int
) -> list[datetime]:
    """Return the next `n` (1..100) occurrences strictly after `after`, as next_occurrence finds
    them: fewer if the series ends or the rest lie beyond the search horizon."""
    if not 1 <= n <= MAX_UPCOMING:
        raise ValueError(f"n must be between 1 and {MAX_UPCOMING}")
    return list(itertools.islice(_instants_after(rule, dtstart, after, tz), n))
