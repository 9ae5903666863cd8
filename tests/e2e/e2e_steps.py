"""Steps the browser tests share: what a user does, on one page."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct horse battery"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def keyboard_drag(page: Page, target: Locator, key: str) -> None:
    """Space picks `target` up, `key` moves it one place, Space drops it. Each step waits for
    dnd-kit's screen-reader announcement: a fixed pause is too short on a loaded machine."""
    status = page.locator("[id^='DndLiveRegion']").filter(has_text="draggable item")
    target.focus()
    page.keyboard.press("Space")
    expect(status).to_have_count(1)
    # Picking up announces the item over its own place; let that settle before moving.
    page.wait_for_timeout(300)
    settled = status.inner_text()
    page.keyboard.press(key)
    expect(status).not_to_have_text(settled)
    expect(status).to_contain_text("moved over")
    page.keyboard.press("Space")


class UI:
    """The steps the tests share, on one page, the way a user does them."""

    HOME = re.compile(r"^http://localhost:\d+/(\?.*)?$")

    def __init__(self, page: Any) -> None:
        self.page = page
        self.events = 0
        page.on("websocket", self._watch)

    def _watch(self, socket: Any) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        # Socket.IO event messages ("42[...]") carry the backend's state updates; the transport's
        # own open/ping frames do not.
        if isinstance(payload, str) and payload.startswith("42"):
            self.events += 1

    def goto(self, path: str) -> None:
        """Load a page and wait until its on_load answered: the UI is hydrated and connected."""
        self.events = 0
        self.page.goto(path)
        deadline = time.monotonic() + 20
        while self.events == 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: no state update from the backend in 20 s")
            self.page.wait_for_timeout(50)

    def reload(self) -> None:
        self.goto(self.page.url)

    def wait_for_list(self) -> None:
        expect(self.page.locator("#task-list, #empty-state")).to_be_visible()

    def register(self, email: str, name: str = "") -> None:
        self.goto("/register")
        self.page.fill("#register-email", email)
        self.page.fill("#register-password", PASSWORD)
        if name:
            self.page.fill("#register-name", name)
        self.page.click("#register-submit")
        expect(self.page).to_have_url(self.HOME)
        self.wait_for_list()

    def login(self, email: str, password: str = PASSWORD) -> None:
        if "/login" not in self.page.url:
            self.goto("/login")
        self.page.fill("#login-email", email)
        self.page.fill("#login-password", password)
        self.page.click("#login-submit")
        expect(self.page).to_have_url(self.HOME)
        self.wait_for_list()

    def logout(self) -> None:
        self.page.click("#account-menu")
        self.page.get_by_role("menuitem", name="Log out").click()
        expect(self.page).to_have_url(re.compile(r"/login$"))
        expect(self.page.locator("#login-email")).to_be_visible()

    def row(self, title: str) -> Any:
        """The row(s) of the list whose title is exactly `title`."""
        return self.page.locator(".task-row").filter(
            has=self.page.locator(".task-title").get_by_text(title, exact=True)
        )

    def titles(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".task-row .task-title").all_inner_texts()]

    def quick_add(self, title: str) -> Any:
        box = self.page.locator("#quick-add-input")
        box.fill(title)
        box.press("Enter")
        row = self.row(title)
        expect(row).to_have_count(1)
        expect(box).to_have_value("")
        return row

    def choose(self, trigger: str, option: str) -> None:
        """Pick `option` in the select whose trigger has the id `trigger`."""
        self.page.click(f"#{trigger}")
        self.page.get_by_role("option", name=option, exact=True).click()

    def open_filters(self) -> None:
        """The toolbar's "Filters" popover, open (left open if it is)."""
        if not self.page.locator("#filters-popover").is_visible():
            self.page.click("#filters-button")
        expect(self.page.locator("#filters-popover")).to_be_visible()

    def toast(self, text: str) -> Any:
        return self.page.locator("[data-sonner-toast]").filter(has_text=text)

    def blur(self) -> None:
        """Nothing focused, as after a click on the page's background."""
        self.page.evaluate("document.activeElement && document.activeElement.blur()")


class Api:
    """The REST API as another device of the user uses it."""

    def __init__(self, base_url: str, email: str) -> None:
        # SQLite makes a writer wait up to its 10 s busy timeout while another process writes.
        self.client = httpx.Client(base_url=base_url, timeout=30, trust_env=False)
        response = self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        response.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def create(self, **task: Any) -> dict[str, Any]:
        response = self.client.post("/api/v1/tasks", json=task)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def update(self, task_id: str, **changes: Any) -> dict[str, Any]:
        response = self.client.patch(f"/api/v1/tasks/{task_id}", json=changes)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def get(self, task_id: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/tasks/{task_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def post(self, path: str, **body: Any) -> dict[str, Any]:
        response = self.client.post(f"/api/v1{path}", json=body)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def titled(self, title: str) -> list[dict[str, Any]]:
        response = self.client.get("/api/v1/tasks", params={"q": title, "status": "all"})
        return [t for t in response.json()["items"] if t["title"] == title]
