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


def login_page() -> rx.Component:
    return _card(
        "Log in",
        _error(),
        rx.form(
            rx.vstack(
                rx.input(
                    name="email",
                    type="email",
                    placeholder="Email",
                    id="login-email",
                    aria_label="Email",
                    width="100%",
                    required=True,
                ),
                rx.input(
                    name="password",
                    type="password",
                    placeholder="Password",
                    id="login-password",
                    aria_label="Password",
                    width="100%",
                    required=True,
                ),
                rx.button("Log in", type="submit", width="100%", id="login-submit"),
                width="100%",
            ),
            on_submit=LoginState.login,
            width="100%",
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
        rx.form(
            rx.vstack(
                rx.input(
                    name="email",
                    type="email",
                    placeholder="Email",
                    id="register-email",
                    aria_label="Email",
                    width="100%",
                    required=True,
                ),
                rx.input(
                    name="password",
                    type="password",
                    placeholder="Password (8 characters or more)",
                    id="register-password",
                    aria_label="Password",
                    width="100%",
                    required=True,
                ),
                rx.input(
                    name="display_name",
                    placeholder="Your name (optional)",
                    id="register-name",
                    aria_label="Display name",
                    width="100%",
                ),
                rx.button("Register", type="submit", width="100%", id="register-submit"),
                width="100%",
            ),
            on_submit=LoginState.register,
            width="100%",
        ),
        rx.text(
            "Already registered? ", rx.link("Log in", href=routes.LOGIN, id="to-login"), size="2"
        ),
    )
