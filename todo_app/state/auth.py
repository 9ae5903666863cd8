"""Who is signed in: tokens kept in the browser, checked (and silently refreshed) on each use."""

from __future__ import annotations

import contextlib
import functools
import inspect
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast, overload
from urllib.parse import quote

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from todo_app import live, routes
from todo_app.core.errors import DomainError, Unauthorized
from todo_app.core.events import audience
from todo_app.db import session_scope
from todo_app.models import User
from todo_app.schemas import RegisterRequest
from todo_app.services import auth, invitations, outbox

Handler = TypeVar("Handler", bound=Callable[..., Any])


class SignedOut(Exception):
    """The tab's tokens sign no one in any more; `to_login` is the handler's answer."""

    def __init__(self, to_login: EventSpec) -> None:
        super().__init__("signed out")
        self.to_login = to_login


@overload
def signed_in_event(fn: Handler, /) -> Handler: ...


@overload
def signed_in_event(*, background: bool) -> Callable[[Handler], Handler]: ...


def signed_in_event(
    fn: Handler | None = None, /, *, background: bool = False
) -> Handler | Callable[[Handler], Handler]:
    """`rx.event` for a handler that acts as the tab's signed-in user through `_signed_in`
    (itself or in a helper it calls). Signed out, the handler stops where `_signed_in` is
    entered and answers with the way to the login page, which comes back here once signed in."""

    def decorate(fn: Handler) -> Handler:
        if inspect.isasyncgenfunction(fn):
            raise TypeError(f"{fn.__qualname__}: async generator handlers are not supported")
        handler: Callable[..., Any]
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def handler(self: AuthState, *args: Any, **kwargs: Any) -> Iterator[Any]:
                try:
                    return (yield from fn(self, *args, **kwargs))
                except SignedOut as out:
                    yield out.to_login

        elif inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def handler(self: AuthState, *args: Any, **kwargs: Any) -> Any:
                try:
                    return await fn(self, *args, **kwargs)
                except SignedOut as out:
                    return out.to_login

        else:

            @functools.wraps(fn)
            def handler(self: AuthState, *args: Any, **kwargs: Any) -> Any:
                try:
                    return fn(self, *args, **kwargs)
                except SignedOut as out:
                    return out.to_login

        # On a state's method rx.event marks the function and returns it, so it stays a Handler.
        return cast(Handler, rx.event(handler, background=background))

    return decorate(fn) if fn is not None else decorate


class AuthState(rx.State):
    """Base of every signed-in page's state; holds the tokens in localStorage."""

    access_token: str = rx.LocalStorage("", name="todo_access", sync=True)
    refresh_token: str = rx.LocalStorage("", name="todo_refresh", sync=True)
    user_email: str = ""
    user_name: str = ""
    user_timezone: str = "UTC"
    # Whose data this tab shows: live updates of any other user are never applied to it.
    _live_user: str = ""

    def _store(self, access: str, refresh: str) -> None:
        self.access_token = access
        self.refresh_token = refresh

    def _as_live_user(self, action: Callable[[Session, User], Any]) -> None:
        """`action(session, user)` in one transaction as this tab's user, for a live update
        (which comes with no request, so no token: the user this tab was last seen as)."""
        with session_scope() as session:
            user = session.get(User, uuid.UUID(self._live_user))
            if user is not None:
                action(session, user)

    def _concerns_me(self, data: Mapping[str, Any]) -> bool:
        """Whether a live event is of this tab's user (theirs, or of a project they share)."""
        return bool(self._live_user) and self._live_user in audience(data)

    def _remember(self, user: User) -> None:
        self.user_email = user.email
        self.user_name = user.display_name or user.email.split("@")[0]
        self.user_timezone = user.timezone
        self._live_user = str(user.id)
        live.HUB.register(user.id, self.router.session.client_token)

    def _user(self, session: Session) -> User | None:
        """The signed-in user; an expired access token is exchanged for a new pair silently."""
        if self.access_token:
            try:
                return auth.user_from_access_token(session, self.access_token)
            except Unauthorized:
                pass
        if not self.refresh_token:
            return None
        try:
            pair = auth.refresh(session, self.refresh_token)
        except Unauthorized:
            self._store("", "")
            return None
        self._store(pair.access_token, pair.refresh_token)
        return session.get(User, pair.user.id)

    @contextlib.contextmanager
    def _signed_in(self) -> Iterator[tuple[Session, User]]:
        """One transaction as the tab's signed-in user, who is remembered for the tab. Signed
        out, it raises `SignedOut`, which a `signed_in_event` handler answers with the way to
        the login page."""
        with session_scope() as session:
            user = self._user(session)
            if user is not None:
                self._remember(user)
                with outbox.acting_as(user):
                    yield session, user
                return
        raise SignedOut(self._to_login())

    def _client(self) -> str:
        return self.router.session.client_ip or "unknown"

    def _to_login(self) -> EventSpec:
        """To the login page, which comes back to this page (filters and all) once signed in."""
        url = self.router.url
        target = (url.path or routes.HOME) + (f"?{url.query}" if url.query else "")
        return rx.redirect(f"{routes.LOGIN}?next={quote(target)}")

    @rx.event
    async def logout(self) -> EventSpec:
        if self.refresh_token:
            with session_scope() as session:
                auth.logout(session, self.refresh_token)
        if self._live_user:
            live.HUB.unregister(self._live_user, self.router.session.client_token)
        # Forget everything the signed-in pages hold for this tab (tokens, task list, editor,
        # activity...): whoever signs in next on it must not see any of it, not even for the
        # moment before their own data loads. reset() covers the substates loaded in the tree.
        pending = list(type(self).get_substates())
        while pending:
            substate = pending.pop()
            await self.get_state(substate)
            pending.extend(substate.get_substates())
        self.reset()
        return rx.redirect(routes.LOGIN)


