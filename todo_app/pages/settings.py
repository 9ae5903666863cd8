"""Settings: display name, time zone, email notifications, API tokens, the calendar feed."""

from __future__ import annotations

import reflex as rx

from todo_app.components.layout import shell
from todo_app.pages.project_menu import project_menu
from todo_app.state.settings import SettingsState


def _shown_once(secret: rx.Var, secret_id: str, *after: rx.Component) -> rx.Component:
    """A secret shown only this once, a button that copies it, then `after`."""
    return rx.hstack(
        rx.code(secret, id=secret_id, word_break="break-all"),
        rx.button(
            "Copy",
            size="1",
            on_click=[rx.set_clipboard(secret), rx.toast("Copied", duration=1500)],
            id=f"{secret_id}-copy",
        ),
        *after,
        align="center",
        wrap="wrap",
    )


def _token_row(token: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(token["name"]),
        rx.table.cell(token["created"]),
        rx.table.cell(token["last_used"]),
        rx.table.cell(
            rx.button(
                "Revoke",
                size="1",
                color_scheme="red",
                variant="soft",
                on_click=SettingsState.revoke_token(token["id"]),
                class_name="token-revoke",
                aria_label="Revoke " + token["name"].to(str),
            )
        ),
        class_name="token-row",
    )


def api_tokens_section() -> rx.Component:
    return rx.vstack(
        rx.heading("API tokens", size="4"),
        rx.text(
            "For the todo command line (todo login makes one) and your scripts: send it as "
            "Authorization: Bearer <token>.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            SettingsState.token_error != "",
            rx.callout(SettingsState.token_error, color_scheme="red", id="token-error"),
        ),
        rx.cond(
            SettingsState.new_token != "",
            rx.callout(
                rx.vstack(
                    rx.text(
                        "Copy the token for ",
                        rx.text.strong(SettingsState.new_token_name),
                        " now: it will not be shown again.",
                        size="2",
                    ),
                    _shown_once(
                        SettingsState.new_token,
                        "new-token",
                        rx.button(
                            "Done",
                            size="1",
                            variant="soft",
                            on_click=SettingsState.hide_new_token,
                        ),
                    ),
                ),
                color_scheme="green",
                icon="key",
                width="100%",
            ),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="name",
                    placeholder="Token name, e.g. laptop script",
                    id="token-name",
                    aria_label="Token name",
                    max_length=100,
                    width="100%",
                ),
                rx.button("Create token", type="submit", id="token-create"),
                width="100%",
            ),
            on_submit=SettingsState.create_token,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(
            SettingsState.api_tokens.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Created"),
                        rx.table.column_header_cell("Last used"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(SettingsState.api_tokens, _token_row)),
                size="1",
                width="100%",
                id="token-table",
            ),
            rx.text("No tokens yet.", size="2", color_scheme="gray", id="token-none"),
        ),
        spacing="3",
        width="100%",
    )


def calendar_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Calendar feed", size="4"),
        rx.text(
            "Subscribe to your open tasks from a calendar app (as to-dos with due dates, "
            "repeats and reminders), or to one project's. Anyone with the URL can read them: "
            "regenerating it stops the old one, for every project.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            SettingsState.feed_url != "",
            rx.callout(
                rx.vstack(
                    rx.hstack(
                        rx.text("Your feed URL (shown once; copy it now), for", size="2"),
                        project_menu(
                            SettingsState.feed_projects,
                            SettingsState.feed_project,
                            SettingsState.choose_feed_project,
                            "feed-project",
                            "Feed of",
                            every="every project",
                            size="1",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    _shown_once(SettingsState.shown_feed_url, "feed-url"),
                ),
                color_scheme="green",
                icon="calendar",
                width="100%",
            ),
        ),
        rx.button(
            rx.cond(SettingsState.has_feed, "Regenerate feed URL", "Make feed URL"),
            on_click=SettingsState.make_feed_url,
            variant="soft",
            id="feed-make",
        ),
        spacing="3",
        width="100%",
    )


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
            rx.separator(),
            api_tokens_section(),
            rx.separator(),
            calendar_section(),
            max_width="520px",
            spacing="4",
        )
    )
