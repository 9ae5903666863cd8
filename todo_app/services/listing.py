"""Searching, filtering, sorting and paginating a user's tasks, and counting their tags."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    ColumnElement,
    Integer,
    Result,
    Row,
    String,
    and_,
    bindparam,
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
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from todo_app.core.filters import TaskQuery
from todo_app.core.projects import Permission
from todo_app.models import PRIORITY_RANK_SQL, Task, User
from todo_app.schemas import TagCount, TaskPublic
from todo_app.services import projects
from todo_app.services.presenters import PublicPage, as_public, rows_fields, task_row_columns
from todo_app.services.tasks import get_task, start_of_today

_WORD = re.compile(r"\w+")
_PRIORITY_RANK: ColumnElement[int] = literal_column(PRIORITY_RANK_SQL)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@dataclass(frozen=True)
class _Shape:
    """What decides a list query's SQL text. The values (user, tags, words, dates, page) go in
    as parameters, so each shape's statements are built once per process: building a
    statement and walking it for its cache key cost more than running it."""

    dialect: str
    # own: the user's own tasks (those of the projects the user owns); shared: those and the
    # tasks of the projects shared with the user; project: one project's, access checked.
    scope: str
    status: str
    priorities: bool
    tags: int
    tag_mode: str
    # -1: no text search; 0: a term without words, matched as a substring; else the word
    # parameters: one tsquery on PostgreSQL, one LIKE a word on SQLite.
    words: int
    due_after: bool
    due_before: bool
    overdue: bool | None
    is_recurring: bool | None
    project: bool
    section: bool
    # None: all levels; True: top-level only; False: the subtasks of the parent parameter.
    top_level: bool | None
    # hide: tasks of the archived projects (a parameter) left out; only: nothing else;
    # any: no condition.
    archived: str
    # None: anyone's; "id": the assignee parameter's; "none": unassigned ones.
    assignee: str | None
    sort_by: str
    sort_order: str


def _archived_mode(query: TaskQuery, archived: Sequence[uuid.UUID]) -> str:
    if query.archived:
        return "only"
    # A project's (or section's) own list shows its tasks, archived or not; with nothing
    # archived there is nothing to hide, and the count keeps its index-only scan.
    if query.project_id is not None or query.section_id is not None or not archived:
        return "any"
    return "hide"


@dataclass(frozen=True)
class Reach:
    """Whose tasks a list reads: the user's own, plus the `shared` projects' (unless
    `project_only`: one project the user may see, named by the query)."""

    shared: Sequence[uuid.UUID] = ()
    project_only: bool = False
    archived: Sequence[uuid.UUID] = ()


def _shape_and_values(
    dialect: str,
    user: User,
    query: TaskQuery,
    now: datetime,
    reach: Reach = Reach(),
) -> tuple[_Shape, dict[str, Any]]:
    archived = reach.archived
    values: dict[str, Any] = {
        "offset": (query.page - 1) * query.limit,
        "limit": query.limit,
        # Whose reminders the rows carry: they are personal.
        "viewer_id": user.id,
    }
    if reach.project_only:
        scope = "project"
    else:
        values["user_id"] = user.id
        scope = "shared" if reach.shared else "own"
        if reach.shared:
            values["shared_ids"] = list(reach.shared)
    assignee = None
    if query.assignee == "none":
        assignee = "none"
    elif query.assignee is not None:
        assignee = "id"
        values["assignee"] = user.id if query.assignee == "me" else uuid.UUID(query.assignee)
    if query.priority:
        values["priorities"] = list(query.priority)
    for index, key in enumerate(query.tag_keys):
        # PostgreSQL asks whether the task's JSONB key list contains [key].
        values[f"tag_{index}"] = [key] if dialect == "postgresql" else key
    words = -1
    if query.q:
        found = _WORD.findall(query.q.casefold())
        if not found:
            words = 0
            values["term"] = f"%{_like_escape(query.q.casefold())}%"
        elif dialect == "postgresql":
            # Prefix match on each word, all of them in one tsquery parameter.
            words = 1
            values["tsquery"] = " & ".join(f"{word}:*" for word in found)
        else:
            words = len(found)
            values.update({f"word_{i}": f"%{_like_escape(w)}%" for i, w in enumerate(found)})
    if query.due_after is not None:
        values["due_after"] = query.due_after
    if query.due_before is not None:
        values["due_before"] = query.due_before
    if query.overdue is not None:
        values["now"] = now
        values["today"] = start_of_today(user.timezone, now)
    if query.project_id is not None:
        values["project_id"] = query.project_id
    if query.section_id is not None:
        values["section_id"] = query.section_id
    if query.parent_id is not None:
        values["parent_id"] = query.parent_id
    mode = _archived_mode(query, archived)
    if mode != "any":
        values["archived_ids"] = list(archived)
    top_level = True if query.top_level else (False if query.parent_id is not None else None)
    shape = _Shape(
        dialect=dialect,
        scope=scope,
        status=query.status,
        priorities=bool(query.priority),
        tags=len(query.tags),
        tag_mode=query.tag_mode,
        words=words,
        due_after=query.due_after is not None,
        due_before=query.due_before is not None,
        overdue=query.overdue,
        is_recurring=query.is_recurring,
        project=query.project_id is not None,
        section=query.section_id is not None,
        top_level=top_level,
        archived=mode,
        assignee=assignee,
        sort_by=query.sort_by,
        sort_order=query.sort_order,
    )
    return shape, values


def _tag_condition(shape: _Shape) -> ColumnElement[bool]:
    names = [f"tag_{index}" for index in range(shape.tags)]
    if shape.dialect == "postgresql":
        # JSONB containment is what the GIN index on tag_keys answers.
        tag_keys = type_coerce(Task.tag_keys, JSONB)
        parts = [tag_keys.contains(bindparam(name)) for name in names]
    else:
        parts = []
        for name in names:
            each = func.json_each(Task.tag_keys).table_valued("value").alias("tag_each")
            parts.append(
                exists(select(literal(1)).select_from(each).where(each.c.value == bindparam(name)))
            )
    return and_(*parts) if shape.tag_mode == "all" else or_(*parts)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_condition(shape: _Shape) -> ColumnElement[bool]:
    if shape.words == 0:
        return col(Task.search_text).like(bindparam("term"), escape="\\")
    if shape.dialect == "postgresql":
        # Answered by the GIN index over the same expression.
        simple: ColumnElement[str] = literal_column("'simple'")
        vector = func.to_tsvector(simple, Task.search_text)
        tsquery = func.to_tsquery(simple, bindparam("tsquery", type_=String))
        return vector.bool_op("@@")(tsquery)
    return and_(
        *[
            col(Task.search_text).like(bindparam(f"word_{index}"), escape="\\")
            for index in range(shape.words)
        ]
    )


def _overdue() -> ColumnElement[bool]:
    return and_(
        col(Task.completed).is_(False),
        col(Task.due_at).is_not(None),
        or_(
            and_(col(Task.all_day).is_(False), col(Task.due_at) < bindparam("now")),
            and_(col(Task.all_day).is_(True), col(Task.due_at) < bindparam("today")),
        ),
    )


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(Task.deleted_at).is_(None)]
    mine = col(Task.user_id) == bindparam("user_id")
    if shape.scope == "own":
        where.append(mine)
    elif shape.scope == "shared":
        where.append(or_(mine, col(Task.project_id).in_(bindparam("shared_ids", expanding=True))))
    if shape.assignee == "id":
        where.append(col(Task.assignee_id) == bindparam("assignee"))
    elif shape.assignee == "none":
        where.append(col(Task.assignee_id).is_(None))
    if shape.status == "active":
        where.append(col(Task.completed).is_(False))
    elif shape.status == "completed":
        where.append(col(Task.completed).is_(True))
    if shape.priorities:
        where.append(col(Task.priority).in_(bindparam("priorities", expanding=True)))
    if shape.tags:
        where.append(_tag_condition(shape))
    if shape.words >= 0:
        where.append(_text_condition(shape))
    if shape.due_after:
        where.append(col(Task.due_at) >= bindparam("due_after"))
    if shape.due_before:
        where.append(col(Task.due_at) < bindparam("due_before"))
    if shape.overdue is not None:
        where.append(_overdue() if shape.overdue else not_(_overdue()))
    if shape.is_recurring is not None:
        has_rule = col(Task.rrule).is_not(None)
        where.append(has_rule if shape.is_recurring else not_(has_rule))
    if shape.project:
        where.append(col(Task.project_id) == bindparam("project_id"))
    if shape.section:
        where.append(col(Task.section_id) == bindparam("section_id"))
    if shape.top_level is True:
        where.append(col(Task.parent_id).is_(None))
    elif shape.top_level is False:
        where.append(col(Task.parent_id) == bindparam("parent_id"))
    if shape.archived != "any":
        in_archived = col(Task.project_id).in_(bindparam("archived_ids", expanding=True))
        where.append(in_archived if shape.archived == "only" else not_(in_archived))
    return where


def _ordering(shape: _Shape) -> list[Any]:
    keys: dict[str, Any] = {
        "due_at": col(Task.due_at),
        "priority": _PRIORITY_RANK,
        "created_at": col(Task.created_at),
        "title": func.lower(Task.title),
        "position": col(Task.position),
    }
    primary = keys[shape.sort_by]
    ordered = primary.desc() if shape.sort_order == "desc" else primary.asc()
    if shape.sort_by == "due_at":
        # Tasks without a date sort after dated ones whichever the direction.
        ordered = ordered.nulls_last()
    # A stable tiebreak keeps pages from overlapping or skipping rows.
    return [ordered, col(Task.position).asc(), col(Task.created_at).asc(), col(Task.id).asc()]


@functools.cache
def _shown(dialect: str) -> Select[Any]:
    return select(*task_row_columns(dialect))


@functools.lru_cache(maxsize=1024)
def _statements(shape: _Shape) -> tuple[sa.Select[Any], SelectOfScalar[int]]:
    """The page statement of a shape, each row also carrying how many rows match in all
    (`total`), and the count alone (for a page beyond the last, which has no row to carry it)."""
    where = _conditions(shape)
    count = select(func.count()).select_from(Task).where(*where)
    # Uncorrelated, the count runs once per statement with the index scan a count of its own
    # would take: a page and its total cost one round trip. (A window count would make the
    # database read every matching row in full; bench/README.md has the figures.)
    total = count.scalar_subquery().correlate(None).label("total")
    page = (
        _shown(shape.dialect)
        .add_columns(total)
        .where(*where)
        .order_by(*_ordering(shape))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )
    return page, count


def _run(session: Session, statement: Executable, values: dict[str, Any]) -> Result[Any]:
    # A Core execution skips the ORM's result setup; flushing first keeps what an ORM query's
    # autoflush gives: changes pending in this session show in the list.
    session.flush()
    return session.connection().execute(statement, values)


def page_statement(
    dialect: str,
    user: User,
    query: TaskQuery,
    now: datetime,
    reach: Reach = Reach(),
) -> tuple[sa.Select[Any], dict[str, Any]]:
    """The statement `list_tasks` runs for a page (each row with the `total`) and its values,
    given the user's `reach`: what bench/api_list.py runs directly as its baseline."""
    shape, values = _shape_and_values(dialect, user, query, now, reach)
    return _statements(shape)[0], values


