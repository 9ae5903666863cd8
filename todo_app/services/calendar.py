"""The calendar feed: a user's open tasks, or one project's, as an iCalendar (RFC 5545)
document of VTODOs.

Calendar apps cannot send a bearer token, so the feed's URL carries a secret of its own. Only its
SHA-256 is stored (`User.calendar_token_hash`); making a new one replaces it, so the old URL
stops working at once.
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Todo, vRecur
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from todo_app.core.errors import NotFound
from todo_app.core.projects import Permission
from todo_app.core.recurrence import Rule
from todo_app.models import Reminder, Task, User, utcnow
from todo_app.services import projects
from todo_app.services.auth import _auth_event, _token_hash

UID_DOMAIN = "todo-app.local"
PRODID = "-//todo-app//calendar feed//EN"
PRIORITY = {"high": 1, "medium": 5, "low": 9}
MAX_TASKS = 5000


def new_token(session: Session, user: User) -> str:
    """Make (or replace) the user's feed secret and return it; only its hash is kept."""
    secret = secrets.token_urlsafe(32)
    user.calendar_token_hash = _token_hash(secret)
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    _auth_event(session, "auth.calendar_token_created", str(user.id))
    return secret


def user_for_token(session: Session, token: str) -> User:
    """The feed's owner; an unknown (or replaced) secret is a 404, like a missing feed."""
    if not token:
        raise NotFound("calendar feed not found")
    user = session.exec(select(User).where(User.calendar_token_hash == _token_hash(token))).first()
    if user is None:
        raise NotFound("calendar feed not found")
    return user


def _local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def _feed_rule(session: Session, task: Task, zone: ZoneInfo) -> str | None:
    """The task's rule as seen from this occurrence: COUNT counts what is left of the series
    (this one included), and an all-day task's UNTIL is a date, as RFC 5545 wants."""
    if not task.rrule:
        return None
    rule = Rule.from_text(task.rrule)
    if rule.count is not None and task.occurrence_at is not None:
        earlier = session.exec(
            select(func.count())
            .select_from(Task)
            .where(
                Task.series_id == task.series_id,
                col(Task.occurrence_at) < task.occurrence_at,
            )
        ).one()
        rule = rule.replace(count=max(rule.count - earlier, 1))
    until = rule.until_at
    if task.all_day and until is not None and until.tzinfo is not None:
        rule = rule.replace(until=f"{until.astimezone(zone).date():%Y%m%d}")
    return rule.text


def _todo(
    session: Session, task: Task, reminders: list[Reminder], zone: ZoneInfo, now: datetime
) -> Todo:
    todo = Todo()
    todo.add("uid", f"{task.id}@{UID_DOMAIN}")
    todo.add("dtstamp", now)
    todo.add("created", task.created_at.astimezone(UTC))
    todo.add("last-modified", task.updated_at.astimezone(UTC))
    todo.add("summary", task.title)
    if task.description:
        todo.add("description", task.description)
    todo.add("status", "NEEDS-ACTION")
    todo.add("priority", PRIORITY.get(task.priority, 5))
    if task.tags:
        todo.add("categories", list(task.tags))
    if task.due_at is not None:
        if task.all_day:
            todo.add("due", _local_date(task.due_at, zone))
        else:
            todo.add("due", task.due_at.astimezone(UTC))
    rule = _feed_rule(session, task, zone)
    if rule and task.due_at is not None:
        # RFC 5545 expands a rule from DTSTART; on local wall-clock time (TZID), so a 09:00
        # task stays 09:00 across daylight-saving changes, as the app itself expands it.
        start = min(task.occurrence_at or task.due_at, task.due_at)
        if task.all_day:
            todo.add("dtstart", _local_date(start, zone))
        else:
            todo.add("dtstart", start.astimezone(zone))
        todo.add("rrule", vRecur.from_ical(rule))
    for reminder in reminders:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", task.title)
        alarm.add("trigger", reminder.remind_at.astimezone(UTC))
        todo.add_component(alarm)
    return todo


def feed(session: Session, user: User, project_id: uuid.UUID | None = None) -> bytes:
    """The user's open tasks (not completed, not deleted) as a VCALENDAR of VTODOs: those of
    one project (archived or not), or those outside the archived projects."""
    zone = ZoneInfo(user.timezone)
    now = utcnow().replace(microsecond=0)
    where: list[ColumnElement[bool]] = [
        col(Task.completed).is_(False),
        col(Task.deleted_at).is_(None),
    ]
    name = "Todo"
    project = None
    if project_id is not None:
        project = projects.project_for(session, user, project_id, Permission.view)
        name = f"Todo: {project.name}"
    where.extend(projects.tasks_seen(session, user, project))
    tasks = session.exec(
        select(Task)
        .where(*where)
        .order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.position))
        .limit(MAX_TASKS)
    ).all()
    by_task: dict[uuid.UUID, list[Reminder]] = defaultdict(list)
    ids = [task.id for task in tasks]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for reminder in session.exec(
            select(Reminder)
            .where(
                col(Reminder.task_id).in_(chunk),
                col(Reminder.user_id) == user.id,
                col(Reminder.sent_at).is_(None),
            )
            .order_by(col(Reminder.remind_at))
        ).all():
            by_task[reminder.task_id].append(reminder)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", user.timezone)
    for task in tasks:
        calendar.add_component(_todo(session, task, by_task[task.id], zone, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()
