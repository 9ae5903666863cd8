"""Figures for the stats page and GET /api/v1/stats: completions per day, open tasks by
priority, by tag and by project, of one project or of every task outside archived projects.
Trashed tasks never count."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from todo_app.core.projects import Permission
from todo_app.models import Task, User
from todo_app.schemas import DayCount, ProjectPublic, ProjectStats, Stats
from todo_app.services import projects
from todo_app.services.listing import tag_counts

DAYS = 30
TOP_TAGS = 10


Where = list[ColumnElement[bool]]


def _counted(session: Session, user: User, project_id: uuid.UUID | None) -> Where:
    """The conditions selecting the tasks the figures count."""
    project = None
    if project_id is not None:
        project = projects.project_for(session, user, project_id, Permission.view)
    return [col(Task.deleted_at).is_(None), *projects.tasks_seen(session, user, project)]


def _first_day(user: User, now: datetime) -> tuple[date, datetime]:
    """The first local day of the period and the instant it starts."""
    zone = ZoneInfo(user.timezone)
    first = now.astimezone(zone).date() - timedelta(days=DAYS - 1)
    return first, datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)


def _completed_per_day(session: Session, user: User, where: Where, now: datetime) -> list[DayCount]:
    zone = ZoneInfo(user.timezone)
    first, since = _first_day(user, now)
    stamps = session.exec(
        select(Task.completed_at).where(
            *where, col(Task.completed).is_(True), col(Task.completed_at) >= since
        )
    ).all()
    per_day = Counter(stamp.astimezone(zone).date() for stamp in stamps if stamp is not None)
    days = (first + timedelta(days=i) for i in range(DAYS))
    return [DayCount(day=day, completed=per_day[day]) for day in days]


def _open_by_priority(session: Session, where: Where) -> dict[str, int]:
    rows = session.exec(
        select(Task.priority, func.count())
        .where(*where, col(Task.completed).is_(False))
        .group_by(Task.priority)
    ).all()
    counts = {"high": 0, "medium": 0, "low": 0}
    counts.update({priority: int(count) for priority, count in rows})
    return counts


def _by_project(
    session: Session, user: User, shown: list[ProjectPublic], where: Where, now: datetime
) -> list[ProjectStats]:
    _, since = _first_day(user, now)
    completed = dict(
        session.exec(
            select(Task.project_id, func.count())
            .where(*where, col(Task.completed).is_(True), col(Task.completed_at) >= since)
            .group_by(col(Task.project_id))
        ).all()
    )
    return [
        ProjectStats(
            project_id=p.id,
            name=p.name,
            color=p.color,
            open=p.open_count,
            completed=int(completed.get(p.id, 0)),
        )
        for p in shown
    ]


def summary(
    session: Session, user: User, project_id: uuid.UUID | None = None, now: datetime | None = None
) -> Stats:
    """The figures of one project's tasks (archived or not), or of every task outside the
    archived projects with a row per project not archived."""
    now = now or datetime.now(UTC)
    if project_id is not None:
        project = projects.project_for(session, user, project_id, Permission.view)
        shown = [projects.project_public(session, user, project)]
    else:
        shown = projects.list_projects(session, user).items
    where = _counted(session, user, project_id)
    return Stats(
        project_id=project_id,
        completed_per_day=_completed_per_day(session, user, where, now),
        open_by_priority=_open_by_priority(session, where),
        open_by_tag=[tag for tag in tag_counts(session, user, project_id) if tag.count][:TOP_TAGS],
        by_project=_by_project(session, user, shown, where, now),
    )
