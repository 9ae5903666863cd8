"""Keyboard shortcuts: `n` quick add, `/` search, Esc closes the editor."""

from __future__ import annotations

from e2e_steps import UI, unique_email
from playwright.sync_api import expect


def test_shortcuts(ui: UI) -> None:
    page = ui.page
    quick, search = page.locator("#quick-add-input"), page.locator("#search-input")
    ui.register(unique_email("keys"))
    ui.quick_add("Read a book")

    ui.blur()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")
    # Inside a field the keys are just typed.
    page.keyboard.type("n")
    expect(search).to_have_value("n")
    expect(search).to_be_focused()
    search.fill("")

    ui.blur()
    page.keyboard.press("n")
    expect(quick).to_be_focused()
    expect(quick).to_have_value("")
    page.keyboard.type("a/b")
    expect(quick).to_have_value("a/b")
    expect(quick).to_be_focused()
    quick.fill("")

    # A modifier makes it someone else's shortcut.
    ui.blur()
    page.keyboard.press("Control+n")
    expect(quick).not_to_be_focused()

    # Esc closes the editor without saving what was typed.
    ui.row("Read a book").locator(".task-title").click()
    editor = page.locator("#task-editor")
    expect(editor).to_be_visible()
    page.fill("#edit-title", "Changed my mind")
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    expect(page.locator(".task-row .task-title")).to_have_text(["Read a book"])
    ui.reload()
    expect(page.locator(".task-row .task-title")).to_have_text(["Read a book"])
    # And the shortcuts still work after the dialog closed.
    ui.blur()
    page.keyboard.press("n")
    expect(quick).to_be_focused()
