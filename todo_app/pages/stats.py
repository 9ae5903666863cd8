"""Stats: completions over 30 days, open tasks by priority, tag and project; of one project
or all of them."""

from __future__ import annotations

import reflex as rx

from todo_app.components.layout import shell
from todo_app.pages.project_menu import project_menu
from todo_app.state.stats import StatsState


def _chart(
    title: str,
    chart_id: str,
    data: rx.Var,
    x_key: str,
    bars: list[tuple[str, str]],
    height: int = 220,
    tooltip: bool = True,
) -> rx.Component:
    """A card of counts as bars: one (data key, colour) of `bars` a series, along `x_key`."""
    chart = rx.recharts.bar_chart(
        *(rx.recharts.bar(data_key=key, fill=fill) for key, fill in bars),
        rx.recharts.x_axis(data_key=x_key),
        rx.recharts.y_axis(allow_decimals=False),
        *([rx.recharts.graphing_tooltip()] if tooltip else []),
        data=data,
        width="100%",
        height=height,
    )
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), chart, width="100%"), width="100%", id=chart_id
    )


def stats_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.hstack(
                rx.heading("Stats", size="6"),
                rx.spacer(),
                project_menu(
                    StatsState.project_choices,
                    StatsState.project,
                    StatsState.choose_project,
                    "stats-project",
                    "Project",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(StatsState.error != "", rx.callout(StatsState.error, icon="info")),
            rx.text(
                StatsState.completed_30, " tasks completed in the last 30 days", id="completed-30"
            ),
            _chart(
                "Completed per day",
                "chart-completed",
                StatsState.per_day,
                "day",
                [("completed", "var(--accent-9)")],
                height=240,
            ),
            rx.flex(
                _chart(
                    "Open by priority",
                    "chart-priority",
                    StatsState.by_priority,
                    "priority",
                    [("open", "var(--red-9)")],
                    tooltip=False,
                ),
                _chart(
                    "Open by tag",
                    "chart-tags",
                    StatsState.by_tag,
                    "tag",
                    [("open", "var(--blue-9)")],
                    tooltip=False,
                ),
                gap="4",
                width="100%",
                direction=rx.breakpoints(initial="column", md="row"),
            ),
            _chart(
                "By project: open, and completed in 30 days",
                "chart-projects",
                StatsState.by_project,
                "project",
                [("open", "var(--blue-9)"), ("completed", "var(--green-9)")],
            ),
            spacing="4",
            width="100%",
        )
    )
