"""Log in and register."""

from __future__ import annotations

import reflex as rx

from todo_app import routes
from todo_app.state.auth import LoginState


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