def check_references(session: Session, user: User, query: TaskQuery) -> bool:
    """A project, section or parent task the query names must be one the user may see (a
    project in the trash is not): anything else is the same NotFound as reading it. Answers
    whether the project or section named is someone else's (shared with the user)."""
    others = False
    if query.project_id is not None:
        project = projects.project_for(session, user, query.project_id, Permission.view)
        others = project.owner_id != user.id
    if query.section_id is not None:
        _, project = projects.section_for(session, user, query.section_id, Permission.view)
        others = project.owner_id != user.id
    if query.parent_id is not None:
        get_task(session, user, query.parent_id)
    return others


def _reach(session: Session, user: User, query: TaskQuery) -> Reach:
    """Whose tasks the query reads, once its references are checked: a project or section
    shared with the user alone; else the user's own and the shared projects', the archived
    projects' ids with them if the query needs them."""
    others = check_references(session, user, query)
    one_place = query.project_id is not None or query.section_id is not None
    if others:
        return Reach(project_only=True)
    if one_place and not query.archived:
        # One of the user's own projects: nothing else to look up.
        return Reach()
    scope = projects.scope(session, user)
    return Reach(shared=() if one_place else scope.shared, archived=scope.archived)


def _page(session: Session, user: User, query: TaskQuery) -> tuple[Sequence[Row[Any]], int]:
    """The page's rows and how many rows match in all."""
    reach = _reach(session, user, query)
    shape, values = _shape_and_values(_dialect(session), user, query, datetime.now(UTC), reach)
    page, count = _statements(shape)
    rows = _run(session, page, values).all()
    if rows:
        total = rows[0].total
    elif query.page == 1:
        total = 0
    else:
        total = _run(session, count, values).scalar_one()
    return rows, int(total)


