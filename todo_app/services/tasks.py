"""Task use cases: every mutation validates, bumps the version and writes its event."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from todo_app.core import recurrence
from todo_app.core.errors import Conflict, FieldError, NotFound
from todo_app.core.projects import Permission
from todo_app.core.validation import (
    clean_description,
    clean_priority,
    clean_reminders,
    clean_repeat_from,
    clean_tags,
    clean_title,
    local_midnight,
    parse_due,
    search_text,
    tag_key,
)
from todo_app.db import get_by_id
from todo_app.metrics import TASKS_COMPLETED, TASKS_CREATED
from todo_app.models import Project, Reminder, Task, User, utcnow
from todo_app.schemas import Occurrences, TaskCreate, TaskMove, TaskPublic, TaskUpdate
from todo_app.services import outbox, subtasks
from todo_app.services.presenters import (
    NO_SUBTASKS,
    Counts,
    reminder_pairs,
    reminders_column,
    subtasks_columns,
    task_public,
    task_snapshot,
    tasks_public,
)
from todo_app.services.projects import (
    is_member,
    project_for,
    project_trashed,
    section_for,
    task_place,
)
from todo_app.services.recurrence import ensure_successor, successor_of


def _event(
    session: Session,
    event_type: str,
    task: Task,
    viewer_id: uuid.UUID | None = None,
    known_reminders: list[tuple[datetime, int | None]] | None = None,
    counts: Counts | None = None,
    **extra: Any,
) -> TaskPublic:
    """Emit the event with the task's snapshot; the task as `viewer_id` sees it (None: with
    no reminders, for an event nobody is answered with) is the change's answer."""
    public = task_public(session, task, viewer_id, known_reminders, counts)
    snapshot = task_snapshot(public)
    data = {"user_id": str(task.user_id), "task_id": str(task.id), "task": snapshot, **extra}
    outbox.emit(session, event_type, data)
    return public


def get_task(
    session: Session,
    user: User,
    task_id: uuid.UUID,
    include_deleted: bool = True,
    need: Permission = Permission.view,
) -> Task:
    """The task, if `user` may do `need` to it. One of a project the user is not a member
    of, or a missing one, is the same NotFound; a role short of `need` is Forbidden."""
    return _found(session, get_by_id(session, Task, task_id), user, include_deleted, need)


def _found(
    session: Session, task: Task | None, user: User, include_deleted: bool, need: Permission
) -> Task:
    if task is None:
        raise NotFound("task not found")
    # A task belongs to its project's owner, who may do anything to it; anyone else asks
    # the project.
    if task.user_id != user.id:
        try:
            project_for(session, user, task.project_id, need, include_deleted=True)
        except NotFound:
            raise NotFound("task not found") from None
    if task.deleted_at is not None and not include_deleted:
        raise NotFound("task not found")
    return task


@functools.cache
def _with_reminders(dialect: str) -> Select[Task, Any, Any, Any]:
    return select(Task, reminders_column(dialect), *subtasks_columns()).where(
        col(Task.id) == bindparam("id")
    )


def get_task_and_reminders(
    session: Session,
    user: User,
    task_id: uuid.UUID,
    include_deleted: bool = True,
    need: Permission = Permission.view,
) -> tuple[Task, list[tuple[datetime, int | None]], Counts]:
    """`get_task`, the user's (remind_at, offset_minutes) pairs of it in time order and its
    subtask counts, read in the same statement: a change that keeps them answers without a
    query for them."""
    statement = _with_reminders(session.get_bind().dialect.name)
    row = session.execute(statement, {"id": task_id, "viewer_id": user.id}).one_or_none()
    task, pairs, open_count, total = row or (None, None, 0, 0)
    found = _found(session, task, user, include_deleted, need)
    return found, reminder_pairs(pairs), (open_count, total)


def read_task(session: Session, user: User, task_id: uuid.UUID) -> TaskPublic:
    return task_public(session, get_task(session, user, task_id), user.id)


