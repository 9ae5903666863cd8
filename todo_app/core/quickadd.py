"""The quick-add language: "Pay rent every month on the 1st #home p1" -> title, tags, priority,
due date and recurrence.

`parse(text, now, tz)` reads one line the way a Todoist or Taskwarrior user would type it and
returns a `QuickAdd`. Recognised tokens are removed from the title; everything else stays in it,
word for word. Pure logic: no I/O, nothing of ours but other core modules.

Grammar (case-insensitive; a token has to stand as its own word(s)):

- tags: ``#errands`` (a ``#`` at the start of a word, followed by letters, digits, ``_ - / . :``);
  a lone ``#`` or ``C#`` stays in the title.
- priority: ``p1`` (high) ``p2`` (medium) ``p3`` (low), ``!high`` ``!medium`` ``!low``
  (also ``!h`` ``!m`` ``!l``). The first one wins; a second one stays in the title.
- dates (optionally preceded by on/by/due/starting): ``today``, ``tonight`` (20:00),
  ``tomorrow``, weekday names (``monday`` / ``mon`` after on/this/next: the next such day after
  today; ``next monday`` the one after that), ``in 3 days``, ``in 2 weeks``, ``in 1 month``,
  ``in a year``, ``in 45 minutes``, ``in 2 hours`` (an instant, not a date), ``next week``
  (next Monday), ``next month`` (its 1st), ``end of month``, ``dec 25``, ``december 25th``,
  ``25 december``, ``dec 25 2027``, ``2026-12-25``, ``12/25`` and ``12/25/2027`` (numbers are
  month/day). A date without a year that has already passed this year means next year.
  A weekday after "the"/"a" or followed by 's ("the Monday club", "Monday's notes") is text.
- times: ``5pm``, ``5 pm``, ``5:30pm``, ``17:00``, ``at 9`` (24-hour clock: 09:00), ``at 9am``,
  ``noon``, ``midnight``. A time alone means today if it is still ahead, else tomorrow; a date
  alone is all-day.
- recurrence: ``every day`` / ``daily``, ``every 3 days``, ``every weekday``, ``every weekend``,
  ``every monday``, ``every mon, wed and fri``, ``every week`` / ``weekly``, ``every 2 weeks``,
  ``every other week``, ``every week on monday``, ``every month`` / ``monthly``,
  ``every month on the 15th``, ``every 15th``, ``every 3rd friday``, ``every last friday``,
  ``every last day of the month``, ``every year`` / ``yearly`` / ``annually``, ``every dec 25``,
  ``every!`` (repeat from completion, like Todoist), then optionally ``until <date>`` or
  ``for 10 times``. A recurrence without a date starts at its first occurrence from now
  (all-day without a time), computed on the wall clock of `tz` so 09:00 stays 09:00 across DST;
  with a date it starts at the first occurrence on or after that date.
- project and section (TickTick's ``^list``, Todoist's ``/section``): ``^Work``, ``^Work/Admin``,
  ``^"Home renovation"``, ``/Admin``. A name is matched against the `places` given (the
  user's projects and their sections), case-insensitively, the longest first, so multi-word
  names need no quotes; the first of two projects with one name wins. ``^`` with a name no
  project has is still taken (``project`` names it, ``project_id`` stays None: the caller says
  it is unknown), and so is an unknown section after ``^Project/``. ``/Name`` alone names a
  section of that project (of the Inbox when none is named) and is taken only when the section
  exists, so "and/or" or "/etc" stay text.
- assignee (Todoist's ``+``): ``+Max``, ``+"Max Power"``, ``+maxp`` (a person's whole name,
  first name or the part of their email before the ``@``), matched against the people of the
  places (those of shared projects); ``+`` with a name nobody has stays text ("+1").

Deliberately not understood (stays in the title): impossible or ambiguous dates ("feb 30",
"13/25", "25/12"), bare numbers ("chapter 5"), "every" followed by nothing the grammar knows,
"until"/"for N times" without a recurrence, "on the 15th" as a date (only in "every month on the
15th"), "N times" without "for", hourly and minute-level recurrences, "this evening",
"weekend" as a date, time zones written in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import MO, relativedelta

from todo_app.core import recurrence
from todo_app.core.dates import due_label
from todo_app.core.validation import EARLIEST_YEAR, LATEST_YEAR, TAG_MAX, TAGS_MAX

__all__ = ["Chip", "Place", "QuickAdd", "parse"]

_PRIORITY_CODES = {"1": "high", "2": "medium", "3": "low"}
_PRIORITY_WORDS = {"high": "high", "h": "high", "medium": "medium", "m": "medium"}
_PRIORITY_WORDS |= {"low": "low", "l": "low"}

_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_DAY_ABBREVIATIONS = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_INDEX = {name: i + 1 for i, name in enumerate(_MONTHS)}
_MONTH_INDEX |= {name[:3]: i + 1 for i, name in enumerate(_MONTHS)}
_MONTH_INDEX["sept"] = 9
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBER_WORDS |= {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "other": 2}

# Regex building blocks. A token starts at the start of a word and ends where a word ends
# (not before letters, digits, "'s", "/", ":", "-" or "@").
_END = r"(?![\w/:@'\u2019-])"
_FULL_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ANY_DAY = _FULL_DAY + r"|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun"
_DAY = rf"(?:{_ANY_DAY})"
_DAYS_PLURAL = rf"(?:{_FULL_DAY}s?|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_SUFFIX = r"(?:st|nd|rd|th)"
_OF_MONTH = r"(?:\s+of\s+(?:the|each|every)\s+month)?"
_NUMBER = r"(?:\d{1,4}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"

_FLAGS = re.IGNORECASE


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern + _END, _FLAGS)


# --- Result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chip:
    """One recognised piece of the text, for the UI: kind is
    priority|tag|due|recurrence|project|section."""

    kind: str
    text: str
    label: str


@dataclass(frozen=True)
class QuickAdd:
    """What a quick-add line means. `due_at` is aware UTC (local midnight for all-day)."""

    title: str
    priority: str | None = None
    tags: list[str] = field(default_factory=list)
    due_at: datetime | None = None
    all_day: bool = False
    rrule: str | None = None
    repeat_from: str = "due"
    recognized: list[Chip] = field(default_factory=list)
    # The project and section named, as the user's places spell them; an id is None when
    # no place has that name.
    project: str | None = None
    project_id: str | None = None
    section: str | None = None
    section_id: str | None = None
    # The person named with +, as their name is spelled, and their id.
    assignee: str | None = None
    assignee_id: str | None = None


@dataclass(frozen=True)
class Place:
    """A project the text may name with ``^``, and its sections (``/``), as (id, name);
    `color` is for whoever shows the chip."""

    id: str
    name: str
    sections: tuple[tuple[str, str], ...] = ()
    inbox: bool = False
    color: str = ""
    # Whom its tasks can be given to with +, as (user id, a name they go by).
    people: tuple[tuple[str, str], ...] = ()


# --- Small parsers, each anchored at a position -------------------------------------------------


@dataclass
class _Date:
    day: date | None = None  # a calendar date in the user's zone
    instant: datetime | None = None  # "in 45 minutes": an exact moment (aware)
    time: time | None = None  # "tonight" brings its own time
    evening: bool = False  # "tonight at 9" means 21:00


_TAG_RE = re.compile(r"#([\w][\w\-/.:]*)", _FLAGS)
_PRIORITY_RE = _rx(r"(?:p([123])|!(high|medium|low|h|m|l))")
_LEAD_RE = re.compile(r"(?:on|by|due|starting)\s+", _FLAGS)

_TODAY_RE = _rx(r"(today|tonight|tomorrow|tmrw)")
_IN_RE = _rx(rf"in\s+({_NUMBER})\s+(minute|min|hour|hr|day|week|month|year)s?")
_NEXT_RE = _rx(r"next\s+(week|month|year)")
_END_OF_RE = _rx(r"end\s+of\s+(?:the\s+)?month")
_WEEKDAY_RE = _rx(rf"(?:(next|this)\s+)?({_DAY})")
_MONTH_DAY_RE = _rx(rf"({_MONTH})\.?\s+(\d{{1,2}}){_SUFFIX}?(?:,?\s+(\d{{4}}))?")
_DAY_MONTH_RE = _rx(rf"(?:the\s+)?(\d{{1,2}}){_SUFFIX}?\s+(?:of\s+)?({_MONTH})(?:,?\s+(\d{{4}}))?")
_ISO_RE = _rx(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH_RE = _rx(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?")

_TIME_RE = _rx(
    r"(?:at\s+|@\s*)?(?:(noon|midnight)|(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)"
    r"|(\d{1,2}):(\d{2}))"
)
_AT_HOUR_RE = _rx(r"(?:at\s+|@\s*)(\d{1,2})")

_EVERY_RE = re.compile(r"every(!?)\s+", _FLAGS)
_KEYWORD_RE = _rx(r"(daily|weekly|monthly|yearly|annually)(!?)")
_UNTIL_RE = re.compile(r",?\s*(?:until|till|through|ending)\s+", _FLAGS)
_COUNT_RE = _rx(r",?\s*for\s+(\d{1,4})\s+(?:times|occurrences)")


def _number(text: str) -> int:
    lowered = text.lower()
    return _NUMBER_WORDS[lowered] if lowered in _NUMBER_WORDS else int(lowered)


def _day_index(word: str) -> int:
    lowered = word.lower().rstrip("s") if len(word) > 5 else word.lower()
    if lowered in _DAYS:
        return _DAYS.index(lowered)
    return _DAY_ABBREVIATIONS[lowered]


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming_date(month: int, day: int, year: str | None, today: date) -> date | None:
    """Month and day, in the year given or else the next year in which it is today or later."""
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _real_date(full, month, day)
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    for candidate_year in range(today.year, today.year + 9):  # Feb 29 waits for a leap year
        found = _real_date(candidate_year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _previous_word(text: str, pos: int) -> str:
    words = text[:pos].split()
    return words[-1].lower() if words else ""


def _date_at(text: str, pos: int, now: datetime) -> tuple[int, _Date] | None:
    """A date expression starting exactly at `pos`: (end, date) or None. Dates outside the
    years tasks accept (validation's EARLIEST_YEAR..LATEST_YEAR) are not dates."""
    try:
        found = _any_date_at(text, pos, now)
    except (OverflowError, ValueError):
        return None
    if found is None:
        return None
    moment = found[1].day or found[1].instant
    if moment is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    return found


def _any_date_at(text: str, pos: int, now: datetime) -> tuple[int, _Date] | None:
    today = now.date()
    match = _TODAY_RE.match(text, pos)
    if match:
        word = match.group(1).lower()
        if word == "tonight":
            return match.end(), _Date(day=today, time=time(20, 0), evening=True)
        offset = 0 if word == "today" else 1
        return match.end(), _Date(day=today + timedelta(days=offset))
    match = _IN_RE.match(text, pos)
    if match:
        amount = _number(match.group(1))
        unit = match.group(2).lower()
        if amount > 5000:
            return None
        if unit in ("minute", "min", "hour", "hr"):
            minutes = amount if unit in ("minute", "min") else amount * 60
            instant = (now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
            return match.end(), _Date(instant=instant)
        delta = {
            "day": relativedelta(days=amount),
            "week": relativedelta(weeks=amount),
            "month": relativedelta(months=amount),
            "year": relativedelta(years=amount),
        }[unit]
        return match.end(), _Date(day=today + delta)
    match = _NEXT_RE.match(text, pos)
    if match:
        unit = match.group(1).lower()
        if unit == "week":
            return match.end(), _Date(day=today + relativedelta(days=1, weekday=MO))
        if unit == "month":
            return match.end(), _Date(day=today + relativedelta(months=1, day=1))
        return match.end(), _Date(day=date(today.year + 1, 1, 1))
    match = _END_OF_RE.match(text, pos)
    if match:
        return match.end(), _Date(day=today + relativedelta(day=31))
    match = _WEEKDAY_RE.match(text, pos)
    if match:
        prefix = (match.group(1) or "").lower()
        word = match.group(2)
        full = word.lower() in _DAYS
        qualified = prefix or _previous_word(text, pos) in ("on", "by", "due", "starting")
        if (full or qualified) and _previous_word(text, pos) not in ("the", "a", "an", "every"):
            index = _day_index(word)
            ahead = (index - today.weekday() - 1) % 7 + 1  # 1..7: strictly after today
            if prefix == "next":
                ahead += 7
            return match.end(), _Date(day=today + timedelta(days=ahead))
    match = _ISO_RE.match(text, pos)
    if match:
        found = _real_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return (match.end(), _Date(day=found)) if found else None
    match = _MONTH_DAY_RE.match(text, pos)
    if match:
        month = _MONTH_INDEX[match.group(1).lower().rstrip(".")]
        found = _upcoming_date(month, int(match.group(2)), match.group(3), today)
        return (match.end(), _Date(day=found)) if found else None
    match = _DAY_MONTH_RE.match(text, pos)
    if match:
        month = _MONTH_INDEX[match.group(2).lower()]
        found = _upcoming_date(month, int(match.group(1)), match.group(3), today)
        return (match.end(), _Date(day=found)) if found else None
    match = _SLASH_RE.match(text, pos)
    if match:
        found = _upcoming_date(int(match.group(1)), int(match.group(2)), match.group(3), today)
        return (match.end(), _Date(day=found)) if found else None
    return None


def _time_at(text: str, pos: int) -> tuple[int, time, bool] | None:
    """A time of day at `pos`: (end, time, has_meridiem_or_24h) or None."""
    match = _TIME_RE.match(text, pos)
    if match:
        word, hour, minute, meridiem, hour24, minute24 = match.groups()
        if word:
            return match.end(), (time(12, 0) if word.lower() == "noon" else time(0, 0)), True
        if hour is not None:
            h, m = int(hour), int(minute or 0)
            if not 1 <= h <= 12 or m > 59:
                return None
            pm = meridiem.lower().startswith("p")
            return match.end(), time(h % 12 + (12 if pm else 0), m), True
        h, m = int(hour24), int(minute24)
        if h > 23 or m > 59:
            return None
        return match.end(), time(h, m), h >= 13 or hour24.startswith("0")
    match = _AT_HOUR_RE.match(text, pos)
    if match:
        h = int(match.group(1))
        if h > 23:
            return None
        return match.end(), time(h, 0), h >= 13
    return None


# --- Recurrence ---------------------------------------------------------------------------------

_WEEKDAY_SET_RE = _rx(r"(?:weekday|workday|work\s+day)s?")
_WEEKEND_RE = _rx(r"weekends?")
_NTH_DAY_RE = _rx(rf"(last|first|second|third|fourth|fifth|[1-5]{_SUFFIX})\s+({_DAY}){_OF_MONTH}")
_LAST_DAY_RE = _rx(rf"last\s+day{_OF_MONTH}")
_MONTH_DAY_NUMBER_RE = _rx(rf"(\d{{1,2}}){_SUFFIX}(?:\s+day)?{_OF_MONTH}")
_DAY_LIST_RE = _rx(rf"({_DAYS_PLURAL})((?:\s*(?:,|&|and|,\s*and)\s*{_DAYS_PLURAL})*)")
_UNIT_RE = _rx(rf"(?:({_NUMBER}|other)\s+)?(day|week|month|year)s?")
_ON_THE_DAY_RE = _rx(rf"\s+on\s+the\s+(\d{{1,2}}){_SUFFIX}(?:\s+day)?")
_ON_THE_NTH_RE = _rx(
    rf"\s+on\s+the\s+(last|first|second|third|fourth|fifth|[1-5]{_SUFFIX})\s+({_DAY})"
)
_ON_THE_LAST_DAY_RE = _rx(r"\s+on\s+the\s+last\s+day")
_ON_DAYS_RE = _rx(rf"\s+on\s+({_DAYS_PLURAL}(?:\s*(?:,|&|and|,\s*and)\s*{_DAYS_PLURAL})*)")
_ON_DATE_RE = re.compile(r"\s+on\s+", _FLAGS)
_YEARLY_DATE_RE = _rx(
    rf"(?:({_MONTH})\.?\s+(\d{{1,2}}){_SUFFIX}?|(?:the\s+)?(\d{{1,2}}){_SUFFIX}?\s+(?:of\s+)?({_MONTH}))"
)
_FREQS = {
    "day": "DAILY",
    "week": "WEEKLY",
    "month": "MONTHLY",
    "year": "YEARLY",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "yearly": "YEARLY",
    "annually": "YEARLY",
}


def _ordinal(word: str) -> int:
    lowered = word.lower()
    return _ORDINAL_WORDS[lowered] if lowered in _ORDINAL_WORDS else int(lowered[0])


def _day_codes(text: str) -> str:
    words = re.findall(_DAYS_PLURAL, text, _FLAGS)
    codes = sorted({_day_index(w) for w in words})
    return ",".join(_DAY_CODES[i] for i in codes)


def _yearly_day(match: re.Match[str]) -> tuple[int, int] | None:
    if match.group(1):
        month, day = _MONTH_INDEX[match.group(1).lower()], int(match.group(2))
    else:
        month, day = _MONTH_INDEX[match.group(4).lower()], int(match.group(3))
    if _real_date(2000, month, day) is None:  # 2000 is a leap year: Feb 29 is allowed
        return None
    return month, day


def _rule_body(text: str, pos: int) -> tuple[int, str] | None:
    """The part after "every ": (end, rule) or None."""
    match = _WEEKDAY_SET_RE.match(text, pos)
    if match:
        return match.end(), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    match = _WEEKEND_RE.match(text, pos)
    if match:
        return match.end(), "FREQ=WEEKLY;BYDAY=SA,SU"
    match = _LAST_DAY_RE.match(text, pos)
    if match:
        return match.end(), "FREQ=MONTHLY;BYMONTHDAY=-1"
    match = _NTH_DAY_RE.match(text, pos)
    if match:
        code = _DAY_CODES[_day_index(match.group(2))]
        return match.end(), f"FREQ=MONTHLY;BYDAY={_ordinal(match.group(1))}{code}"
    match = _MONTH_DAY_NUMBER_RE.match(text, pos)
    if match:
        day = int(match.group(1))
        return (match.end(), f"FREQ=MONTHLY;BYMONTHDAY={day}") if 1 <= day <= 31 else None
    match = _DAY_LIST_RE.match(text, pos)
    if match:
        return match.end(), f"FREQ=WEEKLY;BYDAY={_day_codes(match.group(0))}"
    match = _YEARLY_DATE_RE.match(text, pos)
    if match:
        found = _yearly_day(match)
        if found is None:
            return None
        return match.end(), f"FREQ=YEARLY;BYMONTH={found[0]};BYMONTHDAY={found[1]}"
    match = _UNIT_RE.match(text, pos)
    if match:
        interval = _number(match.group(1)) if match.group(1) else 1
        if not 1 <= interval <= recurrence.MAX_INTERVAL:
            return None
        freq = _FREQS[match.group(2).lower()]
        rule = f"FREQ={freq}" + (f";INTERVAL={interval}" if interval > 1 else "")
        return _rule_detail(text, match.end(), freq, rule)
    return None


def _rule_detail(text: str, pos: int, freq: str, rule: str) -> tuple[int, str]:
    """Optional "on ..." after "every N weeks/months/years"."""
    if freq == "WEEKLY":
        match = _ON_DAYS_RE.match(text, pos)
        if match:
            return match.end(), f"{rule};BYDAY={_day_codes(match.group(1))}"
    if freq == "MONTHLY":
        match = _ON_THE_LAST_DAY_RE.match(text, pos)
        if match:
            return match.end(), f"{rule};BYMONTHDAY=-1"
        match = _ON_THE_NTH_RE.match(text, pos)
        if match:
            code = _DAY_CODES[_day_index(match.group(2))]
            return match.end(), f"{rule};BYDAY={_ordinal(match.group(1))}{code}"
        match = _ON_THE_DAY_RE.match(text, pos)
        if match and 1 <= int(match.group(1)) <= 31:
            return match.end(), f"{rule};BYMONTHDAY={int(match.group(1))}"
    if freq == "YEARLY":
        on = _ON_DATE_RE.match(text, pos)
        if on:
            match = _YEARLY_DATE_RE.match(text, on.end())
            found = _yearly_day(match) if match else None
            if match and found:
                return match.end(), f"{rule};BYMONTH={found[0]};BYMONTHDAY={found[1]}"
    return pos, rule


@dataclass
class _Rule:
    rule: str
    from_completion: bool
    until: date | None = None
    count: int | None = None
    until_span: tuple[int, int] | None = None


def _recurrence_at(text: str, pos: int) -> tuple[int, _Rule] | None:
    match = _KEYWORD_RE.match(text, pos)
    if match:
        return match.end(), _Rule(f"FREQ={_FREQS[match.group(1).lower()]}", bool(match.group(2)))
    every = _EVERY_RE.match(text, pos)
    if every is None:
        return None
    body = _rule_body(text, every.end())
    if body is None:
        return None
    end, rule = body
    try:
        rule = recurrence.normalize_rrule(rule)
    except ValueError:
        return None
    return end, _Rule(rule, bool(every.group(1)))


def _end_clause_at(
    text: str, pos: int, now: datetime
) -> tuple[int, date | None, int | None] | None:
    """ "until <date>" or "for N times" at `pos` (which may be just after a recurrence)."""
    until = _UNTIL_RE.match(text, pos)
    if until:
        found = _date_at(text, until.end(), now)
        if found and found[1].day is not None and found[1].instant is None:
            return found[0], found[1].day, None
        return None
    count = _COUNT_RE.match(text, pos)
    if count and int(count.group(1)) >= 1:
        return count.end(), None, int(count.group(1))
    return None


# --- The scan -----------------------------------------------------------------------------------


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"timezone {tz!r} is not a valid IANA time zone") from exc


_QUOTED_NAME_RE = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{1,120})[\"\u201d]")
_BARE_NAME_RE = re.compile(r"[^\W_][^\s/]*")


