"""Signed out in another tab: this tab's next change is not dropped while claiming success."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from e2e_steps import UI, unique_email
from playwright.sync_api import expect


def test_logout_in_another_tab_keeps_the_edit_for_after_login(
    new_context: Callable[..., Any],
) -> None:
    context = new_context()
    first = UI(context.new_page())
    email = unique_email("tabs")
    first.register(email)
    first.quick_add("Plan the trip")
    first.row("Plan the trip").locator(".task-title").click()
    first.page.fill("#edit-title", "Plan the trip to Rome")

    # A second tab of the same browser shares the login (localStorage): log out there.
    second = UI(context.new_page())
    second.goto("/")
    second.wait_for_list()
    second.logout()

    # Saving in the first tab sends to the login page instead of saying "Saved" for nothing.
    first.page.bring_to_front()
    first.page.click("#edit-save")
    expect(first.page).to_have_url(re.compile(r"/login\?next=/"))
    expect(first.toast("Saved")).to_have_count(0)

    # Back from logging in, the draft is still in the editor, and saving it now works.
    first.login(email)
    expect(first.page.locator("#task-editor")).to_be_visible()
    expect(first.page.locator("#edit-title")).to_have_value("Plan the trip to Rome")
    first.page.click("#edit-save")
    expect(first.toast("Saved")).to_be_visible()
    expect(first.page.locator(".task-row .task-title")).to_have_text(["Plan the trip to Rome"])

    # The same for a quick add: the typed title is kept, not swallowed.
    second.page.close()
    second = UI(context.new_page())
    second.goto("/")
    second.wait_for_list()
    second.logout()
    first.page.bring_to_front()
    first.page.fill("#quick-add-input", "Book the hotel")
    first.page.press("#quick-add-input", "Enter")
    expect(first.page).to_have_url(re.compile(r"/login\?next=/"))
    first.login(email)
    expect(first.page.locator("#quick-add-input")).to_have_value("Book the hotel")
    first.page.press("#quick-add-input", "Enter")
    expect(first.row("Book the hotel")).to_have_count(1)
