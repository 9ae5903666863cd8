"""A project's board: sections as columns of cards, dragged with the mouse or the keyboard;
a move is kept (reload, REST API) and shows in the user's other tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from e2e_steps import UI, keyboard_drag, unique_email
from playwright.sync_api import expect
from test_live import LIVE_TIMEOUT, Api


class Board:
    """A project with sections, made through the REST API, and its board in a tab."""

    def __init__(self, api: Api, name: str, sections: list[str]) -> None:
        self.api = api
        response = api.client.post("/api/v1/projects", json={"name": name})
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]
        self.sections: dict[str, str] = {}
        for section in sections:
            made = api.client.post(f"/api/v1/projects/{self.id}/sections", json={"name": section})
            assert made.status_code == 201, made.text
            self.sections[section] = made.json()["id"]

    def add(self, title: str, section: str | None = None) -> str:
        section_id = self.sections[section] if section else None
        return str(self.api.create(title=title, project_id=self.id, section_id=section_id)["id"])

    def open(self, ui: UI) -> None:
        ui.goto(f"/projects/{self.id}?view=board")
        expect(ui.page.locator("#board")).to_have_attribute("data-loaded", "true")

    def order(self, section: str | None) -> list[str]:
        """The titles of a section's open top-level tasks in their kept order, by the API."""
        params = {"project_id": self.id, "parent_id": "none", "sort_by": "position"}
        response = self.api.client.get("/api/v1/tasks", params=params)
        assert response.status_code == 200, response.text
        wanted = self.sections[section] if section else None
        return [t["title"] for t in response.json()["items"] if t["section_id"] == wanted]


def column(ui: UI, name: str) -> Any:
    return ui.page.locator(f".board-column[data-name='{name}']")


def cards(ui: UI, name: str) -> list[str]:
    return [t.strip() for t in column(ui, name).locator(".card-title").all_inner_texts()]


def card(ui: UI, title: str) -> Any:
    return ui.page.locator(f".board-card[data-title='{title}']")


def drag(ui: UI, source: Any, target: Any) -> None:
    """Press on `source`, move in small steps (a drag starts after 5 px of movement) to the middle
    of `target`, release."""
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    mouse = ui.page.mouse
    mouse.move(x, y)
    mouse.down()
    mouse.move(x + 8, y + 8, steps=4)
    mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=15)
    mouse.up()


def signed_up(new_context: Callable[..., Any], live_app: str) -> tuple[UI, Api, str]:
    email = unique_email("board")
    ui = UI(new_context().new_page())
    ui.register(email)
    return ui, Api(live_app, email), email


def test_cards_move_between_columns_for_good_and_live(
    new_context: Callable[..., Any], live_app: str
) -> None:
    ui, api, email = signed_up(new_context, live_app)
    board = Board(api, "Launch", ["Doing", "Done"])
    board.add("Write the press release")
    venue = board.add("Book the venue", "Doing")
    steps = [api.create(title=step, parent_id=venue)["id"] for step in ("Call", "Sign")]
    assert api.client.post(f"/api/v1/tasks/{steps[0]}/complete").status_code == 200
    board.open(ui)
    names = ui.page.locator(".board-column .column-name").all_inner_texts()
    assert names == ["No section", "Doing", "Done"]
    assert cards(ui, "No section") == ["Write the press release"]
    assert cards(ui, "Doing") == ["Book the venue"]
    assert cards(ui, "Done") == []
    # Subtasks are not cards: their parent's card shows how many are done.
    expect(card(ui, "Book the venue").locator(".card-progress")).to_have_text("1/2")

    other = UI(new_context().new_page())
    other.login(email)
    board.open(other)

    # Onto the empty "Done" column, then onto the card in "Doing".
    drag(ui, card(ui, "Write the press release"), column(ui, "Done").locator(".column-cards"))
    expect(column(ui, "Done").locator(".card-title")).to_have_text(["Write the press release"])
    expect(column(ui, "No section").locator(".board-card")).to_have_count(0)
    expect(column(other, "Done").locator(".card-title")).to_have_text(
        ["Write the press release"], timeout=LIVE_TIMEOUT
    )
    drag(ui, card(ui, "Book the venue"), card(ui, "Write the press release"))
    expect(column(ui, "Done").locator(".card-title")).to_have_text(
        ["Book the venue", "Write the press release"]
    )
    expect(column(other, "Done").locator(".card-title")).to_have_text(
        ["Book the venue", "Write the press release"], timeout=LIVE_TIMEOUT
    )

    ui.reload()
    expect(column(ui, "Done").locator(".card-title")).to_have_text(
        ["Book the venue", "Write the press release"]
    )
    assert board.order("Done") == ["Book the venue", "Write the press release"]
    assert board.order("Doing") == []
    assert board.order(None) == []


