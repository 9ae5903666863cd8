"""A project's list as its page shows it: sections in order, subtasks under their task."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from todo_app.schemas import SectionPublic, SubtaskCounts, TaskPublic
from todo_app.state.tasks import project_groups

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
