"""The parts of Reflex the app uses that Reflex does not publish, each behind one function.

- Sockets: which client tokens have an open socket, and on which backend process (the token
  manager of the app's event namespace, `live.py` uses it to skip tabs that are gone).
- Vars: a frontend JavaScript expression with the React hooks and imports it needs, and the
  frontend's "connection errors" var (`components/layout.py` shows the connection state).

An upgrade that moves any of these fails here with the installed Reflex version in the message
(and in tests/unit/test_reflex_internals.py), not as a silent wrong answer somewhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import version
from typing import Any


class ReflexInternalsChanged(AttributeError):
    """The installed Reflex no longer has an internal this module relies on."""


def _changed(what: str, exc: BaseException) -> ReflexInternalsChanged:
    return ReflexInternalsChanged(
        f"reflex {version('reflex')} has no {what} ({exc}); adapt todo_app/reflex_internals.py"
    )


try:
    from reflex_base.utils.imports import ImportVar
    from reflex_base.vars.base import Var, VarData
    from reflex_components_core.core.banner import has_connection_errors as _connection_errors
except ImportError as exc:
    raise _changed("Var, VarData, ImportVar or has_connection_errors where expected", exc) from exc


# -- sockets -------------------------------------------------------------------------------------


def _token_manager(app: Any) -> Any:
    namespace = app.event_namespace
    if namespace is None:
        raise RuntimeError("the Reflex app has no event namespace yet (its sockets are not set up)")
    try:
        return namespace._token_manager
    except AttributeError as exc:
        raise _changed("EventNamespace._token_manager", exc) from exc


async def token_connected(app: Any, token: str) -> bool:
    """Whether the tab `token` has an open socket on any backend process."""
    manager = _token_manager(app)
    try:
        is_connected = manager.is_token_connected
    except AttributeError as exc:
        raise _changed("TokenManager.is_token_connected", exc) from exc
    return bool(await is_connected(token))


def token_connected_here(app: Any, token: str) -> bool:
    """Whether the tab `token` has an open socket on this backend process."""
    manager = _token_manager(app)
    try:
        record = manager.token_to_socket.get(token)
        return record is not None and bool(record.instance_id == manager.instance_id)
    except AttributeError as exc:
        raise _changed("TokenManager.token_to_socket of SocketRecord(instance_id)", exc) from exc


# -- vars ----------------------------------------------------------------------------------------


def js_var(
    expression: str,
    var_type: type,
    *,
    hooks: Sequence[str] = (),
    imports: Mapping[str, Sequence[str]] | None = None,
) -> Var:
    """A var whose value is the JavaScript `expression` in the page's component, after the
    React `hooks` code (which may declare it) and with `imports` (library -> names)."""
    data = VarData(
        imports={
            library: [ImportVar(tag=name) for name in names]
            for library, names in (imports or {}).items()
        },
        hooks=dict.fromkeys(hooks),
    )
    try:
        var: Var[Any] = Var(_js_expr=expression, _var_data=data)
    except TypeError as exc:
        raise _changed("Var(_js_expr=..., _var_data=...)", exc) from exc
    return var.to(var_type)


def connection_errors() -> Var:
    """True while the page's socket is down or reconnecting (what Reflex's banner shows)."""
    return _connection_errors
