"""A task's place in its tree of subtasks: ancestors, descendants, depth and siblings.

A top task has depth 0 and holds at most `LEVELS_BELOW` levels of subtasks, so each walk
here is at most that many queries (one per level), whatever the size of the tree.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from todo_app.core.errors import FieldError
from todo_app.db import get_by_id
from todo_app.models import Task

LEVELS_BELOW = 3

_CHILDREN = select(Task).where(col(Task.parent_id).in_(bindparam("ids", expanding=True)))


def descendants(session: Session, task: Task) -> list[Task]:
    """Every task below `task`, deleted ones too, parents before their children."""
    found: list[Task] = []
    frontier = [task.id]
    while frontier:
        level = list(session.exec(_CHILDREN, params={"ids": frontier}).all())
        found.extend(level)
        frontier = [child.id for child in level]
    return found


def depth(session: Session, task: Task) -> int:
    """0 for a top task, 1 for its subtask, ..."""
    levels, current = 0, task
    while current.parent_id is not None:
        parent = get_by_id(session, Task, current.parent_id)
        if parent is None:
            break
        levels, current = levels + 1, parent
    return levels


def height(task: Task, below: list[Task]) -> int:
    """Levels of subtasks under `task`, given its `descendants`."""
    level_of = {task.id: 0}
    for child in below:
        if child.parent_id is not None:
            level_of[child.id] = level_of.get(child.parent_id, 0) + 1
    return max(level_of.values())


def check_parent(session: Session, task: Task | None, parent: Task, below: list[Task]) -> None:
    """Whether `task` (with its `descendants`), or a new task when None, may go under
    `parent`: never under itself or its own subtasks, and never deeper than the limit."""
    if task is not None and (parent.id == task.id or parent.id in {t.id for t in below}):
        raise FieldError("parent_id", "a task cannot go under itself or its own subtasks")
    levels = depth(session, parent) + 1 + (height(task, below) if task is not None else 0)
    if levels > LEVELS_BELOW:
        raise FieldError(
            "parent_id", f"subtasks nest at most {LEVELS_BELOW} levels below a top task"
        )


def siblings(
    session: Session,
    project_id: uuid.UUID,
    section_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    leaving_out: uuid.UUID,
) -> list[Task]:
    """The tasks that share a place (a parent's subtasks, or the top tasks of a project's
    section), not deleted, in their order, `leaving_out` left out."""
    statement = select(Task).where(
        col(Task.deleted_at).is_(None),
        col(Task.id) != leaving_out,
    )
    if parent_id is not None:
        statement = statement.where(col(Task.parent_id) == parent_id)
    else:
        statement = statement.where(
            col(Task.project_id) == project_id,
            col(Task.parent_id).is_(None),
            col(Task.section_id).is_(None)
            if section_id is None
            else col(Task.section_id) == section_id,
        )
    return list(session.exec(statement.order_by(col(Task.position), col(Task.created_at))).all())


def slot(order: list[Task], index: int) -> tuple[int, list[Task]]:
    """The position that puts a task at `index` of `order`, and the tasks after it that
    had to move down one to make room (as few as the gaps allow)."""
    index = max(0, min(index, len(order)))
    if not order:
        return 0, []
    if index == len(order):
        return order[-1].position + 1, []
    if index == 0:
        return order[0].position - 1, []
    position = order[index - 1].position + 1
    shifted, previous = [], position
    for task in order[index:]:
        if task.position > previous:
            break
        task.position = previous + 1
        previous = task.position
        shifted.append(task)
    return position, shifted


def stamped(tasks: list[Task], field: str, instant: datetime | None) -> list[Task]:
    """The tasks whose `field` holds `instant`: those a change of their ancestor stamped."""
    return [task for task in tasks if instant is not None and getattr(task, field) == instant]
