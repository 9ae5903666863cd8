"""The bounded dateutil adapter: a Rule as dateutil's arguments, and a scan that must stop.

dateutil on its own scans period after period until the year 9999 when nothing matches
(seconds of CPU for one request). `BoundedRule` stops it after a number of calendar steps, and
`reach` says how much calendar one call may scan for a rule, from a model of what dateutil's
steps cost, so that a rule made to be slow to step through (many BYSETPOS positions, hardly
ever matching) still costs one call about 10 ms (`bench/recurrence.py` measures it with and
without the model).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dateutil.rrule import DAILY, HOURLY, MONTHLY, WEEKLY, YEARLY, rrule, weekdays

from todo_app.core.recurrence.rule import DAY_CODES, Rule

_FREQ_CODES = {
    "YEARLY": YEARLY,
    "MONTHLY": MONTHLY,
    "WEEKLY": WEEKLY,
    "DAILY": DAILY,
    "HOURLY": HOURLY,
}
_INT_LISTS = ("bysecond", "byminute", "byhour", "bymonth", "bymonthday", "byyearday", "byweekno")
DAY_INDEX = {code: index for index, code in enumerate(DAY_CODES)}
_YEAR = timedelta(days=365.2425)
# Cost model of dateutil stepping through one year in which nothing matches, in microseconds:
# a base per FREQ (HOURLY is walked day by day, like DAILY), the day-filter lists it checks
# every day against, and BYSETPOS, which it resolves position by position in every period
# (not for HOURLY and DAILY, which expansion walks day by day).
_SCAN_BASE = {"YEARLY": 50, "MONTHLY": 60, "WEEKLY": 160, "DAILY": 800, "HOURLY": 800}
_SCAN_PER_VALUE = 8
_SCAN_PER_POSITION = {"YEARLY": 4, "MONTHLY": 17, "WEEKLY": 75, "DAILY": 0, "HOURLY": 0}
# Modelled work allowed for scanning in one call (about 10 ms), and the shortest reach it buys.
_SCAN_BUDGET = 10_000
_MIN_REACH = timedelta(days=30)


class ScanLimit(Exception):
    """Raised from inside dateutil's expansion once a BoundedRule has used up its budget."""


class BoundedRule(rrule):
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
                raise ScanLimit
            self._budget -= 1
        return None

    @_byeaster.setter
    def _byeaster(self, value: object) -> None:
        """dateutil's constructor stores None here; there is nothing to keep."""


def scan_budget(freq: str, interval: int, start: datetime, end: datetime) -> int:
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


def reach(rule: Rule) -> timedelta:
    """How much calendar one call may scan for this rule within the modelled work budget."""
    filters = (rule.bymonth, rule.byweekno, rule.byyearday, rule.bymonthday, rule.byday)
    per_year = (
        _SCAN_BASE[rule.freq]
        + _SCAN_PER_VALUE * sum(len(set(values)) for values in filters)
        + _SCAN_PER_POSITION[rule.freq] * len(rule.reachable_positions())
    )
    # INTERVAL thins out the periods dateutil steps through (HOURLY steps through all days).
    steps = 1 if rule.freq == "HOURLY" else rule.interval
    years = min(_SCAN_BUDGET * steps / per_year, 10_000.0)
    return max(_MIN_REACH, years * _YEAR)


def dateutil_args(rule: Rule, local_start: datetime) -> dict[str, Any]:
    """dateutil arguments for the rule without COUNT and UNTIL, with every default dateutil
    would take from dtstart spelled out, so the series can restart from a later dtstart."""
    args: dict[str, Any] = {
        "freq": _FREQ_CODES[rule.freq],
        "interval": rule.interval,
        # RFC 5545 default; dateutil would otherwise follow calendar.firstweekday().
        "wkst": DAY_INDEX[rule.wkst or "MO"],
    }
    for name in _INT_LISTS:
        if getattr(rule, name):
            args[name] = list(getattr(rule, name))
    if rule.bysetpos:
        args["bysetpos"] = rule.reachable_positions()
    if rule.byday:
        args["byweekday"] = [
            weekdays[DAY_INDEX[item[-2:]]](int(item[:-2]) if len(item) > 2 else None)
            for item in rule.byday
        ]
    if not (rule.byweekno or rule.byyearday or rule.bymonthday or rule.byday):
        if rule.freq == "YEARLY":
            args.setdefault("bymonth", [local_start.month])
            args["bymonthday"] = [local_start.day]
        elif rule.freq == "MONTHLY":
            args["bymonthday"] = [local_start.day]
        elif rule.freq == "WEEKLY":
            args["byweekday"] = [local_start.weekday()]
    if rule.freq != "HOURLY":
        args.setdefault("byhour", [local_start.hour])
    args.setdefault("byminute", [local_start.minute])
    args.setdefault("bysecond", [local_start.second])
    return args
