"""The one shape of a signed-in UI handler: `_signed_in` gives the session and the user, and a
tab signed out meanwhile is always answered with the way to the login page."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import reflex as rx

from todo_app.state import auth
from todo_app.state.auth import AuthState, SignedOut, signed_in_event

TO_LOGIN = rx.redirect("/login?next=/")


class Tab:
    """Handlers of each kind Reflex runs, acting as `signed_in` says."""

    def __init__(self, signed_in: bool) -> None:
        self.signed_in = signed_in
        self.done: list[str] = []

    def _act(self, what: str) -> str:
        if not self.signed_in:
            raise SignedOut(TO_LOGIN)
        self.done.append(what)
        return what

    @signed_in_event
    def plain(self, what: str) -> Any:
        return rx.toast(self._act(what))

    @signed_in_event
    def steps(self, what: str) -> Iterator[Any]:
        yield None  # the optimistic change goes out first
        yield rx.toast(self._act(what))

    @signed_in_event
    async def awaited(self, what: str) -> Any:
        await asyncio.sleep(0)
        return rx.toast(self._act(what))


def test_a_signed_out_tab_is_sent_to_the_login_page_by_every_kind_of_handler(
    run_async: Callable[[Any], Any],
) -> None:
    tab = Tab(signed_in=False)
    assert tab.plain("a") is TO_LOGIN
    assert list(tab.steps("b")) == [None, TO_LOGIN]
    assert run_async(tab.awaited("c")) is TO_LOGIN
    assert tab.done == []


def test_a_signed_in_tab_gets_the_handlers_own_answer(run_async: Callable[[Any], Any]) -> None:
    tab = Tab(signed_in=True)
    assert tab.plain("a") is not TO_LOGIN
    assert len([event for event in tab.steps("b") if event is not None]) == 1
    assert run_async(tab.awaited("c")) is not TO_LOGIN
    assert tab.done == ["a", "b", "c"]


def test_async_generator_handlers_are_refused_rather_than_left_unguarded() -> None:
    async def streamed(self: Any) -> AsyncIterator[None]:
        yield None

    with pytest.raises(TypeError):
        signed_in_event(streamed)


class _Session:
    def __init__(self) -> None:
        self.ended: str | None = None


class _Account:
    """What `_signed_in` needs of a tab state: its user, remembering them, the login page."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.remembered: list[Any] = []

    def _user(self, _session: _Session) -> Any:
        return self.user

    def _remember(self, user: Any) -> None:
        self.remembered.append(user)

    def _to_login(self) -> Any:
        return TO_LOGIN


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> _Session:
    opened = _Session()

    @contextlib.contextmanager
    def scope() -> Iterator[_Session]:
        try:
            yield opened
        except BaseException:
            opened.ended = "rolled back"
            raise
        opened.ended = "committed"

    monkeypatch.setattr(auth, "session_scope", scope)
    return opened


def test_signed_in_gives_the_session_and_the_remembered_user(session: _Session) -> None:
    account: Any = _Account(user="alice")
    with AuthState._signed_in(account) as (given, user):
        assert given is session
        assert user == "alice"
    assert account.remembered == ["alice"]
    assert session.ended == "committed"


def test_signed_out_ends_the_transaction_as_it_was_then_stops_the_handler(
    session: _Session,
) -> None:
    # A refresh token presented twice revokes its family in this very transaction: it stays.
    account: Any = _Account(user=None)
    with pytest.raises(SignedOut) as raised, AuthState._signed_in(account):
        pytest.fail("the handler's body ran for a signed-out tab")
    assert raised.value.to_login is TO_LOGIN
    assert session.ended == "committed"
    assert account.remembered == []


def test_a_failing_action_rolls_the_transaction_back(session: _Session) -> None:
    account: Any = _Account(user="alice")
    with pytest.raises(ValueError), AuthState._signed_in(account):
        raise ValueError("refused")
    assert session.ended == "rolled back"
