"""How dates read to a person in their own time zone: "Today 17:00", "Tomorrow", "Mon 7 Dec"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def due_label(due_at: datetime | None, all_day: bool, tz: str, now: datetime) -> str:
    """A short label for a due date as seen in `tz` at `now` (both aware)."""
    if due_at is None:
        return ""
    zone = ZoneInfo(tz)
    local = due_at.astimezone(zone)
    today = now.astimezone(zone).date()
    days = (local.date() - today).days
    if days == 0:
        day = "Today"
    elif days == 1:
        day = "Tomorrow"
    elif days == -1:
        day = "Yesterday"
    elif 1 < days < 7:
        day = local.strftime("%A")
    elif local.year == today.year:
        day = f"{local.strftime('%a')} {local.day} {local.strftime('%b')}"
    else:
        day = f"{local.day} {local.strftime('%b')} {local.year}"
    return day if all_day else f"{day} {local.strftime('%H:%M')}"


def is_overdue(due_at: datetime | None, all_day: bool, tz: str, now: datetime) -> bool:
    """Past due: a timed task once its time has passed, an all-day one once its day is over."""
    if due_at is None:
        return False
    if not all_day:
        return due_at < now
    return due_at.astimezone(ZoneInfo(tz)).date() < now.astimezone(ZoneInfo(tz)).date()
