"""FullCalendar (https://fullcalendar.io) for Reflex: month and week grids whose events can be
dragged to another day.

Every @fullcalendar package is pinned to one release: the React wrapper and the plugins must
come from the same one (the registry's latest is a major version ahead, with another API).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars.base import VarData

VERSION = "6.1.22"
_PLUGINS = {
    "dayGridPlugin": f"@fullcalendar/daygrid@{VERSION}",
    "timeGridPlugin": f"@fullcalendar/timegrid@{VERSION}",
    "interactionPlugin": f"@fullcalendar/interaction@{VERSION}",
}
PLUGINS = rx.Var(
    "[" + ", ".join(_PLUGINS) + "]",
    _var_data=VarData(
        imports={
            package: [ImportVar(tag=name, is_default=True)] for name, package in _PLUGINS.items()
        }
    ),
).to(list)


def _drop_spec(info: rx.Var[Any]) -> tuple[rx.Var[str], rx.Var[int], rx.Var[int], rx.Var[bool]]:
    """(event id, days moved, milliseconds moved within the day, whether it changed between
    all-day and timed)."""
    return (
        rx.Var(f"String({info}.event.id)").to(str),
        rx.Var(f"({info}.delta.years * 365 + {info}.delta.months * 30 + {info}.delta.days)").to(
            int
        ),
        rx.Var(f"{info}.delta.milliseconds").to(int),
        rx.Var(f"({info}.oldEvent.allDay !== {info}.event.allDay)").to(bool),
    )


def _date_click_spec(info: rx.Var[Any]) -> tuple[rx.Var[str], rx.Var[bool]]:
    """(the date, or date and time, clicked as the calendar's wall clock; whether all day)."""
    return (
        rx.Var(f"{info}.dateStr.slice(0, 16)").to(str),
        rx.Var(f"Boolean({info}.allDay)").to(bool),
    )


def _event_click_spec(info: rx.Var[Any]) -> tuple[rx.Var[str]]:
    """(the clicked event's id up to any ":", which a recurring task's next occurrences add to
    the task's id)."""
    return (rx.Var(f"String({info}.event.id).split(':')[0]").to(str),)


class FullCalendar(rx.Component):
    library = f"@fullcalendar/react@{VERSION}"
    tag = "FullCalendar"
    is_default = True
    lib_dependencies: list[str] = [f"@fullcalendar/core@{VERSION}", *_PLUGINS.values()]

    plugins: rx.Var[list[Any]]
    initial_view: rx.Var[str]
    header_toolbar: rx.Var[dict[str, str]]
    button_text: rx.Var[dict[str, str]]
    events: rx.Var[list[dict[str, Any]]]
    editable: rx.Var[bool]
    time_zone: rx.Var[str]
    locale: rx.Var[str]
    first_day: rx.Var[int]
    height: rx.Var[str]
    day_max_event_rows: rx.Var[int]
    event_time_format: rx.Var[dict[str, Any]]
    event_drop: rx.EventHandler[_drop_spec]
    date_click: rx.EventHandler[_date_click_spec]
    event_click: rx.EventHandler[_event_click_spec]

    @classmethod
    def create(cls, *children: Any, **props: Any) -> rx.Component:
        props.setdefault("plugins", PLUGINS)
        return super().create(*children, **props)


full_calendar = FullCalendar.create