def _normalize_rrule(rule: str | None) -> str | None:
    if rule is None or not rule.strip():
        return None
    try:
        return recurrence.normalize_rrule(rule)
    except ValueError as exc:
        raise FieldError("rrule", str(exc)) from None


def _resolve_due(
    raw_due: str | None, all_day: bool | None, rule: str | None, tz: str
) -> tuple[datetime | None, bool]:
    due_at, date_only = parse_due(raw_due, tz)
    if due_at is not None and all_day and not date_only:
        # An all-day task is due on the local date of the instant given.
        due_at = local_midnight(due_at.astimezone(ZoneInfo(tz)).date(), tz)
        date_only = True
    if due_at is None and rule is not None:
        # A recurrence without a date starts at its first occurrence from today on.
        today = datetime.now(ZoneInfo(tz)).date()
        start = local_midnight(today, tz)
        first = recurrence.next_occurrence(rule, start, start - timedelta(seconds=1), tz)
        if first is None:
            raise FieldError("rrule", "rrule has no occurrence from today on")
        return first, True
    return due_at, date_only


# Built once: a statement built per call costs more than running it.
_TOP_POSITION = select(func.min(Task.position)).where(Task.user_id == bindparam("user_id"))


def _top_position(session: Session, owner_id: uuid.UUID) -> int:
    """New tasks go on top of the manual order, where the user who just added one looks."""
    top = session.exec(_TOP_POSITION, params={"user_id": owner_id}).one()
    return 0 if top is None else top - 1


def _own_reminders(session: Session, user: User, task: Task) -> list[Reminder]:
    statement = (
        select(Reminder)
        .where(Reminder.task_id == task.id, Reminder.user_id == user.id)
        .order_by(col(Reminder.remind_at))
    )
    return list(session.exec(statement).all())


def _replace_reminders(
    session: Session, user: User, task: Task, planned: list[tuple[datetime, int | None]]
) -> None:
    """The user's reminders of the task become `planned`; other members' stay theirs."""
    existing = _own_reminders(session, user, task)
    keep: set[tuple[datetime, int | None]] = set()
    for reminder in existing:
        key = (reminder.remind_at, reminder.offset_minutes)
        # A reminder that already fired and is asked for again stays fired, not re-sent.
        if key in planned and key not in keep:
            keep.add(key)
        else:
            session.delete(reminder)
    _add_reminders(session, user, task, [pair for pair in planned if pair not in keep])


def _add_reminders(
    session: Session, user: User, task: Task, planned: list[tuple[datetime, int | None]]
) -> None:
    """Reminders are personal: they remind the user who sets them."""
    for remind_at, offset in planned:
        session.add(
            Reminder(task_id=task.id, user_id=user.id, remind_at=remind_at, offset_minutes=offset)
        )


def _shift_relative_reminders(session: Session, task: Task) -> None:
    """Reminders set as "N minutes before" follow the due date when it moves: every
    member's, each still reminding its own user."""
    for reminder in session.exec(select(Reminder).where(Reminder.task_id == task.id)).all():
        if reminder.offset_minutes is None or reminder.sent_at is not None:
            continue
        if task.due_at is None:
            session.delete(reminder)
        else:
            reminder.remind_at = task.due_at - timedelta(minutes=reminder.offset_minutes)
            session.add(reminder)


