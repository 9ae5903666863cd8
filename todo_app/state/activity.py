"""The activity page: the user's audit log, a page at a time, and its exports."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import reflex as rx
from reflex.event import EventSpec

from todo_app.core.dates import due_label
from todo_app.services import audit
from todo_app.state.auth import AuthState, signed_in_event

PAGE_SIZE = 50


@dataclasses.dataclass
class ActivityItem:
    id: str
    when: str
    action: str
    resource: str
    details: str


class ActivityState(AuthState):
    items: list[ActivityItem] = []
    page: int = 1
    pages: int = 1
    total: int = 0

    @signed_in_event
    def load(self) -> None:
        page = self.router.url.query_parameters.get("page", "1")
        self.page = int(page) if page.isdigit() and int(page) > 0 else 1
        with self._signed_in() as (session, user):
            result = audit.audit_page(session, user, self.page, PAGE_SIZE)
        now = datetime.now(UTC)
        self.total = result.total
        self.pages = max(1, -(-result.total // PAGE_SIZE))
        self.items = [
            ActivityItem(
                id=str(entry.id),
                when=due_label(entry.at, False, self.user_timezone, now),
                action=entry.action,
                resource=f"{entry.resource_type} {entry.resource_id or ''}".strip(),
                details=", ".join(f"{k}: {v}" for k, v in entry.metadata.items() if k != "task"),
            )
            for entry in result.items
        ]

    @signed_in_event
    def export(self, kind: str) -> EventSpec:
        with self._signed_in() as (session, user):
            if kind == "csv":
                return rx.download(data=audit.export_csv(session, user), filename="activity.csv")
            page = audit.audit_page(session, user, 1, audit.EXPORT_MAX)
            return rx.download(data=page.model_dump_json(indent=2), filename="activity.json")
