"""Projects, sections and subtasks in the list view: the sidebar tree and a project's page."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from e2e_steps import UI, Api, unique_email
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

LIVE_TIMEOUT = 10_000


def sidebar_project(ui: UI, name: str) -> Any:
    return ui.page.locator(f'#project-tree .project-row[data-name="{name}"]')


def create_project(ui: UI, name: str, parent: str = "") -> None:
    """From the sidebar's "+": the new project's page opens."""
    page = ui.page
    page.click("#add-project")
    page.fill("#project-name", name)
    if parent:
        ui.choose("project-parent", parent)
    page.click("#project-save")
    expect(page).to_have_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
    expect(page.locator("#project-title")).to_have_text(name)
    ui.wait_for_list()


def section(ui: UI, name: str) -> Any:
    return ui.page.locator(f'.section-heading[data-name="{name}"]')


def test_a_project_from_the_sidebar_with_sections_and_subtasks(
    ui: UI, live_app: str, screenshot: Callable[[Any, str], Any]
) -> None:
    page = ui.page
    email = unique_email("projects")
    ui.register(email)
    # The Inbox comes first, and every account has it.
    expect(page.locator("#project-tree .project-row").first).to_have_attribute("data-name", "Inbox")

    create_project(ui, "Garden")
    create_project(ui, "Vegetables", parent="Garden")
    garden = sidebar_project(ui, "Garden")
    vegetables = sidebar_project(ui, "Vegetables")
    expect(vegetables).to_have_attribute("data-depth", "1")
    assert vegetables.evaluate("e => getComputedStyle(e).paddingLeft") == "14px"
    # Folding Garden hides its sub-project; unfolding shows it again.
    garden.get_by_role("button", name="Collapse Garden").click()
    expect(vegetables).to_have_count(0)
    garden.get_by_role("button", name="Expand Garden").click()
    expect(vegetables).to_have_count(1)

    # Tasks added on a project's page go into it, and its sidebar count follows.
    garden.locator(".project-link").click()
    expect(page.locator("#project-title")).to_have_text("Garden")
    ui.quick_add("Buy seeds")
    ui.quick_add("Mow the lawn")
    expect(garden.locator(".open-count")).to_have_text("2")
    ui.goto("/")
    expect(ui.row("Buy seeds")).to_have_count(1)
    sidebar_project(ui, "Inbox").locator(".project-link").click()
    expect(page.locator("#project-title")).to_have_text("Inbox")
    expect(page.locator("#empty-state, .task-row")).to_have_count(0)

    # Sections: add one, a task in it, rename it in place, fold it.
    sidebar_project(ui, "Garden").locator(".project-link").click()
    page.fill("#add-section-name", "Spring")
    page.press("#add-section-name", "Enter")
    expect(section(ui, "Spring")).to_be_visible()
    api = Api(live_app, email)
    project_id = page.url.rsplit("/", 1)[1]
    section_id = section(ui, "Spring").get_attribute("id").removeprefix("section-")  # type: ignore[union-attr]
    api.create(title="Plant tulips", project_id=project_id, section_id=section_id)
    expect(ui.row("Plant tulips")).to_have_count(1, timeout=LIVE_TIMEOUT)
    # Tasks outside any section come first (the newest on top).
    expect(page.locator(".task-row .task-title")).to_have_text(
        ["Mow the lawn", "Buy seeds", "Plant tulips"]
    )
    name = section(ui, "Spring").locator(".section-name input")
    name.fill("Early spring")
    name.press("Tab")
    expect(section(ui, "Early spring")).to_be_visible()
    ui.reload()
    expect(section(ui, "Early spring")).to_be_visible()
    section(ui, "Early spring").get_by_role("button", name="Collapse section Early spring").click()
    expect(ui.row("Plant tulips")).to_have_count(0)
    expect(section(ui, "Early spring").locator(".section-count")).to_have_text("1")
    section(ui, "Early spring").get_by_role("button", name="Expand section Early spring").click()
    expect(ui.row("Plant tulips")).to_have_count(1)

    # Subtasks: added from the row, indented under it, with the parent's progress.
    for title in ("Tomatoes", "Basil"):
        page.get_by_role("button", name="Add subtask to Buy seeds").click()
        page.fill("#subtask-title", title)
        page.press("#subtask-title", "Enter")
        expect(ui.row(title)).to_have_attribute("data-depth", "1")
    assert ui.row("Basil").evaluate("e => getComputedStyle(e).paddingLeft") == "28px"
    titles = ui.titles()
    assert titles[:2] == ["Mow the lawn", "Buy seeds"] and titles[4:] == ["Plant tulips"]
    assert sorted(titles[2:4]) == ["Basil", "Tomatoes"], titles
    progress = ui.row("Buy seeds").locator(".subtask-progress")
    expect(progress).to_have_text("0/2")
    ui.row("Basil").get_by_role("checkbox").click()
    expect(progress).to_have_text("1/2")
    screenshot(page, "project")
    ui.row("Buy seeds").get_by_role("button", name="Hide subtasks of Buy seeds").click()
    expect(ui.row("Tomatoes")).to_have_count(0)
    ui.row("Buy seeds").get_by_role("button", name="Show subtasks of Buy seeds").click()
    expect(ui.row("Tomatoes")).to_have_attribute("data-depth", "1")

    # And from the editor, which stays open over it.
    ui.row("Mow the lawn").locator(".task-title").click()
    page.click("#edit-add-subtask")
    page.fill("#subtask-title", "Edge the beds")
    page.press("#subtask-title", "Enter")
    expect(ui.row("Edge the beds")).to_have_attribute("data-depth", "1")
    expect(ui.row("Mow the lawn").locator(".subtask-progress")).to_have_text("0/1")
    expect(page.locator("#task-editor")).to_be_visible()
    page.click("#edit-cancel")
    expect(page.locator("#task-editor")).to_be_hidden()

    # Deleting the section keeps its task in the project, outside any section.
    section(ui, "Early spring").get_by_role("button", name="Delete section Early spring").click()
    expect(section(ui, "Early spring")).to_have_count(0)
    expect(ui.row("Plant tulips")).to_have_count(1)


def test_archive_and_delete_from_the_menu_with_undo(ui: UI) -> None:
    page = ui.page
    ui.register(unique_email("archive"))
    create_project(ui, "Taxes")
    ui.quick_add("File the return")
    taxes = sidebar_project(ui, "Taxes")

    def menu(action: str) -> None:
        taxes.get_by_role("button", name="Project menu Taxes").click()
        page.get_by_role("menuitem", name=action).click()

    menu("Archive")
    expect(taxes).to_have_count(0)
    archived = page.locator("#archived-projects")
    archived.locator("summary").click()
    expect(archived.locator(".archived-project")).to_have_attribute("data-name", "Taxes")
    # An archived project's tasks are gone from the lists, but its own page still shows them.
    ui.goto("/")
    expect(ui.row("File the return")).to_have_count(0)
    page.locator("#archived-projects summary").click()
    page.locator('.archived-project[data-name="Taxes"] .project-link').click()
    expect(page.locator("#project-archived")).to_be_visible()
    expect(ui.row("File the return")).to_have_count(1)
    page.locator("#archived-projects summary").click()
    page.get_by_role("button", name="Unarchive Taxes").click()
    expect(taxes).to_have_count(1)
    expect(page.locator("#archived-projects")).to_have_count(0)

    menu("Delete")
    expect(taxes).to_have_count(0)
    expect(page).to_have_url(UI.HOME)
    ui.toast("Deleted “Taxes”").get_by_role("button", name="Undo").click()
    expect(taxes).to_have_count(1)
    expect(taxes.locator(".open-count")).to_have_text("1")

    # The view its page opens in, unless the URL names one.
    taxes.get_by_role("button", name="Project menu Taxes").click()
    page.get_by_role("menuitem", name="Opens in").click()
    page.get_by_role("menuitem", name="Board").click()
    expect(ui.toast("“Taxes” opens in its board view")).to_be_visible()
    taxes.locator(".project-link").click()
    switcher = page.locator("#view-switcher")
    expect(switcher.get_by_role("radio", name="Board")).to_have_attribute("data-state", "on")
    switcher.get_by_role("radio", name="List").click()
    expect(page).to_have_url(re.compile(r"\?view=list$"))
    expect(switcher.get_by_role("radio", name="List")).to_have_attribute("data-state", "on")
    expect(ui.row("File the return")).to_have_count(1)

    menu("Rename…")
    page.fill("#project-name", "Taxes 2026")
    page.click("#project-save")
    expect(sidebar_project(ui, "Taxes 2026")).to_have_count(1)


def test_a_new_project_shows_in_every_tab(new_context: Callable[..., Any]) -> None:
    email = unique_email("tabs")
    first = UI(new_context().new_page())
    first.register(email)
    second = UI(new_context().new_page())
    second.login(email)
    create_project(first, "Holidays")
    expect(sidebar_project(second, "Holidays")).to_have_count(1, timeout=LIVE_TIMEOUT)
    # And its sections reach a tab showing the project.
    second.page.goto(first.page.url)
    second.wait_for_list()
    first.page.fill("#add-section-name", "Packing")
    first.page.press("#add-section-name", "Enter")
    expect(section(second, "Packing")).to_be_visible(timeout=LIVE_TIMEOUT)
    # Another account's tab at the same address finds nothing, and gets nothing live.
    stranger = UI(new_context().new_page())
    stranger.register(unique_email("stranger"))
    stranger.goto(first.page.url.removeprefix(first.page.url.split("/projects/")[0]))
    expect(stranger.page.locator("#no-project")).to_be_visible()
    first.page.fill("#add-section-name", "Tickets")
    first.page.press("#add-section-name", "Enter")
    expect(section(second, "Tickets")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(stranger.page.locator(".section-heading")).to_have_count(0)
    expect(sidebar_project(stranger, "Holidays")).to_have_count(0)


def test_keys_move_and_indent_the_focused_task(ui: UI) -> None:
    page = ui.page
    ui.register(unique_email("keys"))
    create_project(ui, "Moves")
    for title in ("Cook", "Bake", "Shop"):
        ui.quick_add(title)
    expect(page.locator(".task-row .task-title")).to_have_text(["Shop", "Bake", "Cook"])
    shop = ui.row("Shop")
    shop.focus()

    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(".task-row .task-title")).to_have_text(["Bake", "Shop", "Cook"])
    expect(ui.row("Shop")).to_be_focused()

    # Tab: a subtask of the task above; Shift+Tab: back out, right after it.
    page.keyboard.press("Tab")
    expect(ui.row("Shop")).to_have_attribute("data-depth", "1")
    expect(ui.row("Bake").locator(".subtask-progress")).to_have_text("0/1")
    expect(ui.row("Shop")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(ui.row("Shop")).to_have_attribute("data-depth", "0")
    expect(page.locator(".task-row .task-title")).to_have_text(["Bake", "Shop", "Cook"])
    expect(ui.row("Bake").locator(".subtask-progress")).to_have_count(0)

    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(".task-row .task-title")).to_have_text(["Shop", "Bake", "Cook"])
    # The order is kept.
    ui.reload()
    expect(page.locator(".task-row .task-title")).to_have_text(["Shop", "Bake", "Cook"])


def arrow_down_to(page: Any, item: str) -> None:
    """Down the open menu until `item` has the focus."""
    for _ in range(12):
        if page.evaluate("document.activeElement?.textContent") == item:
            return
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name=item)).to_be_focused()


def test_the_keyboard_nests_a_project_from_its_menu(ui: UI) -> None:
    page = ui.page
    ui.register(unique_email("nest-keys"))
    create_project(ui, "Home")
    create_project(ui, "Garden")
    garden = sidebar_project(ui, "Garden")
    expect(garden).to_have_attribute("data-depth", "0")

    # Enter opens the menu and its submenu, the arrows pick, Enter chooses.
    garden.get_by_role("button", name="Project menu Garden").focus()
    page.keyboard.press("Enter")
    arrow_down_to(page, "Move under")
    # Radix focuses a submenu it opens only if no pointer event came meanwhile (the page's
    # layout moving under the resting mouse makes one): as a keyboard user would, press
    # ArrowRight again, which on an open submenu's trigger focuses the submenu.
    in_submenu = "document.activeElement?.closest('[role=menu]')?.textContent.includes('Top level')"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(in_submenu, timeout=3000)
            break
    assert page.evaluate(in_submenu), "ArrowRight did not open the Move under submenu"
    # A project is not offered as its own parent.
    expect(page.get_by_role("menuitem", name="Garden")).to_have_count(0)
    arrow_down_to(page, "Home")
    page.keyboard.press("Enter")
    expect(ui.toast("Moved “Garden” to its new parent")).to_be_visible()
    expect(garden).to_have_attribute("data-depth", "1")

    garden.get_by_role("button", name="Project menu Garden").click()
    page.get_by_role("menuitem", name="Move under").click()
    page.get_by_role("menuitem", name="Top level").click()
    expect(garden).to_have_attribute("data-depth", "0")
    ui.reload()
    expect(sidebar_project(ui, "Garden")).to_have_attribute("data-depth", "0")
