from __future__ import annotations

import uuid

from fastapi import status

from todo_app.api import API_PREFIX
from todo_app.api.deps import ClientAddress
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UserPublic,
    UserUpdate,
)
from todo_app.services import api_tokens, auth

router = ApiRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: RegisterRequest, session: RouterSession, client: ClientAddress) -> TokenPair:
    """Create an account and log it in."""
    user = auth.register(session, body, client)
    return auth.issue_tokens(session, user)


@router.post("/login")
def login(body: LoginRequest, session: RouterSession, client: ClientAddress) -> TokenPair:
    """Trade email and password for an access token (15 min) and a refresh token (7 days)."""
    return auth.login(session, body.email, body.password, client)


@router.post("/refresh")
def refresh(body: RefreshRequest, session: RouterSession) -> TokenPair:
    """Rotate the refresh token; each one works once."""
    return auth.refresh(session, body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: RefreshRequest, session: RouterSession) -> None:
    """Revoke the refresh token and every token rotated from the same login."""
    auth.logout(session, body.refresh_token)


@router.get("/me")
def me(user: RouterUser) -> UserPublic:
    return auth.user_public(user)


@router.patch("/me")
def update_me(body: UserUpdate, user: RouterUser, session: RouterSession) -> UserPublic:
    return auth.user_public(auth.update_me(session, user, body))


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_api_token(
    body: ApiTokenCreate, user: RouterUser, session: RouterSession
) -> ApiTokenCreated:
    """Make a personal API token for the CLI or a script; `token` is shown only this once."""
    return api_tokens.create_token(session, user, body.name)


@router.get("/tokens")
def list_api_tokens(user: RouterUser, session: RouterSession) -> list[ApiTokenPublic]:
    """The personal API tokens not revoked, newest first (without their secrets)."""
    return api_tokens.list_tokens(session, user)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_api_token(token_id: uuid.UUID, user: RouterUser, session: RouterSession) -> None:
    """Revoke a personal API token: it stops working at once."""
    api_tokens.revoke_token(session, user, token_id)
