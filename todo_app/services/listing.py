"""Searching, filtering, sorting and paginating a user's tasks, and counting their tags."""

from __future__ import annotations

import functools
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from todo_app.core.filters import TaskQuery
from todo_app.models import PRIORITY_RANK_SQL, Task, User
from todo_app.schemas import TagCount, TaskPage, TaskPublic
from todo_app.services.presenters import PUBLIC_COLUMNS, reminders_column, rows_public
from todo_app.services.tasks import start_of_today

_WORD = re.compile(r"\w+")
_PRIORITY_RANK: ColumnElement[int] = literal_column(PRIORITY_RANK_SQL)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _sqlite_has_tag(key: str) -> ColumnElement[bool]:
    each = func.json_each(Task.tag_keys).table_valued("value").alias("tag_each")
    return exists(select(literal(1)).select_from(each).where(each.c.value == key))


def _tag_condition(session: Session, query: TaskQuery) -> ColumnElement[bool]:
    keys = list(query.tag_keys)
    if _dialect(session) == "postgresql":
        # JSONB containment is what the GIN index on tag_keys answers.
        tag_keys = type_coerce(Task.tag_keys, JSONB)
        parts = [tag_keys.contains([key]) for key in keys]
    else:
        parts = [_sqlite_has_tag(key) for key in keys]
    return and_(*parts) if query.tag_mode == "all" else or_(*parts)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_condition(session: Session, q: str) -> ColumnElement[bool]:
    words = _WORD.findall(q.casefold())
    if not words:
        return col(Task.search_text).like(f"%{_like_escape(q.casefold())}%", escape="\\")
    if _dialect(session) == "postgresql":
        # Prefix match on each word, answered by the GIN index over the same expression.
        tsquery = " & ".join(f"{word}:*" for word in words)
        simple: ColumnElement[str] = literal_column("'simple'")
        vector = func.to_tsvector(simple, Task.search_text)
        return vector.bool_op("@@")(func.to_tsquery(simple, tsquery))
    return and_(
        *[col(Task.search_text).like(f"%{_like_escape(word)}%", escape="\\") for word in words]
    )


def _overdue(tz: str, now: datetime) -> ColumnElement[bool]:
    today = start_of_today(tz, now)
    return and_(
        col(Task.completed).is_(False),
        col(Task.due_at).is_not(None),
        or_(
            and_(col(Task.all_day).is_(False), col(Task.due_at) < now),
            and_(col(Task.all_day).is_(True), col(Task.due_at) < today),
        ),
    )


def conditions(session: Session, user: User, query: TaskQuery) -> list[ColumnElement[bool]]:
    now = datetime.now(UTC)
    where: list[ColumnElement[bool]] = [
        col(Task.user_id) == user.id,
        col(Task.deleted_at).is_(None),
    ]
    if query.status == "active":
        where.append(col(Task.completed).is_(False))
    elif query.status == "completed":
        where.append(col(Task.completed).is_(True))
    if query.priority:
        where.append(col(Task.priority).in_(query.priority))
    if query.tags:
        where.append(_tag_condition(session, query))
    if query.q:
        where.append(_text_condition(session, query.q))
    if query.due_after is not None:
        where.append(col(Task.due_at) >= query.due_after)
    if query.due_before is not None:
        where.append(col(Task.due_at) < query.due_before)
    if query.overdue is not None:
        overdue = _overdue(user.timezone, now)
        where.append(overdue if query.overdue else not_(overdue))
    if query.is_recurring is not None:
        has_rule = col(Task.rrule).is_not(None)
        where.append(has_rule if query.is_recurring else not_(has_rule))
    return where


def _ordering(query: TaskQuery) -> list[Any]:
    descending = query.sort_order == "desc"
    keys: dict[str, Any] = {
        "due_at": col(Task.due_at),
        "priority": _PRIORITY_RANK,
        "created_at": col(Task.created_at),
        "title": func.lower(Task.title),
        "position": col(Task.position),
    }
    primary = keys[query.sort_by]
    ordered = primary.desc() if descending else primary.asc()
    if query.sort_by == "due_at":
        # Tasks without a date sort after dated ones whichever the direction.
        ordered = ordered.nulls_last()
    # A stable tiebreak keeps pages from overlapping or skipping rows.
    return [ordered, col(Task.position).asc(), col(Task.created_at).asc(), col(Task.id).asc()]


@functools.cache
def _shown(dialect: str) -> Select[Any]:
    """What a listed task row holds: its public columns, then its reminders."""
    columns: tuple[Any, ...] = (*PUBLIC_COLUMNS, reminders_column(dialect))
    return select(*columns)


def list_tasks(session: Session, user: User, query: TaskQuery) -> TaskPage:
    where = conditions(session, user, query)
    offset = (query.page - 1) * query.limit
    rows = session.exec(
        _shown(_dialect(session))
        .where(*where)
        .order_by(*_ordering(query))
        .offset(offset)
        .limit(query.limit)
    ).all()
    if len(rows) < query.limit and (rows or query.page == 1):
        # A short page is the last one, so it already tells the total: no count needed.
        total = offset + len(rows)
    else:
        # A separate count, not a window over the page query: that would make the database
        # read every matching row where the page alone stops after `limit` (100,000 tasks:
        # p95 31 ms -> 479 ms in bench/api_list.py).
        total = session.exec(select(func.count()).select_from(Task).where(*where)).one()
    return TaskPage(items=rows_public(rows), total=int(total), page=query.page, limit=query.limit)


def find_task(
    session: Session, user: User, query: TaskQuery, task_id: uuid.UUID
) -> TaskPublic | None:
    """The task if `query` selects it (on whichever page), else None."""
    where = [*conditions(session, user, query), col(Task.id) == task_id]
    row = session.exec(_shown(_dialect(session)).where(*where)).first()
    return rows_public([row])[0] if row is not None else None


def tag_counts(session: Session, user: User) -> list[TagCount]:
    """Each tag the user has, with open and total task counts, matched case-insensitively."""
    if _dialect(session) == "postgresql":
        sql = (
            "SELECT tag.value AS name, count(*) FILTER (WHERE NOT t.completed) AS open,"
            " count(*) AS total FROM tasks t, jsonb_array_elements_text(t.tags) AS tag(value)"
            " WHERE t.user_id = :uid AND t.deleted_at IS NULL GROUP BY tag.value"
        )
        uid: Any = user.id
    else:
        sql = (
            "SELECT tag.value AS name, sum(CASE WHEN t.completed THEN 0 ELSE 1 END) AS open,"
            " count(*) AS total FROM tasks t, json_each(t.tags) AS tag"
            " WHERE t.user_id = :uid AND t.deleted_at IS NULL GROUP BY tag.value"
        )
        uid = user.id.hex
    merged: dict[str, dict[str, Any]] = {}
    for name, open_count, total in session.execute(text(sql), {"uid": uid}).all():
        entry = merged.setdefault(name.casefold(), {"spellings": {}, "open": 0, "total": 0})
        entry["spellings"][name] = total
        entry["open"] += int(open_count or 0)
        entry["total"] += int(total)
    result = [
        TagCount(
            name=max(entry["spellings"].items(), key=lambda item: (item[1], item[0]))[0],
            count=entry["open"],
            total=entry["total"],
        )
        for entry in merged.values()
    ]
    return sorted(result, key=lambda tag: (-tag.count, tag.name.casefold()))