def list_tasks(session: Session, user: User, query: TaskQuery) -> PublicPage:
    """The page of the user's tasks `query` selects, and how many it selects in all."""
    rows, total = _page(session, user, query)
    return PublicPage(rows_fields(rows), total, query.page, query.limit)


def find_task(
    session: Session, user: User, query: TaskQuery, task_id: uuid.UUID
) -> TaskPublic | None:
    """The task if `query` selects it (on whichever page), else None."""
    reach = _reach(session, user, query)
    shape, values = _shape_and_values(_dialect(session), user, query, datetime.now(UTC), reach)
    statement = _shown(shape.dialect).where(
        *_conditions(shape), col(Task.id) == bindparam("task_id")
    )
    row = _run(session, statement, {**values, "task_id": task_id}).first()
    return as_public(rows_fields([row]))[0] if row is not None else None


def tag_counts(
    session: Session, user: User, project_id: uuid.UUID | None = None, archived: bool = False
) -> list[TagCount]:
    """Each tag the user has, with open and total task counts, matched case-insensitively:
    of one project's tasks, of the archived projects' (`archived`), or else of every task
    outside the archived projects. Trashed tasks never count."""
    query = TaskQuery(project_id=project_id, archived=archived)
    reach = _reach(session, user, query)
    archived_ids = reach.archived
    mode = _archived_mode(query, archived_ids)
    postgresql = _dialect(session) == "postgresql"

    def key(value: uuid.UUID) -> Any:
        """An id as the dialect stores it: a UUID on PostgreSQL, 32 hex digits on SQLite."""
        return value if postgresql else value.hex

    values: dict[str, Any] = {}
    if postgresql:
        sql = (
            "SELECT tag.value AS name, count(*) FILTER (WHERE NOT t.completed) AS open,"
            " count(*) AS total FROM tasks t, jsonb_array_elements_text(t.tags) AS tag(value)"
            " WHERE t.deleted_at IS NULL"
        )
    else:
        sql = (
            "SELECT tag.value AS name, sum(CASE WHEN t.completed THEN 0 ELSE 1 END) AS open,"
            " count(*) AS total FROM tasks t, json_each(t.tags) AS tag"
            " WHERE t.deleted_at IS NULL"
        )
    expanding = []
    if not reach.project_only:
        values["uid"] = key(user.id)
        if reach.shared:
            sql += " AND (t.user_id = :uid OR t.project_id IN :shared_ids)"
            values["shared_ids"] = [key(each) for each in reach.shared]
            expanding.append("shared_ids")
        else:
            sql += " AND t.user_id = :uid"
    if project_id is not None:
        sql += " AND t.project_id = :project_id"
        values["project_id"] = key(project_id)
    if mode != "any":
        sql += f" AND t.project_id {'IN' if mode == 'only' else 'NOT IN'} :archived_ids"
        values["archived_ids"] = [key(each) for each in archived_ids]
        expanding.append("archived_ids")
    statement = text(sql + " GROUP BY tag.value").bindparams(
        *[bindparam(name, expanding=True) for name in expanding]
    )
    merged: dict[str, dict[str, Any]] = {}
    for name, open_count, total in session.execute(statement, values).all():
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
