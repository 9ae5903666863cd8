"""The task editor: every field of a task, a recurrence picker and a live occurrence preview."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from reflex.event import EventSpec

from todo_app.core import recurrence
from todo_app.core.dates import due_label
from todo_app.core.errors import Conflict, DomainError
from todo_app.core.projects import Permission
from todo_app.core.repeat_choice import RepeatChoice, from_rrule, to_rrule
from todo_app.core.validation import parse_due
from todo_app.schemas import TaskPublic, TaskUpdate
from todo_app.services import projects, tasks
from todo_app.state.auth import AuthState, signed_in_event
from todo_app.state.tasks import TasksState

UNITS = {"minutes": 1, "hours": 60, "days": 1440}


@dataclasses.dataclass
class PreviewDate:
    # The moment (RFC 3339) the browser says in its language; `label` until then.
    at: str
    all_day: bool
    label: str


@dataclasses.dataclass
class ReminderItem:
    key: str
    label: str
    at: str
    minutes_before: int


@dataclasses.dataclass
class Assignable:
    user_id: str
    name: str


class EditorState(AuthState):
    open: bool = False
    # Whether the user may change the task (a viewer or commenter of its project may not).
    editable: bool = True
    # Its assignee's id, or "none"; who it can be given to (its project's people, when shared).
    assignee: str = "none"
    assignables: list[Assignable] = []
    task_id: str = ""
    version: int = 0
    title: str = ""
    description: str = ""
    priority: str = "medium"
    tags_text: str = ""
    due_date: str = ""
    due_time: str = ""
    all_day: bool = False
    reminders: list[ReminderItem] = []
    new_reminder_at: str = ""
    new_reminder_amount: str = "15"
    new_reminder_unit: str = "minutes"
    repeat_kind: str = "none"
    repeat_interval: str = "1"
    repeat_weekdays: list[str] = []
    repeat_month_day: str = "1"
    repeat_nth: str = "1"
    repeat_nth_weekday: str = "MO"
    repeat_custom: str = ""
    repeat_end: str = "never"
    repeat_count: str = "10"
    repeat_until: str = ""
    repeat_from: str = "due"
    preview: list[PreviewDate] = []
    preview_error: str = ""
    errors: dict[str, str] = {}
    conflict: str = ""
    # Set when the open task changes elsewhere while this editor shows it.
    changed_elsewhere: bool = False
    # The form as loaded: what the user changed is what differs from it.
    _loaded: dict[str, Any] = {}
    # The user's changes from a save refused as stale, kept to re-apply over the newer version.
    _draft: dict[str, Any] = {}

    def _fill(self, task: TaskPublic) -> None:
        tz = self.user_timezone
        self.task_id = str(task.id)
        self.version = task.version
        self.title = task.title
        self.description = task.description
        self.priority = task.priority
        self.tags_text = ", ".join(task.tags)
        self.all_day = task.all_day
        if task.due_at is not None:
            local = task.due_at.astimezone(ZoneInfo(tz))
            self.due_date = local.date().isoformat()
            self.due_time = "" if task.all_day else local.strftime("%H:%M")
        else:
            self.due_date = ""
            self.due_time = ""
        now = datetime.now(UTC)
        items: list[ReminderItem] = []
        offsets = set(task.remind_before_minutes)
        for at in task.reminders:
            minutes = None
            if task.due_at is not None:
                delta = int((task.due_at - at).total_seconds() // 60)
                minutes = delta if delta in offsets else None
            items.append(self._reminder(at, minutes, now))
        self.reminders = items
        choice = from_rrule(task.rrule)
        self.repeat_kind = choice.kind
        self.repeat_interval = str(choice.interval)
        self.repeat_weekdays = list(choice.weekdays)
        self.repeat_month_day = str(choice.month_day)
        self.repeat_nth = str(choice.nth)
        self.repeat_nth_weekday = choice.nth_weekday
        self.repeat_custom = choice.custom
        self.repeat_end = choice.end
        self.repeat_count = str(choice.count)
        self.repeat_until = choice.until
        self.repeat_from = task.repeat_from
        self.assignee = str(task.assignee_id) if task.assignee_id else "none"
        self.errors = {}
        self.changed_elsewhere = False
        self._update_preview()
        self._loaded = self._form_values()

    def _live_task(self, data: Mapping[str, Any]) -> None:
        """A newer version of the task being edited: say so now, not only at save time."""
        snapshot = data.get("task")
        version = snapshot.get("version") if isinstance(snapshot, Mapping) else None
        if (
            self.open
            and self._concerns_me(data)
            and str(data.get("task_id")) == self.task_id
            and isinstance(version, int)
            and version > self.version
        ):
            self.changed_elsewhere = True

    def _reminder(self, at: datetime, minutes: int | None, now: datetime) -> ReminderItem:
        if minutes is not None:
            label = _before_label(minutes)
        else:
            label = due_label(at, False, self.user_timezone, now)
        return ReminderItem(
            key=f"{at.isoformat()}|{minutes}",
            label=label,
            at=at.isoformat(),
            minutes_before=-1 if minutes is None else minutes,
        )

    def _choice(self) -> RepeatChoice:
        return RepeatChoice(
            kind=self.repeat_kind,
            interval=_int(self.repeat_interval, 1),
            weekdays=list(self.repeat_weekdays),
            month_day=_int(self.repeat_month_day, 1),
            nth=_int(self.repeat_nth, 1),
            nth_weekday=self.repeat_nth_weekday,
            custom=self.repeat_custom,
            end=self.repeat_end,
            count=_int(self.repeat_count, 1),
            until=self.repeat_until,
        )

    def _due_text(self) -> str | None:
        if not self.due_date:
            return None
        if self.all_day or not self.due_time:
            return self.due_date
        return f"{self.due_date}T{self.due_time}"

    def _update_preview(self) -> None:
        """The next five occurrences of the rule as drafted, or why there are none."""
        self.preview = []
        self.preview_error = ""
        rule = to_rrule(self._choice())
        if rule is None:
            return
        tz = self.user_timezone
        try:
            rule = recurrence.normalize_rrule(rule)
            due, all_day = parse_due(self._due_text(), tz)
        except (ValueError, DomainError) as error:
            self.preview_error = getattr(error, "message", str(error))
            return
        now = datetime.now(UTC)
        start = due or now.replace(second=0, microsecond=0)
        try:
            dates = recurrence.upcoming(rule, start, tz, start - timedelta(seconds=1), 5)
        except ValueError as error:
            self.preview_error = str(error)
            return
        self.preview = [
            PreviewDate(moment.isoformat(), all_day, due_label(moment, all_day, tz, now))
            for moment in dates
        ]

    def _open(self, task_id: str) -> EventSpec | None:
        """Open the editor on a task of the signed-in user (see `signed_in_event`)."""
        with self._signed_in() as (session, user):
            try:
                task = tasks.read_task(session, user, uuid.UUID(task_id))
                project = projects.project_for(session, user, task.project_id, Permission.view)
                self.editable = Permission.edit in projects.permissions(session, user, project)
                people = projects.list_members(session, user, project.id).items
            except DomainError as error:
                return rx.toast.error(error.message)
        # One person (its owner) is nobody to hand the task to: no picker.
        shared = len(people) > 1
        self.assignables = [
            Assignable(str(p.user_id), p.display_name or p.email) for p in people if shared
        ]
        self._fill(task)
        self.conflict = ""
        self.open = True
        return None

    @signed_in_event
    def open_task(self, task_id: str) -> EventSpec | None:
        return self._open(task_id)

    @signed_in_event
    def open_from_url(self) -> EventSpec | None:
        """`?task=<id>` (a reminder's Open from another page) opens that task's editor."""
        task_id = self.router.url.query_parameters.get("task", "")
        try:
            uuid.UUID(task_id)
        except ValueError:
            return None
        return self._open(task_id)

    @rx.event
    def close(self) -> None:
        self.open = False
        self.conflict = ""

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = value

    @rx.event
    def edit(self, field: str, value: Any) -> None:
        """One handler for every field of the form; the preview follows each change."""
        if field not in _EDITABLE:
            return
        if field == "all_day":
            value = bool(value)
        setattr(self, field, value)
        self.errors = {k: v for k, v in self.errors.items() if k != field}
        self._update_preview()

    @rx.event
    def toggle_weekday(self, day: str) -> None:
        days = list(self.repeat_weekdays)
        self.repeat_weekdays = [d for d in days if d != day] if day in days else [*days, day]
        self._update_preview()

    @rx.event
    def add_absolute_reminder(self) -> None:
        if not self.new_reminder_at:
            return
        zone = ZoneInfo(self.user_timezone)
        try:
            at = datetime.fromisoformat(self.new_reminder_at).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            self.errors = {**self.errors, "reminders": "reminder time is not a valid date-time"}
            return
        self.reminders = [*self.reminders, self._reminder(at, None, datetime.now(UTC))]
        self.new_reminder_at = ""

    @rx.event
    def add_relative_reminder(self) -> None:
        amount = _int(self.new_reminder_amount, -1)
        if amount < 0:
            self.errors = {**self.errors, "remind_before_minutes": "amount must be 0 or more"}
            return
        minutes = amount * UNITS.get(self.new_reminder_unit, 1)
        placeholder = datetime.now(UTC)
        self.reminders = [*self.reminders, self._reminder(placeholder, minutes, placeholder)]

    @rx.event
    def remove_reminder(self, key: str) -> None:
        self.reminders = [item for item in self.reminders if item.key != key]

    def _form_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FORM_FIELDS}

    @rx.event
    def reapply(self) -> None:
        """After a conflict: put the user's own changes back over the newer version."""
        for name, value in self._draft.items():
            setattr(self, name, value)
        self.conflict = ""
        self._update_preview()

    def _update(self) -> TaskUpdate:
        return TaskUpdate(
            title=self.title,
            description=self.description,
            priority=self.priority,
            tags=[t for t in self.tags_text.split(",") if t.strip()],
            due_at=self._due_text(),
            all_day=self.all_day if self.due_date else None,
            rrule=to_rrule(self._choice()),
            repeat_from=self.repeat_from,
            assignee_id=None if self.assignee == "none" else uuid.UUID(self.assignee),
            reminders=[r.at for r in self.reminders if r.minutes_before < 0],
            remind_before_minutes=[
                r.minutes_before for r in self.reminders if r.minutes_before >= 0
            ],
            version=self.version,
        )

    @signed_in_event
    async def save(self) -> EventSpec | None:
        """Save every field; a newer version elsewhere is shown, not overwritten. Signed out,
        nothing is saved and the editor keeps the draft open for after login."""
        update = self._update()
        task_id = uuid.UUID(self.task_id)
        task_list = await self.get_state(TasksState)
        try:
            task_list._with_user(lambda s, u: tasks.update_task(s, u, task_id, update))
        except Conflict as error:
            if error.field == "version" and isinstance(error.current, TaskPublic):
                self._draft = {
                    name: value
                    for name, value in self._form_values().items()
                    if self._loaded.get(name) != value
                }
                self._fill(error.current)
                self.conflict = (
                    "This task was changed elsewhere while you edited it. The form now shows "
                    "the newer version; re-apply your changes over it, or keep it as it is."
                )
                return None
            self.errors = {error.field or "title": error.message}
            return None
        except DomainError as error:
            self.errors = {error.field or "title": error.message}
            return None
        self.open = False
        self.conflict = ""
        return rx.toast("Saved", duration=2000)


_FORM_FIELDS = (
    "title",
    "description",
    "priority",
    "tags_text",
    "due_date",
    "due_time",
    "all_day",
    "reminders",
    "repeat_kind",
    "repeat_interval",
    "repeat_weekdays",
    "repeat_month_day",
    "repeat_nth",
    "repeat_nth_weekday",
    "repeat_custom",
    "repeat_end",
    "repeat_count",
    "repeat_until",
    "repeat_from",
    "assignee",
)


_EDITABLE = (
    *(name for name in _FORM_FIELDS if name != "reminders"),
    "new_reminder_at",
    "new_reminder_amount",
    "new_reminder_unit",
)


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def _before_label(minutes: int) -> str:
    if minutes == 0:
        return "At due time"
    for unit, size in (("day", 1440), ("hour", 60)):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''} before"
    return f"{minutes} minutes before"