def create_task(session: Session, user: User, data: TaskCreate) -> TaskPublic:
    tz = user.timezone
    title = clean_title(data.title)
    description = clean_description(data.description)
    tags = clean_tags(data.tags)
    rule = _normalize_rrule(data.rrule)
    due_at, all_day = _resolve_due(data.due_at, data.all_day, rule, tz)
    planned = clean_reminders(data.reminders, data.remind_before_minutes, due_at, tz)
    if data.parent_id is None:
        project_id, section_id = task_place(session, user, data.project_id, data.section_id)
        owner_id = _owner_of(session, project_id)
        position = _top_position(session, owner_id)
    else:
        parent = _parent(session, user, None, data.parent_id, [])
        for field, given, held in (
            ("project_id", data.project_id, parent.project_id),
            ("section_id", data.section_id, parent.section_id),
        ):
            if given is not None and given != held:
                raise FieldError(field, f"a subtask is in its parent's {field[:-3]}")
        project_id, section_id, owner_id = parent.project_id, parent.section_id, parent.user_id
        # Steps are added in the order they are done: a new subtask goes last.
        order = subtasks.siblings(session, project_id, section_id, parent.id, parent.id)
        position, _ = subtasks.slot(order, len(order))
    assignee_id = _assignee(session, project_id, data.assignee_id)
    task = Task(
        user_id=owner_id,
        created_by=user.id,
        project_id=project_id,
        section_id=section_id,
        parent_id=data.parent_id,
        assignee_id=assignee_id,
        title=title,
        description=description,
        priority=clean_priority(data.priority),
        tags=tags,
        tag_keys=[tag_key(tag) for tag in tags],
        search_text=search_text(title, description),
        due_at=due_at,
        all_day=all_day,
        rrule=rule,
        repeat_from=clean_repeat_from(data.repeat_from),
        occurrence_at=due_at if rule else None,
        position=position,
    )
    task.series_id = task.id
    session.add(task)
    session.flush()
    # A new task has no reminders to keep or replace: they are the planned ones.
    _add_reminders(session, user, task, planned)
    session.flush()
    public = _event(
        session, "task.created", task, user.id, known_reminders=planned, counts=NO_SUBTASKS
    )
    TASKS_CREATED.inc()
    return public


def _owner_of(session: Session, project_id: uuid.UUID) -> uuid.UUID:
    project = get_by_id(session, Project, project_id)
    assert project is not None  # the caller checked the user's access to it
    return project.owner_id


def _assignee(
    session: Session, project_id: uuid.UUID, assignee_id: uuid.UUID | None
) -> uuid.UUID | None:
    """`assignee_id` if it names a member of the project (its owner included)."""
    if assignee_id is not None and not is_member(session, project_id, assignee_id):
        raise FieldError("assignee_id", "assignee_id must be a member of the task's project")
    return assignee_id


def _parent(
    session: Session, user: User, task: Task | None, parent_id: uuid.UUID, below: list[Task]
) -> Task:
    """The parent named for `task` (None: a new task) with its `descendants`, if it may be."""
    try:
        parent = get_task(session, user, parent_id, include_deleted=False)
    except NotFound:
        raise NotFound("parent task not found") from None
    project_for(session, user, parent.project_id, Permission.edit)
    subtasks.check_parent(session, task, parent, below)
    return parent


def _check_version(
    session: Session,
    user: User,
    task: Task,
    reminders: list[tuple[datetime, int | None]],
    expected: int | None,
) -> None:
    if expected is not None and expected != task.version:
        raise Conflict(
            f"task was changed elsewhere (version {task.version}, you sent {expected}); "
            "reload it and apply your change again",
            field="version",
            current=task_public(session, task, user.id, reminders),
        )


# Reminders are personal: any member may set their own, even one who may not edit the task.
_PERSONAL_FIELDS = frozenset({"reminders", "remind_before_minutes", "version"})


