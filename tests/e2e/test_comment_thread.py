"""The comment thread in the task editor: Markdown shown safely, your own comments edited and
deleted, and a comment made elsewhere appearing in an open editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from e2e_steps import UI, unique_email
from playwright.sync_api import expect
from test_live import LIVE_TIMEOUT, Api


def test_a_thread_in_the_editor_follows_comments_made_elsewhere(
    new_context: Callable[..., Any], live_app: str, stack: Any
) -> None:
    email = unique_email("comments")
    ui = UI(new_context().new_page())
    page = ui.page
    ui.register(email, name="Ada Lovelace")
    expect(page.locator("#connection-status")).to_have_attribute("data-status", "live")
    api = Api(live_app, email)
    fence = api.create(title="Paint the fence")
    ui.row("Paint the fence").locator(".task-title").click()
    thread = page.locator("#comment-thread")
    expect(thread).to_be_visible()
    expect(thread.locator(".comment")).to_have_count(0)
    expect(page.locator("#comment-post")).to_be_disabled()

    page.fill("#comment-draft", 'Use **white** <img src=x onerror="window.hacked=1">')
    page.click("#comment-post")
    mine = thread.locator(".comment")
    expect(mine).to_have_count(1)
    expect(mine.locator(".comment-author")).to_have_text("Ada Lovelace")
    expect(mine.locator(".comment-text strong")).to_have_text("white")
    # Raw HTML in Markdown is not markup: no image, no script ran.
    expect(mine.locator(".comment-text img")).to_have_count(0)
    assert page.evaluate("window.hacked") is None
    expect(page.locator("#comment-draft")).to_have_value("")

    # Another device of the user comments: the open editor shows it at once.
    api.post(f"/tasks/{fence['id']}/comments", text="Two coats, please")
    expect(thread.locator(".comment")).to_have_count(2, timeout=LIVE_TIMEOUT)
    expect(thread.locator(".comment").nth(1).locator(".comment-text")).to_have_text(
        "Two coats, please"
    )

    mine.first.get_by_role("button", name="Edit comment").click()
    page.fill("#comment-edit-text", "Use *grey*")
    page.click("#comment-save")
    expect(thread.locator(".comment").first.locator(".comment-text em")).to_have_text("grey")
    expect(thread.locator(".comment").first).to_contain_text("(edited)")

    thread.locator(".comment").first.get_by_role("button", name="Delete comment").click()
    expect(ui.toast("Comment deleted")).to_be_visible()
    expect(thread.locator(".comment")).to_have_count(1)
    # An empty comment is refused by the button, a blank one by the service.
    page.fill("#comment-draft", "   ")
    expect(page.locator("#comment-post")).to_be_disabled()
    comments = api.client.get(f"/api/v1/tasks/{fence['id']}/comments").json()["items"]
    assert [c["text"] for c in comments] == ["Two coats, please"]
