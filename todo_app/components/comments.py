"""The comment thread in the task editor: Markdown shown safely, your own comments editable."""

from __future__ import annotations

import reflex as rx

from todo_app.components.dates import local_due_text
from todo_app.state.comments import CommentRow, CommentsState


def _comment(row: CommentRow) -> rx.Component:
    editing = CommentsState.editing_id == row.id
    return rx.hstack(
        rx.avatar(fallback=row.initials, size="1", radius="full"),
        rx.vstack(
            rx.hstack(
                rx.text(row.author, size="1", weight="bold", class_name="comment-author"),
                rx.text(
                    local_due_text(row.at, False, row.when),
                    size="1",
                    color_scheme="gray",
                    class_name="comment-when",
                ),
                rx.cond(row.edited, rx.text("(edited)", size="1", color_scheme="gray")),
                rx.spacer(),
                rx.cond(
                    row.mine & ~editing,
                    rx.hstack(
                        rx.icon_button(
                            rx.icon("pencil", size=12),
                            size="1",
                            variant="ghost",
                            on_click=CommentsState.start_edit(row.id, row.text),
                            aria_label="Edit comment",
                            class_name="comment-edit",
                        ),
                        rx.icon_button(
                            rx.icon("trash-2", size=12),
                            size="1",
                            variant="ghost",
                            color_scheme="red",
                            on_click=CommentsState.delete(row.id),
                            aria_label="Delete comment",
                            class_name="comment-delete",
                        ),
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                editing,
                rx.vstack(
                    rx.text_area(
                        value=CommentsState.edit_text,
                        on_change=CommentsState.set_edit_text,
                        aria_label="Edit comment",
                        id="comment-edit-text",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            on_click=CommentsState.cancel_edit,
                        ),
                        rx.button(
                            "Save", size="1", on_click=CommentsState.save_edit, id="comment-save"
                        ),
                    ),
                    width="100%",
                ),
                # Without the raw-HTML plugin react-markdown shows HTML as text, and it drops
                # javascript: links: a comment cannot inject markup or script.
                rx.markdown(
                    row.text,
                    use_raw=False,
                    use_math=False,
                    use_katex=False,
                    class_name="comment-text",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        class_name="comment",
        data_id=row.id,
        align="start",
        width="100%",
    )


def comment_thread(task_id: rx.Var[str]) -> rx.Component:
    """The comments on task `task_id`, oldest first, and a box to add one; read each time it
    is shown (the editor's dialog mounts its content on opening)."""
    return rx.vstack(
        rx.text("Comments", size="2", weight="bold"),
        rx.vstack(rx.foreach(CommentsState.items, _comment), id="comments", width="100%"),
        rx.cond(
            CommentsState.can_comment,
            rx.vstack(
                rx.text_area(
                    value=CommentsState.draft,
                    on_change=CommentsState.set_draft,
                    placeholder="Write a comment… (Markdown)",
                    aria_label="New comment",
                    id="comment-draft",
                    width="100%",
                ),
                rx.cond(
                    CommentsState.error != "",
                    rx.text(CommentsState.error, color_scheme="red", size="1", id="comment-error"),
                ),
                rx.button(
                    rx.icon("message-square", size=14),
                    "Comment",
                    size="1",
                    on_click=CommentsState.post,
                    disabled=CommentsState.draft.strip() == "",
                    id="comment-post",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        id="comment-thread",
        on_mount=CommentsState.show(task_id),
    )
