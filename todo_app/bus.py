"""Kafka plumbing the app and the workers share: topic names, client factories, CloudEvents.

Every message value is a structured-mode CloudEvent 1.0 (UTF-8 JSON) and its key is the event's
`data.user_id`, so one user's events land in one partition and stay in order there. Clients are
kafka-python's (blocking): run them in a thread of their own, never on an asyncio loop.

Typical use::

    bus = BusConfig.from_settings()
    ensure_topics(bus)                      # at start-up; creating twice is harmless
    producer = make_producer(bus)
    publish(producer, cloud_event("task.created", {...}, "services")).get(timeout=10)
    consumer = make_consumer(bus, "audit", [TASK_EVENTS])
    for record in ...: event = decode_event(record.value)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import (
    ClusterAuthorizationFailedError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
    for_code,
)

from todo_app.config import Settings, get_settings, reveal
from todo_app.core.events import REQUEST_ID, TASK_EVENTS, TOPICS, topic_for

log = logging.getLogger(__name__)

DLQ_SUFFIX = ".dlq"
# Tansu auto-creates any topic a client names (even with allow_auto_create_topics=False) with
# 4 partitions, so matching that keeps the count stable when a restarted broker lost its topics.
DEFAULT_PARTITIONS = 4
# task-events carries most of the traffic: room for up to 12 consumers of a group. (A Tansu
# restart may bring it back with 4 partitions; harmless, its log is empty then.)
DEFAULT_TOPIC_PARTITIONS: Mapping[str, int] = MappingProxyType({TASK_EVENTS: 12})
LINGER_MS = 5
SPECVERSION = "1.0"
DATACONTENTTYPE = "application/json"
# processed_events.event_id and audit_log.event_id are VARCHAR(100).
MAX_EVENT_ID_LENGTH = 100


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of `topic`: `<topic>.dlq`."""
    return topic + DLQ_SUFFIX


def source_topic(dead_letter_topic: str) -> str:
    """The topic whose dead letters `dead_letter_topic` holds (inverse of `dlq_topic`)."""
    if not dead_letter_topic.endswith(DLQ_SUFFIX):
        raise ValueError(f"{dead_letter_topic!r} is not a dead-letter topic")
    return dead_letter_topic[: -len(DLQ_SUFFIX)]


DLQ_TOPICS = tuple(dlq_topic(topic) for topic in TOPICS)


class BusNotConfigured(RuntimeError):
    """KAFKA_BOOTSTRAP_SERVERS is not set (and no embedded broker was started)."""


@dataclass(frozen=True)
class BusConfig:
    """How to reach the broker and shape its topics; `from_settings()` reads the environment.

    `timeout_ms` bounds every blocking client call (bootstrap, request, delivery, metadata), so a
    dead broker turns into an exception after that long instead of a 30-120 s hang.
    """

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 2000
    partitions: int = DEFAULT_PARTITIONS
    topic_partitions: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_TOPIC_PARTITIONS)
    )
    dlq_partitions: int = 1
    timeout_ms: int = 10_000

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> BusConfig:
        """The bus described by KAFKA_* settings; raises BusNotConfigured without servers."""
        settings = settings or get_settings()
        if not settings.kafka_bootstrap_servers:
            raise BusNotConfigured("KAFKA_BOOTSTRAP_SERVERS is not set")
        return cls(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            security_protocol=settings.kafka_security_protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_username=settings.kafka_sasl_username,
            sasl_password=reveal(settings.kafka_sasl_password),
            ssl_cafile=settings.kafka_ssl_cafile,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            partitions=settings.kafka_partitions,
            topic_partitions={**DEFAULT_TOPIC_PARTITIONS, **settings.kafka_topic_partitions},
        )

    def partitions_for(self, topic: str) -> int:
        """Partition count `topic` is created with."""
        if topic.endswith(DLQ_SUFFIX):
            return self.topic_partitions.get(topic, self.dlq_partitions)
        return self.topic_partitions.get(topic, self.partitions)

    def client_kwargs(self) -> dict[str, Any]:
        """Connection and security options common to producers, consumers and the admin client."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": [s.strip() for s in self.bootstrap_servers.split(",")],
            "security_protocol": self.security_protocol,
            "bootstrap_timeout_ms": self.timeout_ms,
            "request_timeout_ms": self.timeout_ms,
        }
        if self.sasl_mechanism:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = self.sasl_password
        if self.ssl_cafile:
            kwargs["ssl_cafile"] = self.ssl_cafile
        return kwargs


# With ACLs, topics are often managed elsewhere (Strimzi KafkaTopic resources).
_NOT_OURS_TO_CREATE = (TopicAuthorizationFailedError, ClusterAuthorizationFailedError)


def ensure_topics(config: BusConfig, topics: Iterable[str] | None = None) -> list[str]:
    """Create the topics that do not exist yet; returns the names this call created.

    Defaults to every event topic and its DLQ. Uses only CreateTopics: kafka-python's
    list/describe calls crash on Tansu's replies. Safe to call concurrently and repeatedly;
    a refusal for lack of permission is logged, not raised.
    """
    names = list(topics) if topics is not None else [*TOPICS, *DLQ_TOPICS]
    spec = {
        name: {"num_partitions": config.partitions_for(name), "replication_factor": -1}
        for name in names
    }
    admin = KafkaAdminClient(client_id="todo-workers-admin", **config.client_kwargs())
    try:
        response = admin.create_topics(spec, timeout_ms=config.timeout_ms, raise_errors=False)
    finally:
        admin.close()
    created = []
    for result in response["topics"]:
        error = for_code(result["error_code"])
        if result["error_code"] == 0:
            created.append(result["name"])
        elif error in _NOT_OURS_TO_CREATE:
            log.warning("may not create topic %s (%s): it must exist", result["name"], error)
        elif error is not TopicAlreadyExistsError:
            raise error(f"creating topic {result['name']}: {result['error_message']}")
    if created:
        log.info("created topics %s", created)
    return created


def make_producer(config: BusConfig, **overrides: Any) -> KafkaProducer:
    """A producer that waits for all in-sync replicas; values and keys are given as bytes.

    A send not acknowledged within `config.timeout_ms` fails its future with KafkaTimeoutError.
    After any failure, close it and make a new one: an idempotent producer's id dies with a
    Tansu restart and the old producer stays broken.
    """
    kwargs: dict[str, Any] = {
        **config.client_kwargs(),
        "client_id": "todo-workers-producer",
        "acks": "all",
        "linger_ms": LINGER_MS,
        "allow_auto_create_topics": False,
        "max_block_ms": config.timeout_ms,
        # Kafka's rule: delivery timeout >= linger + request timeout.
        "delivery_timeout_ms": config.timeout_ms + LINGER_MS,
        **overrides,
    }
    return KafkaProducer(**kwargs)


def make_consumer(
    config: BusConfig, group_id: str, topics: Sequence[str] = (), **overrides: Any
) -> KafkaConsumer:
    """A consumer in group `group_id` subscribed to `topics` (none: call assign()).

    Offsets are committed by the caller after its effect is durable (enable_auto_commit off);
    a group without committed offsets starts from the earliest message ("latest" is unreliable
    on Tansu after multi-record batches).
    """
    kwargs: dict[str, Any] = {
        **config.client_kwargs(),
        "client_id": f"todo-workers-{group_id}",
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "allow_auto_create_topics": False,
        "session_timeout_ms": config.session_timeout_ms,
        "heartbeat_interval_ms": config.heartbeat_interval_ms,
        **overrides,
    }
    return KafkaConsumer(*topics, **kwargs)


class InvalidEvent(ValueError):
    """A message value that is not a CloudEvent this system accepts."""


@dataclass(frozen=True)
class Event:
    """A validated CloudEvent; `envelope` is the whole event exactly as received."""

    id: str
    type: str
    source: str
    time: datetime
    data: Mapping[str, Any]
    envelope: Mapping[str, Any]

    @property
    def user_id(self) -> str:
        return str(self.data["user_id"])

    @property
    def request_id(self) -> str | None:
        """The id of the request that caused the event (extension `requestid`), if any."""
        value = self.envelope.get(REQUEST_ID)
        return value if isinstance(value, str) and value else None

    @property
    def key(self) -> bytes:
        """The message key: the user id, so a user's events share a partition."""
        return self.user_id.encode()


