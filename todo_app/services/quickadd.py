"""Quick add: one line of text to a task, the same from the web app's bar, POST
/api/v1/tasks/quick and the chat ("call mom tomorrow 6pm #family every sunday").

The text is read with the quick-add language (todo_app.core.quickadd) in the user's time zone;
its tokens leave the title. `^Project/Section` names are matched against the user's projects
and their sections (`places`); a name none has is a FieldError naming `project` or `section`,
never a new project. The web app's pickers beside the bar (priority, tags, due date and
time) come in as defaults, and where the text and a picker both say something, the text wins.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from todo_app.core.errors import FieldError
from todo_app.core.people import handles
from todo_app.core.quickadd import Place, QuickAdd, parse
from todo_app.models import Section, User
from todo_app.schemas import ProjectPublic, TaskCreate, TaskPublic
from todo_app.services import projects, tasks


def sections_of(
    session: Session, shown: Sequence[ProjectPublic]
) -> dict[str, list[tuple[str, str]]]:
    """The (id, name) of each section of these projects (ones the user sees), in order, by
    project id."""
    rows = session.exec(
        select(Section)
        .where(col(Section.project_id).in_([p.id for p in shown]))
        .order_by(col(Section.position), col(Section.created_at))
    ).all()
    sections: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        sections.setdefault(str(row.project_id), []).append((str(row.id), row.name))
    return sections


def _people(session: Session, user: User, project: ProjectPublic) -> tuple[tuple[str, str], ...]:
    """Whom a shared project's tasks can be given to, under each name they go by."""
    if not project.shared:
        return ()
    return tuple(
        (str(member.user_id), alias)
        for member in projects.list_members(session, user, project.id).items
        for alias in handles(member.display_name, member.email)
    )


def places(session: Session, user: User) -> list[Place]:
    """The projects a line may name (those of the user's list: not archived, not in the
    trash), in the list's order, each with its sections in order and, when shared, its
    people."""
    shown = projects.list_projects(session, user).items
    sections = sections_of(session, shown)
    return [
        Place(
            str(p.id),
            p.name,
            tuple(sections.get(str(p.id), [])),
            p.is_inbox,
            p.color,
            _people(session, user, p),
        )
        for p in shown
    ]


def parse_in_zone(
    text: str, timezone: str, now: datetime | None = None, places: Sequence[Place] = ()
) -> QuickAdd:
    """The quick-add language read in `timezone` at `now` (default: now); a zone this Python
    does not know reads the text in UTC."""
    moment = now or datetime.now(UTC)
    try:
        return parse(text, moment, timezone or "UTC", places)
    except ValueError:
        return parse(text, moment, "UTC", places)


def task_from_text(
    text: str,
    timezone: str,
    *,
    now: datetime | None = None,
    places: Sequence[Place] = (),
    project_id: uuid.UUID | None = None,
    section_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    priority: str | None = None,
    tags: Iterable[str] = (),
    due_date: str = "",
    due_time: str = "",
) -> TaskCreate:
    """The task `text` describes for a user in `timezone`, with the pickers' values as defaults.

    The text's priority wins over `priority`. Tags add up: `tags` first (blank ones dropped),
    then the text's that are not among them (case-insensitive). A date or a time in the text
    wins over both `due_date` and `due_time`; a recurrence in the text without a date or time
    starts on `due_date` (at `due_time`) when one is given, else at its first occurrence from
    now. A due time is written in the user's zone (2026-12-25T18:00:00+01:00), a due date as
    the local date (2026-12-25). A project or section the text names must be among `places`;
    it wins over `project_id` and `section_id` (a project named alone drops `section_id`).
    With `parent_id` the task is a subtask of that task.

    Fields neither the text nor a default gives are left unset (out of `model_fields_set`):
    the chat passes on only what the user said.
    """
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ValueError, KeyError):  # parse_in_zone reads the text in UTC then
        zone = ZoneInfo("UTC")
    parsed = parse_in_zone(text, timezone, now, places)
    fields: dict[str, Any] = {"title": parsed.title}
    if parsed.project is not None:
        if parsed.project_id is None:
            raise FieldError("project", f"no project is named “{parsed.project}”; create it first")
        fields["project_id"] = parsed.project_id
    elif project_id is not None:
        fields["project_id"] = project_id
    if parsed.section is not None:
        if parsed.section_id is None:
            message = f"“{parsed.project}” has no section named “{parsed.section}”"
            raise FieldError("section", message)
        fields["section_id"] = parsed.section_id
    elif section_id is not None and parsed.project is None:
        fields["section_id"] = section_id
    if parent_id is not None:
        fields["parent_id"] = parent_id
    if parsed.assignee_id is not None:
        fields["assignee_id"] = parsed.assignee_id
    chosen = parsed.priority or priority
    if chosen is not None:
        fields["priority"] = chosen
    picked = [tag.strip() for tag in tags if tag.strip()]
    known = {tag.lower() for tag in picked}
    fields["tags"] = picked + [tag for tag in parsed.tags if tag.lower() not in known]
    said_date = any(chip.kind == "due" and chip.text for chip in parsed.recognized)
    if parsed.due_at is not None and (said_date or not due_date):
        local = parsed.due_at.astimezone(zone)
        fields["due_at"] = local.date().isoformat() if parsed.all_day else local.isoformat()
        fields["all_day"] = parsed.all_day
    elif due_date:
        fields["due_at"] = due_date + (f"T{due_time}" if due_time else "")
    if parsed.rrule:
        fields["rrule"] = parsed.rrule
        fields["repeat_from"] = parsed.repeat_from
    return TaskCreate(**fields)


def quick_add(
    session: Session,
    user: User,
    text: str,
    *,
    now: datetime | None = None,
    project_id: uuid.UUID | None = None,
    section_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    priority: str | None = None,
    tags: Iterable[str] = (),
    due_date: str = "",
    due_time: str = "",
) -> TaskPublic:
    """Create the task `text` describes (see `task_from_text`) as POST /tasks creates one."""
    data = task_from_text(
        text,
        user.timezone,
        now=now,
        places=places(session, user),
        project_id=project_id,
        section_id=section_id,
        parent_id=parent_id,
        priority=priority,
        tags=tags,
        due_date=due_date,
        due_time=due_time,
    )
    return tasks.create_task(session, user, data)
