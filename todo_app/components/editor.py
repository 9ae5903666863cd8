"""The task editor dialog."""

from __future__ import annotations

import reflex as rx

from todo_app.components.comments import comment_thread
from todo_app.components.dates import local_due_text
from todo_app.state.editor import EditorState, ReminderItem
from todo_app.state.tasks import TasksState

WEEKDAY_LABELS = [
    ("MO", "Mon"),
    ("TU", "Tue"),
    ("WE", "Wed"),
    ("TH", "Thu"),
    ("FR", "Fri"),
    ("SA", "Sat"),
    ("SU", "Sun"),
]
REPEAT_KINDS = [
    ("none", "Does not repeat"),
    ("daily", "Daily"),
    ("weekdays", "Every weekday"),
    ("weekly", "Weekly on…"),
    ("monthly_day", "Monthly on day N"),
    ("monthly_nth", "Monthly on the Nth weekday"),
    ("yearly", "Yearly"),
    ("custom", "Custom RRULE"),
]


def field_error(field: str) -> rx.Component:
    return rx.cond(
        EditorState.errors.contains(field),
        rx.text(EditorState.errors[field], color_scheme="red", size="1", id=f"error-{field}"),
    )


def labelled(label: str, control: rx.Component, field: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="bold"),
        control,
        field_error(field) if field else rx.fragment(),
        spacing="1",
        width="100%",
    )


def choice(
    field: str, options: list[tuple[str, str]], value: rx.Var, element_id: str
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=element_id, aria_label=element_id.replace("-", " ")),
        rx.select.content(*[rx.select.item(label, value=key) for key, label in options]),
        value=value,
        on_change=lambda v: EditorState.edit(field, v),
    )


def reminder_item(item: ReminderItem) -> rx.Component:
    return rx.hstack(
        rx.icon("bell", size=12),
        rx.text(item.label, size="2", class_name="reminder-label"),
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            on_click=EditorState.remove_reminder(item.key),
            aria_label="Remove reminder " + item.label,
        ),
        align="center",
    )


def reminders_section() -> rx.Component:
    return labelled(
        "Reminders",
        rx.vstack(
            rx.foreach(EditorState.reminders, reminder_item),
            rx.hstack(
                rx.input(
                    type="number",
                    min=0,
                    value=EditorState.new_reminder_amount,
                    on_change=lambda v: EditorState.edit("new_reminder_amount", v),
                    width="80px",
                    id="reminder-amount",
                    aria_label="Remind this many",
                ),
                rx.select.root(
                    rx.select.trigger(id="reminder-unit", aria_label="Reminder unit"),
                    rx.select.content(
                        rx.select.item("minutes", value="minutes"),
                        rx.select.item("hours", value="hours"),
                        rx.select.item("days", value="days"),
                    ),
                    value=EditorState.new_reminder_unit,
                    on_change=lambda v: EditorState.edit("new_reminder_unit", v),
                ),
                rx.text("before due", size="2"),
                rx.button(
                    "Add",
                    size="1",
                    on_click=EditorState.add_relative_reminder,
                    id="add-relative-reminder",
                ),
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.input(
                    type="datetime-local",
                    value=EditorState.new_reminder_at,
                    on_change=lambda v: EditorState.edit("new_reminder_at", v),
                    id="reminder-at",
                    aria_label="Remind at",
                ),
                rx.button(
                    "Add",
                    size="1",
                    on_click=EditorState.add_absolute_reminder,
                    id="add-absolute-reminder",
                ),
                align="center",
            ),
            field_error("remind_before_minutes"),
            spacing="2",
        ),
        "reminders",
    )


