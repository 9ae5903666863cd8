"""Figures for the stats page: completions per day, open tasks by priority and by tag."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from todo_app.models import Task, User
from todo_app.services.listing import tag_counts


def completed_per_day(
    session: Session, user: User, days: int = 30, now: datetime | None = None
) -> list[tuple[str, int]]:
    """(local date, completions) for each of the last `days` days, oldest first."""
    zone = ZoneInfo(user.timezone)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    stamps = session.exec(
        select(Task.completed_at).where(
            Task.user_id == user.id,
            col(Task.completed).is_(True),
            col(Task.completed_at) >= since,
        )
    ).all()
    per_day = Counter(stamp.astimezone(zone).date() for stamp in stamps if stamp is not None)
    return [
        ((first + timedelta(days=i)).isoformat(), per_day[first + timedelta(days=i)])
        for i in range(days)
    ]


def open_by_priority(session: Session, user: User) -> dict[str, int]:
    rows = session.exec(
        select(Task.priority, func.count())
        .where(
            Task.user_id == user.id,
            col(Task.completed).is_(False),
            col(Task.deleted_at).is_(None),
        )
        .group_by(Task.priority)
    ).all()
    counts = {"high": 0, "medium": 0, "low": 0}
    counts.update({priority: int(count) for priority, count in rows})
    return counts


def open_by_tag(session: Session, user: User, top: int = 10) -> list[tuple[str, int]]:
    return [(tag.name, tag.count) for tag in tag_counts(session, user) if tag.count][:top]
