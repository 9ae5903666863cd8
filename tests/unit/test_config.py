"""Settings read from the environment and `.env`: errors name the variable, secrets stay out of
reprs, the per-topic Kafka partition counts, the generated JWT secret."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from todo_app.config import PROJECT_ROOT, Settings, load_settings


def test_topic_partitions_are_read_as_topic_count_pairs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("KAFKA_TOPIC_PARTITIONS", " task-events=24, reminders=2 ,")
    assert load_settings().kafka_topic_partitions == {"task-events": 24, "reminders": 2}
    monkeypatch.delenv("KAFKA_TOPIC_PARTITIONS")
    assert load_settings().kafka_topic_partitions == {}


@pytest.mark.parametrize("value", ["task-events", "task-events=0", "=3", "reminders=two"])
def test_a_malformed_topic_partitions_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
):
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("KAFKA_TOPIC_PARTITIONS", value)
    with pytest.raises(ValueError, match="KAFKA_TOPIC_PARTITIONS"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SMTP_PORT", "twenty-five"), ("KAFKA_PARTITIONS", "4.5"), ("LOGIN_MAX_FAILURES", "many")],
)
def test_a_bad_value_fails_at_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
):
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as error:
        load_settings()
    assert [e["loc"] for e in error.value.errors()] == [(variable,)]
    assert variable in str(error.value)


def test_a_dotenv_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    assert Settings.model_config["env_file"] == PROJECT_ROOT / ".env"
    env_file = tmp_path / ".env"
    env_file.write_text(
        "SMTP_HOST=mail.example.com\nSMTP_PASSWORD=from-dotenv\nOPENAI_MODEL=from-dotenv\n"
        "TODO_DATA_DIR=" + str(tmp_path / "data") + "\nUNRELATED=1\n"
    )
    monkeypatch.setenv("OPENAI_MODEL", "from-env")
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TODO_DATA_DIR", raising=False)
    settings = Settings(_env_file=env_file)
    assert settings.smtp_host == "mail.example.com"
    assert settings.smtp_password == SecretStr("from-dotenv")
    assert settings.openai_model == "from-env"
    # Defaults that follow the data dir follow the one the file names.
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'todo.db'}"
    assert (tmp_path / "data" / "jwt_secret").read_text() == settings.jwt_secret.get_secret_value()


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch):
    values = {
        "JWT_SECRET": "jwt-" + "s" * 32,
        "KAFKA_SASL_PASSWORD": "kafka-password-value",
        "OPENAI_API_KEY": "sk-openai-key-value",
        "SMTP_PASSWORD": "smtp-password-value",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    for name, value in values.items():
        field = getattr(settings, name.lower())
        assert isinstance(field, SecretStr) and field.get_secret_value() == value
        for text in (repr(settings), str(settings), repr(settings.model_dump())):
            assert value not in text, name


def test_the_clients_get_the_secret_values(monkeypatch: pytest.MonkeyPatch):
    from todo_app.assistant.agent import OpenAIAgent
    from workers.notifications import SmtpConfig

    monkeypatch.setenv("SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("SMTP_PASSWORD", "smtp-password-value")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-key-value")
    settings = load_settings()
    smtp = SmtpConfig.from_settings(settings)
    assert smtp is not None and smtp.password == "smtp-password-value"
    agent = OpenAIAgent(None, None, settings)  # session and user are not used here
    assert agent.client.api_key == "sk-openai-key-value"


def test_values_are_normalised_and_an_empty_variable_counts_as_unset(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/todo")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("BCRYPT_ROUNDS", "")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u:p@db/todo"
    assert settings.log_level == "DEBUG"
    assert (settings.bcrypt_rounds, settings.kafka_security_protocol) == (12, "PLAINTEXT")


def _secret_after(path: str, start: Any) -> str:
    from todo_app.config import _load_or_create_secret

    start.wait()
    return _load_or_create_secret(Path(path))


def test_processes_starting_together_agree_on_one_generated_jwt_secret(tmp_path: Path):
    # App server workers and replicas may start at the same instant on one data dir.
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(6) as pool:
        start = manager.Barrier(6)
        for round_ in range(5):
            path = tmp_path / f"data-{round_}" / "jwt_secret"
            secrets = pool.starmap(_secret_after, [(str(path), start)] * 6)
            assert len(set(secrets)) == 1 and len(secrets[0]) >= 48
            assert path.read_text() == secrets[0]
            assert oct(path.stat().st_mode & 0o777) == "0o600"
            assert [p.name for p in path.parent.iterdir()] == ["jwt_secret"]