def recurrence_section() -> rx.Component:
    kind = EditorState.repeat_kind
    return rx.vstack(
        labelled("Repeat", choice("repeat_kind", REPEAT_KINDS, kind, "repeat-kind"), "rrule"),
        rx.cond(
            (kind != "none") & (kind != "custom") & (kind != "weekdays"),
            rx.hstack(
                rx.text("every", size="2"),
                rx.input(
                    type="number",
                    min=1,
                    value=EditorState.repeat_interval,
                    on_change=lambda v: EditorState.edit("repeat_interval", v),
                    width="70px",
                    id="repeat-interval",
                    aria_label="Repeat interval",
                ),
                rx.text(
                    rx.match(
                        kind,
                        ("daily", "day(s)"),
                        ("weekly", "week(s)"),
                        ("yearly", "year(s)"),
                        "month(s)",
                    ),
                    size="2",
                ),
                align="center",
            ),
        ),
        rx.cond(
            kind == "weekly",
            rx.hstack(
                *[
                    rx.button(
                        label,
                        size="1",
                        variant=rx.cond(
                            EditorState.repeat_weekdays.contains(code), "solid", "outline"
                        ),
                        on_click=EditorState.toggle_weekday(code),
                        id=f"weekday-{code}",
                    )
                    for code, label in WEEKDAY_LABELS
                ],
                wrap="wrap",
                spacing="1",
            ),
        ),
        rx.cond(
            kind == "monthly_day",
            rx.hstack(
                rx.text("on day", size="2"),
                rx.input(
                    type="number",
                    min=1,
                    max=31,
                    value=EditorState.repeat_month_day,
                    on_change=lambda v: EditorState.edit("repeat_month_day", v),
                    width="70px",
                    id="repeat-month-day",
                    aria_label="Day of month",
                ),
                align="center",
            ),
        ),
        rx.cond(
            kind == "monthly_nth",
            rx.hstack(
                rx.text("on the", size="2"),
                choice(
                    "repeat_nth",
                    [
                        ("1", "first"),
                        ("2", "second"),
                        ("3", "third"),
                        ("4", "fourth"),
                        ("-1", "last"),
                    ],
                    EditorState.repeat_nth,
                    "repeat-nth",
                ),
                choice(
                    "repeat_nth_weekday",
                    list(WEEKDAY_LABELS),
                    EditorState.repeat_nth_weekday,
                    "repeat-nth-weekday",
                ),
                align="center",
            ),
        ),
        rx.cond(
            kind == "custom",
            rx.input(
                value=EditorState.repeat_custom,
                on_change=lambda v: EditorState.edit("repeat_custom", v),
                placeholder="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
                id="repeat-custom",
                aria_label="Custom RRULE",
                width="100%",
            ),
        ),
        rx.cond(
            kind != "none",
            rx.vstack(
                rx.hstack(
                    rx.text("Ends", size="2"),
                    choice(
                        "repeat_end",
                        [("never", "never"), ("count", "after N times"), ("until", "on date")],
                        EditorState.repeat_end,
                        "repeat-end",
                    ),
                    rx.cond(
                        EditorState.repeat_end == "count",
                        rx.input(
                            type="number",
                            min=1,
                            value=EditorState.repeat_count,
                            on_change=lambda v: EditorState.edit("repeat_count", v),
                            width="70px",
                            id="repeat-count",
                            aria_label="Number of times",
                        ),
                    ),
                    rx.cond(
                        EditorState.repeat_end == "until",
                        rx.input(
                            type="date",
                            value=EditorState.repeat_until,
                            on_change=lambda v: EditorState.edit("repeat_until", v),
                            id="repeat-until",
                            aria_label="Repeat until",
                        ),
                    ),
                    align="center",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.text("Repeat from", size="2"),
                    choice(
                        "repeat_from",
                        [("due", "the due date"), ("completion", "the completion date")],
                        EditorState.repeat_from,
                        "repeat-from",
                    ),
                    align="center",
                ),
                rx.box(
                    rx.text("Next occurrences", size="1", weight="bold"),
                    rx.cond(
                        EditorState.preview_error != "",
                        rx.text(
                            EditorState.preview_error,
                            color_scheme="red",
                            size="1",
                            id="preview-error",
                        ),
                        rx.el.ul(
                            rx.foreach(
                                EditorState.preview,
                                lambda when: rx.el.li(
                                    local_due_text(when.at, when.all_day, when.label),
                                    class_name="occurrence",
                                ),
                            ),
                            id="occurrence-preview",
                        ),
                    ),
                    padding="0.5em",
                    background="var(--gray-2)",
                    border_radius="6px",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def editor_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit task"),
            rx.cond(
                EditorState.changed_elsewhere & (EditorState.conflict == ""),
                rx.callout(
                    "This task was just changed elsewhere. Saving shows you the newer version "
                    "first, so nothing is overwritten unseen.",
                    color_scheme="blue",
                    icon="info",
                    size="1",
                    id="changed-elsewhere",
                ),
            ),
            rx.cond(
                EditorState.conflict != "",
                rx.callout(
                    rx.vstack(
                        rx.text(EditorState.conflict),
                        rx.button(
                            "Re-apply my changes",
                            size="1",
                            on_click=EditorState.reapply,
                            id="reapply",
                        ),
                    ),
                    color_scheme="orange",
                    icon="triangle-alert",
                    id="conflict",
                ),
            ),
            rx.vstack(
                labelled(
                    "Title",
                    rx.input(
                        value=EditorState.title,
                        on_change=lambda v: EditorState.edit("title", v),
                        id="edit-title",
                        aria_label="Title",
                        width="100%",
                    ),
                    "title",
                ),
                labelled(
                    "Description",
                    rx.text_area(
                        value=EditorState.description,
                        on_change=lambda v: EditorState.edit("description", v),
                        id="edit-description",
                        aria_label="Description",
                        width="100%",
                    ),
                    "description",
                ),
                rx.flex(
                    labelled(
                        "Priority",
                        choice(
                            "priority",
                            [("high", "High"), ("medium", "Medium"), ("low", "Low")],
                            EditorState.priority,
                            "edit-priority",
                        ),
                        "priority",
                    ),
                    labelled(
                        "Tags",
                        rx.input(
                            value=EditorState.tags_text,
                            on_change=lambda v: EditorState.edit("tags_text", v),
                            placeholder="work, home",
                            list="tag-suggestions",
                            id="edit-tags",
                            aria_label="Tags",
                            width="100%",
                        ),
                        "tags",
                    ),
                    gap="3",
                    width="100%",
                    direction=rx.breakpoints(initial="column", sm="row"),
                ),
                rx.flex(
                    labelled(
                        "Due date",
                        rx.input(
                            type="date",
                            value=EditorState.due_date,
                            on_change=lambda v: EditorState.edit("due_date", v),
                            id="edit-due-date",
                            aria_label="Due date",
                        ),
                        "due_at",
                    ),
                    labelled(
                        "Time",
                        rx.input(
                            type="time",
                            value=EditorState.due_time,
                            on_change=lambda v: EditorState.edit("due_time", v),
                            disabled=EditorState.all_day,
                            id="edit-due-time",
                            aria_label="Due time",
                        ),
                    ),
                    rx.checkbox(
                        "All day",
                        checked=EditorState.all_day,
                        on_change=lambda v: EditorState.edit("all_day", v),
                        id="edit-all-day",
                    ),
                    gap="3",
                    align="end",
                    wrap="wrap",
                ),
                rx.cond(
                    EditorState.assignables.length() > 0,
                    labelled(
                        "Assignee",
                        rx.select.root(
                            rx.select.trigger(id="edit-assignee", aria_label="Assignee"),
                            rx.select.content(
                                rx.select.item("Nobody", value="none"),
                                rx.foreach(
                                    EditorState.assignables,
                                    lambda p: rx.select.item(p.name, value=p.user_id),
                                ),
                            ),
                            value=EditorState.assignee,
                            on_change=lambda v: EditorState.edit("assignee", v),
                        ),
                        "assignee_id",
                    ),
                ),
                reminders_section(),
                recurrence_section(),
                rx.cond(
                    EditorState.editable,
                    rx.hstack(
                        # Over the editor, which stays open with what was typed in it.
                        rx.button(
                            rx.icon("list-plus", size=14),
                            "Add subtask",
                            variant="ghost",
                            on_click=TasksState.open_subtask(
                                EditorState.task_id, EditorState.title
                            ),
                            id="edit-add-subtask",
                        ),
                        rx.spacer(),
                        rx.dialog.close(
                            rx.button(
                                "Cancel", variant="soft", color_scheme="gray", id="edit-cancel"
                            )
                        ),
                        rx.button("Save", on_click=EditorState.save, id="edit-save"),
                        justify="end",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.text(
                            "You can see this task, not change it.",
                            size="1",
                            color_scheme="gray",
                            id="edit-read-only",
                        ),
                        rx.spacer(),
                        rx.dialog.close(rx.button("Close", variant="soft", id="edit-close")),
                        width="100%",
                        align="center",
                    ),
                ),
                rx.separator(size="4"),
                comment_thread(EditorState.task_id),
                spacing="3",
                width="100%",
            ),
            max_width="600px",
            id="task-editor",
        ),
        open=EditorState.open,
        on_open_change=EditorState.set_open,
    )
