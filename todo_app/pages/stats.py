"""Stats: completions over 30 days, open tasks by priority, tag and project; of one project
or all of them."""

from __future__ import annotations

import reflex as rx

from todo_app.components.layout import shell
from todo_app.pages.project_menu import project_menu
from todo_app.state.stats import StatsState


def _chart(title: str, chart: rx.Component, chart_id: str) -> rx.Component:
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
                rx.recharts.bar_chart(
                    rx.recharts.bar(data_key="completed", fill="var(--accent-9)"),
                    rx.recharts.x_axis(data_key="day"),
                    rx.recharts.y_axis(allow_decimals=False),
                    rx.recharts.graphing_tooltip(),
                    data=StatsState.per_day,
                    width="100%",
                    height=240,
                ),
                "chart-completed",
            ),
            rx.flex(
                _chart(
                    "Open by priority",
                    rx.recharts.bar_chart(
                        rx.recharts.bar(data_key="open", fill="var(--red-9)"),
                        rx.recharts.x_axis(data_key="priority"),
                        rx.recharts.y_axis(allow_decimals=False),
                        data=StatsState.by_priority,
                        width="100%",
                        height=220,
                    ),
                    "chart-priority",
                ),
                _chart(
                    "Open by tag",
                    rx.recharts.bar_chart(
                        rx.recharts.bar(data_key="open", fill="var(--blue-9)"),
                        rx.recharts.x_axis(data_key="tag"),
                        rx.recharts.y_axis(allow_decimals=False),
                        data=StatsState.by_tag,
                        width="100%",
                        height=220,
                    ),
                    "chart-tags",
                ),
                gap="4",
                width="100%",
                direction=rx.breakpoints(initial="column", md="row"),
            ),
            _chart(
                "By project: open, and completed in 30 days",
                rx.recharts.bar_chart(
                    rx.recharts.bar(data_key="open", fill="var(--blue-9)"),
                    rx.recharts.bar(data_key="completed", fill="var(--green-9)"),
                    rx.recharts.x_axis(data_key="project"),
                    rx.recharts.y_axis(allow_decimals=False),
                    rx.recharts.graphing_tooltip(),
                    data=StatsState.by_project,
                    width="100%",
                    height=220,
                ),
                "chart-projects",
            ),
            spacing="4",
            width="100%",
        )
    )
