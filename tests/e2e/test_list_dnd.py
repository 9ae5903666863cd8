"""A project's list view: task rows dragged by their handle within a section and into another
(onto its rows or its heading), sections dragged above one another; the order is kept (reload,
REST API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from e2e_steps import UI, keyboard_drag
from playwright.sync_api import expect
from test_board import Board, signed_up
from test_board import drag as drag_now


def open_list(ui: UI, board: Board) -> None:
    ui.goto(f"/projects/{board.id}?view=list")
    expect(ui.page.locator("#project-sections")).to_be_visible()


def rows(ui: UI, section: str | None) -> Any:
    """The titles of a section's rows (None: outside sections), as shown."""
    where = f".section-block[data-name='{section}']" if section else ".no-section-rows"
    return ui.page.locator(f"{where} .task-title")


def handle(ui: UI, label: str) -> Any:
    return ui.page.get_by_role("button", name=label, exact=True)


def still(ui: UI, *targets: Any) -> None:
    """Wait until `targets` stop moving: after a drop the rows that made room glide into
    their places for a moment, and a press on a gliding handle misses it."""
    boxes = [t.bounding_box() for t in targets]
    for _ in range(50):
        ui.page.wait_for_timeout(60)
        now = [t.bounding_box() for t in targets]
        if now == boxes:
            return
        boxes = now
    raise AssertionError("the rows kept moving")


def drag(ui: UI, source: Any, target: Any) -> None:
    still(ui, source, target)
    drag_now(ui, source, target)


def section_names(board: Board) -> list[str]:
    response = board.api.client.get(f"/api/v1/projects/{board.id}/sections")
    assert response.status_code == 200, response.text
    return [s["name"] for s in response.json()["items"]]


def test_rows_move_within_a_section_and_into_another_for_good(
    new_context: Callable[..., Any], live_app: str
) -> None:
    ui, api, _ = signed_up(new_context, live_app)
    board = Board(api, "Move house", ["Packing", "Paperwork"])
    for title in ("Call the movers", "Book the van", "Cancel the internet"):
        board.add(title)
    board.add("Change address", "Paperwork")
    # A completed task keeps its place among the others, unseen in the list.
    [van] = api.titled("Book the van")
    assert api.client.post(f"/api/v1/tasks/{van['id']}/complete").status_code == 200
    board.add("Label the boxes")
    open_list(ui, board)
    expect(rows(ui, None)).to_have_count(3)
    before = [t.strip() for t in rows(ui, None).all_inner_texts()]
    assert sorted(before) == ["Call the movers", "Cancel the internet", "Label the boxes"]
    # The arrows are gone: the handle moves a row.
    expect(ui.page.get_by_role("button", name=f"Move up {before[0]}")).to_have_count(0)

    # Within its section: the first row onto the last goes last, past the completed task.
    drag(ui, handle(ui, f"Move {before[0]}"), ui.row(before[2]))
    kept = [before[1], before[2], before[0]]
    expect(rows(ui, None)).to_have_text(kept)
    ui.reload()
    expect(rows(ui, None)).to_have_text(kept)
    assert [t for t in board.order(None) if t != "Book the van"] == kept
    assert board.order(None)[-1] == before[0]

    # Into another section, onto its row: it goes in before that row.
    drag(ui, handle(ui, f"Move {kept[0]}"), ui.row("Change address"))
    expect(rows(ui, "Paperwork")).to_have_text([kept[0], "Change address"])
    expect(rows(ui, None)).to_have_text(kept[1:])

    # Onto an empty section's heading: it goes in, first.
    heading = ui.page.locator(".section-heading[data-name='Packing'] .section-count")
    drag(ui, handle(ui, f"Move {kept[1]}"), heading)
    expect(rows(ui, "Packing")).to_have_text([kept[1]])

    ui.reload()
    expect(rows(ui, None)).to_have_text([kept[2]])
    expect(rows(ui, "Packing")).to_have_text([kept[1]])
    expect(rows(ui, "Paperwork")).to_have_text([kept[0], "Change address"])
    assert [t for t in board.order(None) if t != "Book the van"] == [kept[2]]
    assert board.order("Packing") == [kept[1]]
    assert board.order("Paperwork") == [kept[0], "Change address"]


