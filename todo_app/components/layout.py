"""The app shell: top bar with navigation, notifications and account; optional sidebar."""

from __future__ import annotations

import reflex as rx

from todo_app import routes
from todo_app.state.auth import AuthState
from todo_app.state.pages import NotificationsState

# Keyboard shortcuts: n focuses quick add, / focuses search (not while typing in a field).
SHORTCUTS = """
document.addEventListener('keydown', (event) => {
  const target = event.target;
  const typing = 'input, textarea, select, [contenteditable]';
  if (target && target.closest && target.closest(typing)) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const focus = (id) => {
    const el = document.getElementById(id);
    if (el) { event.preventDefault(); el.focus(); }
  };
  if (event.key === 'n') focus('quick-add-input');
  if (event.key === '/') focus('search-input');
});
"""


def nav_link(label: str, href: str, link_id: str) -> rx.Component:
    return rx.link(label, href=href, id=link_id, size="2", weight="medium")


def notifications_bell() -> rx.Component:
    item = lambda n: rx.box(  # noqa: E731
        rx.hstack(
            rx.text(n.title, weight="bold", size="2"),
            rx.spacer(),
            rx.text(n.when, size="1", color_scheme="gray"),
        ),
        rx.text(n.body, size="1"),
        rx.cond(
            n.unread,
            rx.button(
                "Mark read",
                size="1",
                variant="ghost",
                on_click=NotificationsState.mark_read(n.id),
                aria_label="Mark notification read",
            ),
        ),
        padding="0.5em",
        border_bottom="1px solid var(--gray-4)",
        opacity=rx.cond(n.unread, "1", "0.6"),
    )
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("bell", size=18),
                rx.cond(
                    NotificationsState.unread > 0,
                    rx.badge(NotificationsState.unread, color_scheme="red", id="unread-count"),
                ),
                variant="ghost",
                id="notifications-bell",
                aria_label="Notifications",
                on_click=NotificationsState.refresh,
            )
        ),
        rx.popover.content(
            rx.cond(
                NotificationsState.items.length() > 0,
                rx.scroll_area(rx.foreach(NotificationsState.items, item), max_height="60vh"),
                rx.text("No notifications yet. Reminders show up here.", size="2"),
            ),
            width="320px",
            id="notifications-list",
        ),
    )


def top_bar() -> rx.Component:
    return rx.hstack(
        rx.link(rx.heading("Todo", size="5"), href=routes.HOME, id="nav-home", underline="none"),
        rx.hstack(
            nav_link("Tasks", routes.HOME, "nav-tasks"),
            nav_link("Activity", routes.ACTIVITY, "nav-activity"),
            nav_link("Stats", routes.STATS, "nav-stats"),
            nav_link("Settings", routes.SETTINGS, "nav-settings"),
            spacing="4",
            display=["none", "flex"],
        ),
        rx.spacer(),
        notifications_bell(),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("user", size=16),
                    rx.text(AuthState.user_name, display=["none", "inline"]),
                    variant="soft",
                    id="account-menu",
                    aria_label="Account",
                )
            ),
            rx.menu.content(
                rx.menu.item("Tasks", on_click=rx.redirect(routes.HOME)),
                rx.menu.item("Activity", on_click=rx.redirect(routes.ACTIVITY)),
                rx.menu.item("Stats", on_click=rx.redirect(routes.STATS)),
                rx.menu.item("Settings", on_click=rx.redirect(routes.SETTINGS)),
                rx.menu.separator(),
                rx.menu.item("Log out", on_click=AuthState.logout, id="logout"),
            ),
        ),
        align="center",
        padding="0.75em 1em",
        border_bottom="1px solid var(--gray-5)",
        width="100%",
        position="sticky",
        top="0",
        background="var(--color-background)",
        z_index="10",
    )


def shell(*children: rx.Component, sidebar: rx.Component | None = None) -> rx.Component:
    main = rx.box(*children, flex="1", min_width="0", padding=["0.75em", "1.5em"])
    body = rx.hstack(sidebar, main, align="start", width="100%", spacing="0") if sidebar else main
    return rx.box(
        top_bar(),
        body,
        width="100%",
        min_height="100vh",
    )
