"""Personal API tokens: long-lived bearer tokens for the CLI, scripts and other clients.

A token is `todo_pat_` + 256 random bits; only its SHA-256 is stored (like refresh tokens), so
the plaintext is shown once, at creation.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from todo_app.core.errors import FieldError, NotFound, Unauthorized
from todo_app.core.validation import refuse_control
from todo_app.models import ApiToken, User, utcnow
from todo_app.schemas import ApiTokenCreated, ApiTokenPublic
from todo_app.services import auth
from todo_app.services.auth import _auth_event, _token_hash

PREFIX = "todo_pat_"
MAX_NAME = 100
MAX_TOKENS = 100
# last_used_at is a hint for the user, not an audit trail: one write a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


def is_api_token(token: str) -> bool:
    return token.startswith(PREFIX)


def _clean_name(name: str) -> str:
    cleaned = " ".join(refuse_control(name, "name").split())
    if not cleaned:
        raise FieldError("name", "name must not be empty")
    if len(cleaned) > MAX_NAME:
        raise FieldError("name", f"name must be at most {MAX_NAME} characters")
    return cleaned


def _public(row: ApiToken) -> ApiTokenPublic:
    return ApiTokenPublic(
        id=row.id, name=row.name, created_at=row.created_at, last_used_at=row.last_used_at
    )


def create_token(session: Session, user: User, name: str) -> ApiTokenCreated:
    """Make a token; the returned plaintext is the only copy there will ever be."""
    cleaned = _clean_name(name)
    live = session.exec(
        select(ApiToken.id).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    if len(live) >= MAX_TOKENS:
        raise FieldError("name", f"at most {MAX_TOKENS} tokens; revoke one first")
    plaintext = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=cleaned, token_hash=_token_hash(plaintext))
    session.add(row)
    session.flush()
    _auth_event(session, "auth.token_created", str(user.id), token_id=str(row.id), name=cleaned)
    return ApiTokenCreated(id=row.id, name=row.name, token=plaintext, created_at=row.created_at)


def list_tokens(session: Session, user: User) -> list[ApiTokenPublic]:
    """The user's live tokens, newest first (never their secrets)."""
    rows = session.exec(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id))
    ).all()
    return [_public(row) for row in rows]


def revoke_token(session: Session, user: User, token_id: uuid.UUID) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("token not found")
    row.revoked_at = utcnow()
    session.add(row)
    session.flush()
    _auth_event(session, "auth.token_revoked", str(user.id), token_id=str(row.id), name=row.name)


def user_from_api_token(session: Session, token: str) -> User:
    """The token's user; an unknown or revoked token is the same 401 as a bad access token."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("access token is missing, expired or invalid")
    user = session.get(User, row.user_id)
    if user is None:
        raise Unauthorized("access token is missing, expired or invalid")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
        session.flush()
    return user


def user_from_bearer(session: Session, token: str) -> User:
    """The user a bearer credential stands for: a personal API token or an access token."""
    if is_api_token(token):
        return user_from_api_token(session, token)
    return auth.user_from_access_token(session, token)
