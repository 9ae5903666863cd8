"""A project's list as its page shows it: sections in order, subtasks under their task."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from todo_app.schemas import SectionPublic, SubtaskCounts, TaskPublic
from todo_app.state.board import NO_SECTION
from todo_app.state.project import SECTIONS, drop_target, dropped_row, dropped_section
from todo_app.state.tasks import TaskGroup, project_groups, same_place, task_row

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PROJECT = uuid.uuid4()


def task(
    title: str,
    section: SectionPublic | None = None,
    parent: TaskPublic | None = None,
    counts: tuple[int, int] = (0, 0),
) -> TaskPublic:
    return TaskPublic(
        id=uuid.uuid4(),
        project_id=PROJECT,
        section_id=section.id if section else None,
        parent_id=parent.id if parent else None,
        assignee_id=None,
        title=title,
        description="",
        priority="medium",
        tags=[],
        due_at=None,
        all_day=False,
        rrule=None,
        repeat_from="due",
        series_id=uuid.uuid4(),
        occurrence_at=None,
        completed=False,
        completed_at=None,
        deleted_at=None,
        position=0,
        created_at=NOW,
        updated_at=NOW,
        version=1,
        reminders=[],
        remind_before_minutes=[],
        subtasks=SubtaskCounts(open=counts[0], total=counts[1]),
    )


def section(name: str, position: int) -> SectionPublic:
    return SectionPublic(id=uuid.uuid4(), name=name, project_id=PROJECT, position=position)


SPRING, AUTUMN = section("Spring", 0), section("Autumn", 1)
SEEDS = task("Buy seeds", counts=(1, 3))
TOMATOES = task("Tomatoes", parent=SEEDS, counts=(1, 1))
CHERRY = task("Cherry ones", parent=TOMATOES)
TULIPS = task("Plant tulips", section=SPRING)
# The order the list query gives: subtasks need not follow their task.
ITEMS = [CHERRY, TULIPS, SEEDS, TOMATOES]


def shown(folded_sections: tuple[str, ...] = (), folded_tasks: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    groups = project_groups(
        ITEMS, [SPRING, AUTUMN], "Europe/Paris", NOW, folded_sections, folded_tasks
    )
    return [
        (g.name, g.count, g.collapsed, [(r.title, r.depth, r.progress) for r in g.rows])
        for g in groups
    ]


def test_tasks_outside_sections_first_then_each_section_even_an_empty_one() -> None:
    assert shown() == [
        (
            "",
            0,
            False,
            [("Buy seeds", 0, "2/3"), ("Tomatoes", 1, "0/1"), ("Cherry ones", 2, "")],
        ),
        ("Spring", 1, False, [("Plant tulips", 0, "")]),
        ("Autumn", 0, False, []),
    ]


def test_a_folded_section_keeps_its_count_and_a_folded_task_its_progress() -> None:
    groups = shown(folded_sections=(str(SPRING.id),), folded_tasks=(str(TOMATOES.id),))
    assert groups[0][3] == [("Buy seeds", 0, "2/3"), ("Tomatoes", 1, "0/1")]
    assert groups[1][:3] == ("Spring", 1, True) and groups[1][3] == []


def titles(groups: list[TaskGroup]) -> list[list[str]]:
    return [[row.title for row in group.rows] for group in groups]


LIST = project_groups(
    [SEEDS, TOMATOES, CHERRY, task("Water", counts=(0, 0)), TULIPS],
    [SPRING, AUTUMN],
    "UTC",
    NOW,
    [],
    [],
)


def test_a_task_dropped_in_another_section_goes_there_with_its_subtasks() -> None:
    drop = dropped_row(LIST, str(SEEDS.id), str(AUTUMN.id), 0)
    assert drop is not None
    assert titles(drop.groups) == [
        ["Water"],
        ["Plant tulips"],
        ["Buy seeds", "Tomatoes", "Cherry ones"],
    ]
    assert (drop.section, drop.after) == (str(AUTUMN.id), None)
    assert [group.count for group in drop.groups][1:] == [1, 3]


def test_a_task_dropped_on_a_lower_row_follows_the_sibling_above_past_its_subtasks() -> None:
    water = LIST[0].rows[3]
    # dnd-kit moves "Buy seeds" to index 3, "Water"'s place: its subtasks go with it.
    drop = dropped_row(LIST, str(SEEDS.id), "", 3)
    assert drop is not None and drop.after == water.id
    assert titles(drop.groups)[0] == ["Water", "Buy seeds", "Tomatoes", "Cherry ones"]
    # Between "Buy seeds" and its subtask, "Water" still follows "Buy seeds": nothing moves.
    assert dropped_row(LIST, water.id, "", 1) is None


def test_a_subtask_stays_under_its_task() -> None:
    # Above its own task, it is still its task's only subtask: nothing changes.
    assert dropped_row(LIST, str(CHERRY.id), "", 0) is None
    water = LIST[0].rows[3]
    drop = dropped_row(LIST, water.id, "", 0)
    assert drop is not None and drop.after is None
    assert titles(drop.groups)[0] == ["Water", "Buy seeds", "Tomatoes", "Cherry ones"]


def test_a_drop_on_a_sections_heading_lands_on_top_of_that_section() -> None:
    assert drop_target(LIST, SECTIONS, 1) == (str(AUTUMN.id), 0)
    assert drop_target(LIST, NO_SECTION, 2) == ("", 2)
    assert drop_target(LIST, SECTIONS, 2) is None
    assert drop_target(LIST, str(uuid.uuid4()), 0) is None


def test_a_section_dropped_on_another_takes_its_place() -> None:
    moved = dropped_section(LIST, str(AUTUMN.id), 0)
    assert moved is not None
    assert [group.name for group in moved] == ["", "Autumn", "Spring"]
    assert dropped_section(LIST, str(SPRING.id), 0) is None


def test_a_changed_row_keeps_its_place_unless_what_the_sort_reads_changed() -> None:
    before = task_row(SEEDS, "UTC", NOW)
    renamed = task_row(SEEDS.model_copy(update={"title": "Buy bulbs"}), "UTC", NOW)
    # Renamed: in place in a list by position or due date, not in one by title.
    assert same_place(before, renamed, "position") and same_place(before, renamed, "due_at")
    assert not same_place(before, renamed, "title")
    urgent = task_row(SEEDS.model_copy(update={"priority": "high"}), "UTC", NOW)
    assert same_place(before, urgent, "title") and not same_place(before, urgent, "priority")
    # Another section, parent or position moves it whatever the sort.
    for change in ({"section_id": SPRING.id}, {"parent_id": TULIPS.id}, {"position": 3}):
        moved = task_row(SEEDS.model_copy(update=change), "UTC", NOW)
        assert not same_place(before, moved, "position"), change
