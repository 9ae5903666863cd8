"""The project menu of the pages that show every project or one (Stats, Activity, the
calendar feed in Settings); its choices and value come from `todo_app.state.project_menu`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from todo_app.state.project_menu import EVERY_PROJECT


def project_menu(
    choices: rx.Var,
    value: rx.Var,
    on_change: Any,
    trigger_id: str,
    label: str,
    every: str = "Every project",
    **props: Any,
) -> rx.Component:
    """A select of `every` project first, then each [id, name] of `choices`."""
    return rx.select.root(
        rx.select.trigger(id=trigger_id, aria_label=label),
        rx.select.content(
            rx.select.item(every, value=EVERY_PROJECT),
            rx.foreach(choices, lambda choice: rx.select.item(choice[1], value=choice[0])),
        ),
        value=value,
        on_change=on_change,
        **props,
    )
