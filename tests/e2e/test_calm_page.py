"""The calm page: one line of view controls, filters in a popover with removable chips, a
light/dark switch, and on a phone the list first."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from e2e_steps import UI, unique_email
from playwright.sync_api import expect


def test_filters_live_in_a_popover_and_show_as_removable_chips(
    ui: UI, screenshot: Callable[[Any, str], Any]
) -> None:
    page = ui.page
    ui.register(unique_email("calm"))
    page.fill("#quick-add-input", "Pay rent p1 #home")
    page.press("#quick-add-input", "Enter")
    expect(ui.row("Pay rent")).to_have_count(1)
    ui.quick_add("Read a book")
    # Until a filter is chosen, the controls are one line and no chips.
    expect(page.locator("#filters-popover")).to_have_count(0)
    expect(page.locator(".filter-chip")).to_have_count(0)

    ui.open_filters()
    page.click("#filter-priority-high")
    expect(page).to_have_url(re.compile(r"[?&]priority=high"))
    ui.choose("sort-by", "Title")
    expect(page).to_have_url(re.compile(r"[?&]sort_by=title"))
    page.keyboard.press("Escape")
    expect(page.locator("#filters-popover")).to_have_count(0)
    page.get_by_role("button", name="Filter by tag home").click()
    chips = page.locator("#filter-chips .filter-chip")
    expect(chips).to_have_text(["High priority", "#home", "By title"])
    screenshot(page, "filter-chips")
    expect(page.locator(".task-row")).to_have_count(1)

    chips.filter(has_text="High priority").get_by_role("button").click()
    expect(chips).to_have_text(["#home", "By title"])
    assert "priority=" not in page.url
    page.get_by_role("button", name="Remove filter #home").click()
    expect(chips).to_have_text(["By title"])
    expect(page.locator(".task-row .task-title")).to_have_text(["Pay rent", "Read a book"])
    page.get_by_role("button", name="Remove filter By title").click()
    expect(chips).to_have_count(0)
    assert "sort_by=" not in page.url


def test_the_dark_switch_is_remembered(ui: UI, screenshot: Callable[[Any, str], Any]) -> None:
    page = ui.page
    ui.register(unique_email("dark"))
    html = page.locator("html")
    expect(html).not_to_have_class(re.compile(r"\bdark\b"))
    page.click("#color-mode")
    expect(html).to_have_class(re.compile(r"\bdark\b"))
    ui.quick_add("Sleep early")
    screenshot(page, "dark")
    ui.reload()
    expect(html).to_have_class(re.compile(r"\bdark\b"))
    page.click("#color-mode")
    expect(html).not_to_have_class(re.compile(r"\bdark\b"))


def test_on_a_phone_the_list_comes_first(
    new_context: Callable[..., Any], screenshot: Callable[[Any, str], Any]
) -> None:
    ui = UI(new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page())
    page = ui.page
    ui.register(unique_email("phone"))
    for title in ("Buy bread", "Call grandma", "Book the dentist"):
        ui.quick_add(title)
    expect(page.locator("#sidebar")).to_be_hidden()
    # Every row is on the first screen, under one line of controls.
    last = ui.row("Book the dentist").bounding_box()
    assert last is not None and last["y"] + last["height"] <= 844, last
    controls = page.locator("#search-input").bounding_box()
    assert controls is not None
    assert ui.row("Buy bread").bounding_box()["y"] - controls["y"] < 140  # type: ignore[index]
    screenshot(page, "phone")
    # The projects and views wait in a drawer.
    page.click("#open-sidebar")
    drawer = page.locator("#sidebar-drawer")
    expect(drawer).to_be_visible()
    screenshot(page, "phone-drawer")
    drawer.locator('.project-row[data-name="Inbox"] .project-link').click()
    expect(page.locator("#project-title")).to_have_text("Inbox")