def test_a_section_dragged_above_another_stays_there(
    new_context: Callable[..., Any], live_app: str
) -> None:
    ui, api, _ = signed_up(new_context, live_app)
    board = Board(api, "Wedding", ["Before", "During", "After"])
    board.add("Thank-you cards", "After")
    open_list(ui, board)
    headings = ui.page.locator(".section-heading")
    expect(headings).to_have_count(3)

    drag(ui, handle(ui, "Move section After"), headings.first)
    expect(ui.page.locator(".section-block").first).to_have_attribute("data-name", "After")
    names = [h.get_attribute("data-name") for h in ui.page.locator(".section-block").all()]
    assert names == ["After", "Before", "During"]
    # Its task went with it.
    expect(rows(ui, "After")).to_have_text(["Thank-you cards"])
    ui.reload()
    expect(ui.page.locator(".section-block").first).to_have_attribute("data-name", "After")
    assert section_names(board) == ["After", "Before", "During"]


def sidebar_row(ui: UI, name: str) -> Any:
    return ui.page.locator(f"#sidebar .project-row[data-name='{name}']")


def drag_sideways(ui: UI, source: Any, target: Any, sideways: float) -> None:
    """Press on `source`, move in small steps to `target`'s height, `sideways` px right of
    where the drag started, release."""
    still(ui, source, target)
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    mouse = ui.page.mouse
    mouse.move(x, y)
    mouse.down()
    mouse.move(x, y + 8, steps=4)
    mouse.move(x + sideways, end["y"] + end["height"] / 2, steps=15)
    mouse.up()


def test_a_project_dragged_right_goes_under_the_one_above_within_the_depth_limit(
    new_context: Callable[..., Any], live_app: str, screenshot: Callable[[Any, str], Any]
) -> None:
    ui, api, _ = signed_up(new_context, live_app)
    made = {}
    for name in ("Garden", "Kitchen", "Attic", "Boxes", "Shelf"):
        response = api.client.post("/api/v1/projects", json={"name": name})
        assert response.status_code == 201, response.text
        made[name] = response.json()["id"]
    for child, parent in (("Boxes", "Attic"), ("Shelf", "Boxes")):
        moved = api.client.patch(
            f"/api/v1/projects/{made[child]}", json={"parent_id": made[parent]}
        )
        assert moved.status_code == 200, moved.text
    ui.reload()
    expect(sidebar_row(ui, "Shelf")).to_have_attribute("data-depth", "2")

    # Down onto "Kitchen" and to the right: under it.
    drag_sideways(ui, handle(ui, "Move project Garden"), sidebar_row(ui, "Kitchen"), 40)
    expect(sidebar_row(ui, "Garden")).to_have_attribute("data-depth", "1")
    names = ui.page.locator("#sidebar .project-row").evaluate_all(
        "rows => rows.map(r => r.dataset.name)"
    )
    assert names[:3] == ["Inbox", "Kitchen", "Garden"]
    ui.reload()
    expect(sidebar_row(ui, "Garden")).to_have_attribute("data-depth", "1")
    assert (
        api.client.get(f"/api/v1/projects/{made['Garden']}").json()["parent_id"] == made["Kitchen"]
    )
    screenshot(ui.page, "sidebar-project-nested")

    # Under "Shelf", three levels down already: refused, said, and put back.
    drag_sideways(ui, handle(ui, "Move project Kitchen"), sidebar_row(ui, "Shelf"), 40)
    expect(ui.toast("nest at most 3 levels deep")).to_be_visible()
    expect(sidebar_row(ui, "Kitchen")).to_have_attribute("data-depth", "0")
    assert api.client.get(f"/api/v1/projects/{made['Kitchen']}").json()["parent_id"] is None


def test_rows_and_sections_move_with_the_keyboard(
    new_context: Callable[..., Any], live_app: str
) -> None:
    ui, api, _ = signed_up(new_context, live_app)
    board = Board(api, "Trip", ["Tickets", "Bags"])
    for title in ("Passport", "Charger"):
        board.add(title, "Bags")
    open_list(ui, board)
    expect(rows(ui, "Bags")).to_have_count(2)
    first, second = [t.strip() for t in rows(ui, "Bags").all_inner_texts()]
    keyboard = ui.page.keyboard

    # On a handle: Space picks the row up, an arrow moves it, Space drops it.
    keyboard_drag(ui.page, handle(ui, f"Move {first}"), "ArrowDown")
    expect(rows(ui, "Bags")).to_have_text([second, first])

    # On the row itself Alt+Up still moves it among its siblings.
    ui.row(first).focus()
    keyboard.press("Alt+ArrowUp")
    expect(rows(ui, "Bags")).to_have_text([first, second])

    # A section's handle moves the section.
    keyboard_drag(ui.page, handle(ui, "Move section Bags"), "ArrowUp")
    expect(ui.page.locator(".section-block").first).to_have_attribute("data-name", "Bags")
    ui.reload()
    expect(rows(ui, "Bags")).to_have_text([first, second])
    assert section_names(board) == ["Bags", "Tickets"]
    assert board.order("Bags") == [first, second]
