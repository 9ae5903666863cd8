"""Command line of the workers: `python -m workers <command> ...`.

    python -m workers up                                start the actors (detached, named)
    python -m workers status                            print each actor's status
    python -m workers down                              stop and remove the actors
    python -m workers dlq list [--topic T] [--json]     show dead letters
    python -m workers dlq replay [--id EVENT_ID] [--topic T]
                                                        republish dead-lettered events

`up` joins the Ray cluster at RAY_ADDRESS; without it, it starts a local head (with the
dashboard), which lives as long as `up` runs: it then stays in the foreground until Ctrl-C or
SIGTERM. `status` and `down` join RAY_ADDRESS or the local head ("auto").
The broker is KAFKA_BOOTSTRAP_SERVERS (or --bootstrap-servers). Exit status: 0 done, 1 failed
(broker unreachable, event id not found, no actor running), 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kafka.errors import KafkaError

from todo_app.bus import BusConfig, BusNotConfigured
from todo_app.config import get_settings
from todo_app.core.events import TOPICS
from workers.dlq import DeadLetter, read_dead_letters, replay


def _bus(args: argparse.Namespace) -> BusConfig:
    """The configured bus; --bootstrap-servers takes precedence over KAFKA_BOOTSTRAP_SERVERS."""
    settings = get_settings()
    if args.bootstrap_servers:
        settings = settings.model_copy(update={"kafka_bootstrap_servers": args.bootstrap_servers})
    return BusConfig.from_settings(settings)


def _describe(letter: DeadLetter) -> str:
    state = "replayed" if letter.replayed else "pending"
    return (
        f"{letter.dlq_topic}[{letter.partition}]@{letter.offset} {state} "
        f"id={letter.event_id or '-'} type={letter.event_type or '-'} "
        f"consumer={letter.consumer} attempts={letter.attempts} failed_at={letter.failed_at} "
        f"error={letter.error}"
    )


def _dlq_list(args: argparse.Namespace) -> int:
    letters = read_dead_letters(_bus(args), args.topic or TOPICS)
    for letter in letters:
        print(json.dumps(dataclasses.asdict(letter)) if args.json else _describe(letter))
    if not args.json:
        print(f"{len(letters)} dead letter(s)", file=sys.stderr)
    return 0


def _dlq_replay(args: argparse.Namespace) -> int:
    try:
        result = replay(_bus(args), event_id=args.id, topics=args.topic or TOPICS)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for event_id in result.replayed:
        print(f"replayed {event_id}")
    for letter in result.unreplayable:
        print(f"skipped (not a valid CloudEvent): {_describe(letter)}", file=sys.stderr)
    print(f"{len(result.replayed)} event(s) replayed", file=sys.stderr)
    return 0


def _flatten(status: dict[str, Any], prefix: str = "") -> list[str]:
    """`key=value` of every field, nested ones as `part.key=value`; None shows as `-`."""
    fields = []
    for key, value in status.items():
        if isinstance(value, dict):
            fields.extend(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, datetime):
            fields.append(f"{prefix}{key}={value.isoformat(timespec='seconds')}")
        elif isinstance(value, list | tuple):
            fields.append(f"{prefix}{key}={','.join(map(str, value))}")
        else:
            fields.append(f"{prefix}{key}={'-' if value is None else value}")
    return fields


def _ray_init(address: str | None) -> Any:
    import ray  # only the cluster commands pay for importing Ray

    from workers.actors import NAMESPACE

    return ray.init(address=address, namespace=NAMESPACE, logging_level=logging.WARNING)


def _up(args: argparse.Namespace) -> int:
    from workers.actors import WORKERS, start_actors, stop_actors

    # Fail here on a missing KAFKA_BOOTSTRAP_SERVERS, not in actors that would crash-loop.
    bus = _bus(args)
    address = get_settings().ray_address
    context = _ray_init(address)
    print(f"dashboard: {context.dashboard_url or 'not running'}")
    # --bootstrap-servers is for every worker; the rest comes from the actors' environment.
    given = {"bus": bus} if args.bootstrap_servers else {}
    for kind in start_actors({kind: given for kind in WORKERS}):
        print(f"started {kind}")
    if address:
        return 0
    # The head this process started dies with it: keep it up until asked to stop.
    print("local Ray head running; Ctrl-C stops it and the workers", file=sys.stderr)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    stop_actors()
    return 0


def _status(args: argparse.Namespace) -> int:
    import ray

    from workers.actors import find_actors

    _ray_init(get_settings().ray_address or "auto")
    missing = 0
    for kind, handle in find_actors().items():
        if handle is None:
            missing += 1
            print(f"{kind}: not running")
            continue
        try:
            status: Any = ray.get(handle.status.remote(), timeout=30)
        except ray.exceptions.RayError as exc:  # restarting or crash-looping: say so, go on
            missing += 1
            print(f"{kind}: not answering ({type(exc).__name__})")
            continue
        if args.json:
            print(json.dumps(status, default=str))
        else:
            fields = _flatten({key: value for key, value in status.items() if key != "kind"})
            print(f"{kind}: {' '.join(fields)}")
    return 1 if missing else 0


def _down(args: argparse.Namespace) -> int:
    from workers.actors import stop_actors

    _ray_init(get_settings().ray_address or "auto")
    stopped = stop_actors()
    print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m workers", description="Todo app workers.")
    parser.add_argument(
        "--bootstrap-servers", help="Kafka brokers (default: KAFKA_BOOTSTRAP_SERVERS)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("up", help="start the worker actors on Ray").set_defaults(handler=_up)
    showing = commands.add_parser("status", help="print each worker actor's status")
    showing.add_argument("--json", action="store_true", help="one JSON object per line")
    showing.set_defaults(handler=_status)
    commands.add_parser("down", help="stop the worker actors").set_defaults(handler=_down)

    dlq = commands.add_parser("dlq", help="inspect and replay dead-lettered events")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    topic_help = "only this topic's dead letters (repeatable; default: all topics)"

    listing = dlq_commands.add_parser("list", help="show every dead letter")
    listing.add_argument("--topic", action="append", choices=TOPICS, help=topic_help)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=_dlq_list)

    replaying = dlq_commands.add_parser(
        "replay", help="republish dead-lettered events not replayed yet (or one, by --id)"
    )
    replaying.add_argument("--id", help="replay this event id, even if replayed before")
    replaying.add_argument("--topic", action="append", choices=TOPICS, help=topic_help)
    replaying.set_defaults(handler=_dlq_replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except BusNotConfigured as exc:
        parser.error(f"{exc} (or pass --bootstrap-servers)")
    except (KafkaError, TimeoutError) as exc:
        print(f"error: broker unreachable or failing: {exc!r}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
