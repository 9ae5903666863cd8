"""Reading a user's audit log (the audit worker writes it) and exporting it."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func
from sqlmodel import Session, col, select

from todo_app.models import AuditLog, User
from todo_app.schemas import AuditEntry, AuditPage

EXPORT_MAX = 100_000
CSV_COLUMNS = ("at", "action", "resource_type", "resource_id", "metadata", "id")


def _entry(row: AuditLog) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        metadata=row.details,
        at=row.at,
    )


def audit_page(session: Session, user: User, page: int, limit: int) -> AuditPage:
    mine = AuditLog.user_id == user.id
    total = session.exec(select(func.count()).select_from(AuditLog).where(mine)).one()
    rows = session.exec(
        select(AuditLog)
        .where(mine)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id))
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return AuditPage(items=[_entry(r) for r in rows], total=total, page=page, limit=limit)


def export_csv(session: Session, user: User) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in audit_page(session, user, 1, EXPORT_MAX).items:
        writer.writerow(
            [
                entry.at.isoformat(),
                entry.action,
                entry.resource_type,
                entry.resource_id or "",
                json.dumps(entry.metadata, sort_keys=True),
                str(entry.id),
            ]
        )
    return buffer.getvalue()
