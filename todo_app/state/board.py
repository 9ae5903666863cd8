"""A project's board (sections as columns of cards) and calendar (tasks on their due dates):
both load the project of the route, act through the services, and follow live events."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app.core.dates import due_label, is_overdue
from todo_app.core.errors import DomainError, NotFound
from todo_app.core.filters import LIMIT_MAX, TaskQuery
from todo_app.core.projects import Permission
from todo_app.models import User
from todo_app.schemas import SectionCreate, TaskCreate, TaskMove, TaskPublic, TaskUpdate
from todo_app.services import listing, projects, subtasks, tasks
from todo_app.state.auth import AuthState, signed_in_event

# The board's first column: the project's tasks outside any section.
NO_SECTION = "none"
# Next occurrences the calendar shows for each recurring task.
OCCURRENCES = 8

Result = TypeVar("Result")


@dataclasses.dataclass
class BoardCard:
    id: str
    title: str
    priority: str
    due_label: str
    overdue: bool
    # Done and all direct subtasks ("1/3"), empty without subtasks.
    progress: str


@dataclasses.dataclass
class BoardColumn:
    id: str
    name: str
    card_ids: list[str]
    cards: list[BoardCard]


def board_card(task: TaskPublic, tz: str, now: datetime) -> BoardCard:
    counts = task.subtasks
    return BoardCard(
        id=str(task.id),
        title=task.title,
        priority=task.priority,
        due_label=due_label(task.due_at, task.all_day, tz, now),
        overdue=is_overdue(task.due_at, task.all_day, tz, now),
        progress=f"{counts.total - counts.open}/{counts.total}" if counts.total else "",
    )


def board_columns(
    sections: list[tuple[str, str]], items: list[TaskPublic], tz: str, now: datetime
) -> list[BoardColumn]:
    """The "No section" column, then one per section (id, name), each with its cards."""
    cards: dict[str, list[BoardCard]] = {NO_SECTION: []}
    cards.update({section_id: [] for section_id, _ in sections})
    for task in items:
        column = str(task.section_id) if task.section_id else NO_SECTION
        cards.setdefault(column, []).append(board_card(task, tz, now))
    return [
        BoardColumn(
            id=column, name=name, card_ids=[c.id for c in cards[column]], cards=cards[column]
        )
        for column, name in [(NO_SECTION, "No section"), *sections]
    ]


@dataclasses.dataclass(frozen=True)
class Placed:
    """Where the board shows a task, and the version it shows."""

    column: str
    position: int
    version: int


def placed(task: Mapping[str, Any] | TaskPublic) -> Placed:
    """A task's place, from its public model or its snapshot in an event."""
    fields = task.model_dump(mode="json") if isinstance(task, TaskPublic) else task
    return Placed(
        column=str(fields.get("section_id") or NO_SECTION),
        position=int(fields.get("position", 0)),
        version=int(fields.get("version", 0)),
    )


def keeps_order(
    columns: list[BoardColumn], shown: dict[str, Placed], task_id: str, now: Placed
) -> bool:
    """Whether the board already shows a task where `now` puts it: same column, and between
    the same neighbours (a sibling shifted to make room for another stays where it is)."""
    before = shown.get(task_id)
    if before is None or before.column != now.column:
        return False
    ids = next((c.card_ids for c in columns if c.id == now.column), [])
    if task_id not in ids:
        return False
    at = ids.index(task_id)
    previous = shown.get(ids[at - 1]) if at > 0 else None
    following = shown.get(ids[at + 1]) if at + 1 < len(ids) else None
    return (previous is None or previous.position < now.position) and (
        following is None or now.position < following.position
    )


def project_tasks(
    session: Session, user: User, project_id: uuid.UUID, top_level: bool
) -> list[TaskPublic]:
    """Every open task of the project (only the top-level ones with `top_level`) in their
    manual order, read a page of the list at a time."""
    found: list[TaskPublic] = []
    page = 1
    while True:
        query = TaskQuery(project_id=project_id, top_level=top_level, limit=LIMIT_MAX, page=page)
        result = listing.list_tasks(session, user, query).task_page()
        found.extend(result.items)
        if not result.items or len(found) >= result.total:
            return found
        page += 1


def moved(columns: list[BoardColumn], card_id: str, target: str, index: int) -> list[BoardColumn]:
    """The columns with the card taken out of its column and put at `index` of `target`."""
    card = next(c for column in columns for c in column.cards if c.id == card_id)
    result = []
    for column in columns:
        cards = [c for c in column.cards if c.id != card_id]
        if column.id == target:
            cards.insert(min(index, len(cards)), card)
        result.append(dataclasses.replace(column, card_ids=[c.id for c in cards], cards=cards))
    return result