class LoginState(AuthState):
    """The login and register forms."""

    error: str = ""
    error_field: str = ""
    browser_zone: str = "UTC"

    def _next(self) -> str:
        target = self.router.url.query_parameters.get("next", routes.HOME)
        # Only paths of this app, so a crafted link cannot send the user elsewhere.
        return target if target.startswith("/") and not target.startswith("//") else routes.HOME

    @rx.event
    def redirect_if_signed_in(self) -> EventSpec | None:
        self.error = ""
        self.error_field = ""
        with session_scope() as session:
            if self._user(session) is not None:
                return rx.redirect(self._next())
        return None

    @rx.event
    def detect_zone(self) -> EventSpec:
        """Ask the browser for its time zone: the new account's default."""
        return rx.call_script(
            "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=LoginState.set_zone
        )

    @rx.event
    def set_zone(self, zone: str) -> None:
        self.browser_zone = zone if isinstance(zone, str) and zone else "UTC"

    @rx.event
    def login(self, form: dict[str, str]) -> EventSpec | None:
        self.error = ""
        self.error_field = ""
        try:
            with session_scope() as session:
                pair = auth.login(
                    session, form.get("email", ""), form.get("password", ""), self._client()
                )
        except DomainError as error:
            self.error = error.message
            self.error_field = error.field or ""
            return None
        self._store(pair.access_token, pair.refresh_token)
        return rx.redirect(self._next())

    def _create_account(
        self, form: dict[str, str], email: str, then: Callable[[Session, User], str]
    ) -> EventSpec | None:
        """Register `email` with the form's password and name, do `then` as the new account in
        the same transaction, sign the tab in and go where `then` says."""
        self.error = ""
        self.error_field = ""
        try:
            with session_scope() as session:
                user = auth.register(
                    session,
                    RegisterRequest(
                        email=email,
                        password=form.get("password", ""),
                        display_name=form.get("display_name", ""),
                        timezone=self.browser_zone,
                    ),
                    self._client(),
                )
                with outbox.acting_as(user):
                    target = then(session, user)
                pair = auth.issue_tokens(session, user)
        except DomainError as error:
            self.error = error.message
            self.error_field = error.field or ""
            return None
        self._store(pair.access_token, pair.refresh_token)
        return rx.redirect(target)

    @rx.event
    def register(self, form: dict[str, str]) -> EventSpec | None:
        return self._create_account(form, form.get("email", ""), lambda _s, _u: routes.HOME)


class InviteState(LoginState):
    """The page of an invitation's link: join the project, registering on the spot if need be."""

    project_name: str = ""
    invited_by: str = ""
    invited_email: str = ""
    invited_role: str = ""
    # Why the link cannot be used (unknown, used, revoked, expired), or "".
    problem: str = ""
    # The address the tab is signed in with, "" when signed out.
    signed_in_as: str = ""

    def _token(self) -> str:
        return routes.invitation_of(self.router.url.path)

    @rx.var
    def login_href(self) -> str:
        """To the login page, which comes back here once signed in."""
        return f"{routes.LOGIN}?next={quote(self.router.url.path)}"

    @rx.event
    def load(self) -> None:
        self.error = ""
        self.error_field = ""
        try:
            with session_scope() as session:
                seen = invitations.preview(session, self._token())
                user = self._user(session)
                self.signed_in_as = user.email if user is not None else ""
        except DomainError as error:
            self.problem = error.message
            return
        self.problem = ""
        self.project_name = seen.project_name
        self.invited_by = seen.invited_by
        self.invited_email = seen.email
        self.invited_role = seen.role

    @rx.event
    def join(self, form: dict[str, str]) -> EventSpec | None:
        """Create the invited address's account and join the project, in one go."""
        token = self._token()
        return self._create_account(
            form,
            self.invited_email,
            lambda session, user: routes.project(invitations.accept(session, user, token).id),
        )

    @signed_in_event
    def accept(self) -> EventSpec | None:
        try:
            with self._signed_in() as (session, user):
                project = invitations.accept(session, user, self._token())
        except DomainError as error:
            self.error = error.message
            return None
        return rx.redirect(routes.project(project.id))

    @signed_in_event
    def decline(self) -> EventSpec | None:
        try:
            with self._signed_in() as (session, user):
                invitations.decline(session, user, self._token())
        except DomainError as error:
            self.error = error.message
            return None
        return rx.redirect(routes.HOME)
