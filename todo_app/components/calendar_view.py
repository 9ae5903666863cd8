"""A project's calendar: month and week grids of due tasks, dragged to another day and
opened with a click; who may not edit the project only opens them."""

from __future__ import annotations

import reflex as rx

from todo_app.components.fullcalendar import full_calendar
from todo_app.state.board import CalendarState
from todo_app.state.editor import EditorState
from todo_app.state.project import ProjectPageState

# Next occurrences are not tasks yet: dashed and faded, so they never pass for one.
CALENDAR_STYLE = {
    "& .fc .cal-future": {
        "opacity": "0.6",
        "fontStyle": "italic",
        "borderStyle": "dashed",
        "background": "transparent",
        "color": "var(--gray-11)",
    },
    "& .fc .cal-task, & .fc .cal-future": {"cursor": "pointer"},
    "& .fc .cal-task.fc-event-draggable": {"cursor": "grab"},
    "& .fc .cal-high": {"borderLeft": "3px solid var(--red-9)"},
}


def _add_form() -> rx.Component:
    """The task to add on the day clicked; none for who may not edit the project."""
    return rx.cond(
        (CalendarState.new_due != "") & ProjectPageState.can_edit,
        rx.form(
            rx.hstack(
                rx.text("Add a task on ", CalendarState.new_due_label, size="2"),
                rx.input(name="title", placeholder="Title", id="calendar-add-title", size="2"),
                rx.button("Add", type="submit", size="2", id="calendar-add"),
                rx.button(
                    "Cancel",
                    variant="soft",
                    size="2",
                    type="button",
                    on_click=CalendarState.cancel_add,
                ),
                align="center",
            ),
            on_submit=CalendarState.add_task,
            reset_on_submit=True,
        ),
    )


def calendar_view() -> rx.Component:
    """The calendar of the route's project (CalendarState.load fills it)."""
    return rx.cond(
        CalendarState.view_error != "",
        rx.callout(CalendarState.view_error, icon="triangle-alert", color_scheme="red"),
        rx.vstack(
            _add_form(),
            rx.box(
                full_calendar(
                    initial_view="dayGridMonth",
                    header_toolbar={
                        "left": "prev,next today",
                        "center": "title",
                        "right": "dayGridMonth,timeGridWeek",
                    },
                    button_text={"today": "Today", "month": "Month", "week": "Week"},
                    events=CalendarState.events,
                    editable=ProjectPageState.can_edit,
                    time_zone=CalendarState.user_timezone,
                    first_day=1,
                    height="auto",
                    day_max_event_rows=4,
                    event_drop=CalendarState.reschedule,
                    date_click=CalendarState.pick_day,
                    event_click=EditorState.open_task,
                ),
                id="calendar",
                data_loaded=CalendarState.calendar_loaded.to_string(),
                width="100%",
                style=CALENDAR_STYLE,
            ),
            width="100%",
        ),
    )
