"""Login throttling as an attacker meets it: per email and per address, Retry-After, and the
right password refused while locked (tests/api/test_auth.py has the basic five-and-429)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.security.sweep import API, PASSWORD

WINDOW = 15 * 60


def _refused(response: object) -> int:
    assert response.status_code == 429, response.text  # type: ignore[attr-defined]
    error = response.json()  # type: ignore[attr-defined]
    assert isinstance(error["detail"], str) and "access_token" not in response.text  # type: ignore[attr-defined]
    retry = int(response.headers["retry-after"])  # type: ignore[attr-defined]
    assert 0 < retry <= WINDOW + 1
    return retry


def test_per_email_lockout_refuses_the_right_password(
    client: TestClient, api_app, make_user: Callable[..., dict[str, str]]
) -> None:
    from todo_app.api.deps import client_address

    make_user(email="ann@example.com", password=PASSWORD)
    make_user(email="bob@example.com", password=PASSWORD)
    addresses = iter(f"10.0.0.{n}" for n in range(1, 100))
    # Each attempt from a new address: only the per-email count can lock.
    api_app.dependency_overrides[client_address] = lambda: next(addresses)
    try:
        for _ in range(5):
            wrong = client.post(
                f"{API}/auth/login", json={"email": "ann@example.com", "password": "wrong pass"}
            )
            assert wrong.status_code == 401
        for email in ("ann@example.com", " ANN@example.com "):
            right = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
            _refused(right)
        # Another account is not locked by ann's failures.
        other = client.post(
            f"{API}/auth/login", json={"email": "bob@example.com", "password": PASSWORD}
        )
        assert other.status_code == 200
    finally:
        api_app.dependency_overrides.pop(client_address, None)


def test_per_address_lockout_spans_accounts(
    client: TestClient, api_app, make_user: Callable[..., dict[str, str]]
) -> None:
    from todo_app.api.deps import client_address

    make_user(email="carol@example.com", password=PASSWORD)
    address = {"value": "203.0.113.7"}
    api_app.dependency_overrides[client_address] = lambda: address["value"]
    try:
        # Password spraying: one wrong guess each at five different (even unknown) accounts.
        for n in range(5):
            response = client.post(
                f"{API}/auth/login", json={"email": f"u{n}@example.com", "password": "guess 123"}
            )
            assert response.status_code == 401
        retry = _refused(
            client.post(
                f"{API}/auth/login", json={"email": "carol@example.com", "password": PASSWORD}
            )
        )
        assert retry > WINDOW - 60
        # Another address is not locked, and carol's own email has no failure against it.
        address["value"] = "198.51.100.9"
        ok = client.post(
            f"{API}/auth/login", json={"email": "carol@example.com", "password": PASSWORD}
        )
        assert ok.status_code == 200
    finally:
        api_app.dependency_overrides.pop(client_address, None)


def test_refused_and_malformed_attempts_do_not_extend_the_lockout(
    client: TestClient, make_user: Callable[..., dict[str, str]], db: str
) -> None:
    from sqlmodel import Session, func, select

    from todo_app.db import get_engine
    from todo_app.models import LoginFailure

    make_user(email="dan@example.com", password=PASSWORD)
    for _ in range(5):
        client.post(f"{API}/auth/login", json={"email": "dan@example.com", "password": "nope nope"})
    for _ in range(3):
        _refused(
            client.post(f"{API}/auth/login", json={"email": "dan@example.com", "password": "x" * 9})
        )
    malformed = client.post(f"{API}/auth/login", json={"email": "dan@example.com", "password": 5})
    assert malformed.status_code == 422
    with Session(get_engine(db)) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 5
