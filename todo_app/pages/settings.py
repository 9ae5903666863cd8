"""Settings: display name, time zone, email notifications."""

from __future__ import annotations

import reflex as rx

from todo_app.components.layout import shell
from todo_app.state.pages import SettingsState


def settings_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading("Settings", size="6"),
            rx.cond(
                SettingsState.error != "",
                rx.callout(
                    SettingsState.error,
                    color_scheme="red",
                    icon="triangle-alert",
                    id="settings-error",
                ),
            ),
            rx.form(
                rx.vstack(
                    rx.text("Display name", size="2", weight="bold"),
                    rx.input(
                        name="display_name",
                        default_value=SettingsState.display_name,
                        key=SettingsState.display_name,
                        id="settings-name",
                        aria_label="Display name",
                        width="100%",
                    ),
                    rx.text("Time zone", size="2", weight="bold"),
                    rx.text(
                        "Current: ",
                        rx.code(SettingsState.timezone, id="settings-timezone-current"),
                        size="2",
                    ),
                    rx.input(
                        placeholder="Search time zones, e.g. Berlin",
                        value=SettingsState.zone_query,
                        on_change=SettingsState.search_zones,
                        id="settings-timezone-search",
                        name="zone_query",
                        aria_label="Search time zones",
                        width="100%",
                    ),
                    rx.vstack(
                        rx.foreach(
                            SettingsState.zone_matches,
                            lambda zone: rx.button(
                                zone,
                                size="1",
                                variant="ghost",
                                on_click=SettingsState.pick_zone(zone),
                                class_name="zone-option",
                            ),
                        ),
                        spacing="1",
                        align="start",
                    ),
                    rx.checkbox(
                        "Email me notifications",
                        checked=SettingsState.email_notifications,
                        on_change=SettingsState.set_email_notifications,
                        id="settings-email",
                        name="email_notifications",
                    ),
                    rx.button("Save", type="submit", id="settings-save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=SettingsState.save,
                width="100%",
            ),
            max_width="520px",
            spacing="4",
        )
    )
