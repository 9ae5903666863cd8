"""Accounts: registration, login, throttling, token rotation and reuse, the profile."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
from sqlmodel import Session, select

from todo_app.config import get_settings
from todo_app.db import get_engine
from todo_app.models import OutboxEvent, User

API = "/api/v1"


def register(client, email="ann@example.com", password="correct horse", **extra):
    return client.post(f"{API}/auth/register", json={"email": email, "password": password, **extra})


def login(client, email="ann@example.com", password="correct horse"):
    return client.post(f"{API}/auth/login", json={"email": email, "password": password})


def event_types(db: str) -> list[str]:
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        return [row.payload["type"] for row in rows]


def test_register_normalises_email_and_hides_the_hash(client, db):
    response = register(
        client, email="  Ann@Example.COM ", display_name="Ann", timezone="Asia/Tokyo"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "ann@example.com"
    assert body["user"]["timezone"] == "Asia/Tokyo"
    assert "password" not in response.text and "hash" not in response.text
    assert register(client, email="ANN@example.com").status_code == 409
    assert login(client, email="ANN@EXAMPLE.com").status_code == 200
    with Session(get_engine(db)) as session:
        stored = session.exec(select(User)).one()
        assert stored.password_hash.startswith("$2b$")
        assert "correct horse" not in stored.password_hash


def test_register_rejects_bad_fields(client):
    for body, field in [
        ({"email": "not-an-email", "password": "long enough"}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com", "password": "x" * 73}, "password"),
        (
            {"email": "a@example.com", "password": "long enough", "timezone": "Mars/Base"},
            "timezone",
        ),
        ({"email": "a@example.com", "password": "long enough", "role": "admin"}, "role"),
    ]:
        response = client.post(f"{API}/auth/register", json=body)
        assert response.status_code == 422, body
        assert response.json()["field"] == field


def test_default_bcrypt_cost_is_12(monkeypatch):
    monkeypatch.delenv("BCRYPT_ROUNDS")
    get_settings.cache_clear()
    try:
        from todo_app.services.auth import hash_password

        assert get_settings().bcrypt_rounds == 12
        assert hash_password("correct horse").startswith("$2b$12$")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_access_token_claims_are_checked(client):
    tokens = register(client).json()
    secret = get_settings().jwt_secret.get_secret_value()
    claims = jwt.decode(tokens["access_token"], secret, algorithms=["HS256"], audience="todo-app")
    assert claims["iss"] == "todo-app" and claims["sub"] == tokens["user"]["id"]
    assert claims["exp"] - claims["iat"] == 15 * 60
    now = int(time.time())
    base = {"sub": claims["sub"], "iss": "todo-app", "aud": "todo-app", "iat": now, "exp": now + 60}
    forged = [
        jwt.encode({**base, "exp": now - 1}, secret, algorithm="HS256"),
        jwt.encode({**base, "aud": "other"}, secret, algorithm="HS256"),
        jwt.encode({**base, "iss": "other"}, secret, algorithm="HS256"),
        jwt.encode(base, "not-the-secret", algorithm="HS256"),
        jwt.encode(base, None, algorithm="none"),
        tokens["access_token"][:-2] + "xx",
    ]
    for token in forged:
        response = client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    good = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get(f"{API}/auth/me", headers=good).status_code == 200


def test_an_access_token_stops_working_when_it_expires_though_it_was_just_accepted(client):
    user_id = register(client).json()["user"]["id"]
    secret = get_settings().jwt_secret.get_secret_value()
    now = int(time.time())
    claims = {"sub": user_id, "iss": "todo-app", "aud": "todo-app", "iat": now, "exp": now + 2}
    headers = {"Authorization": f"Bearer {jwt.encode(claims, secret, 'HS256')}"}
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 200
    time.sleep(max(0.0, now + 2.1 - time.time()))
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(client, db, monkeypatch):
    monkeypatch.setenv("REFRESH_REUSE_GRACE_SECONDS", "0")
    get_settings.cache_clear()
    first = register(client).json()
    second = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    # The first token was rotated: presenting it again is theft, and ends the whole family.
    reuse = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    after = client.post(f"{API}/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401
    assert "auth.token_reuse" in event_types(db)
    # A fresh login is a fresh family and is unaffected.
    assert login(client).status_code == 200


def test_two_tabs_refreshing_at_once_both_stay_signed_in(client, db):
    first = register(client).json()
    tab_a = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    tab_b = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert tab_a.status_code == 200 and tab_b.status_code == 200
    for tab in (tab_a, tab_b):
        again = client.post(
            f"{API}/auth/refresh", json={"refresh_token": tab.json()["refresh_token"]}
        )
        assert again.status_code == 200
    assert "auth.token_reuse" not in event_types(db)


def test_logged_out_token_stays_dead_even_within_grace(client):
    tokens = register(client).json()
    rotated = client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    client.post(f"{API}/auth/logout", json={"refresh_token": rotated.json()["refresh_token"]})
    reuse = client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reuse.status_code == 401


def test_logout_revokes_refresh_token(client, db):
    tokens = register(client).json()
    assert (
        client.post(
            f"{API}/auth/logout", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 204
    )
    refused = client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refused.status_code == 401
    assert "auth.logout" in event_types(db)


def test_login_throttled_after_five_failures(client, db):
    register(client)
    for _ in range(5):
        assert login(client, password="wrong password").status_code == 401
    throttled = login(client)
    assert throttled.status_code == 429
    retry_after = int(throttled.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    assert event_types(db).count("auth.login_failed") == 5
    # The same address trying another account is throttled too.
    register(client, email="bob@example.com")
    assert login(client, email="bob@example.com").status_code == 429


def test_failures_outside_the_window_do_not_count(client, db):
    register(client)
    for _ in range(4):
        login(client, password="wrong password")
    from todo_app.models import LoginFailure

    with Session(get_engine(db)) as session:
        for row in session.exec(select(LoginFailure)).all():
            row.at = datetime.now(UTC) - timedelta(minutes=16)
            session.add(row)
        session.commit()
    for _ in range(4):
        login(client, password="wrong password")
    assert login(client).status_code == 200


def test_profile_update(client):
    tokens = register(client).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    response = client.patch(
        f"{API}/auth/me",
        json={"display_name": "Ann B.", "timezone": "Europe/Paris", "email_notifications": True},
        headers=headers,
    )
    assert response.status_code == 200
    me = client.get(f"{API}/auth/me", headers=headers).json()
    assert me["display_name"] == "Ann B." and me["timezone"] == "Europe/Paris"
    assert me["email_notifications"] is True
    bad = client.patch(f"{API}/auth/me", json={"timezone": "Nowhere/Special"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "timezone"
    assert client.get(f"{API}/auth/me", headers=headers).json()["timezone"] == "Europe/Paris"
