"""What the board and calendar views make of tasks: columns, a moved card, calendar events,
and a due date dragged to another day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from todo_app.schemas import SubtaskCounts, TaskPublic
from todo_app.state.board import (
    NO_SECTION,
    Placed,
    board_columns,
    calendar_events,
    due_text,
    keeps_order,
    moved,
    placed,
    shifted_due,
)

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PARIS = "Europe/Paris"


def task(title: str, **fields: Any) -> TaskPublic:
    task_id = uuid.uuid4()
    values: dict[str, Any] = {
        "id": task_id,
        "project_id": uuid.uuid4(),
        "section_id": None,
        "parent_id": None,
        "assignee_id": None,
        "title": title,
        "description": "",
        "priority": "medium",
        "tags": [],
        "due_at": None,
        "all_day": False,
        "rrule": None,
        "repeat_from": "due",
        "series_id": task_id,
        "occurrence_at": None,
        "completed": False,
        "completed_at": None,
        "deleted_at": None,
        "position": 0,
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
        "reminders": [],
        "remind_before_minutes": [],
        "subtasks": SubtaskCounts(open=0, total=0),
    }
    return TaskPublic(**{**values, **fields})


def test_columns_are_no_section_then_the_sections_each_with_its_cards_in_order() -> None:
    doing = str(uuid.uuid4())
    items = [
        task("A", section_id=uuid.UUID(doing), subtasks=SubtaskCounts(open=1, total=3)),
        task("B"),
        task("C", section_id=uuid.UUID(doing)),
    ]
    columns = board_columns([(doing, "Doing"), (str(uuid.uuid4()), "Done")], items, PARIS, NOW)
    assert [(c.name, [card.title for card in c.cards]) for c in columns] == [
        ("No section", ["B"]),
        ("Doing", ["A", "C"]),
        ("Done", []),
    ]
    assert columns[0].id == NO_SECTION
    assert columns[1].card_ids == [str(items[0].id), str(items[2].id)]
    assert [card.progress for card in columns[1].cards] == ["2/3", ""]


def test_a_moved_card_leaves_its_column_for_its_place_in_the_other() -> None:
    items = [task("A"), task("B"), task("C", section_id=uuid.UUID(int=1))]
    columns = board_columns([(str(uuid.UUID(int=1)), "Doing")], items, PARIS, NOW)
    after = moved(columns, str(items[0].id), str(uuid.UUID(int=1)), 0)
    assert [[card.title for card in c.cards] for c in after] == [["B"], ["A", "C"]]
    assert after[1].card_ids == [str(items[0].id), str(items[2].id)]
    # Within one column: to the end, and past the end is the end.
    again = moved(after, str(items[0].id), str(uuid.UUID(int=1)), 5)
    assert [card.title for card in again[1].cards] == ["C", "A"]


def test_a_due_date_moves_by_days_keeping_its_wall_clock_time_across_a_dst_change() -> None:
    # 09:30 in Paris on Friday 27 March 2026 (UTC+1); Paris changes to UTC+2 on the 29th.
    dentist = task("Dentist", due_at=datetime(2026, 3, 27, 8, 30, tzinfo=UTC))
    assert shifted_due(dentist, 3, 0, PARIS) == "2026-03-30T09:30:00+02:00"
    assert shifted_due(dentist, -1, 90 * 60 * 1000, PARIS) == "2026-03-26T11:00:00+01:00"
    rent = task("Rent", due_at=datetime(2026, 3, 26, 23, 0, tzinfo=UTC), all_day=True)
    assert shifted_due(rent, 2, 0, PARIS) == "2026-03-29"
    assert due_text(rent, PARIS) == "2026-03-27"
    assert due_text(dentist, PARIS) == "2026-03-27T09:30:00+01:00"


def test_calendar_events_are_the_dated_tasks_and_fixed_future_occurrences() -> None:
    standup = task(
        "Standup",
        due_at=datetime(2026, 3, 20, 8, 30, tzinfo=UTC),
        rrule="FREQ=DAILY",
        priority="high",
    )
    rent = task("Rent", due_at=datetime(2026, 3, 31, 22, 0, tzinfo=UTC), all_day=True)
    later = [datetime(2026, 3, 21, 8, 30, tzinfo=UTC), datetime(2026, 3, 22, 8, 30, tzinfo=UTC)]
    events = calendar_events([standup, rent], {str(standup.id): later}, PARIS)
    assert [(e["title"], e["start"], e["allDay"]) for e in events] == [
        ("Standup", "2026-03-20T09:30:00", False),
        ("Standup", "2026-03-21T09:30:00", False),
        ("Standup", "2026-03-22T09:30:00", False),
        ("Rent", "2026-04-01", True),
    ]
    assert events[0]["id"] == str(standup.id) and "editable" not in events[0]
    assert "cal-high" in events[0]["classNames"]
    assert [e["editable"] for e in events[1:3]] == [False, False]
    assert all(e["classNames"] == ["cal-future"] for e in events[1:3])


def test_a_sibling_shifted_in_order_keeps_the_board_as_it_is_a_move_does_not() -> None:
    items = [task(title, position=position) for title, position in (("A", 0), ("B", 1), ("C", 5))]
    columns = board_columns([], items, PARIS, NOW)
    shown = {str(t.id): placed(t) for t in items}
    a, b, c = (str(t.id) for t in items)
    # B made room for a task put before it: still between A and C.
    assert keeps_order(columns, shown, b, Placed(NO_SECTION, 2, 2))
    # B now after C, or in another column: the board must change.
    assert not keeps_order(columns, shown, b, Placed(NO_SECTION, 6, 2))
    assert not keeps_order(columns, shown, b, Placed(str(uuid.uuid4()), 1, 2))
    assert not keeps_order(columns, shown, str(uuid.uuid4()), Placed(NO_SECTION, 3, 1))
    # The first and the last have one neighbour each.
    assert keeps_order(columns, shown, a, Placed(NO_SECTION, -4, 2))
    assert keeps_order(columns, shown, c, Placed(NO_SECTION, 9, 2))
    # An event's snapshot reads the same as the task it was taken of.
    assert placed(items[1].model_dump(mode="json")) == shown[b]