def update_task(session: Session, user: User, task_id: uuid.UUID, data: TaskUpdate) -> TaskPublic:
    personal = data.model_fields_set <= _PERSONAL_FIELDS
    need = Permission.view if personal else Permission.edit
    task, reminders, counts = get_task_and_reminders(
        session, user, task_id, include_deleted=False, need=need
    )
    _check_version(session, user, task, reminders, data.version)
    given = data.model_fields_set - {"version"}
    tz = user.timezone
    changed: list[str] = []

    def set_field(name: str, value: Any) -> None:
        if getattr(task, name) != value:
            setattr(task, name, value)
            changed.append(name)

    if "title" in given:
        set_field("title", clean_title(data.title or ""))
    if "description" in given:
        set_field("description", clean_description(data.description))
    if "priority" in given:
        if data.priority is None:
            raise FieldError("priority", "priority must be one of low, medium, high")
        set_field("priority", clean_priority(data.priority))
    if "tags" in given:
        tags = clean_tags(data.tags)
        set_field("tags", tags)
        task.tag_keys = [tag_key(tag) for tag in tags]
    if "repeat_from" in given:
        set_field("repeat_from", clean_repeat_from(data.repeat_from))
    place = given & _PLACE_FIELDS
    if place:
        target = TaskMove.model_validate({name: getattr(data, name) for name in place})
        changed.extend(_move(session, user, task, target))
    if "assignee_id" in given:
        set_field("assignee_id", _assignee(session, task.project_id, data.assignee_id))
    rule = _normalize_rrule(data.rrule) if "rrule" in given else task.rrule
    if "due_at" in given or "all_day" in given or ("rrule" in given and task.due_at is None):
        if "due_at" in given:
            raw_due: str | None = data.due_at
        elif task.due_at is None:
            raw_due = None
        elif task.all_day:
            raw_due = task.due_at.astimezone(ZoneInfo(tz)).date().isoformat()
        else:
            raw_due = task.due_at.isoformat()
        all_day = data.all_day if "all_day" in given else None
        if all_day is False and raw_due is not None and len(raw_due) == 10:
            raise FieldError("all_day", "all_day false needs due_at with a time")
        due_at, date_only = _resolve_due(raw_due, all_day, rule, tz)
        set_field("due_at", due_at)
        set_field("all_day", date_only)
    set_field("rrule", rule)
    occurrence = task.due_at if task.rrule else None
    if occurrence != task.occurrence_at:
        if occurrence is not None:
            clash = session.exec(
                select(Task.id).where(
                    Task.series_id == task.series_id,
                    Task.occurrence_at == occurrence,
                    Task.id != task.id,
                )
            ).first()
            if clash is not None:
                raise Conflict("another occurrence of this series is due then", field="due_at")
        task.occurrence_at = occurrence
    if "title" in changed or "description" in changed:
        task.search_text = search_text(task.title, task.description)
    if "reminders" in given or "remind_before_minutes" in given:
        # The list not sent keeps the caller's own reminders of that kind, nobody else's.
        own = [(r.remind_at, r.offset_minutes) for r in _own_reminders(session, user, task)]
        planned = clean_reminders(
            data.reminders
            if "reminders" in given
            else [at for at, offset in own if offset is None],
            data.remind_before_minutes
            if "remind_before_minutes" in given
            else [offset for _, offset in own if offset is not None],
            task.due_at,
            tz,
        )
        _replace_reminders(session, user, task, planned)
        changed.append("reminders")
    elif "due_at" in changed:
        _shift_relative_reminders(session, task)
    if not changed:
        return task_public(session, task, user.id, reminders, counts)
    task.updated_at = utcnow()
    session.add(task)
    session.flush()
    # Reminders replaced, or moved with the due date, are read back; otherwise they stand.
    kept = None if "reminders" in changed or "due_at" in changed else reminders
    return _event(
        session,
        "task.updated",
        task,
        user.id,
        known_reminders=kept,
        counts=counts,
        changed=sorted(set(changed)),
    )


_PLACE_FIELDS = frozenset({"project_id", "section_id", "parent_id"})


