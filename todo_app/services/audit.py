"""Reading a user's audit log (the audit worker writes it) and exporting it."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_
from sqlmodel import Session, col, select

from todo_app.core.events import uuid_of
from todo_app.core.projects import Permission
from todo_app.models import AuditLog, Project, User
from todo_app.schemas import AuditEntry, AuditPage
from todo_app.services import projects

EXPORT_MAX = 100_000
CSV_COLUMNS = (
    "at",
    "action",
    "resource_type",
    "resource_id",
    "project_name",
    "actor_email",
    "metadata",
    "id",
)


def _project_names(session: Session, user: User, rows: Sequence[AuditLog]) -> dict[uuid.UUID, str]:
    """The current names of the projects the rows name that the user may see (a trashed
    one too: its history is still the user's)."""
    ids = {row.project_id for row in rows if row.project_id is not None}
    if not ids:
        return {}
    named = session.exec(select(Project).where(col(Project.id).in_(ids))).all()
    return {
        p.id: p.name for p in named if Permission.view in projects.permissions(session, user, p)
    }


def _entry(row: AuditLog, names: dict[uuid.UUID, str]) -> AuditEntry:
    project_id = row.project_id
    name = names.get(project_id) if project_id is not None else None
    return AuditEntry(
        id=row.id,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        project_id=project_id if name is not None else None,
        project_name=name,
        actor_id=row.actor_id,
        actor_email=row.details.get("actor_email"),
        metadata=row.details,
        at=row.at,
    )


def audit_page(
    session: Session, user: User, page: int, limit: int, project_id: uuid.UUID | None = None
) -> AuditPage:
    """The user's activity, newest first: what they did and what happened to their data, or
    what happened to one project they see, its sections and its tasks, by anyone."""
    if project_id is not None:
        projects.project_for(session, user, project_id, Permission.view, include_deleted=True)
        # A project's activity is every member's to read, whoever did what.
        where = [col(AuditLog.project_id) == project_id]
    else:
        where = [or_(col(AuditLog.user_id) == user.id, col(AuditLog.actor_id) == user.id)]
    total = session.exec(select(func.count()).select_from(AuditLog).where(*where)).one()
    rows = session.exec(
        select(AuditLog)
        .where(*where)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id))
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    names = _project_names(session, user, rows)
    items = [_entry(r, names) for r in rows]
    return AuditPage(items=items, total=total, page=page, limit=limit)


def export_csv(session: Session, user: User, project_id: uuid.UUID | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in audit_page(session, user, 1, EXPORT_MAX, project_id).items:
        writer.writerow(
            [
                entry.at.isoformat(),
                entry.action,
                entry.resource_type,
                entry.resource_id or "",
                entry.project_name or "",
                entry.actor_email or "",
                json.dumps(entry.metadata, sort_keys=True),
                str(entry.id),
            ]
        )
    return buffer.getvalue()


# The snapshots are in the event for the consumers that rebuild views; the log keeps what
# a person reads: the title or name and what changed.
_DROPPED = {"task", "project", "section", "comment", "user_id", "actor_id", "audience"}


def _row(event: dict[str, Any]) -> dict[str, Any]:
    """The audit_log columns of a CloudEvent."""
    data = event.get("data") or {}
    event_type = str(event["type"])
    user_id, actor_id = uuid_of(data.get("user_id")), uuid_of(data.get("actor_id"))
    resource_type = event_type.split(".", 1)[0]
    # The resource is what the event is named after; an event about a task's reminder still
    # points at the task when it carries nothing more specific.
    found = data.get(f"{resource_type}_id") or data.get("task_id")
    details = {key: value for key, value in data.items() if key not in _DROPPED}
    snapshot = data.get("task")
    if isinstance(snapshot, dict) and "title" in snapshot:
        details.setdefault("title", snapshot["title"])
        # What a project's activity is filtered by, for its tasks as for itself.
        if snapshot.get("project_id"):
            details.setdefault("project_id", snapshot["project_id"])
    for kind in ("project", "section"):
        named = data.get(kind)
        if isinstance(named, dict) and "name" in named:
            details.setdefault("name", named["name"])
    return {
        "user_id": user_id,
        "actor_id": actor_id,
        "project_id": uuid_of(details.get("project_id")),
        "action": event_type,
        "resource_type": resource_type,
        "resource_id": str(found) if found else None,
        "event_id": str(event["id"]),
        "details": details,
        "at": datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00")),
    }


def record(session: Session, event: dict[str, Any]) -> AuditLog | None:
    """Write the audit row of a CloudEvent once; a second delivery of the same id is a no-op."""
    event_id = str(event["id"])
    if session.exec(select(AuditLog.id).where(AuditLog.event_id == event_id)).first():
        return None
    row = AuditLog(**_row(event))
    session.add(row)
    session.flush()
    return row


def record_many(session: Session, events: Sequence[dict[str, Any]]) -> int:
    """`record` for many events in two statements; returns how many rows were written."""
    ids = {str(event["id"]) for event in events}
    done = set(session.exec(select(AuditLog.event_id).where(col(AuditLog.event_id).in_(ids))))
    rows = []
    for event in events:
        row = _row(event)
        if row["event_id"] not in done:
            done.add(row["event_id"])
            rows.append({"id": uuid.uuid4(), **row})
    if rows:
        # A Core executemany: no ORM object per row, one round trip for the batch.
        session.execute(insert(AuditLog), rows)
    return len(rows)


def purge(session: Session, older_than: timedelta, now: datetime) -> int:
    """Delete audit rows older than the retention period; returns how many went."""
    result = session.exec(
        delete(AuditLog).where(col(AuditLog.at) < now - older_than)  # type: ignore[call-overload]
    )
    return int(result.rowcount or 0)
