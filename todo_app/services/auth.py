"""Accounts: registration, login with throttling, rotating refresh tokens, the profile."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import datetime, timedelta
from functools import lru_cache

import bcrypt
import jwt
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from todo_app.config import get_settings
from todo_app.core.errors import Conflict, FieldError, TooManyAttempts, Unauthorized
from todo_app.core.validation import (
    clean_display_name,
    clean_email,
    clean_password,
    clean_timezone,
)
from todo_app.db import get_by_id
from todo_app.models import LoginFailure, RefreshToken, User, utcnow
from todo_app.schemas import RegisterRequest, TokenPair, UserPublic, UserUpdate
from todo_app.services import outbox, projects

ANONYMOUS = "anonymous"


def hash_password(password: str) -> str:
    rounds = get_settings().bcrypt_rounds
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_password(password: str, password_hash: str | None) -> bool:
    # An unknown email still costs one bcrypt check, so timing does not reveal accounts.
    candidate = (password_hash or _dummy_hash()).encode()
    try:
        matches = bcrypt.checkpw(password.encode()[:72], candidate)
    except ValueError:
        return False
    return matches and password_hash is not None


def user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        timezone=user.timezone,
        email_notifications=user.email_notifications,
        created_at=user.created_at,
    )


def _auth_event(session: Session, event_type: str, user_id: str, **data: object) -> None:
    outbox.emit(session, event_type, {"user_id": user_id, **data})


def register(session: Session, data: RegisterRequest, client: str) -> User:
    email = clean_email(data.email)
    password = clean_password(data.password)
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=clean_display_name(data.display_name),
        timezone=clean_timezone(data.timezone),
    )
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Conflict("an account with this email already exists", field="email")
    session.add(user)
    session.flush()
    _auth_event(session, "auth.registered", str(user.id), email=email, client=client)
    projects.create_inbox(session, user)
    return user


def _token_hash(token: str) -> str:
    # Refresh tokens carry 256 random bits, so a fast hash is enough to keep them unusable at rest.
    return hashlib.sha256(token.encode()).hexdigest()


def _access_token(user: User) -> tuple[str, int]:
    settings = get_settings()
    now = utcnow()
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user.id),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
    return token, int(lifetime.total_seconds())


def _issue(session: Session, user: User, family_id: uuid.UUID) -> tuple[TokenPair, RefreshToken]:
    settings = get_settings()
    refresh = secrets.token_urlsafe(32)
    row = RefreshToken(
        user_id=user.id,
        token_hash=_token_hash(refresh),
        family_id=family_id,
        expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
    )
    session.add(row)
    access, expires_in = _access_token(user)
    pair = TokenPair(
        access_token=access, refresh_token=refresh, expires_in=expires_in, user=user_public(user)
    )
    return pair, row


def issue_tokens(session: Session, user: User) -> TokenPair:
    """A fresh login session: a new refresh-token family."""
    pair, _ = _issue(session, user, uuid.uuid4())
    return pair


def _retry_after(session: Session, column: object, value: str, since: datetime) -> int | None:
    settings = get_settings()
    failures = session.exec(
        select(func.count(), func.min(LoginFailure.at)).where(
            column == value, LoginFailure.at >= since
        )  # type: ignore[operator]
    ).one()
    count, oldest = failures
    if count < settings.login_max_failures or oldest is None:
        return None
    window = timedelta(minutes=settings.login_window_minutes)
    return max(1, int((oldest + window - utcnow()).total_seconds()) + 1)


def check_throttle(session: Session, email: str, client: str) -> None:
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    waits = [
        _retry_after(session, LoginFailure.email, email, since),
        _retry_after(session, LoginFailure.client, client, since),
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        raise TooManyAttempts(
            f"too many failed logins; try again in {wait} seconds", retry_after=wait
        )


def login(session: Session, email: str, password: str, client: str) -> TokenPair:
    """Check the password; failures are committed even though the call then raises."""
    key = email.strip().lower()
    check_throttle(session, key, client)
    user = session.exec(select(User).where(User.email == key)).first()
    if not verify_password(password, user.password_hash if user else None) or user is None:
        session.add(LoginFailure(email=key, client=client))
        _auth_event(
            session,
            "auth.login_failed",
            str(user.id) if user else ANONYMOUS,
            email=key,
            client=client,
        )
        session.commit()
        raise Unauthorized("email or password is wrong")
    session.exec(delete(LoginFailure).where(col(LoginFailure.email) == key))  # type: ignore[call-overload]
    _auth_event(session, "auth.login", str(user.id), client=client)
    return issue_tokens(session, user)


def _revoke_family(session: Session, family_id: uuid.UUID) -> None:
    session.exec(
        update(RefreshToken)  # type: ignore[call-overload]
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def _family_alive(session: Session, family_id: uuid.UUID) -> bool:
    """Whether any token of the family is still usable (logout and theft revoke them all)."""
    live = session.exec(
        select(RefreshToken.id).where(
            RefreshToken.family_id == family_id, col(RefreshToken.revoked_at).is_(None)
        )
    ).first()
    return live is not None


def refresh(session: Session, token: str) -> TokenPair:
    """Rotate a refresh token; presenting an already-rotated one revokes its whole family."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == _token_hash(token))
    ).first()
    if row is None:
        raise Unauthorized("refresh token is not valid")
    if row.revoked_at is not None:
        grace = timedelta(seconds=get_settings().refresh_reuse_grace_seconds)
        rotated_just_now = row.replaced_by is not None and utcnow() - row.revoked_at < grace
        family_alive = _family_alive(session, row.family_id)
        if rotated_just_now and family_alive:
            # Two tabs refreshing at once present the same token; the late one is not a thief.
            user = session.get(User, row.user_id)
            if user is not None:
                pair, _ = _issue(session, user, row.family_id)
                return pair
        if row.replaced_by is not None and family_alive:
            _revoke_family(session, row.family_id)
            _auth_event(session, "auth.token_reuse", str(row.user_id), family_id=str(row.family_id))
            session.commit()
        raise Unauthorized("refresh token is not valid")
    if row.expires_at <= utcnow():
        raise Unauthorized("refresh token has expired")
    user = session.get(User, row.user_id)
    if user is None:
        raise Unauthorized("refresh token is not valid")
    pair, new_row = _issue(session, user, row.family_id)
    row.revoked_at = utcnow()
    row.replaced_by = new_row.id
    session.add(row)
    session.flush()
    return pair