def sibling_index(
    session: Session,
    project_id: uuid.UUID,
    section_id: uuid.UUID | None,
    task_id: uuid.UUID,
    after: str | None,
    parent_id: uuid.UUID | None = None,
) -> int:
    """The index among all its new siblings (completed ones too, which the board does not
    show) that puts a task right after the card `after`, or first when None."""
    found = subtasks.siblings(session, project_id, section_id, parent_id, task_id)
    order = [str(t.id) for t in found]
    return order.index(after) + 1 if after in order else 0


class ProjectViewState(AuthState):
    """The project the route names, shared by its board and calendar."""

    view_project_id: str = ""
    view_project_name: str = ""
    view_error: str = ""

    def _route_project(self) -> str:
        # Reflex gives every state the route's [project_id] argument as a var.
        return str(getattr(self, "project_id", ""))

    def _open(self, session: Session, user: User) -> uuid.UUID | None:
        """The route's project, if the user may see it; else says it is not found."""
        try:
            project = projects.project_for(
                session, user, uuid.UUID(self._route_project()), Permission.view
            )
        except (ValueError, NotFound):
            self.view_project_id = ""
            self.view_project_name = ""
            self.view_error = "This project does not exist, or is not yours."
            return None
        self.view_project_id = str(project.id)
        self.view_project_name = project.name
        self.view_error = ""
        return project.id

    def _shows_view(self, session: Session, user: User, view: str) -> bool:
        """Whether the page shows `view`: the URL's `view`, else the project's own."""
        wanted = self.router.url.query_parameters.get("view")
        if wanted is None:
            try:
                project_id = uuid.UUID(self._route_project())
                wanted = projects.project_for(session, user, project_id, Permission.view).view
            except (ValueError, NotFound):
                return False
        return wanted == view

    def _mine(self, data: Mapping[str, Any]) -> bool:
        """Whether a live event is of this tab's user and of the project it shows."""
        if not self._concerns_me(data):
            return False
        snapshot = data.get("task")
        project = snapshot.get("project_id") if isinstance(snapshot, Mapping) else None
        return self.view_project_id in (project, data.get("project_id"))


class BoardState(ProjectViewState):
    columns: list[BoardColumn] = []
    board_loaded: bool = False
    # Each card's place and version, to tell which live events change what the board shows.
    _shown: dict[str, Placed] = {}

    @rx.var
    def card_count(self) -> int:
        return sum(len(column.cards) for column in self.columns)

    def _refresh(self, session: Session, user: User) -> None:
        project_id = self._open(session, user)
        if project_id is None:
            self.columns = []
            return
        sections = projects.list_sections(session, user, project_id).items
        items = project_tasks(session, user, project_id, top_level=True)
        columns = board_columns(
            [(str(s.id), s.name) for s in sections], items, user.timezone, datetime.now(UTC)
        )
        # Unchanged (the server agreeing with a drop shown at once), it costs the tab nothing.
        if columns != self.columns:
            self.columns = columns
        self._shown = {str(task.id): placed(task) for task in items}
        self.board_loaded = True

    def _with_user(self, action: Callable[[Session, User], Result]) -> Result:
        with self._signed_in() as (session, user):
            result = action(session, user)
            self._refresh(session, user)
            return result

    @signed_in_event
    def load(self) -> None:
        self.board_loaded = False
        with self._signed_in() as (session, user):
            if self._shows_view(session, user, "board"):
                self._refresh(session, user)

    def _live_task(self, data: Mapping[str, Any]) -> None:
        """A task event: reload the board when it changes what the board shows of the
        project; a version already shown (this tab's own move) or a sibling shifted to make
        room, in the same order, changes nothing."""
        if not self.board_loaded:
            return
        task_id = str(data.get("task_id", ""))
        before = self._shown.get(task_id)
        if before is None and not self._mine(data):
            return
        snapshot = data.get("task")
        if not isinstance(snapshot, Mapping):
            return
        now = placed(snapshot)
        if before is not None and before.version >= now.version:
            return
        changed = data.get("changed")
        quiet = isinstance(changed, list) and set(changed) <= {"position"}
        if quiet and keeps_order(self.columns, self._shown, task_id, now):
            self._shown = {**self._shown, task_id: now}
            return
        self._reload_live()

    def _live_section(self, data: Mapping[str, Any]) -> None:
        if self.board_loaded and self._mine(data):
            self._reload_live()

    def _reload_live(self) -> None:
        self._as_live_user(self._refresh)

    @signed_in_event
    def drop_card(self, task_id: str, target: str, index: int) -> Iterator[EventSpec | None]:
        """A card dropped at `index` of column `target`: shown there at once, then moved
        there (section and place) for good; a refusal puts it back and says why."""
        source = next((c for c in self.columns if task_id in c.card_ids), None)
        if source is None or target not in {c.id for c in self.columns}:
            return
        if source.id == target and source.card_ids.index(task_id) == index:
            return
        before = self.columns
        self.columns = moved(self.columns, task_id, target, index)
        yield None
        shown = next(c for c in self.columns if c.id == target).card_ids
        at = shown.index(task_id)
        after = shown[at - 1] if at > 0 else None
        section_id = None if target == NO_SECTION else uuid.UUID(target)
        tid = uuid.UUID(task_id)

        def move(session: Session, user: User) -> TaskPublic:
            project_id = uuid.UUID(self.view_project_id)
            position = sibling_index(session, project_id, section_id, tid, after)
            return tasks.move_task(
                session, user, tid, TaskMove(section_id=section_id, position=position)
            )

        try:
            self._with_user(move)
        except DomainError as error:
            self.columns = before
            yield rx.toast.error(f"Not moved: {error.message}", duration=6000)

    @signed_in_event
    def add_card(self, form: dict[str, Any]) -> EventSpec | None:
        """A new card at the foot of its column."""
        column = str(form.get("column", ""))
        title = str(form.get("title", "")).strip()
        if not title or column not in {c.id for c in self.columns}:
            return None
        section_id = None if column == NO_SECTION else uuid.UUID(column)
        shown = next(c for c in self.columns if c.id == column).card_ids
        project_id = uuid.UUID(self.view_project_id)

        def add(session: Session, user: User) -> None:
            data = TaskCreate(title=title, project_id=project_id, section_id=section_id)
            task = tasks.create_task(session, user, data)
            after = shown[-1] if shown else None
            position = sibling_index(session, project_id, section_id, task.id, after)
            tasks.move_task(session, user, task.id, TaskMove(position=position))

        try:
            self._with_user(add)
        except DomainError as error:
            return rx.toast.error(f"Not added: {error.message}", duration=6000)
        return None

    @signed_in_event
    def add_column(self, form: dict[str, Any]) -> EventSpec | None:
        """A new section, the last column."""
        name = str(form.get("name", "")).strip()
        if not name:
            return None
        data = SectionCreate(name=name)
        try:
            self._with_user(
                lambda s, u: projects.create_section(s, u, uuid.UUID(self.view_project_id), data)
            )
        except DomainError as error:
            return rx.toast.error(f"Not added: {error.message}", duration=6000)
        return None