def _known(name: str, known: Sequence[tuple[str, str]]) -> tuple[str, str | None]:
    """The name as `known` spells it and its id, or the name as typed and None."""
    for key, candidate in known:
        if candidate.casefold() == name.casefold():
            return candidate, key
    return name, None


def _name_at(
    text: str, pos: int, known: Sequence[tuple[str, str]]
) -> tuple[int, str, str | None] | None:
    """A project or section name at `pos`: (end, name, id or None). Quoted, else the longest
    of the `known` (id, name) pairs that ends there at a word's end, else one bare word."""
    quoted = _QUOTED_NAME_RE.match(text, pos)
    if quoted:
        return (quoted.end(), *_known(" ".join(quoted.group(1).split()), known))
    for key, name in sorted(known, key=lambda pair: -len(pair[1])):
        end = pos + len(name)
        if text[pos:end].casefold() == name.casefold() and not re.match(r"\w", text[end : end + 1]):
            return end, name, key
    bare = _BARE_NAME_RE.match(text, pos)
    if bare is None:
        return None
    word = bare.group(0).rstrip(".,;:!?)]")
    return (pos + len(word), *_known(word, known))


def _word_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"(?<![^\s(\[,;])\S", text)]


class _Scan:
    """Left to right over the word starts; each kind of token is taken once (the first)."""

    def __init__(self, text: str, now: datetime, places: Sequence[Place]) -> None:
        self.text = text
        self.now = now
        self.places = places
        self.project: tuple[str, str | None] | None = None  # (name, id)
        self.section: tuple[str, str | None] | None = None
        self.assignee: tuple[str, str] | None = None
        self.section_marks: list[int] = []  # where a "/" starts a word: a section, maybe
        self.spans: list[tuple[int, int, str]] = []  # (start, end, kind)
        self.priority: str | None = None
        self.tags: list[str] = []
        self.date: _Date | None = None
        self.date_text = ""
        self.time: time | None = None
        self.time_is_clear = False
        self.rule: _Rule | None = None
        self.end_clause: tuple[int, int, date | None, int | None] | None = None

    def run(self) -> None:
        text = self.text
        position = 0
        for start in _word_starts(text):
            if start < position:
                continue
            end = self._token_at(start)
            if end is not None:
                position = end

    def _take(self, start: int, end: int, kind: str) -> int:
        self.spans.append((start, end, kind))
        return end

    def place(self, project_id: str | None) -> Place | None:
        """The place of that id; with None, the Inbox."""
        for place in self.places:
            if (place.id == project_id) if project_id is not None else place.inbox:
                return place
        return None

    def _project_at(self, start: int) -> int | None:
        """``^Project`` or ``^Project/Section`` at `start`."""
        text = self.text
        found = _name_at(text, start + 1, [(p.id, p.name) for p in self.places])
        if found is None:
            return None
        end, name, project_id = found
        self.project = (name, project_id)
        self._take(start, end, "project")
        if text[end : end + 1] == "/":
            place = self.place(project_id) if project_id is not None else None
            section = _name_at(text, end + 1, place.sections if place else ())
            if section is not None:
                self.section = (section[1], section[2])
                end = self._take(end, section[0], "section")
        return end

    def take_section(self) -> None:
        """A ``/Section`` of the named project (or the Inbox) standing alone: the first one
        that names an existing section and overlaps nothing taken."""
        if self.section is not None or (self.project is not None and self.project[1] is None):
            return
        place = self.place(self.project[1] if self.project else None)
        if place is None:
            return
        for mark in self.section_marks:
            found = _name_at(self.text, mark + 1, place.sections)
            if found is None or found[2] is None:
                continue
            if any(s < found[0] and mark < e for s, e, _ in self.spans):
                continue
            self.section = (found[1], found[2])
            self._take(mark, found[0], "section")
            return

    def _assignee_at(self, start: int) -> int | None:
        """``+Name`` of someone the places' tasks can be given to; anyone else is text."""
        people = [person for place in self.places for person in place.people]
        found = _name_at(self.text, start + 1, people)
        if found is None or found[2] is None:
            return None
        end, name, user_id = found
        self.assignee = (name, str(user_id))
        return self._take(start, end, "assignee")

    def _token_at(self, start: int) -> int | None:
        text = self.text
        if text[start] == "^":
            return self._project_at(start) if self.project is None else None
        if text[start] == "+" and self.assignee is None:
            return self._assignee_at(start)
        if text[start] == "/":
            self.section_marks.append(start)
            return None
        if text[start] == "#":
            match = _TAG_RE.match(text, start)
            if match:
                tag = match.group(1).rstrip(".:/-")
                known = {t.lower() for t in self.tags}
                if 0 < len(tag) <= TAG_MAX and len(self.tags) < TAGS_MAX:
                    if tag.lower() not in known:
                        self.tags.append(tag)
                    return self._take(start, start + 1 + len(tag), "tag")
            return None
        if self.priority is None:
            match = _PRIORITY_RE.match(text, start)
            if match:
                code, word = match.groups()
                self.priority = _PRIORITY_CODES[code] if code else _PRIORITY_WORDS[word.lower()]
                return self._take(start, match.end(), "priority")
        if self.rule is None:
            found_rule = _recurrence_at(text, start)
            if found_rule:
                end, self.rule = found_rule
                return self._take(start, end, "recurrence")
        if self.end_clause is None:
            clause = _end_clause_at(text, start, self.now)
            if clause:
                self.end_clause = (start, *clause)
                return clause[0]
        if self.date is None:
            lead = _LEAD_RE.match(text, start)
            for begin in ([lead.end()] if lead else []) + [start]:
                found_date = _date_at(text, begin, self.now)
                if found_date:
                    end, self.date = found_date
                    self.date_text = text[start:end]
                    return self._take(start, end, "due")
        if self.time is None:
            found_time = _time_at(text, start)
            if found_time:
                end, self.time, self.time_is_clear = found_time
                return self._take(start, end, "time")
        return None


