"""The quick-add language: a table of phrasings with a fixed `now`, DST and year rollover,
things that must stay in the title, and properties over arbitrary text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from todo_app.core.quickadd import Place, QuickAdd, parse
from todo_app.core.recurrence import next_occurrence, normalize_rrule, upcoming

# Tuesday 10 March 2026, 15:00 UTC.
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


def case(
    text: str,
    title: str,
    due: str | None = None,
    *,
    priority: str | None = None,
    tags: tuple[str, ...] = (),
    rrule: str | None = None,
    repeat_from: str = "due",
    tz: str = "UTC",
    now: datetime = NOW,
) -> Any:
    """`due` is local to `tz`: "YYYY-MM-DD" (all-day) or "YYYY-MM-DD HH:MM"."""
    expected = {
        "title": title,
        "due": due,
        "priority": priority,
        "tags": list(tags),
        "rrule": rrule,
        "repeat_from": repeat_from,
    }
    return pytest.param(text, now, tz, expected, id=f"{text}@{tz}")


CASES = [
    # Plain text, tags and priorities.
    case("Buy milk", "Buy milk"),
    case("Buy milk #errands", "Buy milk", tags=("errands",)),
    case("#errands buy milk", "buy milk", tags=("errands",)),
    case("Buy milk #errands #home", "Buy milk", tags=("errands", "home")),
    case("Buy milk #Errands #errands", "Buy milk", tags=("Errands",)),
    case("Plan #work-trip.", "Plan.", tags=("work-trip",)),
    case("Fix bug p1", "Fix bug", priority="high"),
    case("p2 Fix bug", "Fix bug", priority="medium"),
    case("Fix bug p3", "Fix bug", priority="low"),
    case("Fix bug !high", "Fix bug", priority="high"),
    case("!low Fix bug", "Fix bug", priority="low"),
    case("Fix bug !medium", "Fix bug", priority="medium"),
    case("FIX BUG P1", "FIX BUG", priority="high"),
    case("Fix p1x bug", "Fix p1x bug"),
    case("Learn C# basics", "Learn C# basics"),
    case("Use the # sign", "Use the # sign"),
    case("Tidy up !urgent", "Tidy up !urgent"),
    case("See http://example.com/#top", "See http://example.com/#top"),
    case("Email bob@example.com tomorrow", "Email bob@example.com", "2026-03-11"),
    # Relative dates.
    case("Call mom today", "Call mom", "2026-03-10"),
    case("Call mom tonight", "Call mom", "2026-03-10 20:00"),
    case("Call mom tonight at 9", "Call mom", "2026-03-10 21:00"),
    case("Call mom tomorrow", "Call mom", "2026-03-11"),
    case("Call mom Tomorrow at 5pm", "Call mom", "2026-03-11 17:00"),
    case("Call mom friday", "Call mom", "2026-03-13"),
    case("Call mom on friday", "Call mom", "2026-03-13"),
    case("Call mom tuesday", "Call mom", "2026-03-17"),
    case("Call mom next monday", "Call mom", "2026-03-23"),
    case("Call mom next fri", "Call mom", "2026-03-20"),
    case("Call mom in 3 days", "Call mom", "2026-03-13"),
    case("Call mom in 2 weeks", "Call mom", "2026-03-24"),
    case("Call mom in a month", "Call mom", "2026-04-10"),
    case("Call mom in 45 minutes", "Call mom", "2026-03-10 15:45"),
    case("Call mom in 2 hours", "Call mom", "2026-03-10 17:00"),
    case("Review next week", "Review", "2026-03-16"),
    case("Pay bills end of month", "Pay bills", "2026-03-31"),
    case("Pay bills by end of the month", "Pay bills", "2026-03-31"),
    # Calendar dates.
    case("Gift dec 25", "Gift", "2026-12-25"),
    case("Gift 25 december", "Gift", "2026-12-25"),
    case("Gift 2026-12-25", "Gift", "2026-12-25"),
    case("Gift 12/25", "Gift", "2026-12-25"),
    case("Gift 12/25/2027", "Gift", "2027-12-25"),
    case("Gift December 25th at 10:30", "Gift", "2026-12-25 10:30"),
    case("Gift jan 5", "Gift", "2027-01-05"),
    case("Gift feb 29", "Gift", "2028-02-29"),
    case("Gift dec 25", "Gift", "2027-12-25", now=datetime(2026, 12, 26, 9, tzinfo=UTC)),
    case("Gift dec 25", "Gift", "2026-12-25", now=datetime(2026, 12, 25, 9, tzinfo=UTC)),
    case("Pay tax 2026-04-15 at 14:00", "Pay tax", "2026-04-15 14:00"),
    # Ambiguous or impossible dates stay in the title.
    case("Gift 13/25", "Gift 13/25"),
    case("Gift 25/12", "Gift 25/12"),
    case("Gift feb 30", "Gift feb 30"),
    case("Gift 2026-02-30", "Gift 2026-02-30"),
    case("Gift 0001-01-01", "Gift 0001-01-01"),
    case("Wait in 5000 years", "Wait in 5000 years"),
    # Times.
    case("Meet 5pm", "Meet", "2026-03-10 17:00"),
    case("Meet 5:30pm", "Meet", "2026-03-10 17:30"),
    case("Meet 17:00", "Meet", "2026-03-10 17:00"),
    case("Meet at 9", "Meet", "2026-03-11 09:00"),
    case("Lunch noon", "Lunch", "2026-03-11 12:00"),
    case("Lunch tomorrow at noon", "Lunch", "2026-03-11 12:00"),
    case("Meet 13pm", "Meet 13pm"),
    # Words that only look like tokens.
    case("Read chapter 5 of the book", "Read chapter 5 of the book"),
    case("Meet at the Monday club", "Meet at the Monday club"),
    case("Write Monday's notes", "Write Monday's notes"),
    case("Read every book", "Read every book"),
    case("Something every", "Something every"),
    case("Ship it until friday", "Ship it until friday"),
    case("Do it for 10 times", "Do it for 10 times"),
    # Recurrence.
    case("Standup every day", "Standup", "2026-03-10", rrule="FREQ=DAILY"),
    case("Standup daily at 9", "Standup", "2026-03-11 09:00", rrule="FREQ=DAILY"),
    case("Standup every weekday at 9:30", "Standup", "2026-03-11 09:30", rrule=WEEKDAYS),
    case("Relax every weekend", "Relax", "2026-03-14", rrule="FREQ=WEEKLY;BYDAY=SA,SU"),
    case("Gym every monday", "Gym", "2026-03-16", rrule="FREQ=WEEKLY;BYDAY=MO"),
    case("Gym every mon, wed and fri", "Gym", "2026-03-11", rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR"),
    case(
        "Gym every tuesday and thursday at 7pm",
        "Gym",
        "2026-03-10 19:00",
        rrule="FREQ=WEEKLY;BYDAY=TU,TH",
    ),
    case(
        "Water plants every 2 weeks", "Water plants", "2026-03-10", rrule="FREQ=WEEKLY;INTERVAL=2"
    ),
    case(
        "Water plants every other week",
        "Water plants",
        "2026-03-10",
        rrule="FREQ=WEEKLY;INTERVAL=2",
    ),
    case("Clean weekly", "Clean", "2026-03-10", rrule="FREQ=WEEKLY"),
    case(
        "Team sync every 2 weeks on tuesday at 10:00",
        "Team sync",
        "2026-03-17 10:00",
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
    ),
    case(
        "Pay card every 2 months on the last friday",
        "Pay card",
        "2026-03-27",
        rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR",
    ),
    case("Rent every month", "Rent", "2026-03-10", rrule="FREQ=MONTHLY"),
    case("Rent monthly", "Rent", "2026-03-10", rrule="FREQ=MONTHLY"),
    case("Rent every month on the 15th", "Rent", "2026-03-15", rrule="FREQ=MONTHLY;BYMONTHDAY=15"),
    case("Rent every 1st", "Rent", "2026-04-01", rrule="FREQ=MONTHLY;BYMONTHDAY=1"),
    case("Book club every 3rd friday", "Book club", "2026-03-20", rrule="FREQ=MONTHLY;BYDAY=3FR"),
    case("Drinks every last friday", "Drinks", "2026-03-27", rrule="FREQ=MONTHLY;BYDAY=-1FR"),
    case(
        "Invoice every last day of the month",
        "Invoice",
        "2026-03-31",
        rrule="FREQ=MONTHLY;BYMONTHDAY=-1",
    ),
    case("Review every year", "Review", "2026-03-10", rrule="FREQ=YEARLY"),
    case("Review yearly", "Review", "2026-03-10", rrule="FREQ=YEARLY"),
    case(
        "Birthday every dec 25",
        "Birthday",
        "2026-12-25",
        rrule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
    ),
    case(
        "Haircut every! 3 days",
        "Haircut",
        "2026-03-10",
        rrule="FREQ=DAILY;INTERVAL=3",
        repeat_from="completion",
    ),
    case("Meds every day until jan 31", "Meds", "2026-03-10", rrule="FREQ=DAILY;UNTIL=20270131"),
    case("Meds every day for 10 times", "Meds", "2026-03-10", rrule="FREQ=DAILY;COUNT=10"),
    case(
        "Meds every day at 8am for 10 times",
        "Meds",
        "2026-03-11 08:00",
        rrule="FREQ=DAILY;COUNT=10",
    ),
    case(
        "Gym every monday starting next week",
        "Gym",
        "2026-03-16",
        rrule="FREQ=WEEKLY;BYDAY=MO",
    ),
    case(
        "Report every month on the 1st starting may 1",
        "Report",
        "2026-05-01",
        rrule="FREQ=MONTHLY;BYMONTHDAY=1",
    ),
    # The examples from the design.
    case(
        "Pay rent every month on the 1st #home p1",
        "Pay rent",
        "2026-04-01",
        priority="high",
        tags=("home",),
        rrule="FREQ=MONTHLY;BYMONTHDAY=1",
    ),
    case(
        "buy milk tomorrow 5pm #errands every week",
        "buy milk",
        "2026-03-11 17:00",
        tags=("errands",),
        rrule="FREQ=WEEKLY",
    ),
    # Time zones: the local calendar counts, due_at is UTC.
    case("Call at 9am tomorrow", "Call", "2026-03-11 09:00", tz="America/New_York"),
    case("Call today", "Call", "2026-03-11", tz="Asia/Tokyo"),
    case("Call tonight", "Call", "2026-03-10 20:00", tz="America/Los_Angeles"),
    # DST: Europe/Paris moves to summer time on Sunday 29 March and back on Sunday 25 October.
    case(
        "Standup every day at 9",
        "Standup",
        "2026-03-29 09:00",
        rrule="FREQ=DAILY",
        tz="Europe/Paris",
        now=datetime(2026, 3, 28, 12, tzinfo=UTC),
    ),
    case(
        "Standup every day at 9",
        "Standup",
        "2026-10-25 09:00",
        rrule="FREQ=DAILY",
        tz="Europe/Paris",
        now=datetime(2026, 10, 24, 12, tzinfo=UTC),
    ),
    case(
        "Dinner tomorrow at 19:00",
        "Dinner",
        "2026-03-29 19:00",
        tz="Europe/Paris",
        now=datetime(2026, 3, 28, 12, tzinfo=UTC),
    ),
]


def _local(result: QuickAdd, tz: str) -> str | None:
    if result.due_at is None:
        return None
    local = result.due_at.astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%d") if result.all_day else local.strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(("text", "now", "tz", "expected"), CASES)
def test_phrasings(text: str, now: datetime, tz: str, expected: dict[str, Any]) -> None:
    result = parse(text, now, tz)
    got = {
        "title": result.title,
        "due": _local(result, tz),
        "priority": result.priority,
        "tags": result.tags,
        "rrule": result.rrule,
        "repeat_from": result.repeat_from,
    }
    assert got == expected
    if result.due_at is not None:
        assert result.due_at.tzinfo is UTC
        local = result.due_at.astimezone(ZoneInfo(tz))
        if result.all_day:
            assert (local.hour, local.minute) == (0, 0)


def test_table_is_large() -> None:
    assert len(CASES) >= 60


def test_due_at_is_utc_instant() -> None:
    result = parse("Call at 9am tomorrow", NOW, "America/New_York")
    # New York is on EDT (UTC-4) since 8 March 2026.
    assert result.due_at == datetime(2026, 3, 11, 13, 0, tzinfo=UTC)
    assert result.all_day is False
    day = parse("Call tomorrow", NOW, "Europe/Paris")
    assert day.due_at == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    assert day.all_day is True


@pytest.mark.parametrize(
    ("now", "first_utc_hour", "later_utc_hour"),
    [
        (datetime(2026, 3, 28, 12, tzinfo=UTC), 7, 7),  # CET -> CEST
        (datetime(2026, 10, 24, 12, tzinfo=UTC), 8, 8),  # CEST -> CET
    ],
)
def test_every_day_at_9_stays_9_local_across_dst(
    now: datetime, first_utc_hour: int, later_utc_hour: int
) -> None:
    result = parse("Standup every day at 9", now, "Europe/Paris")
    assert result.rrule is not None and result.due_at is not None
    assert result.due_at.hour == first_utc_hour
    following = upcoming(result.rrule, result.due_at, "Europe/Paris", result.due_at, 5)
    hours = {at.astimezone(ZoneInfo("Europe/Paris")).hour for at in following}
    assert hours == {9}
    assert following[0].hour == later_utc_hour
    before = parse("Standup every day at 9", now - timedelta(days=1), "Europe/Paris")
    assert before.due_at is not None
    assert before.due_at.hour != result.due_at.hour  # the UTC hour moved, the local one did not


def test_first_occurrence_of_recurrence_matches_the_rule() -> None:
    result = parse("Book club every 3rd friday at 19:00", NOW, "Europe/Paris")
    assert result.rrule == "FREQ=MONTHLY;BYDAY=3FR"
    assert result.due_at is not None
    assert next_occurrence(result.rrule, result.due_at, NOW, "Europe/Paris") == result.due_at


def test_interval_counts_from_the_first_matching_day() -> None:
    result = parse("Team sync every 2 weeks on tuesday at 10:00", NOW, "Europe/Paris")
    assert result.rrule is not None and result.due_at is not None
    following = upcoming(result.rrule, result.due_at, "Europe/Paris", result.due_at, 2)
    local = [at.astimezone(ZoneInfo("Europe/Paris")) for at in following]
    assert [at.strftime("%Y-%m-%d %H:%M") for at in local] == [
        "2026-03-31 10:00",
        "2026-04-14 10:00",
    ]


def test_until_before_the_start_stays_in_the_title() -> None:
    result = parse("Gym every monday until tomorrow", NOW, "UTC")
    assert result.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert result.title == "Gym until tomorrow"


def test_chips_describe_what_was_understood() -> None:
    result = parse("Pay rent every month on the 1st #home p1", NOW, "UTC")
    kinds = {chip.kind: chip for chip in result.recognized}
    assert set(kinds) == {"priority", "tag", "due", "recurrence"}
    assert kinds["priority"].text == "p1"
    assert kinds["priority"].label == "high priority"
    assert kinds["tag"].label == "#home"
    assert kinds["recurrence"].text == "every month on the 1st"
    assert kinds["recurrence"].label == "every month on day 1"
    assert kinds["due"].label == "Wed 1 Apr"
    completion = parse("Haircut every! 3 days", NOW, "UTC")
    assert completion.recognized[-1].label == "every 3 days after completion"
    assert parse("Buy milk", NOW, "UTC").recognized == []


PLACES = (
    Place("inbox", "Inbox", (("someday", "Someday"),), inbox=True),
    Place("home", "Home", (("kitchen", "Kitchen"), ("garden", "Kitchen garden"))),
    Place("reno", "Home renovation", (("paint", "Paint jobs"),)),
    Place("work", "Work"),
    Place("work-2", "work"),  # a second project with that name: the first one wins
)


@pytest.mark.parametrize(
    ("text", "title", "project", "section"),
    [
        ("Buy paint ^Home", "Buy paint", ("Home", "home"), None),
        ("Buy paint ^home renovation tomorrow", "Buy paint", ("Home renovation", "reno"), None),
        ('^"home renovation" Buy paint', "Buy paint", ("Home renovation", "reno"), None),
        ("Buy paint ^“Home renovation”", "Buy paint", ("Home renovation", "reno"), None),
        ("Sand ^Home renovation/paint jobs #diy", "Sand", ("Home renovation", "reno"),
         ("Paint jobs", "paint")),
        ("Water ^Home/Kitchen garden p1", "Water", ("Home", "home"), ("Kitchen garden", "garden")),
        ("Water ^Home/Kitchen", "Water", ("Home", "home"), ("Kitchen", "kitchen")),
        ('Water ^Home/"kitchen garden"', "Water", ("Home", "home"), ("Kitchen garden", "garden")),
        ("Water /Kitchen ^Home", "Water", ("Home", "home"), ("Kitchen", "kitchen")),
        ("Learn Rust /someday", "Learn Rust", None, ("Someday", "someday")),
        ("Report ^WORK.", "Report.", ("Work", "work"), None),
        ("Report ^Homework", "Report", ("Homework", None), None),
        ("Tile ^Nowhere/Bath", "Tile", ("Nowhere", None), ("Bath", None)),
        ("Tile ^Home/Bath", "Tile", ("Home", "home"), ("Bath", None)),
        ("Read /etc/hosts and/or /Kitchen", "Read /etc/hosts and/or /Kitchen", None, None),
        ("Fix ^Nowhere /Kitchen", "Fix /Kitchen", ("Nowhere", None), None),
        ("2^10 is 1024 ^_^ ^", "2^10 is 1024 ^_^ ^", None, None),
        ("Call ^Home ^Work", "Call ^Work", ("Home", "home"), None),
    ],
)  # fmt: skip
def test_project_and_section_are_named_with_caret_and_slash(
    text: str,
    title: str,
    project: tuple[str, str | None] | None,
    section: tuple[str, str | None] | None,
) -> None:
    result = parse(text, NOW, "UTC", PLACES)
    assert result.title == title
    assert (result.project, result.project_id) == (project or (None, None))
    assert (result.section, result.section_id) == (section or (None, None))
    chips = {chip.kind: chip.label for chip in result.recognized}
    assert chips.get("project") == (project[0] if project else None)
    assert chips.get("section") == (section[0] if section else None)


def test_project_chips_keep_the_text_they_stand_for() -> None:
    result = parse("Sand ^home renovation/paint jobs tomorrow #diy", NOW, "UTC", PLACES)
    assert [(c.kind, c.text) for c in result.recognized] == [
        ("tag", "#diy"),
        ("due", "tomorrow"),
        ("project", "^home renovation"),
        ("section", "/paint jobs"),
    ]
    assert result.tags == ["diy"] and result.due_at is not None
    # Without places nothing is known, but a caret still names a project.
    alone = parse("Sand ^Home", NOW, "UTC")
    assert (alone.title, alone.project, alone.project_id) == ("Sand", "Home", None)


def test_second_priority_or_date_stays_in_title() -> None:
    result = parse("Fix p1 p3 tomorrow friday", NOW, "UTC")
    assert result.priority == "high"
    assert result.title == "Fix p3 friday"


def test_result_is_frozen() -> None:
    result = parse("Buy milk", NOW, "UTC")
    with pytest.raises(AttributeError):
        result.title = "x"  # type: ignore[misc]


def test_bad_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="IANA"):
        parse("Buy milk", NOW, "Mars/Olympus")


ZONES = st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Apia"])
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
TOKENS = st.sampled_from(
    [
        "every", "every!", "day", "monday", "mon,", "and", "fri", "#", "#tag", "p1", "!high",
        "tomorrow", "at", "9", "5pm", "12/25", "13/25", "dec", "25", "feb", "30", "until",
        "for", "10", "times", "in", "3", "days", "next", "week", "the", "3rd", "last", "of",
        "month", "on", "15th", "noon", "tonight", "2026-12-25", "weekday", "yearly", "2",
        "^Home", "^home renovation", "/Kitchen", "^Home/Kitchen garden", '^"Work"', "^x/y", "/",
    ]
)  # fmt: skip
PHRASES = st.lists(st.one_of(TOKENS, st.text(max_size=8)), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=80), PHRASES), now=MOMENTS, tz=ZONES)
def test_parse_never_raises_and_results_are_consistent(text: str, now: datetime, tz: str) -> None:
    result = parse(text, now, tz, PLACES)
    assert result.priority in (None, "low", "medium", "high")
    assert result.repeat_from in ("due", "completion")
    words = {word.lower() for word in result.title.split()}
    for tag in result.tags:
        assert f"#{tag}".lower() not in words
    if result.due_at is not None:
        assert result.due_at.tzinfo is UTC
    if result.rrule is not None:
        assert normalize_rrule(result.rrule) == result.rrule
        assert result.due_at is not None
    assert len(result.title) <= len(text)
    if result.project_id is not None:
        assert result.project_id in {place.id for place in PLACES}
    if result.section_id is not None:
        assert result.project is None or result.project_id is not None


WORDS = st.from_regex(r"[bcdfghjklmnqrstvwxz]{3,8}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(words=st.lists(WORDS, min_size=1, max_size=5), tag=WORDS, tz=ZONES)
def test_plain_words_survive_and_tokens_are_removed(words: list[str], tag: str, tz: str) -> None:
    title = " ".join(words)
    result = parse(f"{title} #{tag} p2 every monday", NOW, tz)
    assert result.title == title
    assert result.tags == [tag]
    assert result.priority == "medium"
    assert result.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert parse(title, NOW, tz) == QuickAdd(title=title)


SHARED = [
    Place(
        "team",
        "Team",
        people=(("max", "Max Power"), ("max", "Max"), ("max", "mpower"), ("ada", "Ada")),
    )
]


@pytest.mark.parametrize(
    ("text", "title", "assignee"),
    [
        ("Mow the lawn +Max", "Mow the lawn", ("Max", "max")),
        ("Mow +max power tomorrow", "Mow", ("Max Power", "max")),
        ('Mow +"Max Power"', "Mow", ("Max Power", "max")),
        ("Mow +mpower ^Team", "Mow", ("mpower", "max")),
        ("Mow +ada +max", "Mow +max", ("Ada", "ada")),
        ("Vote +1 for C++", "Vote +1 for C++", None),
        ("Mow +Zed", "Mow +Zed", None),
    ],
)  # fmt: skip
def test_an_assignee_is_named_with_plus(
    text: str, title: str, assignee: tuple[str, str] | None
) -> None:
    result = parse(text, NOW, "UTC", [*PLACES, *SHARED])
    assert result.title == title
    assert (result.assignee, result.assignee_id) == (assignee or (None, None))
    chips = {chip.kind: chip.label for chip in result.recognized}
    assert chips.get("assignee") == (assignee[0] if assignee else None)
