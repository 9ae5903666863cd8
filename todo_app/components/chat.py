"""The chat panel: talk to the assistant from any signed-in page."""

from __future__ import annotations

import reflex as rx

from todo_app.state.chat import ChatLine, ChatState

EXAMPLES = (
    "add call mom tomorrow 6pm #family every sunday",
    "what's due this week?",
    "complete buy milk",
)


def chat_toggle() -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon("message-circle", size=18),
            variant=rx.cond(ChatState.open, "solid", "ghost"),
            on_click=ChatState.toggle,
            id="chat-toggle",
            aria_label="Assistant",
        ),
        content="Assistant: add, find and change tasks in plain words",
    )


def _line(line: rx.Var[ChatLine]) -> rx.Component:
    mine = line.role == "user"
    return rx.box(
        rx.text(line.text, size="2", white_space="pre-wrap"),
        rx.foreach(
            line.done,
            lambda done: rx.text(
                "✓ " + done, size="1", color_scheme="green", class_name="chat-done"
            ),
        ),
        class_name="chat-message",
        data_role=line.role,
        align_self=rx.cond(mine, "flex-end", "flex-start"),
        background=rx.cond(mine, "var(--accent-4)", "var(--gray-3)"),
        padding="0.5em 0.75em",
        border_radius="var(--radius-3)",
        max_width="85%",
    )


def chat_panel() -> rx.Component:
    return rx.cond(
        ChatState.open,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Assistant", size="3"),
                    rx.spacer(),
                    rx.button(
                        "Clear",
                        size="1",
                        variant="ghost",
                        on_click=ChatState.clear,
                        id="chat-clear",
                    ),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        size="1",
                        variant="ghost",
                        on_click=ChatState.toggle,
                        aria_label="Close the assistant",
                    ),
                    width="100%",
                    align="center",
                ),
                rx.auto_scroll(
                    rx.cond(
                        ChatState.lines.length() > 0,
                        rx.vstack(rx.foreach(ChatState.lines, _line), spacing="2", width="100%"),
                        rx.vstack(
                            rx.text("Ask in plain words, for example:", size="2"),
                            *[
                                rx.text("“" + example + "”", size="2", color_scheme="gray")
                                for example in EXAMPLES
                            ],
                            spacing="1",
                        ),
                    ),
                    id="chat-messages",
                    height="50vh",
                    width="100%",
                ),
                rx.form(
                    rx.hstack(
                        rx.input(
                            value=ChatState.draft,
                            on_change=ChatState.set_draft,
                            name="message",
                            placeholder="Ask or tell the assistant…",
                            id="chat-input",
                            aria_label="Message to the assistant",
                            width="100%",
                            max_length=2000,
                        ),
                        rx.button(
                            rx.cond(ChatState.busy, rx.spinner(size="1"), rx.icon("send", size=14)),
                            type="submit",
                            disabled=ChatState.busy,
                            id="chat-send",
                            aria_label="Send",
                        ),
                        width="100%",
                    ),
                    on_submit=ChatState.send,
                    reset_on_submit=False,
                    width="100%",
                ),
                spacing="3",
            ),
            id="chat-panel",
            position="fixed",
            right="1em",
            top="4.5em",
            width=["calc(100vw - 2em)", "380px"],
            z_index="15",
            box_shadow="var(--shadow-5)",
        ),
    )
