"""The app shell: top bar with navigation, notifications and account; optional sidebar."""

from __future__ import annotations

import reflex as rx

from todo_app import routes
from todo_app.components.chat import chat_panel, chat_toggle
from todo_app.reflex_internals import connection_errors, js_var
from todo_app.state.auth import AuthState
from todo_app.state.notifications import SNOOZE_CHOICES, NotificationsState

# Keyboard shortcuts: n focuses quick add, / focuses search (not while typing in a field). On a
# focused task row, Alt+Up/Down moves it and Tab/Shift+Tab indents/outdents it (by its row's
# hidden buttons, which carry the state's handler).
SHORTCUTS = """
document.addEventListener('keydown', (event) => {
  const target = event.target;
  if (target && target.classList && target.classList.contains('task-row')) {
    const arrow = event.altKey && { ArrowUp: 'up', ArrowDown: 'down' }[event.key];
    const tab = event.key === 'Tab' && (event.shiftKey ? 'outdent' : 'indent');
    const button = (arrow || tab) && target.querySelector('.key-' + (arrow || tab));
    if (button) { event.preventDefault(); button.click(); return; }
  }
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


# Whether the browser thinks it is online, kept current by its online/offline events.
_BROWSER_ONLINE_HOOK = """
const [browserOnline, setBrowserOnline] = useState(true);
useEffect(() => {
  const update = () => setBrowserOnline(navigator.onLine);
  update();
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  return () => {
    window.removeEventListener('online', update);
    window.removeEventListener('offline', update);
  };
}, []);
"""
browser_online = js_var(
    "browserOnline",
    bool,
    hooks=[_BROWSER_ONLINE_HOOK],
    imports={"react": ["useState", "useEffect"]},
)


def connection_indicator() -> rx.Component:
    """Connected, reconnecting or offline: whether what the tab shows is live."""

    def badge(label: str, color: str, icon: str, tip: str) -> rx.Component:
        return rx.tooltip(
            rx.badge(
                rx.icon(icon, size=12),
                rx.text(label, display=["none", "inline"]),
                color_scheme=color,
                variant="soft",
                id="connection-status",
                data_status=label.lower(),
                aria_label=f"Connection: {label.lower()}",
            ),
            content=tip,
        )

    return rx.cond(
        ~browser_online,
        badge("Offline", "red", "wifi-off", "No network: changes show when you are back online"),
        rx.cond(
            connection_errors() | ~rx.State.is_hydrated,
            badge("Reconnecting", "amber", "refresh-cw", "Reconnecting; the list catches up after"),
            badge("Live", "green", "radio", "Changes from your other devices appear here"),
        ),
    )


def live_alerts() -> rx.Component:
    """Reminders that fire while the tab is open, with what one does about them."""

    def alert(a: rx.Var) -> rx.Component:
        return rx.card(
            rx.hstack(
                rx.icon("alarm-clock", size=18),
                rx.vstack(
                    rx.text(a.title, weight="bold", size="2", class_name="alert-title"),
                    rx.text(a.body, size="1", color_scheme="gray"),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                rx.icon_button(
                    rx.icon("x", size=14),
                    size="1",
                    variant="ghost",
                    on_click=NotificationsState.dismiss_alert(a.id),
                    aria_label="Dismiss",
                ),
                align="start",
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    "Open",
                    size="1",
                    variant="soft",
                    on_click=NotificationsState.open_from_alert(a.id),
                ),
                rx.button(
                    "Complete",
                    size="1",
                    variant="soft",
                    color_scheme="green",
                    on_click=NotificationsState.complete_from_alert(a.id),
                ),
                *[
                    rx.button(
                        f"Snooze {minutes} min" if minutes < 60 else f"Snooze {minutes // 60} h",
                        size="1",
                        variant="outline",
                        on_click=NotificationsState.snooze_alert(a.id, minutes),
                    )
                    for minutes in SNOOZE_CHOICES
                ],
                spacing="2",
                wrap="wrap",
                margin_top="0.5em",
            ),
            class_name="live-alert",
            role="alert",
            width="340px",
            box_shadow="var(--shadow-4)",
        )

    return rx.vstack(
        rx.foreach(NotificationsState.alerts, alert),
        id="live-alerts",
        position="fixed",
        bottom="1em",
        right="1em",
        z_index="20",
        spacing="2",
    )


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
        connection_indicator(),
        rx.color_mode.button(id="color-mode", aria_label="Light or dark", variant="ghost"),
        chat_toggle(),
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
        chat_panel(),
        live_alerts(),
        width="100%",
        min_height="100vh",
    )
