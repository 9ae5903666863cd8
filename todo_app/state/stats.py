"""The stats page: completions per day, open tasks by priority and by tag."""

from __future__ import annotations

from typing import Any

from todo_app.services import stats
from todo_app.state.auth import AuthState, signed_in_event


class StatsState(AuthState):
    per_day: list[dict[str, Any]] = []
    by_priority: list[dict[str, Any]] = []
    by_tag: list[dict[str, Any]] = []
    completed_30: int = 0

    @signed_in_event
    def load(self) -> None:
        with self._signed_in() as (session, user):
            days = stats.completed_per_day(session, user)
            priorities = stats.open_by_priority(session, user)
            tags = stats.open_by_tag(session, user)
        self.per_day = [{"day": day[5:], "completed": count} for day, count in days]
        self.completed_30 = sum(count for _, count in days)
        self.by_priority = [
            {"priority": p, "open": priorities[p]} for p in ("high", "medium", "low")
        ]
        self.by_tag = [{"tag": name, "open": count} for name, count in tags]
