"""Settings from environment variables: the one place that reads os.environ."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _env_counts(name: str) -> dict[str, int]:
    """A `key=count,key=count` variable (e.g. "task-events=12,reminders=4") as a dict."""
    counts: dict[str, int] = {}
    for item in (_env(name) or "").split(","):
        if not item.strip():
            continue
        key, _, count = item.partition("=")
        if not key.strip() or not count.strip().isdigit() or int(count) < 1:
            raise ValueError(f"{name}: expected topic=count with a count >= 1, got {item!r}")
        counts[key.strip()] = int(count)
    return counts


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given in their common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _load_or_create_secret(path: Path) -> str:
    """Generate the JWT secret once into the data dir so tokens survive restarts."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            # Linking is atomic: of several processes starting at once, the first one's wins
            # and the others read it, never a half-written file.
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    jwt_secret: str = field(repr=False)
    jwt_issuer: str = "todo-app"
    jwt_audience: str = "todo-app"
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    refresh_reuse_grace_seconds: int = 10
    bcrypt_rounds: int = 12
    login_max_failures: int = 5
    login_window_minutes: int = 15
    kafka_bootstrap_servers: str | None = None
    kafka_session_timeout_ms: int = 6000
    kafka_heartbeat_interval_ms: int = 2000
    kafka_partitions: int = 4
    # Per-topic partition counts over kafka_partitions (and the bus's own per-topic defaults).
    kafka_topic_partitions: Mapping[str, int] = field(default_factory=dict)
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = field(default=None, repr=False)
    kafka_ssl_cafile: str | None = None
    ray_address: str | None = None
    redis_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = "todo@localhost"
    log_level: str = "INFO"
    max_body_bytes: int = 64 * 1024


def load_settings() -> Settings:
    data_dir = Path(_env("TODO_DATA_DIR", str(PROJECT_ROOT / "data")))  # type: ignore[arg-type]
    database_url = _env("DATABASE_URL") or f"sqlite:///{data_dir / 'todo.db'}"
    jwt_secret = _env("JWT_SECRET") or _load_or_create_secret(data_dir / "jwt_secret")
    return Settings(
        data_dir=data_dir,
        database_url=normalize_database_url(database_url),
        jwt_secret=jwt_secret,
        access_token_minutes=_env_int("ACCESS_TOKEN_MINUTES", 15),
        refresh_token_days=_env_int("REFRESH_TOKEN_DAYS", 7),
        refresh_reuse_grace_seconds=_env_int("REFRESH_REUSE_GRACE_SECONDS", 10),
        bcrypt_rounds=_env_int("BCRYPT_ROUNDS", 12),
        login_max_failures=_env_int("LOGIN_MAX_FAILURES", 5),
        login_window_minutes=_env_int("LOGIN_WINDOW_MINUTES", 15),
        kafka_bootstrap_servers=_env("KAFKA_BOOTSTRAP_SERVERS"),
        kafka_session_timeout_ms=_env_int("KAFKA_SESSION_TIMEOUT_MS", 6000),
        kafka_heartbeat_interval_ms=_env_int("KAFKA_HEARTBEAT_INTERVAL_MS", 2000),
        kafka_partitions=_env_int("KAFKA_PARTITIONS", 4),
        kafka_topic_partitions=_env_counts("KAFKA_TOPIC_PARTITIONS"),
        kafka_security_protocol=_env("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT") or "PLAINTEXT",
        kafka_sasl_mechanism=_env("KAFKA_SASL_MECHANISM"),
        kafka_sasl_username=_env("KAFKA_SASL_USERNAME"),
        kafka_sasl_password=_env("KAFKA_SASL_PASSWORD"),
        kafka_ssl_cafile=_env("KAFKA_SSL_CAFILE"),
        ray_address=_env("RAY_ADDRESS"),
        redis_url=_env("REFLEX_REDIS_URL"),
        openai_api_key=_env("OPENAI_API_KEY"),
        openai_base_url=_env("OPENAI_BASE_URL"),
        openai_model=_env("OPENAI_MODEL", "gpt-4o-mini") or "gpt-4o-mini",
        smtp_host=_env("SMTP_HOST"),
        smtp_port=_env_int("SMTP_PORT", 25),
        smtp_user=_env("SMTP_USER"),
        smtp_password=_env("SMTP_PASSWORD"),
        smtp_from=_env("SMTP_FROM", "todo@localhost") or "todo@localhost",
        log_level=(_env("LOG_LEVEL", "INFO") or "INFO").upper(),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the env."""
    return load_settings()
