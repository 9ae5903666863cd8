from datetime import UTC, datetime

from todo_app.core.dates import due_label, is_overdue

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday


def test_labels_read_in_the_users_zone():
    assert due_label(None, False, "UTC", NOW) == ""
    assert due_label(datetime(2026, 12, 1, 17, tzinfo=UTC), False, "UTC", NOW) == "Today 17:00"
    assert due_label(datetime(2026, 12, 2, tzinfo=UTC), True, "UTC", NOW) == "Tomorrow"
    assert due_label(datetime(2026, 11, 30, 9, tzinfo=UTC), False, "UTC", NOW) == "Yesterday 09:00"
    assert due_label(datetime(2026, 12, 4, 9, tzinfo=UTC), True, "UTC", NOW) == "Friday"
    assert due_label(datetime(2026, 12, 25, 9, tzinfo=UTC), True, "UTC", NOW) == "Fri 25 Dec"
    assert due_label(datetime(2027, 1, 5, 9, tzinfo=UTC), True, "UTC", NOW) == "5 Jan 2027"
    # 23:30 UTC on the 1st is already the 2nd in Tokyo.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert due_label(late, False, "Asia/Tokyo", NOW) == "Tomorrow 08:30"


def test_overdue_rules():
    assert is_overdue(datetime(2026, 12, 1, 9, tzinfo=UTC), False, "UTC", NOW)
    assert not is_overdue(datetime(2026, 12, 1, tzinfo=UTC), True, "UTC", NOW)
    assert is_overdue(datetime(2026, 11, 30, tzinfo=UTC), True, "UTC", NOW)
    assert not is_overdue(None, False, "UTC", NOW)
