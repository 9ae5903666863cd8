"""Recurrence rules: validation, wall-clock expansion across DST, and brute-force properties."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import DAILY, YEARLY, rrulestr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from todo_app.core.recurrence import (
    PRESETS,
    Rule,
    describe,
    next_occurrence,
    normalize_rrule,
    search_horizon,
    upcoming,
)
from todo_app.core.recurrence.bounded import BoundedRule, ScanLimit

NY = "America/New_York"
BERLIN = "Europe/Berlin"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(
    tz: str, year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(tz))


def series(rule: str, dtstart: datetime, tz: str, n: int) -> list[datetime]:
    """The first n occurrences strictly after dtstart."""
    return upcoming(rule, dtstart, tz, dtstart, n)


# --- DST: a daily 09:00 stays 09:00 local while the UTC offset moves -------------------------


def test_new_york_spring_forward_keeps_nine_local() -> None:
    start = local(NY, 2026, 3, 6, 9, 0)
    assert series("FREQ=DAILY", start, NY, 3) == [
        utc(2026, 3, 7, 14, 0),  # EST, UTC-5
        utc(2026, 3, 8, 13, 0),  # EDT, UTC-4: DST began at 02:00 that morning
        utc(2026, 3, 9, 13, 0),
    ]


def test_new_york_fall_back_keeps_nine_local() -> None:
    start = local(NY, 2026, 10, 30, 9, 0)
    assert series("daily", start, NY, 3) == [
        utc(2026, 10, 31, 13, 0),
        utc(2026, 11, 1, 14, 0),
        utc(2026, 11, 2, 14, 0),
    ]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (datetime(2026, 3, 28, 9), [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]),
        (datetime(2026, 10, 24, 9), [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8)]),
    ],
)
def test_berlin_transitions_keep_nine_local(start: datetime, expected: list[datetime]) -> None:
    dtstart = start.replace(tzinfo=ZoneInfo(BERLIN))
    after = dtstart - timedelta(minutes=1)
    assert upcoming("FREQ=DAILY", dtstart, BERLIN, after, len(expected)) == expected
    assert all(at.astimezone(ZoneInfo(BERLIN)).hour == 9 for at in expected)


def test_dtstart_in_another_zone_is_read_as_local_wall_clock() -> None:
    start = utc(2026, 3, 6, 14, 0)  # 09:00 in New York
    assert next_occurrence("FREQ=DAILY", start, utc(2026, 3, 8), NY) == utc(2026, 3, 8, 13, 0)


def test_gap_time_moves_past_the_gap() -> None:
    start = local(NY, 2026, 3, 7, 2, 30)
    assert series("FREQ=DAILY", start, NY, 2) == [
        utc(2026, 3, 8, 7, 30),  # 02:30 does not exist on 8 March: 03:30 EDT
        utc(2026, 3, 9, 6, 30),  # back to 02:30 EDT
    ]


def test_ambiguous_time_takes_the_first() -> None:
    start = local(NY, 2026, 10, 31, 1, 30)
    assert series("FREQ=DAILY", start, NY, 1) == [utc(2026, 11, 1, 5, 30)]  # 01:30 EDT


def test_hourly_through_the_gap_is_sorted_without_repeats() -> None:
    start = local(NY, 2026, 3, 8, 1, 0)
    # Wall clock 01:30, 02:00*, 02:30*, 03:00, 03:30, 04:00 (* in the gap, same instants as 03:xx).
    assert series("FREQ=HOURLY;BYMINUTE=0,30", start, NY, 4) == [
        utc(2026, 3, 8, 6, 30),
        utc(2026, 3, 8, 7, 0),
        utc(2026, 3, 8, 7, 30),
        utc(2026, 3, 8, 8, 0),
    ]


def test_seconds_of_dtstart_are_kept() -> None:
    start = local(BERLIN, 2026, 1, 1, 9, 0, 30)
    assert series("FREQ=DAILY", start, BERLIN, 1) == [utc(2026, 1, 2, 8, 0, 30)]


# --- Rule shapes -----------------------------------------------------------------------------


def test_weekly_byday() -> None:
    start = local("UTC", 2026, 1, 5, 10)  # a Monday
    assert series("FREQ=WEEKLY;BYDAY=MO,WE,FR", start, "UTC", 3) == [
        utc(2026, 1, 7, 10),
        utc(2026, 1, 9, 10),
        utc(2026, 1, 12, 10),
    ]


def test_every_other_week_byday() -> None:
    start = local("UTC", 2026, 1, 5, 10)
    assert series("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", start, "UTC", 3) == [
        utc(2026, 1, 7, 10),
        utc(2026, 1, 19, 10),
        utc(2026, 1, 21, 10),
    ]


def test_weekdays_preset_skips_the_weekend() -> None:
    friday = local(BERLIN, 2026, 1, 9, 8)
    assert next_occurrence("weekdays", friday, friday, BERLIN) == utc(2026, 1, 12, 7)


def test_monthly_on_the_31st_skips_short_months() -> None:
    start = local("UTC", 2026, 1, 31, 12)
    days = [at.date().isoformat() for at in series("FREQ=MONTHLY", start, "UTC", 4)]
    assert days == ["2026-03-31", "2026-05-31", "2026-07-31", "2026-08-31"]


def test_last_weekday_of_the_month() -> None:
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    start = local(NY, 2026, 1, 1, 17)
    days = [at.astimezone(ZoneInfo(NY)).date().isoformat() for at in series(rule, start, NY, 5)]
    assert days == ["2026-01-30", "2026-02-27", "2026-03-31", "2026-04-30", "2026-05-29"]


def test_count_ends_the_series() -> None:
    start = local(BERLIN, 2026, 1, 1, 9)
    rule = "FREQ=DAILY;COUNT=3"
    everything = upcoming(rule, start, BERLIN, start - timedelta(seconds=1), 10)
    assert everything == [utc(2026, 1, 1, 8), utc(2026, 1, 2, 8), utc(2026, 1, 3, 8)]
    assert next_occurrence(rule, start, utc(2026, 1, 2, 8), BERLIN) == utc(2026, 1, 3, 8)
    assert next_occurrence(rule, start, utc(2026, 1, 3, 8), BERLIN) is None


@pytest.mark.parametrize(
    "until",
    ["20260105T140000Z", "20260105T090000", "20260105", "20260105T235959"],
)
def test_until_forms_include_their_last_occurrence(until: str) -> None:
    start = local(NY, 2026, 1, 1, 9)
    rule = f"FREQ=DAILY;UNTIL={until}"
    assert next_occurrence(rule, start, utc(2026, 1, 4, 14), NY) == utc(2026, 1, 5, 14)
    assert next_occurrence(rule, start, utc(2026, 1, 5, 14), NY) is None


@pytest.mark.parametrize("until", ["20260105T135959Z", "20260105T085959", "20260104"])
def test_until_forms_stop_before(until: str) -> None:
    start = local(NY, 2026, 1, 1, 9)
    assert next_occurrence(f"FREQ=DAILY;UNTIL={until}", start, utc(2026, 1, 4, 14), NY) is None


def test_dtstart_counts_only_when_it_matches() -> None:
    sunday = local("UTC", 2026, 1, 4, 9)
    rule = "FREQ=WEEKLY;BYDAY=MO;COUNT=2"
    assert upcoming(rule, sunday, "UTC", sunday - timedelta(days=1), 5) == [
        utc(2026, 1, 5, 9),
        utc(2026, 1, 12, 9),
    ]


# --- Normalisation and helpers ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "rule"), sorted(PRESETS.items()))
def test_presets_normalise_to_their_rule(name: str, rule: str) -> None:
    assert normalize_rrule(name) == rule
    assert normalize_rrule(f"  {name.upper()} ") == rule
    assert normalize_rrule(rule) == rule


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("rrule:freq=weekly;byday=mo,we", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("RRULE:FREQ=DAILY;INTERVAL=2", "FREQ=DAILY;INTERVAL=2"),
        (" interval=3 ; freq=hourly ", "FREQ=HOURLY;INTERVAL=3"),
        ("FREQ=MONTHLY;BYDAY=+1MO, -1fr", "FREQ=MONTHLY;BYDAY=1MO,-1FR"),
        ("FREQ=DAILY;UNTIL=20261231T235959z", "FREQ=DAILY;UNTIL=20261231T235959Z"),
        ("FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231"),
        ("FREQ=YEARLY;BYMONTH=02;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    ],
)
def test_normalize_rrule(given: str, expected: str) -> None:
    assert normalize_rrule(given) == expected


def test_rrule_prefix_is_accepted_for_expansion() -> None:
    start = local("UTC", 2026, 1, 1, 9)
    assert next_occurrence("RRULE:FREQ=DAILY", start, start, "UTC") == utc(2026, 1, 2, 9)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("FREQ=SECONDLY", "FREQ must be one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY"),
        ("FREQ=MINUTELY", "FREQ must be one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY"),
        ("FREQ=FORTNIGHTLY", "FREQ must be one of"),
        ("INTERVAL=2", "FREQ is required"),
        ("sometimes", "KEY=VALUE"),
        ("FREQ=DAILY;", "KEY=VALUE"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20261231", "COUNT and UNTIL"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be at least 1"),
        ("FREQ=DAILY;COUNT=-1", "COUNT must be at least 1"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be between 1 and 1000"),
        ("FREQ=DAILY;INTERVAL=1001", "INTERVAL must be between 1 and 1000"),
        ("FREQ=DAILY;INTERVAL=1_0", "must be an integer"),
        ("FREQ=DAILY;" + "BYHOUR=9;" * 60, "longer than 500"),
        ("DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY", "single RRULE"),
        ("EXDATE:20260101T090000Z", "single RRULE"),
        ("RDATE:20260101T090000Z", "single RRULE"),
        ("FREQ=DAILY;DTSTART=20260101", "unknown part DTSTART"),
        ("FREQ=DAILY;BYEASTER=0", "unknown part BYEASTER"),
        ("FREQ=DAILY;FREQ=WEEKLY", "given twice"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY item"),
        ("FREQ=WEEKLY;BYDAY=MO(+1)", "BYDAY item"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY ordinals"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH values"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY values"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR values"),
        ("FREQ=DAILY;UNTIL=2026-12-31", "UNTIL must look like"),
        ("FREQ=DAILY;UNTIL=20260231", "not a real date"),
        ("FREQ=DAILY;WKST=XX", "WKST"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs another"),
        ("FREQ=DAILY;BYMONTH=2,4;BYMONTHDAY=31", "no month in BYMONTH"),
    ],
)
def test_invalid_rules_raise_readable_errors(rule: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^rrule ") as caught:
        normalize_rrule(rule)
    assert message in str(caught.value)
    with pytest.raises(ValueError, match=r"^rrule "):
        next_occurrence(rule, utc(2026, 1, 1), utc(2026, 1, 1), "UTC")


def test_hourly_byhour_out_of_step_with_dtstart_is_a_value_error() -> None:
    start = local("UTC", 2026, 1, 1, 0)  # INTERVAL=2 from hour 0 never reaches hour 1
    assert normalize_rrule("FREQ=HOURLY;INTERVAL=2;BYHOUR=1") == "FREQ=HOURLY;INTERVAL=2;BYHOUR=1"
    with pytest.raises(ValueError, match="cannot be expanded from this dtstart"):
        next_occurrence("FREQ=HOURLY;INTERVAL=2;BYHOUR=1", start, start, "UTC")


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "America", "../etc/passwd"])
def test_invalid_timezone(tz: str) -> None:
    start = utc(2026, 1, 1)
    with pytest.raises(ValueError, match="is not a valid IANA time zone"):
        next_occurrence("FREQ=DAILY", start, start, tz)


def test_naive_datetimes_are_rejected() -> None:
    aware, naive = utc(2026, 1, 1), datetime(2026, 1, 1)
    with pytest.raises(ValueError, match="dtstart must be a timezone-aware"):
        next_occurrence("FREQ=DAILY", naive, aware, "UTC")
    with pytest.raises(ValueError, match="after must be a timezone-aware"):
        next_occurrence("FREQ=DAILY", aware, naive, "UTC")
    with pytest.raises(ValueError, match="after must be a timezone-aware"):
        upcoming("FREQ=DAILY", aware, "UTC", naive, 3)


@pytest.mark.parametrize("n", [0, -1, 101])
def test_upcoming_bounds_n(n: int) -> None:
    start = utc(2026, 1, 1)
    with pytest.raises(ValueError, match="n must be between 1 and 100"):
        upcoming("FREQ=DAILY", start, "UTC", start, n)


def test_upcoming_accepts_the_largest_n() -> None:
    start = utc(2026, 1, 1)
    assert len(upcoming("FREQ=DAILY", start, "UTC", start, 100)) == 100


def test_count_helpers() -> None:
    assert Rule.from_text("rrule:freq=daily;count=5;interval=2").count == 5
    assert Rule.from_text("weekly").count is None
    counted = Rule.from_text("FREQ=DAILY;COUNT=5;INTERVAL=2")
    assert counted.replace(count=None).text == "FREQ=DAILY;INTERVAL=2"
    assert Rule.from_text("daily").replace(count=None).text == "FREQ=DAILY"


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("daily", "every day"),
        ("weekdays", "every weekday"),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("weekly", "every week"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", "every 2 weeks on Mon, Wed"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "every month on day 15"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"),
        ("FREQ=MONTHLY;BYDAY=2TU", "every month on the 2nd Tue"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Fri"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "every month on the last weekday"),
        ("yearly", "every year"),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15", "every year on Mar 15"),
        ("FREQ=HOURLY;INTERVAL=3", "every 3 hours"),
        ("FREQ=DAILY;COUNT=10", "every day, 10 times"),
        ("FREQ=DAILY;COUNT=1", "every day, once"),
        ("FREQ=WEEKLY;UNTIL=20261231", "every week, until 2026-12-31"),
        ("FREQ=DAILY;UNTIL=20261231T170000Z", "every day, until 2026-12-31 17:00 UTC"),
        ("FREQ=DAILY;BYHOUR=9,17", "every day at hour 9, 17"),
    ],
)
def test_describe(rule: str, text: str) -> None:
    assert describe(rule) == text


def test_describe_rejects_invalid_rules() -> None:
    with pytest.raises(ValueError, match=r"^rrule "):
        describe("FREQ=SECONDLY")


# --- Bounded expansion: rules that never occur, sparse rules, the search horizon -------------


def numbers(low: int, high: int) -> str:
    return ",".join(str(n) for n in range(low, high + 1))


NEVER = [
    "FREQ=DAILY;BYDAY=MO;BYSETPOS=2",  # one time a day, so never a second one
    "FREQ=HOURLY;BYMONTH=1;BYSETPOS=2",
    "FREQ=YEARLY;BYDAY=MO;BYSETPOS=60",  # a year has at most 53 Mondays
    "FREQ=YEARLY;BYDAY=MO;BYSETPOS=" + numbers(60, 159),
    "FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6",  # week 1 never reaches June
    "FREQ=MONTHLY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=WEEKLY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=DAILY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=HOURLY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6",
    "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1",
    "FREQ=MONTHLY;BYYEARDAY=-366;BYMONTH=12",
    "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=" + numbers(1, 28),  # it would be the 29th
    "FREQ=DAILY;BYMONTH=6,7,8,9,10,11,12;BYYEARDAY=" + numbers(1, 120),  # days of Jan..Apr
    "FREQ=YEARLY;INTERVAL=3;COUNT=5;BYWEEKNO=1;BYMONTH=6",
    "FREQ=WEEKLY;UNTIL=20300101T000000Z;BYWEEKNO=1;BYMONTH=6",
]


@pytest.mark.parametrize("rule", NEVER)
def test_rules_that_never_occur_are_rejected(rule: str) -> None:
    never = "^rrule never produces an occurrence$"
    with pytest.raises(ValueError, match=never):
        normalize_rrule(rule)
    start = utc(2026, 1, 1)
    with pytest.raises(ValueError, match=never):
        next_occurrence(rule, start, start, NY)
    with pytest.raises(ValueError, match=never):
        upcoming(rule, start, NY, start, 5)
    with pytest.raises(ValueError, match=never):
        describe(rule)


def test_rules_denser_than_once_a_minute_are_rejected() -> None:
    every_minute = "FREQ=HOURLY;BYMINUTE=" + numbers(0, 59)
    assert normalize_rrule(every_minute) == every_minute
    start = utc(2026, 1, 1)
    assert upcoming(every_minute, start, NY, start, 100) == [
        start + timedelta(minutes=m) for m in range(1, 101)
    ]
    for rule in (
        every_minute + ";BYSECOND=0,30",
        "FREQ=DAILY;BYHOUR=0,1;BYMINUTE=" + numbers(0, 59) + ";BYSECOND=" + numbers(0, 12),
    ):
        with pytest.raises(ValueError, match=r"^rrule must not occur more than 1440 times a day$"):
            normalize_rrule(rule)


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        (  # every fourth year on leap day
            "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
            utc(2024, 2, 29, 9),
            [utc(2028, 2, 29, 9), utc(2032, 2, 29, 9), utc(2036, 2, 29, 9)],
        ),
        (  # 2100 is no leap year: eight years without one
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            utc(2096, 2, 29, 9),
            [utc(2104, 2, 29, 9), utc(2108, 2, 29, 9), utc(2112, 2, 29, 9)],
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=31",
            utc(2026, 1, 31, 9),
            [utc(2026, 3, 31, 9), utc(2026, 5, 31, 9), utc(2026, 7, 31, 9)],
        ),
        (
            "FREQ=YEARLY;INTERVAL=100",
            utc(2000, 1, 1, 9),
            [utc(2100, 1, 1, 9), utc(2200, 1, 1, 9), utc(2300, 1, 1, 9)],
        ),
        (  # the 10-year horizon of DAILY ends before the second one
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
            utc(2097, 1, 1, 9),
            [utc(2104, 2, 29, 9)],
        ),
        (  # fine from a Monday (normalize_rrule cannot know the dtstart)
            "FREQ=DAILY;INTERVAL=7;BYDAY=MO",
            utc(2026, 1, 5, 9),
            [utc(2026, 1, 12, 9), utc(2026, 1, 19, 9), utc(2026, 1, 26, 9)],
        ),
        (
            "FREQ=MONTHLY;INTERVAL=2;BYMONTH=2",
            utc(2026, 2, 3, 9),
            [utc(2027, 2, 3, 9), utc(2028, 2, 3, 9), utc(2029, 2, 3, 9)],
        ),
    ],
)
def test_sparse_rules_still_occur(rule: str, start: datetime, expected: list[datetime]) -> None:
    assert normalize_rrule(rule) == rule
    assert upcoming(rule, start, "UTC", start, 3) == expected
    assert next_occurrence(rule, start, start + timedelta(days=1), "UTC") == expected[0]


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", utc(2025, 2, 28, 9)),  # odd years
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", utc(2026, 1, 4, 9)),  # every 7 days from a Sunday
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=2", utc(2026, 1, 3, 9)),  # odd months
        ("FREQ=YEARLY;BYMONTH=2", utc(2026, 1, 30, 9)),  # on the 30th, as dtstart
    ],
)
def test_rules_that_never_occur_from_this_dtstart_stop_at_the_horizon(
    rule: str, start: datetime
) -> None:
    assert normalize_rrule(rule) == rule
    assert next_occurrence(rule, start, start, "UTC") is None
    assert upcoming(rule, start, NY, start - timedelta(days=400), 10) == []


def test_the_horizon_scales_with_freq_and_interval() -> None:
    year = timedelta(days=365)
    assert 10 * year < search_horizon("FREQ=HOURLY") < 11 * year
    assert 10 * year < search_horizon("daily") < 11 * year
    assert search_horizon("yearly") > 100 * year
    assert search_horizon("FREQ=YEARLY;INTERVAL=100") > 40 * 100 * year
    costly = "FREQ=WEEKLY;BYHOUR=" + numbers(0, 23) + ";BYSETPOS=" + numbers(1, 100)
    assert timedelta(days=30) <= search_horizon(costly) < 2 * year
    # Leap-day Tuesdays come every 28 years, but 40 years apart around 2100.
    rule = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU"
    start = utc(2000, 2, 29, 9)
    assert next_occurrence(rule, start, utc(2026, 1, 1), "UTC") == utc(2028, 2, 29, 9)
    assert next_occurrence(rule, start, utc(2029, 1, 1), "UTC") is None  # 2056 is too far
    yearly = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU"
    assert upcoming(yearly, start, "UTC", utc(2029, 1, 1), 3) == [
        utc(2056, 2, 29, 9),
        utc(2084, 2, 29, 9),
        utc(2124, 2, 29, 9),
    ]


def test_count_is_counted_from_a_dtstart_far_back_or_refused() -> None:
    start = utc(2000, 1, 1, 9)  # a Saturday
    assert next_occurrence("FREQ=DAILY;COUNT=5", start, utc(2026, 1, 1), "UTC") is None
    weekly = "FREQ=WEEKLY;COUNT=2000"  # ends in 2038
    assert next_occurrence(weekly, start, utc(2026, 1, 1), "UTC") == utc(2026, 1, 3, 9)
    with pytest.raises(ValueError, match=r"^rrule with COUNT is counted from dtstart"):
        next_occurrence("FREQ=DAILY;COUNT=100000", start, utc(2026, 1, 1), "UTC")
    with pytest.raises(ValueError, match=r"^rrule with COUNT is counted from dtstart"):
        next_occurrence("FREQ=HOURLY;INTERVAL=25;COUNT=100000", start, utc(2026, 1, 1), "UTC")


@pytest.mark.parametrize("freq", [YEARLY, DAILY])
def test_dateutil_scan_stops_at_its_budget(freq: int) -> None:
    """Guards the hook that bounds dateutil's scan (it relies on dateutil internals): a rule that
    matches nothing must stop after its budget instead of stepping on to the year 9999."""
    rule = BoundedRule(20, freq=freq, dtstart=datetime(2000, 1, 1), bymonth=2, bymonthday=30)
    with pytest.raises(ScanLimit):
        next(iter(rule))
    plain = BoundedRule(40, freq=freq, dtstart=datetime(2000, 1, 1), bymonth=3, bymonthday=1)
    assert list(itertools.islice(plain, 3)) == [datetime(y, 3, 1) for y in (2000, 2001, 2002)]


# --- Properties against a brute-force dateutil expansion --------------------------------------

ZONES = [NY, BERLIN, "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw: st.DrawFn) -> str:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 3))}"]
    if freq != "DAILY" and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(DAY_CODES), min_size=1, max_size=7, unique=True))
        parts.append("BYDAY=" + ",".join(days))
        if len(days) > 1 and draw(st.booleans()):
            parts.append(f"BYSETPOS={draw(st.sampled_from([1, 2, -1]))}")
    elif freq == "MONTHLY" and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.integers(1, 31))}")
    if draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    return ";".join(parts)


def in_gap(day: datetime, wall: datetime, zone: ZoneInfo) -> bool:
    """Whether `wall`'s time of day does not exist on `day`'s date in `zone`."""
    naive = datetime.combine(day.date(), wall.time())
    back = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return back != naive


# The 2025 spring-forward and fall-back instants of the zones that change clocks.
CLOCK_CHANGES = {
    NY: [datetime(2025, 3, 9, 7, tzinfo=UTC), datetime(2025, 11, 2, 6, tzinfo=UTC)],
    BERLIN: [datetime(2025, 3, 30, 1, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC)],
    "Australia/Sydney": [
        datetime(2025, 10, 4, 16, tzinfo=UTC),
        datetime(2025, 4, 5, 16, tzinfo=UTC),
    ],
    "Australia/Lord_Howe": [
        datetime(2025, 10, 4, 15, 30, tzinfo=UTC),
        datetime(2025, 4, 5, 15, tzinfo=UTC),
    ],
}
starts = st.datetimes(datetime(2024, 1, 1), datetime(2025, 12, 31))
# 02:xx falls into the spring-forward gap of every zone in CLOCK_CHANGES.
starts_at_two = starts.map(lambda start: start.replace(hour=2))


@settings(max_examples=500, deadline=None)
@given(
    rule=rules(),
    tz=st.sampled_from(ZONES),
    start=st.one_of(starts, starts_at_two),
    near_change=st.sampled_from([None, 0, 1]),
    hours=st.integers(-48, 24 * 400),
)
def test_properties_against_brute_force(
    rule: str, tz: str, start: datetime, near_change: int | None, hours: int
) -> None:
    zone = ZoneInfo(tz)
    start = start.replace(second=0, microsecond=0)
    changes = CLOCK_CHANGES.get(tz)
    if near_change is None or changes is None:
        dtstart = start.replace(tzinfo=zone)
        after = (dtstart + timedelta(hours=hours)).astimezone(UTC)
    else:
        # A series begun up to two weeks before a clock change, asked about the week before it.
        change = changes[near_change]
        first_day = change.astimezone(zone).date() - timedelta(days=start.day % 14)
        dtstart = datetime.combine(first_day, start.time(), tzinfo=zone)
        after = change - timedelta(hours=hours % (24 * 7))
    wall_start = dtstart.astimezone(zone)

    found = upcoming(rule, dtstart, tz, after, 5)

    # Successive next_occurrence calls walk the same list, then stop when the series ends.
    cursor = after
    for expected in found:
        assert expected > cursor
        assert expected.utcoffset() == timedelta(0)
        nxt = next_occurrence(rule, dtstart, cursor, tz)
        assert nxt == expected
        cursor = expected
    if len(found) < 5:
        assert next_occurrence(rule, dtstart, cursor, tz) is None

    for at in found:
        wall = at.astimezone(zone)
        same_clock = (wall.hour, wall.minute, wall.second) == (
            wall_start.hour,
            wall_start.minute,
            wall_start.second,
        )
        assert same_clock or in_gap(wall, wall_start, zone)

    # Nothing dateutil produces on naive local time maps strictly between `after` and the result.
    oracle = rrulestr(f"{rule};WKST=MO", dtstart=wall_start.replace(tzinfo=None))
    low = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=2)
    if found:
        high = found[0].astimezone(zone).replace(tzinfo=None) + timedelta(days=2)
        naive_hits = oracle.between(low, high, inc=True)
    else:
        assert "COUNT" in rule  # only a counted series may end
        naive_hits = [hit for hit in oracle if hit >= low]
    instants = {hit.replace(tzinfo=zone).astimezone(UTC) for hit in naive_hits}
    if found:
        assert found[0] in instants
        assert not [at for at in instants if after < at < found[0]]
    else:
        assert all(at <= after for at in instants)


@st.composite
def any_rules(draw: st.DrawFn) -> str:
    """Rules of every shape, including ones that hardly or never occur."""
    freq = draw(st.sampled_from(["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.sampled_from([2, 3, 5, 12, 25]))}")
    signed = {"BYMONTHDAY": 31, "BYYEARDAY": 366, "BYWEEKNO": 53}
    lists = {
        "BYMONTH": st.integers(1, 12),
        **{key: st.integers(-most, most).filter(bool) for key, most in signed.items()},
        "BYDAY": st.sampled_from([*DAY_CODES, "1MO", "-1FR", "2TU", "5SU"]),
        "BYHOUR": st.integers(0, 23),
        "BYMINUTE": st.integers(0, 59),
    }
    for key, values in lists.items():
        if draw(st.integers(0, 4)) == 0:
            chosen = draw(st.lists(values, min_size=1, max_size=3, unique=True))
            parts.append(f"{key}=" + ",".join(map(str, chosen)))
    if len(parts) > 2 and draw(st.booleans()):
        parts.append(f"BYSETPOS={draw(st.sampled_from([1, 2, 3, -1, -2]))}")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(DAY_CODES))}")
    end = draw(
        st.sampled_from(["", "", f"COUNT={draw(st.integers(1, 200))}", "UNTIL=20270615T120000"])
    )
    return ";".join([*parts, end] if end else parts)


@settings(max_examples=200, deadline=None)
@given(
    rule=any_rules(),
    start=st.datetimes(datetime(2024, 1, 1), datetime(2025, 12, 31)),
    hours=st.integers(-240, 24 * 60),
    n=st.sampled_from([1, 5, 20]),
)
def test_any_rule_matches_dateutil(rule: str, start: datetime, hours: int, n: int) -> None:
    """Restarting near `after`, the day-by-day walk and the scan budget change no result."""
    try:
        normalize_rrule(rule)
    except ValueError:
        assume(False)
    start = start.replace(microsecond=0)
    after = start + timedelta(hours=hours, minutes=hours % 60)
    try:
        found = upcoming(rule, start.replace(tzinfo=UTC), "UTC", after.replace(tzinfo=UTC), n)
    except ValueError as exc:
        assert "cannot be expanded from this dtstart" in str(exc)
        return
    # dateutil alone may scan to the year 9999 when nothing follows; only check what was found.
    assume(found)
    oracle = rrulestr(rule if "WKST" in rule else f"{rule};WKST=MO", dtstart=start)
    last = found[-1].replace(tzinfo=None)
    expected = [at for at in oracle.between(after, last, inc=True) if at > after]
    assert found == [at.replace(tzinfo=UTC) for at in expected]