def _destination(
    session: Session, user: User, task: Task, data: TaskMove, below: list[Task]
) -> tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None]:
    """The (project, section, parent) `data` sends `task` to (with its `descendants`)."""
    given = data.model_fields_set
    project_for(session, user, task.project_id, Permission.edit)
    if data.parent_id is not None:
        parent = _parent(session, user, task, data.parent_id, below)
        for field, named, held in (
            ("project_id", data.project_id, parent.project_id),
            ("section_id", data.section_id, parent.section_id),
        ):
            if field in given and named != held:
                raise FieldError(field, f"a subtask is in its parent's {field[:-3]}")
        return parent.project_id, parent.section_id, parent.id
    project_id, section_id = task.project_id, task.section_id
    parent_id = None if "parent_id" in given else task.parent_id
    if "project_id" in given:
        if data.project_id is None:
            raise FieldError("project_id", "project_id must name a project")
        project = project_for(session, user, data.project_id, Permission.edit)
        if project.id != project_id:
            project_id, section_id, parent_id = project.id, None, None
    if "section_id" in given:
        if data.section_id is not None:
            section, _ = section_for(session, user, data.section_id, Permission.edit)
            if "project_id" in given and section.project_id != project_id:
                raise FieldError("section_id", "section_id must be a section of the project")
            project_id = section.project_id
        if data.section_id != task.section_id:
            # A subtask sent to another section leaves its parent for the top of that section.
            section_id, parent_id = data.section_id, None
    return project_id, section_id, parent_id


def _move(session: Session, user: User, task: Task, data: TaskMove) -> list[str]:
    """Put `task` where `data` says, its subtasks along with it; the fields that changed.
    Siblings pushed down to make room are changed (and announced) here too."""
    # A move within its place (a drag in a column) needs no walk of the subtree.
    places = data.model_fields_set & _PLACE_FIELDS
    below = subtasks.descendants(session, task) if places else []
    project_id, section_id, parent_id = _destination(session, user, task, data, below)
    place = {"project_id": project_id, "section_id": section_id, "parent_id": parent_id}
    changed = [name for name, value in place.items() if getattr(task, name) != value]
    if changed or data.position is not None:
        order = subtasks.siblings(session, project_id, section_id, parent_id, task.id)
        index = len(order) if data.position is None else data.position
        position, shifted = subtasks.slot(order, index)
        for sibling in shifted:
            _touch(session, sibling)
            _event(session, "task.updated", sibling, changed=["position"])
        if position != task.position:
            task.position = position
            changed.append("position")
    for name in changed:
        setattr(task, name, place.get(name, getattr(task, name)))
    carried = [name for name in ("project_id", "section_id") if name in changed]
    if "project_id" in changed:
        # The tasks belong to the new project's owner; who does not see it is unassigned.
        owner_id = _owner_of(session, project_id)
        for moved in (task, *below):
            moved.user_id = owner_id
            if moved.assignee_id is not None and not is_member(
                session, project_id, moved.assignee_id
            ):
                moved.assignee_id = None
                if moved is task:
                    changed.append("assignee_id")
    for child in below if carried else []:
        child.project_id, child.section_id = project_id, section_id
        _touch(session, child)
        if child.deleted_at is None:
            _event(session, "task.updated", child, changed=carried)
    return changed


def move_task(session: Session, user: User, task_id: uuid.UUID, data: TaskMove) -> TaskPublic:
    """Move a task (and its subtasks) to another project, section, parent or position."""
    task, reminders, counts = get_task_and_reminders(
        session, user, task_id, include_deleted=False, need=Permission.edit
    )
    changed = _move(session, user, task, data)
    if not changed:
        return task_public(session, task, user.id, reminders, counts)
    _touch(session, task)
    return _event(
        session,
        "task.updated",
        task,
        user.id,
        known_reminders=reminders,
        counts=counts,
        changed=changed,
    )


SNOOZE_MAX_MINUTES = 7 * 24 * 60