def _text(envelope: Mapping[str, Any], name: str) -> str:
    value = envelope.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidEvent(f"CloudEvent attribute {name!r} must be a non-empty string")
    return value


def validate_envelope(envelope: Any) -> Event:
    """Check a structured CloudEvent (as a dict) against this system's contract.

    Required: specversion "1.0", id (<= 100 chars), source, type, time (RFC 3339 with offset),
    datacontenttype "application/json", and data as an object carrying user_id.
    Raises InvalidEvent naming the first attribute at fault.
    """
    if not isinstance(envelope, Mapping):
        raise InvalidEvent("a CloudEvent must be a JSON object")
    if envelope.get("specversion") != SPECVERSION:
        raise InvalidEvent(f"specversion must be {SPECVERSION!r}")
    event_id = _text(envelope, "id")
    if len(event_id) > MAX_EVENT_ID_LENGTH:
        raise InvalidEvent(f"id is longer than {MAX_EVENT_ID_LENGTH} characters")
    source = _text(envelope, "source")
    event_type = _text(envelope, "type")
    try:
        time = datetime.fromisoformat(_text(envelope, "time"))
    except ValueError:
        raise InvalidEvent("time must be an RFC 3339 timestamp") from None
    if time.tzinfo is None:
        raise InvalidEvent("time must carry a UTC offset")
    if envelope.get("datacontenttype") != DATACONTENTTYPE:
        raise InvalidEvent(f"datacontenttype must be {DATACONTENTTYPE!r}")
    data = envelope.get("data")
    if not isinstance(data, Mapping):
        raise InvalidEvent("data must be a JSON object")
    user_id = data.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        raise InvalidEvent("data.user_id must be a non-empty string")
    return Event(
        id=event_id, type=event_type, source=source, time=time, data=data, envelope=envelope
    )


def decode_event(value: bytes | None) -> Event:
    """Parse and validate a message value; raises InvalidEvent."""
    if value is None:
        raise InvalidEvent("message has no value")
    try:
        envelope = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"value is not JSON: {exc}") from None
    return validate_envelope(envelope)


def encode_json(value: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the wire form of CloudEvents and dead letters."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def publish(producer: KafkaProducer, envelope: Mapping[str, Any], topic: str | None = None) -> Any:
    """Validate and send a CloudEvent keyed by its user id; returns kafka-python's future.

    The topic defaults to the one the event type belongs to. Call `.get(timeout)` on the result
    (or `producer.flush()`) before treating the event as published.
    """
    event = validate_envelope(envelope)
    return producer.send(
        topic or topic_for(event.type), key=event.key, value=encode_json(event.envelope)
    )
