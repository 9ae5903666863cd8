"""The landing page; the task UI grows here."""

import reflex as rx


def home() -> rx.Component:
    return rx.container(
        rx.vstack(
            rx.heading("Todo", size="8", id="app-title"),
            rx.text("Your tasks, captured fast and never lost."),
            rx.link("REST API reference", href="/api/v1/docs", id="api-docs-link"),
            spacing="4",
            padding_y="3em",
        )
    )
