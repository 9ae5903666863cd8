"""The project menu of the pages that show every project or one (Stats, Activity, the
calendar feed in Settings): its choices and the value that stands for every project."""

from __future__ import annotations

from sqlmodel import Session

from todo_app.models import User
from todo_app.services import projects

EVERY_PROJECT = "all"


def choices(session: Session, user: User) -> list[list[str]]:
    """[id, name] of each project the user may choose, the Inbox first."""
    return [[str(p.id), p.name] for p in projects.list_projects(session, user).items]
