"""Input rules, each failure naming its field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from todo_app.core.errors import FieldError
from todo_app.core.filters import parse_query
from todo_app.core.validation import (
    clean_reminders,
    clean_tags,
    clean_timezone,
    clean_title,
    parse_due,
    tag_key,
)


def test_tags_are_trimmed_deduplicated_case_insensitively_and_keep_first_spelling():
    assert clean_tags([" Work ", "work", "#home", "WORK", "Home"]) == ["Work", "home"]


@given(st.lists(st.text(min_size=1, max_size=50).filter(lambda t: t.strip(" #")), max_size=40))
def test_clean_tags_never_returns_case_duplicates_or_too_many(raw):
    try:
        tags = clean_tags(raw)
    except FieldError as error:
        assert error.field == "tags"
        return
    keys = [tag_key(tag) for tag in tags]
    assert len(keys) == len(set(keys)) and len(tags) <= 20
    assert all(1 <= len(tag) <= 50 and tag == tag.strip() for tag in tags)


def test_title_rules():
    assert clean_title("  hello ") == "hello"
    for bad in ("", "   ", "x" * 256, "a\x07b"):
        with pytest.raises(FieldError) as caught:
            clean_title(bad)
        assert caught.value.field == "title" and "title" in caught.value.message


def test_due_parsing_in_user_timezone():
    assert parse_due("2026-07-01", "Europe/Berlin") == (datetime(2026, 6, 30, 22, tzinfo=UTC), True)
    assert parse_due("2026-07-01T09:00", "Europe/Berlin") == (
        datetime(2026, 7, 1, 7, tzinfo=UTC),
        False,
    )
    assert parse_due("2026-07-01T09:00:00Z", "Europe/Berlin")[0] == datetime(
        2026, 7, 1, 9, tzinfo=UTC
    )
    for bad in ("tomorrow", "2026-13-01", "0001-01-01", "9999-01-01T00:00:00Z"):
        with pytest.raises(FieldError) as caught:
            parse_due(bad, "UTC")
        assert caught.value.field == "due_at"


def test_reminders_before_due_and_absolute():
    due = datetime(2026, 7, 1, 9, tzinfo=UTC)
    planned = clean_reminders(["2026-07-01T08:00:00Z"], [30, 30, 0], due, "UTC")
    assert planned == [
        (datetime(2026, 7, 1, 8, tzinfo=UTC), None),
        (datetime(2026, 7, 1, 8, 30, tzinfo=UTC), 30),
        (due, 0),
    ]
    with pytest.raises(FieldError) as caught:
        clean_reminders([], [-5], due, "UTC")
    assert caught.value.field == "remind_before_minutes"


def test_timezone_must_be_iana():
    assert clean_timezone("America/Sao_Paulo") == "America/Sao_Paulo"
    for bad in ("", "Mars/Olympus", "../../etc/passwd", "EST5EDT\x00"):
        with pytest.raises(FieldError):
            clean_timezone(bad)


def test_query_defaults_and_parsing():
    query = parse_query({})
    assert (query.status, query.sort_by, query.sort_order, query.page, query.limit) == (
        "active",
        "position",
        "asc",
        1,
        50,
    )
    query = parse_query(
        {"tags": "Work, home ,work", "priority": "HIGH,low", "due_before": "2026-07-01"},
        "Europe/Berlin",
    )
    assert query.tags == ("Work", "home") and query.tag_keys == ("work", "home")
    assert query.priority == ("high", "low")
    # A date bound means the end of that local day.
    assert query.due_before == datetime(2026, 7, 1, 22, tzinfo=UTC)
