"""The chat panel in the browser: the assistant acts, the list follows, history stays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from e2e_steps import UI, unique_email
from playwright.sync_api import expect


def send(page: Any, text: str) -> Any:
    """Say `text` and wait for the whole reply (not the "…" it starts as)."""
    replies = page.locator(".chat-message[data-role=assistant]")
    before = replies.count()
    box = page.locator("#chat-input")
    box.fill(text)
    box.press("Enter")
    expect(replies).to_have_count(before + 1)
    expect(page.locator("#chat-send")).to_be_enabled()
    expect(replies.last).not_to_have_text("…")
    return replies.last


def test_the_assistant_adds_lists_completes_and_remembers(
    ui: UI, new_ui: Callable[..., UI], screenshot: Any
) -> None:
    email = unique_email("chat")
    ui.register(email)
    page = ui.page
    page.click("#chat-toggle")
    expect(page.locator("#chat-panel")).to_be_visible()

    reply = send(page, "add pay rent every month on the 1st #home p1")
    expect(reply).to_contain_text("Added “pay rent”")
    # The list shows the new task without a reload.
    row = ui.row("pay rent")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("#home")

    send(page, "add buy milk today #errands")
    expect(ui.row("buy milk")).to_have_count(1)
    reply = send(page, "what's due this month?")
    expect(reply).to_contain_text("buy milk")

    reply = send(page, "complete buy milk")
    expect(reply).to_contain_text("Completed “buy milk”")
    expect(ui.row("buy milk")).to_have_count(0)

    reply = send(page, "delete pay rent")
    expect(reply).to_contain_text("yes / no")
    expect(ui.row("pay rent")).to_have_count(1)
    screenshot(page, "chat-panel")

    # The conversation survives a reload, and is there on another device, where it goes on.
    ui.reload()
    expect(page.locator(".chat-message[data-role=user]")).to_have_count(5)
    other = new_ui()
    other.login(email)
    other.page.click("#chat-toggle")
    expect(other.page.locator(".chat-message[data-role=user]")).to_have_count(5)
    page = other.page
    reply = send(page, "yes")
    expect(reply).to_contain_text("Deleted “pay rent”")
    expect(other.row("pay rent")).to_have_count(0)
    expect(ui.row("pay rent")).to_have_count(0)
    # Clear forgets it, for good.
    page.click("#chat-clear")
    expect(page.locator(".chat-message")).to_have_count(0)
    other.reload()
    expect(other.page.locator("#chat-panel")).to_be_visible()
    expect(other.page.locator(".chat-message")).to_have_count(0)