def logout(session: Session, token: str) -> None:
    """End the login session the refresh token belongs to (every rotation of it)."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return
    _revoke_family(session, row.family_id)
    _auth_event(session, "auth.logout", str(row.user_id))


def access_token_subject(token: str) -> uuid.UUID:
    """The user id an access token was issued to, once its signature and claims check out."""
    settings = get_settings()
    secret = settings.jwt_secret.get_secret_value()
    try:
        subject, expires = _checked_token(token, secret, settings.jwt_audience, settings.jwt_issuer)
    except (jwt.PyJWTError, ValueError):
        raise Unauthorized("access token is missing, expired or invalid") from None
    if expires <= time.time():
        raise Unauthorized("access token is missing, expired or invalid")
    return subject


# A client sends the same token for its whole life: checking its signature once is enough.
# Keyed by the exact token and secret; the expiry is checked again on every use.
@lru_cache(maxsize=10_000)
def _checked_token(token: str, secret: str, audience: str, issuer: str) -> tuple[uuid.UUID, int]:
    claims = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iat", "sub", "iss", "aud"]},
    )
    return uuid.UUID(claims["sub"]), int(claims["exp"])


def user_from_access_token(session: Session, token: str) -> User:
    user = get_by_id(session, User, access_token_subject(token))
    if user is None:
        raise Unauthorized("access token is missing, expired or invalid")
    return user


def update_me(session: Session, user: User, data: UserUpdate) -> User:
    given = data.model_fields_set
    if "display_name" in given:
        user.display_name = clean_display_name(data.display_name)
    if "timezone" in given:
        user.timezone = clean_timezone(data.timezone)
    if "email_notifications" in given:
        if data.email_notifications is None:
            raise FieldError("email_notifications", "email_notifications must be true or false")
        user.email_notifications = data.email_notifications
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user
