"""Saved filters: a named list query per user."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from todo_app.core.errors import Conflict, FieldError, NotFound
from todo_app.core.filters import parse_query
from todo_app.core.validation import refuse_control
from todo_app.models import SavedFilter, User
from todo_app.schemas import SavedFilterCreate, SavedFilterPublic
from todo_app.services import listing

NAME_MAX = 100
FILTERS_MAX = 100


def _public(row: SavedFilter) -> SavedFilterPublic:
    return SavedFilterPublic(id=row.id, name=row.name, query=row.query, created_at=row.created_at)


def list_filters(session: Session, user: User) -> list[SavedFilterPublic]:
    rows = session.exec(
        select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(col(SavedFilter.name))
    ).all()
    return [_public(row) for row in rows]


def save_filter(session: Session, user: User, data: SavedFilterCreate) -> SavedFilterPublic:
    name = refuse_control(data.name.strip(), "name")
    if not 1 <= len(name) <= NAME_MAX:
        raise FieldError("name", f"name must be 1 to {NAME_MAX} characters")
    # Paging is not part of a saved view; validating now keeps a broken filter from being saved.
    query = {k: v for k, v in data.query.items() if k not in ("page",)}
    # A project, section or parent task it names must be the user's (applying the filter
    # checks again: one trashed since then is a NotFound, like reading it).
    listing.check_references(session, user, parse_query(query, user.timezone))
    existing = session.exec(
        select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name)
    ).first()
    if existing is not None:
        raise Conflict("a filter with this name already exists", field="name")
    count = len(list_filters(session, user))
    if count >= FILTERS_MAX:
        raise Conflict(f"at most {FILTERS_MAX} saved filters", field="name")
    row = SavedFilter(user_id=user.id, name=name, query=query)
    session.add(row)
    session.flush()
    return _public(row)


def delete_filter(session: Session, user: User, filter_id: uuid.UUID) -> None:
    row = session.get(SavedFilter, filter_id)
    if row is None or row.user_id != user.id:
        raise NotFound("filter not found")
    session.delete(row)
    session.flush()
