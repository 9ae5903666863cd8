"""Log in, register, and join a project from an invitation's link."""

from __future__ import annotations

import reflex as rx

from todo_app import routes
from todo_app.state.auth import InviteState, LoginState


def _error() -> rx.Component:
    return rx.cond(
        LoginState.error != "",
        rx.callout(LoginState.error, color_scheme="red", icon="triangle-alert", id="auth-error"),
    )


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(rx.heading(title, size="6"), *children, spacing="4", width="100%"),
            width="min(400px, 92vw)",
            padding="2em",
        ),
        min_height="100vh",
    )


def _field(
    name: str, label: str, element_id: str, placeholder: str, **props: object
) -> rx.Component:
    return rx.input(
        name=name,
        placeholder=placeholder,
        id=element_id,
        aria_label=label,
        width="100%",
        **props,
    )


def _form(submit: str, submit_id: str, on_submit: object, *fields: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(
            *fields,
            rx.button(submit, type="submit", width="100%", id=submit_id),
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )


def login_page() -> rx.Component:
    return _card(
        "Log in",
        _error(),
        _form(
            "Log in",
            "login-submit",
            LoginState.login,
            _field("email", "Email", "login-email", "Email", type="email", required=True),
            _field(
                "password", "Password", "login-password", "Password", type="password", required=True
            ),
        ),
        rx.text(
            "No account yet? ",
            rx.link("Register", href=routes.REGISTER, id="to-register"),
            size="2",
        ),
    )


def register_page() -> rx.Component:
    return _card(
        "Create your account",
        _error(),
        _form(
            "Register",
            "register-submit",
            LoginState.register,
            _field("email", "Email", "register-email", "Email", type="email", required=True),
            _field(
                "password",
                "Password",
                "register-password",
                "Password (8 characters or more)",
                type="password",
                required=True,
            ),
            _field("display_name", "Display name", "register-name", "Your name (optional)"),
        ),
        rx.text(
            "Already registered? ", rx.link("Log in", href=routes.LOGIN, id="to-login"), size="2"
        ),
    )


def _invite_answer() -> rx.Component:
    """Signed in: join or decline, if the tab's account is the invited one."""
    return rx.cond(
        InviteState.signed_in_as == InviteState.invited_email,
        rx.hstack(
            rx.button("Join the project", on_click=InviteState.accept, id="invite-accept"),
            rx.button(
                "Decline",
                variant="soft",
                color_scheme="gray",
                on_click=InviteState.decline,
                id="invite-decline",
            ),
        ),
        rx.vstack(
            rx.text(
                "You are signed in as ",
                rx.text.strong(InviteState.signed_in_as),
                ". Log out, then open the link again to join as ",
                rx.text.strong(InviteState.invited_email),
                ".",
                size="2",
                id="invite-other-account",
            ),
            rx.button("Log out", variant="soft", on_click=InviteState.logout, id="invite-logout"),
        ),
    )


def _invite_register() -> rx.Component:
    """Signed out: create the invited address's account here, or log in to it."""
    return rx.vstack(
        _form(
            "Create my account and join",
            "invite-register",
            InviteState.join,
            _field(
                "email",
                "Email",
                "invite-email",
                "Email",
                value=InviteState.invited_email,
                read_only=True,
            ),
            _field(
                "password",
                "Password",
                "invite-password",
                "Password (8 characters or more)",
                type="password",
                required=True,
            ),
            _field("display_name", "Display name", "invite-name", "Your name (optional)"),
        ),
        rx.text(
            "Already have an account with this address? ",
            rx.link(
                "Log in",
                href=InviteState.login_href,
                id="invite-login",
            ),
            size="2",
        ),
        width="100%",
    )


def invite_page() -> rx.Component:
    return rx.cond(
        InviteState.problem != "",
        _card(
            "Invitation",
            rx.callout(
                InviteState.problem, color_scheme="red", icon="triangle-alert", id="invite-problem"
            ),
            rx.link("Go to my tasks", href=routes.HOME),
        ),
        _card(
            "Join “" + InviteState.project_name + "”",
            rx.text(
                rx.text.strong(InviteState.invited_by),
                " invites ",
                rx.text.strong(InviteState.invited_email),
                " to this project as ",
                rx.text.strong(InviteState.invited_role),
                ".",
                size="2",
                id="invite-summary",
            ),
            rx.cond(
                InviteState.error != "",
                rx.callout(
                    InviteState.error, color_scheme="red", icon="triangle-alert", id="auth-error"
                ),
            ),
            rx.cond(InviteState.signed_in_as != "", _invite_answer(), _invite_register()),
        ),
    )