def _local_iso(moment: datetime, all_day: bool, zone: ZoneInfo) -> str:
    """A due date as the calendar's wall clock: a date, or a date and time without offset."""
    local = moment.astimezone(zone)
    return local.date().isoformat() if all_day else local.replace(tzinfo=None).isoformat()


def calendar_events(
    dated: list[TaskPublic], upcoming: dict[str, list[datetime]], tz: str
) -> list[dict[str, Any]]:
    """FullCalendar events: each dated task, draggable, and the next occurrences of the
    recurring ones, marked as future and fixed (they are not tasks yet)."""
    zone = ZoneInfo(tz)
    events: list[dict[str, Any]] = []
    for task in dated:
        if task.due_at is None:
            continue
        events.append(
            {
                "id": str(task.id),
                "title": task.title,
                "start": _local_iso(task.due_at, task.all_day, zone),
                "allDay": task.all_day,
                "classNames": ["cal-task", f"cal-{task.priority}"],
            }
        )
        for number, moment in enumerate(upcoming.get(str(task.id), []), start=1):
            events.append(
                {
                    "id": f"{task.id}:{number}",
                    "title": task.title,
                    "start": _local_iso(moment, task.all_day, zone),
                    "allDay": task.all_day,
                    "editable": False,
                    "classNames": ["cal-future"],
                }
            )
    return events


def shifted_due(task: TaskPublic, days: int, milliseconds: int, tz: str) -> str:
    """The task's due date `days` later on the user's calendar, keeping its time of day
    (moved by `milliseconds` when dropped at another time of a week's grid)."""
    if task.due_at is None:
        raise NotFound("task has no due date")
    zone = ZoneInfo(tz)
    local = task.due_at.astimezone(zone)
    day = local.date() + timedelta(days=days)
    if task.all_day:
        return day.isoformat()
    wall = datetime.combine(day, local.time()) + timedelta(milliseconds=milliseconds)
    return wall.replace(tzinfo=zone).isoformat()


def due_text(task: TaskPublic, tz: str) -> str:
    """The task's due date as `update_task` takes it back (a date when all day)."""
    if task.due_at is None:
        return ""
    local = task.due_at.astimezone(ZoneInfo(tz))
    return local.date().isoformat() if task.all_day else local.isoformat()