def snooze_task(
    session: Session, user: User, task_id: uuid.UUID, minutes: int, now: datetime | None = None
) -> TaskPublic:
    """Remind again `minutes` from now: one more reminder, keeping the unsent ones."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise FieldError("minutes", "minutes must be a whole number")
    if not 1 <= minutes <= SNOOZE_MAX_MINUTES:
        raise FieldError("minutes", f"minutes must be between 1 and {SNOOZE_MAX_MINUTES}")
    task = get_task(session, user, task_id, include_deleted=False)
    at = (now or utcnow()).replace(microsecond=0) + timedelta(minutes=minutes)
    rows = _own_reminders(session, user, task)
    # Fired reminders are dropped from the list: they are history, and count toward the cap.
    pending = [r.remind_at for r in rows if r.offset_minutes is None and r.sent_at is None]
    instants = [moment.isoformat() for moment in (*pending, at)]
    return update_task(session, user, task_id, TaskUpdate(reminders=instants))


def _touch(session: Session, task: Task) -> None:
    task.updated_at = utcnow()
    session.add(task)
    session.flush()


def _open_below(session: Session, task: Task, counts: Counts) -> list[Task]:
    """The open subtasks at every level (none to look for when it has no subtasks)."""
    if counts[1] == 0:
        return []
    below = subtasks.descendants(session, task)
    return [t for t in below if not t.completed and t.deleted_at is None]


def complete_task(session: Session, user: User, task_id: uuid.UUID) -> TaskPublic:
    """Complete a task and its open subtasks at every level, all with one instant (what
    undo reopens); a recurring one gets its next occurrence in the same transaction."""
    task, reminders, counts = get_task_and_reminders(
        session, user, task_id, include_deleted=False, need=Permission.edit
    )
    if task.completed:
        return task_public(session, task, user.id, reminders, counts)
    below = _open_below(session, task, counts)
    now = utcnow()
    for done in (task, *below):
        done.completed = True
        done.completed_at = now
        _touch(session, done)
    public = _event(
        session, "task.completed", task, user.id, known_reminders=reminders, counts=(0, counts[1])
    )
    for done in below:
        _event(session, "task.completed", done, reason="parent completed")
        ensure_successor(session, done, user.timezone)
    ensure_successor(session, task, user.timezone)
    TASKS_COMPLETED.inc(1 + len(below))
    return public


def uncomplete_task(session: Session, user: User, task_id: uuid.UUID) -> TaskPublic:
    """Undo a completion: the task and exactly the subtasks it completed reopen; the
    occurrence each spawned goes too, unless the user touched it."""
    task = get_task(session, user, task_id, include_deleted=False, need=Permission.edit)
    if not task.completed:
        return task_public(session, task, user.id)
    below = [t for t in subtasks.descendants(session, task) if t.completed and not t.deleted_at]
    for reopened in (task, *subtasks.stamped(below, "completed_at", task.completed_at)):
        _reopen(session, reopened)
    return task_public(session, task, user.id)


def _reopen(session: Session, task: Task) -> None:
    successor = successor_of(session, task) if task.rrule else None
    task.completed = False
    task.completed_at = None
    _touch(session, task)
    _event(session, "task.uncompleted", task)
    if successor is None or successor.deleted_at is not None:
        return
    spawned = [successor, *subtasks.descendants(session, successor)]
    if all(t.version == 1 and not t.completed for t in spawned):
        for gone in reversed(spawned):
            _event(session, "task.deleted", gone, hard=True, reason="predecessor uncompleted")
            session.delete(gone)
            session.flush()


def _trash(session: Session, task: Task, instant: datetime) -> None:
    """Stamp the task and its subtasks not yet deleted with one instant: what restore undoes."""
    below = [t for t in subtasks.descendants(session, task) if t.deleted_at is None]
    for trashed in (task, *below):
        trashed.deleted_at = instant
        _touch(session, trashed)
    for trashed in below:
        _event(session, "task.deleted", trashed, reason="parent deleted")


def delete_task(session: Session, user: User, task_id: uuid.UUID) -> TaskPublic:
    """Move the task to the trash, its subtasks with it (those deleted before stay there)."""
    task = get_task(session, user, task_id, need=Permission.edit)
    if task.deleted_at is None:
        _trash(session, task, utcnow())
        _event(session, "task.deleted", task)
    return task_public(session, task, user.id)


def restore_task(session: Session, user: User, task_id: uuid.UUID) -> TaskPublic:
    task = get_task(session, user, task_id, need=Permission.edit)
    if task.deleted_at is not None:
        if project_trashed(session, task.project_id):
            raise Conflict("its project is in the trash: restore the project", field="project_id")
        parent = get_by_id(session, Task, task.parent_id) if task.parent_id else None
        if parent is not None and parent.deleted_at is not None:
            raise Conflict("its parent task is in the trash: restore it", field="parent_id")
        below = subtasks.descendants(session, task)
        for back in (task, *subtasks.stamped(below, "deleted_at", task.deleted_at)):
            back.deleted_at = None
            back.skipped_at = None
            _touch(session, back)
            _event(session, "task.updated", back, changed=["deleted_at"])
    return task_public(session, task, user.id)


def skip_task(session: Session, user: User, task_id: uuid.UUID) -> TaskPublic:
    """Skip this occurrence: it leaves the list uncompleted and the series moves on."""
    task = get_task(session, user, task_id, include_deleted=False, need=Permission.edit)
    if not task.rrule:
        raise Conflict("only a recurring task can be skipped", field="rrule")
    if task.completed:
        raise Conflict("a completed occurrence cannot be skipped", field="completed")
    task.skipped_at = utcnow()
    _trash(session, task, task.skipped_at)
    public = _event(session, "task.skipped", task, user.id)
    ensure_successor(session, task, user.timezone)
    return public


def reorder_tasks(session: Session, user: User, ids: list[uuid.UUID]) -> list[TaskPublic]:
    """Put the given tasks in the given order, in the places they held between them."""
    if len(set(ids)) != len(ids):
        raise FieldError("ids", "ids must not repeat")
    tasks = [
        get_task(session, user, task_id, include_deleted=False, need=Permission.edit)
        for task_id in ids
    ]
    slots = sorted(task.position for task in tasks)
    if len(set(slots)) != len(slots):
        # Equal positions cannot express an order; spread them out from the lowest one.
        slots = list(range(slots[0], slots[0] + len(slots)))
    for task, position in zip(tasks, slots, strict=True):
        if task.position != position:
            task.position = position
            _touch(session, task)
            _event(session, "task.updated", task, changed=["position"])
    return tasks_public(session, tasks, user.id)


def occurrences(session: Session, user: User, task_id: uuid.UUID, n: int) -> Occurrences:
    """The next n occurrences of the task's series after this one (empty if not recurring)."""
    task = get_task(session, user, task_id)
    upcoming: list[datetime] = []
    if task.rrule and task.occurrence_at is not None:
        rule = recurrence.Rule.from_text(task.rrule)
        if rule.count is not None:
            done = session.exec(
                select(func.count()).select_from(Task).where(Task.series_id == task.series_id)
            ).one()
            later = session.exec(
                select(func.count())
                .select_from(Task)
                .where(
                    Task.series_id == task.series_id,
                    col(Task.occurrence_at) > task.occurrence_at,
                )
            ).one()
            remaining = max(rule.count - done + later, 0)
            rule = rule.replace(count=None)
            n = min(n, remaining)
        if n > 0:
            upcoming = recurrence.upcoming(
                rule, task.occurrence_at, user.timezone, task.occurrence_at, n
            )
    return Occurrences(
        task_id=task.id,
        rrule=task.rrule,
        description=recurrence.describe(task.rrule) if task.rrule else None,
        occurrences=upcoming,
    )


def start_of_today(tz: str, now: datetime | None = None) -> datetime:
    moment = (now or datetime.now(UTC)).astimezone(ZoneInfo(tz))
    return local_midnight(date(moment.year, moment.month, moment.day), tz)
