"""Markup typed by a user is shown as text, never run."""

from __future__ import annotations

import re

from e2e_steps import UI, unique_email
from playwright.sync_api import expect

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_markup_in_a_title_is_text(ui: UI) -> None:
    page = ui.page
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    ui.register(unique_email("xss"))
    row = ui.quick_add(PAYLOAD)
    expect(row.locator(".task-title")).to_have_text(PAYLOAD)

    # Everywhere the title shows: the list after a reload, the editor, a toast, a search.
    ui.reload()
    expect(ui.row(PAYLOAD)).to_have_count(1)
    ui.row(PAYLOAD).locator(".task-title").click()
    expect(page.locator("#edit-title")).to_have_value(PAYLOAD)
    page.keyboard.press("Escape")
    expect(page.locator("#task-editor")).to_be_hidden()
    ui.row(PAYLOAD).get_by_role("checkbox").click()
    expect(ui.toast(f"Completed “{PAYLOAD}”")).to_be_visible()
    ui.toast(f"Completed “{PAYLOAD}”").get_by_role("button", name="Undo").click()
    expect(ui.row(PAYLOAD)).to_have_count(1)
    page.locator("#search-input").fill(PAYLOAD)
    expect(page).to_have_url(re.compile(r"[?&]q=%3Cimg"))
    expect(ui.row(PAYLOAD)).to_have_count(1)

    page.wait_for_timeout(300)  # an onerror would have fired by now
    assert page.locator("img[src='x']").count() == 0
    assert page.locator(".task-row img").count() == 0
    assert dialogs == []