class CalendarState(ProjectViewState):
    events: list[dict[str, Any]] = []
    calendar_loaded: bool = False
    # The version of each task shown, to skip live events of a version already shown.
    _versions: dict[str, int] = {}
    # The day (or day and time) clicked, where a task is added; empty when not adding.
    new_due: str = ""

    @rx.var
    def new_due_label(self) -> str:
        if not self.new_due:
            return ""
        moment = datetime.fromisoformat(self.new_due)
        text = moment.strftime("%a %-d %b")
        return text + moment.strftime(" %H:%M") if len(self.new_due) > 10 else text

    def _refresh(self, session: Session, user: User) -> None:
        project_id = self._open(session, user)
        if project_id is None:
            self.events = []
            return
        dated = [
            task
            for task in project_tasks(session, user, project_id, top_level=False)
            if task.due_at is not None
        ]
        upcoming = {
            str(task.id): tasks.occurrences(session, user, task.id, OCCURRENCES).occurrences
            for task in dated
            if task.rrule
        }
        self.events = calendar_events(dated, upcoming, user.timezone)
        self._versions = {str(task.id): task.version for task in dated}
        self.calendar_loaded = True

    def _with_user(self, action: Callable[[Session, User], Result]) -> Result:
        with self._signed_in() as (session, user):
            result = action(session, user)
            self._refresh(session, user)
            return result

    @signed_in_event
    def load(self) -> None:
        self.calendar_loaded = False
        self.new_due = ""
        with self._signed_in() as (session, user):
            if self._shows_view(session, user, "calendar"):
                self._refresh(session, user)

    def _live_task(self, data: Mapping[str, Any]) -> None:
        if not self.calendar_loaded:
            return
        task_id = str(data.get("task_id", ""))
        shown = self._versions.get(task_id)
        if shown is None and not self._mine(data):
            return
        snapshot = data.get("task")
        version = snapshot.get("version") if isinstance(snapshot, Mapping) else None
        if shown is not None and isinstance(version, int) and shown >= version:
            return
        self._as_live_user(self._refresh)

    def _set_due(
        self, task_id: str, due: Callable[[TaskPublic, str], str], message: str, undo: bool
    ) -> Iterator[EventSpec | None]:
        tid = uuid.UUID(task_id)

        def change(session: Session, user: User) -> tuple[TaskPublic, str]:
            task = tasks.read_task(session, user, tid)
            before = due_text(task, user.timezone)
            update = TaskUpdate(due_at=due(task, user.timezone))
            return tasks.update_task(session, user, tid, update), before

        try:
            task, before = self._with_user(change)
        except DomainError as error:
            # A new list puts the calendar's dragged event back where the server keeps it.
            self.events = list(self.events)
            yield rx.toast.error(f"Not moved: {error.message}", duration=6000)
            return
        text = message.format(title=task.title, day=_day_label(task, self.user_timezone))
        if not undo:
            yield rx.toast(text, duration=3000)
            return
        # The class's handler, called with the task and the due date to put back.
        restore: Callable[..., Any] = CalendarState.restore_due
        yield rx.toast(
            text,
            duration=5000,
            id=f"undo-{task.id}",
            action={"label": "Undo", "on_click": restore(task_id, before)},
        )

    @signed_in_event
    def reschedule(
        self, task_id: str, days: int, milliseconds: int, kind_changed: bool
    ) -> Iterator[EventSpec | None]:
        """A task dropped on another day (or time): due then, at its own time of day. A drop
        between the all-day row and the hours only changes the day."""
        shift = 0 if kind_changed else milliseconds
        yield from self._set_due(
            task_id,
            lambda task, tz: shifted_due(task, days, shift, tz),
            "Moved “{title}” to {day}",
            undo=True,
        )

    @signed_in_event
    def restore_due(self, task_id: str, due: str) -> Iterator[EventSpec | None]:
        yield from self._set_due(task_id, lambda task, tz: due, "“{title}” is back on {day}", False)

    @rx.event
    def pick_day(self, day: str, all_day: bool) -> None:
        self.new_due = day[:10] if all_day else day

    @rx.event
    def cancel_add(self) -> None:
        self.new_due = ""

    @signed_in_event
    def add_task(self, form: dict[str, Any]) -> EventSpec | None:
        title = str(form.get("title", "")).strip()
        if not title or not self.new_due:
            return None
        data = TaskCreate(
            title=title, project_id=uuid.UUID(self.view_project_id), due_at=self.new_due
        )
        try:
            self._with_user(lambda s, u: tasks.create_task(s, u, data))
        except DomainError as error:
            return rx.toast.error(f"Not added: {error.message}", duration=6000)
        self.new_due = ""
        return None


def _day_label(task: TaskPublic, tz: str) -> str:
    if task.due_at is None:
        return "no date"
    return task.due_at.astimezone(ZoneInfo(tz)).strftime("%a %-d %b")
