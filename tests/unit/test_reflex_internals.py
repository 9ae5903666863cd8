"""The Reflex internals the app relies on, against the installed Reflex: an upgrade that moves
one fails here, naming it, instead of live updates or the connection badge going quietly wrong."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from types import SimpleNamespace
from typing import Any

import pytest
import reflex as rx
from reflex.app import EventNamespace
from reflex.utils.token_manager import SocketRecord

from todo_app import reflex_internals
from todo_app.reflex_internals import ReflexInternalsChanged, connection_errors, js_var


def _app() -> SimpleNamespace:
    """What the adapter reads of a running app: its socket namespace, as Reflex builds it."""
    return SimpleNamespace(event_namespace=EventNamespace("/_event", app=None))


def test_a_tab_with_a_socket_here_is_connected_here(run_async: Callable[[Any], Any]) -> None:
    app = _app()
    manager = app.event_namespace._token_manager
    run_async(manager.link_token_to_sid("tab-1", "sid-1"))
    assert run_async(reflex_internals.token_connected(app, "tab-1"))
    assert reflex_internals.token_connected_here(app, "tab-1")


def test_a_tab_with_a_socket_on_another_process_is_connected_but_not_here(
    run_async: Callable[[Any], Any],
) -> None:
    app = _app()
    manager = app.event_namespace._token_manager
    manager.token_to_socket["tab-2"] = SocketRecord(instance_id="another-process", sid="sid-2")
    assert run_async(reflex_internals.token_connected(app, "tab-2"))
    assert not reflex_internals.token_connected_here(app, "tab-2")


def test_a_tab_without_a_socket_is_not_connected(run_async: Callable[[Any], Any]) -> None:
    app = _app()
    assert not run_async(reflex_internals.token_connected(app, "gone"))
    assert not reflex_internals.token_connected_here(app, "gone")


def test_a_missing_internal_is_named_with_the_reflex_version(
    run_async: Callable[[Any], Any],
) -> None:
    app = SimpleNamespace(event_namespace=SimpleNamespace())
    expected = f"reflex {version('reflex')} has no EventNamespace._token_manager"
    with pytest.raises(ReflexInternalsChanged, match=expected):
        reflex_internals.token_connected_here(app, "tab")
    with pytest.raises(ReflexInternalsChanged, match=expected):
        run_async(reflex_internals.token_connected(app, "tab"))


def test_a_js_var_brings_its_hooks_and_imports_into_the_page() -> None:
    hook = "const [online, setOnline] = useState(true);"
    online = js_var("online", bool, hooks=[hook], imports={"react": ["useState"]})
    assert str(online) == "online"
    assert online._var_type is bool
    component = rx.text(rx.cond(~online, "offline", "online"))
    assert hook in component._get_all_hooks()
    assert [i.tag for i in component._get_all_imports()["react"]] == ["useState"]


def test_connection_errors_reads_the_sockets_error_list() -> None:
    errors = connection_errors()
    assert str(errors) == "(connectErrors.length > 0)"
    component = rx.text(rx.cond(errors, "reconnecting", "live"))
    assert any("connectErrors" in hook for hook in component._get_all_hooks())