def test_cards_reorder_within_a_column(new_context: Callable[..., Any], live_app: str) -> None:
    ui, api, _ = signed_up(new_context, live_app)
    board = Board(api, "Errands", [])
    for title in ("Post office", "Bank", "Bakery", "Pharmacy"):
        board.add(title)
    # A completed task keeps its place among the others, unseen on the board.
    [bank] = api.titled("Bank")
    assert api.client.post(f"/api/v1/tasks/{bank['id']}/complete").status_code == 200
    board.open(ui)
    before = cards(ui, "No section")
    assert sorted(before) == ["Bakery", "Pharmacy", "Post office"]

    # The first card onto the last: it goes last (after the completed one it passes).
    drag(ui, card(ui, before[0]), card(ui, before[2]))
    last = [before[1], before[2], before[0]]
    expect(column(ui, "No section").locator(".card-title")).to_have_text(last)
    ui.reload()
    expect(column(ui, "No section").locator(".card-title")).to_have_text(last)
    assert board.order(None) == last

    # The last card onto the first: it goes first, the others keep their order.
    drag(ui, card(ui, last[2]), card(ui, last[0]))
    first = [last[2], last[0], last[1]]
    expect(column(ui, "No section").locator(".card-title")).to_have_text(first)
    ui.reload()
    expect(column(ui, "No section").locator(".card-title")).to_have_text(first)
    assert board.order(None) == first


def test_a_card_moves_with_the_keyboard(new_context: Callable[..., Any], live_app: str) -> None:
    ui, api, _ = signed_up(new_context, live_app)
    board = Board(api, "Home", ["Weekend"])
    board.add("Fix the shelf")
    board.open(ui)

    # Space picks the card up, an arrow takes it to the next column, Space drops it there.
    keyboard_drag(ui.page, card(ui, "Fix the shelf"), "ArrowRight")
    expect(column(ui, "Weekend").locator(".card-title")).to_have_text(["Fix the shelf"])
    ui.reload()
    expect(column(ui, "Weekend").locator(".card-title")).to_have_text(["Fix the shelf"])
    assert board.order("Weekend") == ["Fix the shelf"]


def test_add_a_card_and_a_column(new_context: Callable[..., Any], live_app: str) -> None:
    ui, api, _ = signed_up(new_context, live_app)
    board = Board(api, "Garden", [])
    board.add("Mow the lawn")
    board.open(ui)

    ui.page.fill("#add-column-input", "Spring")
    ui.page.press("#add-column-input", "Enter")
    expect(ui.page.locator(".board-column .column-name")).to_have_text(["No section", "Spring"])
    box = column(ui, "No section").locator(".add-card-input input")
    box.fill("Rake the leaves")
    box.press("Enter")
    # A card added at a column's foot goes last.
    expect(column(ui, "No section").locator(".card-title")).to_have_text(
        ["Mow the lawn", "Rake the leaves"]
    )
    assert board.order(None) == ["Mow the lawn", "Rake the leaves"]


def test_a_card_moves_by_touch_on_a_phone(new_context: Callable[..., Any], live_app: str) -> None:
    email = unique_email("phone")
    phone = {"viewport": {"width": 390, "height": 800}, "has_touch": True, "is_mobile": True}
    ui = UI(new_context(**phone).new_page())
    ui.register(email)
    board = Board(Api(live_app, email), "Trip", ["Packed"])
    board.add("Passport")
    board.open(ui)

    # A long press picks the card up; the finger carries it to the next column.
    start = card(ui, "Passport").bounding_box()
    end = column(ui, "Packed").locator(".column-cards").bounding_box()
    touch = ui.page.context.new_cdp_session(ui.page)
    x, y = start["x"] + 40, start["y"] + start["height"] / 2
    to_x, to_y = end["x"] + 40, end["y"] + end["height"] / 2

    def finger(kind: str, at: tuple[float, float] | None) -> None:
        points = [{"x": at[0], "y": at[1]}] if at else []
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    finger("touchStart", (x, y))
    ui.page.wait_for_timeout(400)
    for step in range(1, 11):
        finger("touchMove", (x + (to_x - x) * step / 10, y + (to_y - y) * step / 10))
        ui.page.wait_for_timeout(30)
    finger("touchEnd", None)
    expect(column(ui, "Packed").locator(".card-title")).to_have_text(["Passport"])
    assert board.order("Packed") == ["Passport"]
