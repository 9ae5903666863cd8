"""Settings from environment variables and a `.env` file: the one place that reads them.

Every field's alias is the name of its variable; a bad value fails at start with a validation
error naming that variable. The README's configuration table lists them all.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


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


def _parse_counts(value: str) -> dict[str, int]:
    """A `key=count,key=count` value (e.g. "task-events=12,reminders=4") as a dict."""
    counts: dict[str, int] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        key, _, count = item.partition("=")
        if not key.strip() or not count.strip().isdigit() or int(count) < 1:
            raise ValueError(f"expected topic=count with a count >= 1, got {item!r}")
        counts[key.strip()] = int(count)
    return counts


def _data_dir(data: dict[str, Any]) -> Path:
    """The data dir among the fields validated so far, for the defaults that live in it."""
    return Path(data.get("data_dir", DEFAULT_DATA_DIR))


class Settings(BaseSettings):
    """The process's settings: environment variables win over `.env` at the project root; an
    empty variable counts as unset."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env",
        env_ignore_empty=True,
        case_sensitive=True,
        alias_generator=str.upper,
        extra="ignore",
        frozen=True,
    )

    # Not configurable: the claims of the tokens this app issues, the request body limit.
    jwt_issuer: ClassVar[str] = "todo-app"
    jwt_audience: ClassVar[str] = "todo-app"
    max_body_bytes: ClassVar[int] = 64 * 1024

    data_dir: Path = Field(default=DEFAULT_DATA_DIR, alias="TODO_DATA_DIR")
    database_url: str = Field(
        default_factory=lambda data: f"sqlite:///{_data_dir(data) / 'todo.db'}"
    )
    # Generated once into the data dir when unset, so tokens survive restarts.
    jwt_secret: SecretStr = Field(
        default_factory=lambda data: SecretStr(
            _load_or_create_secret(_data_dir(data) / "jwt_secret")
        )
    )
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
    kafka_topic_partitions: Annotated[dict[str, int], NoDecode] = Field(default_factory=dict)
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None
    ray_address: str | None = None
    redis_url: str | None = Field(default=None, alias="REFLEX_REDIS_URL")
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "todo@localhost"
    # Where the app is reached, for the links that mail carries (an invitation's).
    app_url: str = "http://localhost:3000"
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _psycopg_url(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("kafka_topic_partitions", mode="before")
    @classmethod
    def _counts(cls, value: Any) -> Any:
        return _parse_counts(value) if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


def reveal(secret: SecretStr | None) -> str | None:
    """An optional secret's value, to hand to the client that needs it."""
    return secret.get_secret_value() if secret is not None else None


def load_settings() -> Settings:
    """Settings read now from the environment and `.env`; raises pydantic's ValidationError."""
    return Settings()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the env."""
    return load_settings()