def _first_occurrence(rule: str, start: datetime, after: datetime, tz: str) -> datetime | None:
    """The first day on or after `start` that the rule's calendar parts allow. INTERVAL and
    COUNT are left out: the task's due date becomes the series' start, so "every 2 weeks on
    tuesday" typed on a Wednesday starts next Tuesday, not the Tuesday after."""
    try:
        days = recurrence.Rule.from_text(rule).replace(interval=1, count=None)
        return recurrence.next_occurrence(days, start, after, tz)
    except ValueError:
        return None


def _clean_title(text: str, spans: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    last = 0
    for start, end in sorted(spans):
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    title = " ".join(" ".join(pieces).split())
    title = re.sub(r"\s+([,.;:!?)])(?=\s|$)", r"\1", title)
    title = re.sub(r"[(\[]\s*[)\]]", "", title)
    title = re.sub(r"[\s,;:-]+([.!?]*)$", r"\1", title)
    return " ".join(title.split()).lstrip(" ,;:")


def parse(text: str, now: datetime, tz: str, places: Sequence[Place] = ()) -> QuickAdd:
    """Read one quick-add line typed at `now` (aware; naive is taken as UTC) by a user in `tz`
    whose projects (with their sections) are `places`.

    Never raises for any text; raises ValueError only for a `tz` that is not an IANA zone.
    """
    zone = _zone(tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    local_now = now.astimezone(zone)
    text = text.replace("\r", " ").replace("\n", " ")
    scan = _Scan(text, local_now, places)
    scan.run()
    scan.take_section()

    due_at: datetime | None = None
    all_day = False
    the_time = scan.time
    found = scan.date
    if found is not None and found.time is not None:
        if the_time is None:
            the_time = found.time
        elif found.evening and not scan.time_is_clear and the_time.hour < 12:
            the_time = time(the_time.hour + 12, the_time.minute)
    # Local wall-clock start and whether it was asked for explicitly.
    start_local: datetime | None = None
    if found is not None and found.instant is not None:
        start_local = found.instant.replace(tzinfo=None)
    elif found is not None and found.day is not None:
        start_local = datetime.combine(found.day, the_time or time(0, 0))
        all_day = the_time is None
    elif the_time is not None:
        start_local = datetime.combine(local_now.date(), the_time)
        if start_local <= local_now.replace(tzinfo=None):
            start_local += timedelta(days=1)

    rrule: str | None = None
    repeat_from = "due"
    spans = [(s, e) for s, e, _ in scan.spans]
    rule_spans: list[tuple[int, int]] = []
    if scan.rule is not None:
        if start_local is None:  # no date, no time: all-day, from today on
            start_local = datetime.combine(local_now.date(), time(0, 0))
            all_day = True
        dtstart = start_local.replace(tzinfo=zone).astimezone(UTC)
        base = scan.rule.rule
        rule_spans = [(s, e) for s, e, k in scan.spans if k == "recurrence"]
        candidates = [(base, rule_spans)]
        if scan.end_clause is not None:
            c_start, c_end, until, count = scan.end_clause
            ending = {"count": count} if count else {"until": f"{until:%Y%m%d}"} if until else {}
            try:
                ended = recurrence.valid_rule(
                    recurrence.Rule.from_text(base).replace(**ending)
                ).text
                candidates.insert(0, (ended, [*rule_spans, (c_start, c_end)]))
            except ValueError:
                pass
        for rule, used in candidates:
            # An end clause that ends the series before it starts stays in the title.
            first = _first_occurrence(rule, dtstart, dtstart - timedelta(seconds=1), tz)
            if first is not None:
                rrule, rule_spans, due_at = rule, used, first
                repeat_from = "completion" if scan.rule.from_completion else "due"
                break
        spans = [(s, e) for s, e, k in scan.spans if k != "recurrence"]
        if rrule is not None:
            spans += rule_spans
        else:
            rule_spans = []
    if rrule is None and start_local is not None:
        due_at = start_local.replace(tzinfo=zone).astimezone(UTC)
        if found is not None and found.instant is not None:
            due_at = found.instant.astimezone(UTC)
    if due_at is not None and all_day:
        local_day = due_at.astimezone(zone).date()
        due_at = datetime.combine(local_day, time(0, 0), tzinfo=zone).astimezone(UTC)

    chips: list[Chip] = []
    if scan.priority is not None:
        chip_text = next(text[s:e] for s, e, k in scan.spans if k == "priority")
        chips.append(Chip("priority", chip_text, f"{scan.priority} priority"))
    for tag in scan.tags:
        chips.append(Chip("tag", f"#{tag}", f"#{tag}"))
    if due_at is not None:
        due_text = " ".join(text[s:e] for s, e, k in scan.spans if k in ("due", "time"))
        chips.append(Chip("due", due_text, due_label(due_at, all_day, tz, now)))
    if rrule is not None:
        label = recurrence.describe(rrule)
        if repeat_from == "completion":
            label += " after completion"
        chip_text = " ".join(text[s:e] for s, e in sorted(rule_spans))
        chips.append(Chip("recurrence", chip_text, label))
    for kind, named in (
        ("project", scan.project),
        ("section", scan.section),
        ("assignee", scan.assignee),
    ):
        if named is not None:
            chip_text = next(text[s:e] for s, e, k in scan.spans if k == kind)
            chips.append(Chip(kind, chip_text, named[0]))
    return QuickAdd(
        title=_clean_title(text, spans),
        priority=scan.priority,
        tags=list(scan.tags),
        due_at=due_at,
        all_day=all_day,
        rrule=rrule,
        repeat_from=repeat_from,
        recognized=chips,
        project=scan.project[0] if scan.project else None,
        project_id=scan.project[1] if scan.project else None,
        section=scan.section[0] if scan.section else None,
        section_id=scan.section[1] if scan.section else None,
        assignee=scan.assignee[0] if scan.assignee else None,
        assignee_id=scan.assignee[1] if scan.assignee else None,
    )
