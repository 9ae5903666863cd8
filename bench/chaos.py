"""Fault campaign: a mixed REST workload while the broker, each worker actor and the web
backend are killed and restarted at random moments; then every invariant is checked.

The real stack, on one machine:

- a scratch database (PostgreSQL by default: `todo_chaos_<random>`, dropped at the end; or a
  SQLite file with `--sqlite`), migrated with `reflex db migrate`;
- the embedded Tansu broker (`workers.broker.EmbeddedBroker`), SIGKILLed and restarted on the
  same port (memory storage: every topic, message and committed offset is lost each time);
- a local Ray cluster running the real worker actors (`workers.actors.start_actors`: relay,
  recurrence, reminders, notifications, audit as named detached actors, `max_restarts=-1`),
  each crashed with `ray.kill(actor, no_restart=False)` and left to Ray to restart;
- the web backend as a real process (`reflex run --env prod --backend-only`), SIGKILLed (its
  whole process group) while requests are in flight, and started again on the same port.

`--mutations` REST mutations (default 1,000) go through `/api/v1` from `--clients` threads,
each the only client of its own user: tasks created, renamed, completed, deleted; daily
recurring tasks created, completed and skipped; tasks given reminders a few seconds ahead.
Each user also owns a project shared with two more accounts that only its thread acts as:
members added (again, after they went), their roles changed, members removed or leaving,
tasks created there by the owner or an editor and assigned to one of the three (some daily,
completed or skipped by any editor), comments (some with @mentions) by whoever's role
allows it.
A request that gets no answer (connection refused or reset, a 5xx) is not blindly repeated:
once the backend answers again, the database says whether it was applied (creates carry a
unique title; completions, skips, renames and deletes are checked on the task), and only an
unapplied request is sent again. So a retry never creates a duplicate, and the run knows
exactly which mutations happened.

The faults follow a schedule drawn from `--seed` (so a run is reproducible up to timing):
each fault fires when the workload reaches a given mutation number and is printed as it
happens. After the workload the run waits (up to `--settle` seconds) for the pipeline, then
checks and prints:

- every created task exists exactly once (a retried create made no second one);
- every completion or skip of a recurring task has exactly one successor, in its slot, and
  each series has exactly one open occurrence;
- every reminder set has exactly one notification;
- every outbox event has exactly one audit row;
- no outbox row is unpublished;
- every event was handled (processed_events) by each consumer group reading its topic, or is
  in that group's dead-letter topic: nothing is stuck outside the DLQ;
- every shared-project mutation made exactly one event, with exactly one audit row naming
  the project's owner, the actor and the project;
- every notification a shared-project mutation must cause (worked out from what the driver
  did: assigned, mentioned, comment, shared, role, removed; never to the actor, never to a
  non-member) exists exactly once, traced to its mutation by the request id its events and
  notification.created events carry; and no other such notification exists;

and writes `bench/results/chaos.json`. Exit status 1 on any violation (2 if the run itself
failed).

    .venv/bin/python -m bench.chaos                          # 1,000 mutations, PostgreSQL, ~3 min
    .venv/bin/python -m bench.chaos --mutations 200 --sqlite # a quick look
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from bench.support.database import DEFAULT_ADMIN_URL, migrate, scratch_database
from bench.support.pipeline import bus_config, start_ray
from bench.support.run import ROOT, exit_on_sigterm, write_results
from bench.support.servers import Backend, free_port
from todo_app.core.events import REQUEST_ID, uuid_of
from todo_app.core.people import handles
from todo_app.core.projects import MEMBER_ROLES, ROLE_PERMISSIONS, Permission, Role
from todo_app.models import (
    AuditLog,
    Comment,
    Notification,
    OutboxEvent,
    ProcessedEvent,
    Project,
    ProjectMember,
    Reminder,
    Task,
    User,
)

PASSWORD = "correct horse battery"
CONSUMER = {
    "retry_delays": (0.2, 0.5, 1.0),
    "reconnect_delays": (0.1, 0.3, 1.0),
    "poll_timeout_ms": 100,
    "client_options": {"fetch_max_wait_ms": 50},
}
ACTOR_KINDS = ("relay", "recurrence", "reminders", "notifications", "audit")
# Which consumer groups read which topics (workers/*.py).
GROUP_TOPICS = {
    "recurrence": ("task-events",),
    "reminders": ("task-events",),
    "notifications": ("reminders", "task-events"),
    "audit": ("task-events", "reminders", "notifications", "auth-events", "chat-events"),
}
_started = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _started:7.1f}s] {message}", flush=True)


# --- the stack -----------------------------------------------------------------------------------


class ChaosBackend(Backend):
    """A `Backend` whose `up` is set only while it answers, so clients wait out a kill."""

    def __init__(self, database_url: str, port: int, log_path: Path) -> None:
        super().__init__(
            {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}, log_path, port
        )
        self.up = threading.Event()

    def start(self, timeout: float = 120.0) -> float:
        took = super().start(timeout)
        self.up.set()
        return took

    def kill(self) -> None:
        self.up.clear()
        super().kill()

    def stop(self) -> None:
        self.up.clear()
        super().stop()


def actor_options(bus: Any, database_url: str) -> dict[str, dict[str, Any]]:
    common = {"bus": bus, "database_url": database_url}
    return {
        "relay": {**common, "poll_interval": 0.05, "retry_delays": (0.1, 0.3, 1.0)},
        "recurrence": {**common, **CONSUMER, "sweep_interval": 2.0},
        "reminders": {**common, **CONSUMER, "poll_interval": 1.0},
        "notifications": {**common, **CONSUMER, "mail": False},
        "audit": {**common, **CONSUMER},
    }


# --- the workload --------------------------------------------------------------------------------


class Unavailable(Exception):
    """The backend gave no answer (or a 5xx): the request may or may not have been applied."""


@dataclass
class Account:
    """One user the run signs in as, through its own HTTP client (and token)."""

    email: str
    http: httpx.Client
    user_id: uuid.UUID | None = None

    @property
    def id(self) -> uuid.UUID:
        assert self.user_id is not None, "not registered yet"
        return self.user_id

    @property
    def mention(self) -> str:
        return "@" + handles("", self.email)[0]


@dataclass(frozen=True)
class Effect:
    """A shared-project mutation: its request, the one event it makes, who acted, and each
    (person, notification kind) it must tell."""

    kind: str
    request_id: str
    event_type: str
    actor_id: uuid.UUID
    told: frozenset[tuple[uuid.UUID, str]]


@dataclass
class SharedTask:
    created_by: uuid.UUID
    assignee_id: uuid.UUID | None = None


@dataclass
class Shared:
    """The client's shared project as its mutations left it."""

    project_id: uuid.UUID | None = None
    roles: dict[uuid.UUID, str] = field(default_factory=dict)  # its members (not the owner)
    tasks: dict[uuid.UUID, SharedTask] = field(default_factory=dict)  # not recurring
    series: list[uuid.UUID] = field(default_factory=list)  # recurring (also in Ledger.series)
    effects: list[Effect] = field(default_factory=list)


@dataclass
class Ledger:
    """What one client knows it did: only acknowledged or verified mutations count."""

    user_id: uuid.UUID | None = None
    plain: list[uuid.UUID] = field(default_factory=list)  # open, reminder-free plain tasks
    reminded: dict[uuid.UUID, list[datetime]] = field(default_factory=dict)
    series: dict[uuid.UUID, int] = field(default_factory=dict)  # series id -> advances
    series_first: dict[uuid.UUID, datetime] = field(default_factory=dict)
    skipped_slots: set[tuple[uuid.UUID, datetime]] = field(default_factory=set)
    titles: dict[uuid.UUID, str] = field(default_factory=dict)  # created task -> its title
    kinds: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    found_applied: Counter[str] = field(default_factory=Counter)
    shared: Shared = field(default_factory=Shared)


# In the client's shared project, by its owner or a member whose role allows it.
SHARED_WEIGHTS = {
    "share": 4,
    "change_role": 4,
    "unshare": 3,
    "leave": 2,
    "shared_create": 5,
    "assign": 6,
    "comment": 10,
    "advance_shared": 5,
}
KINDS = (
    ("create", 18),
    ("create_recurring", 8),
    ("complete_recurring", 20),
    ("skip_recurring", 5),
    ("create_reminded", 12),
    ("add_reminder", 5),
    ("rename", 12),
    ("complete", 12),
    ("delete", 8),
    *SHARED_WEIGHTS.items(),
)
# What a shared project's change tells people (todo_app.services.notifications).
SHARED_NOTIFICATION_KINDS = ("assigned", "mentioned", "comment", "shared", "role", "removed")


class Client:
    """One user's REST client: applies mutations, verifying before any resend. The user owns
    a project shared with two more accounts, which this client also acts as."""

    def __init__(
        self, index: int, backend: ChaosBackend, engine: Engine, seed: int, stats: Stats
    ) -> None:
        self.index = index
        self.backend = backend
        self.engine = engine
        self.rng = random.Random(seed * 1000 + index)
        self.stats = stats
        self.ledger = Ledger()
        self.me = self._account(f"chaos{index}")
        self.members = [self._account(f"chaos{index}m{n}") for n in (1, 2)]
        self.tomorrow_nine = (datetime.now(UTC) + timedelta(days=1)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        self.counter = 0

    def _account(self, name: str) -> Account:
        http = httpx.Client(base_url=f"{self.backend.base_url}/api/v1", timeout=30)
        return Account(f"{name}-{uuid.uuid4().hex[:6]}@example.com", http)

    # -- HTTP with verification --

    def _send(self, account: Account, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.stats.in_flight(+1)
        try:
            response = account.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Unavailable(repr(exc)) from exc
        finally:
            self.stats.in_flight(-1)
        if response.status_code >= 500:
            raise Unavailable(f"HTTP {response.status_code}")
        return response

    def _wait_backend(self) -> None:
        while not self.backend.up.wait(0.5):
            pass
        # The fault thread sets `up` once /health/ready answers; give in-flight starts a beat.

    def mutate(
        self,
        kind: str,
        method: str,
        path: str,
        applied: Any,
        *,
        by: Account | None = None,
        request_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send as `by` (the client's user by default) until acknowledged; after a lost answer
        ask `applied()` before sending again. Every send carries the same X-Request-ID, which
        the events the request makes (and the notifications they cause) carry on.

        Returns the 2xx response, or whatever `applied()` found (truthy) when the lost request
        had been applied after all.
        """
        account = by or self.me
        headers = {"X-Request-ID": request_id or uuid.uuid4().hex}
        while True:
            self._wait_backend()
            try:
                response = self._send(account, method, path, headers=headers, **kwargs)
            except Unavailable as exc:
                self.stats.note(f"client {self.index}: {kind} got no answer ({exc}); verifying")
                self.ledger.retried[kind] += 1
                time.sleep(0.2)
                self._wait_backend()
                found = applied()
                if found:
                    self.ledger.found_applied[kind] += 1
                    return found
                continue
            if response.status_code == 401:
                self.login(account)
                continue
            if response.status_code >= 400:
                status = response.status_code
                raise RuntimeError(f"{kind}: {method} {path} -> {status} {response.text}")
            return response

    def login(self, account: Account) -> None:
        credentials = {"email": account.email, "password": PASSWORD}
        while True:
            self._wait_backend()
            try:
                response = self._send(account, "POST", "/auth/login", json=credentials)
            except Unavailable:
                time.sleep(0.2)
                continue
            response.raise_for_status()
            account.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
            return

    def register(self) -> None:
        """Sign every account up; share a project of the client's user with the other two."""
        for account in (self.me, *self.members):
            self._register(account)
        self.ledger.user_id = self.me.user_id
        name = f"Shared c{self.index} {uuid.uuid4().hex[:6]}"

        def made() -> dict[str, Any] | None:
            with self.engine.connect() as connection:
                row = connection.execute(
                    select(Project.id).where(Project.owner_id == self.me.id, Project.name == name)
                ).first()
            return {"id": str(row[0])} if row else None

        result = self.mutate("create_project", "POST", "/projects", made, json={"name": name})
        self.ledger.shared.project_id = uuid.UUID(_body(result)["id"])
        for member, role in zip(self.members, ("editor", "commenter"), strict=True):
            self._share(self.me, member, role)

    def _register(self, account: Account) -> None:
        def user_id() -> Any:
            with self.engine.connect() as connection:
                return connection.execute(
                    select(User.id).where(User.email == account.email)
                ).scalar_one_or_none()

        self.mutate(
            "register",
            "POST",
            "/auth/register",
            lambda: user_id() is not None,
            by=account,
            json={"email": account.email, "password": PASSWORD, "timezone": "UTC"},
        )
        self.login(account)
        account.user_id = uuid_of(user_id())

    # -- database look-ups for verification and bookkeeping --

    def _task_by_title(self, title: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(Task.id).where(Task.user_id == self.ledger.user_id, Task.title == title)
            ).first()
        return {"id": str(row[0])} if row else None

    def _task(self, task_id: uuid.UUID) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(
                select(Task.completed, Task.deleted_at, Task.title).where(Task.id == task_id)
            ).first()

    def _reminders(self, task_id: uuid.UUID) -> list[datetime]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Reminder.remind_at).where(Reminder.task_id == task_id)
            ).all()
        return [_aware(row[0]) for row in rows]

    def _member_role(self, user_id: uuid.UUID) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                select(ProjectMember.role).where(
                    ProjectMember.project_id == self.ledger.shared.project_id,
                    ProjectMember.user_id == user_id,
                )
            ).scalar_one_or_none()

    def _assignee(self, task_id: uuid.UUID) -> uuid.UUID | None:
        with self.engine.connect() as connection:
            found = connection.execute(select(Task.assignee_id).where(Task.id == task_id))
            return uuid_of(found.scalar_one())

    def _comment_by_text(self, text: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(Comment.id).where(Comment.text == text)).first()
        return {"id": str(row[0])} if row else None

    def _open_occurrence(self, series_id: uuid.UUID) -> tuple[uuid.UUID, datetime]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(Task.id, Task.occurrence_at).where(
                    Task.series_id == series_id,
                    col(Task.completed).is_(False),
                    col(Task.deleted_at).is_(None),
                )
            ).one()
        return uuid.UUID(str(row[0])), _aware(row[1])

    # -- mutations --

    def _title(self, label: str) -> str:
        self.counter += 1
        return f"{label} c{self.index} #{self.counter} {uuid.uuid4().hex[:6]}"

    def _create(self, kind: str, body: dict[str, Any], **how: Any) -> uuid.UUID:
        """Create a task (`how`: mutate's `by` and `request_id`); returns its id."""
        title = body["title"]
        result = self.mutate(
            kind, "POST", "/tasks", lambda: self._task_by_title(title), json=body, **how
        )
        task_id = uuid.UUID(_body(result)["id"])
        self.ledger.titles[task_id] = title
        return task_id

    def step(self) -> str:
        ledger = self.ledger
        choices = [kind for kind, weight in KINDS for _ in range(weight)]
        while True:
            kind = self.rng.choice(choices)
            if kind in ("complete_recurring", "skip_recurring") and not ledger.series:
                continue
            if kind in ("add_reminder", "rename", "complete", "delete") and not ledger.plain:
                continue
            shared = self._shared_plan(kind) if kind in SHARED_WEIGHTS else None
            if kind in SHARED_WEIGHTS and shared is None:
                continue
            break
        if shared is not None:
            shared()
        elif kind == "create":
            ledger.plain.append(self._create(kind, {"title": self._title("Task")}))
        elif kind == "create_recurring":
            body = {
                "title": self._title("Daily"),
                "due_at": self.tomorrow_nine.isoformat(),
                "rrule": "FREQ=DAILY",
            }
            series_id = self._create(kind, body)
            ledger.series[series_id] = 0
            ledger.series_first[series_id] = self.tomorrow_nine
        elif kind == "create_reminded":
            remind_at = _now_ms() + timedelta(seconds=self.rng.uniform(2, 15))
            body = {"title": self._title("Call"), "reminders": [_iso(remind_at)]}
            task_id = self._create(kind, body)
            ledger.reminded[task_id] = [remind_at]
        elif kind in ("complete_recurring", "skip_recurring"):
            verb = "complete" if kind == "complete_recurring" else "skip"
            self._advance(kind, self.rng.choice(sorted(ledger.series)), verb)
        else:
            task_id = self.rng.choice(ledger.plain)
            if kind == "add_reminder":
                remind_at = _now_ms() + timedelta(seconds=self.rng.uniform(2, 15))
                self.mutate(
                    kind,
                    "PATCH",
                    f"/tasks/{task_id}",
                    lambda: remind_at in self._reminders(task_id),
                    json={"reminders": [_iso(remind_at)]},
                )
                ledger.plain.remove(task_id)
                ledger.reminded[task_id] = [remind_at]
            elif kind == "rename":
                title = self._title("Renamed")
                self.mutate(
                    kind,
                    "PATCH",
                    f"/tasks/{task_id}",
                    lambda: self._task(task_id)[2] == title,
                    json={"title": title},
                )
                ledger.titles[task_id] = title
            elif kind == "complete":
                self.mutate(
                    kind,
                    "POST",
                    f"/tasks/{task_id}/complete",
                    lambda: bool(self._task(task_id)[0]),
                )
                ledger.plain.remove(task_id)
            else:
                self.mutate(
                    kind,
                    "DELETE",
                    f"/tasks/{task_id}",
                    lambda: self._task(task_id)[1] is not None,
                )
                ledger.plain.remove(task_id)
        ledger.kinds[kind] += 1
        return kind

    def _advance(self, kind: str, series_id: uuid.UUID, verb: str, **how: Any) -> None:
        """Complete or skip the series' open occurrence (`how`: mutate's `by`, `request_id`)."""
        task_id, slot = self._open_occurrence(series_id)

        def advanced() -> bool:
            row = self._task(task_id)
            return bool(row[0] if verb == "complete" else row[1] is not None)

        self.mutate(kind, "POST", f"/tasks/{task_id}/{verb}", advanced, **how)
        self.ledger.series[series_id] += 1
        if verb == "skip":
            self.ledger.skipped_slots.add((series_id, slot))

    # -- the shared project --

    def _role(self, account: Account) -> str | None:
        return Role.owner.value if account is self.me else self.ledger.shared.roles.get(account.id)

    def _may(self, permission: Permission) -> list[Account]:
        """Who may do `permission` in the shared project now (the owner always may)."""
        return [
            account
            for account in (self.me, *self.members)
            if (role := self._role(account)) is not None
            and permission in ROLE_PERMISSIONS[Role(role)]
        ]

    def _shared_plan(self, kind: str) -> Callable[[], None] | None:
        """`kind` in the shared project, by someone whose role allows it, drawn now; None when
        nothing of the kind can be done."""
        rng = self.rng
        shared = self.ledger.shared
        inside = [m for m in self.members if m.id in shared.roles]
        outside = [m for m in self.members if m.id not in shared.roles]
        managers = self._may(Permission.manage_members)
        if kind == "share":
            if not outside:
                return None
            return partial(
                self._share, rng.choice(managers), rng.choice(outside), rng.choice(MEMBER_ROLES)
            )
        if kind in ("change_role", "unshare"):
            pairs = [
                (actor, member) for actor in managers for member in inside if actor is not member
            ]
            if not pairs:
                return None
            actor, member = rng.choice(pairs)
            if kind == "unshare":
                return partial(self._unshare, actor, member)
            role = rng.choice([r for r in MEMBER_ROLES if r != shared.roles[member.id]])
            return partial(self._change_role, actor, member, role)
        if kind == "leave":
            return partial(self._leave, rng.choice(inside)) if inside else None
        people = [self.me, *inside]
        if kind == "shared_create":
            assignee = rng.choice([None, *people])
            actor = rng.choice(self._may(Permission.edit))
            return partial(self._shared_create, actor, assignee, rng.random() < 0.3)
        if kind == "advance_shared":
            if not shared.series:
                return None
            verb = rng.choice(("complete", "complete", "skip"))
            actor = rng.choice(self._may(Permission.edit))
            return partial(self._advance_shared, actor, rng.choice(shared.series), verb)
        if not shared.tasks:
            return None
        task_id = rng.choice(sorted(shared.tasks))
        if kind == "assign":
            current = shared.tasks[task_id].assignee_id
            others = [p for p in people if p.id != current]
            actor = rng.choice(self._may(Permission.edit))
            return partial(self._assign, actor, task_id, rng.choice(others)) if others else None
        mentioned = rng.sample([self.me, *self.members], rng.choice((0, 0, 1, 2)))
        return partial(self._comment, rng.choice(self._may(Permission.comment)), task_id, mentioned)

    def _expect(
        self, kind: str, request_id: str, event_type: str, actor: Account, told: set[Any]
    ) -> None:
        """Note what a shared mutation must have made: one event, and each notification of
        `told` except to its actor (nobody is told of their own doing)."""
        self.ledger.shared.effects.append(
            Effect(
                kind,
                request_id,
                event_type,
                actor.id,
                frozenset((person, what) for person, what in told if person != actor.id),
            )
        )

    def _share(self, actor: Account, member: Account, role: str) -> None:
        shared = self.ledger.shared
        request_id = uuid.uuid4().hex
        self.mutate(
            "share",
            "POST",
            f"/projects/{shared.project_id}/members",
            lambda: self._member_role(member.id) is not None,
            by=actor,
            request_id=request_id,
            json={"email": member.email, "role": role},
        )
        shared.roles[member.id] = role
        self._expect("share", request_id, "project.member_added", actor, {(member.id, "shared")})

    def _change_role(self, actor: Account, member: Account, role: str) -> None:
        shared = self.ledger.shared
        request_id = uuid.uuid4().hex
        self.mutate(
            "change_role",
            "PATCH",
            f"/projects/{shared.project_id}/members/{member.id}",
            lambda: self._member_role(member.id) == role,
            by=actor,
            request_id=request_id,
            json={"role": role},
        )
        shared.roles[member.id] = role
        self._expect(
            "change_role", request_id, "project.member_updated", actor, {(member.id, "role")}
        )

    def _unshare(self, actor: Account, member: Account) -> None:
        request_id = uuid.uuid4().hex
        self.mutate(
            "unshare",
            "DELETE",
            f"/projects/{self.ledger.shared.project_id}/members/{member.id}",
            lambda: self._member_role(member.id) is None,
            by=actor,
            request_id=request_id,
        )
        self._gone(member)
        self._expect(
            "unshare", request_id, "project.member_removed", actor, {(member.id, "removed")}
        )

    def _leave(self, member: Account) -> None:
        request_id = uuid.uuid4().hex
        self.mutate(
            "leave",
            "POST",
            f"/projects/{self.ledger.shared.project_id}/leave",
            lambda: self._member_role(member.id) is None,
            by=member,
            request_id=request_id,
        )
        self._gone(member)
        self._expect("leave", request_id, "project.member_removed", member, set())

    def _gone(self, member: Account) -> None:
        """A member removed or left: as the app does, they are assigned none of its tasks."""
        shared = self.ledger.shared
        del shared.roles[member.id]
        for task in shared.tasks.values():
            if task.assignee_id == member.id:
                task.assignee_id = None

    def _shared_create(self, actor: Account, assignee: Account | None, daily: bool) -> None:
        shared = self.ledger.shared
        request_id = uuid.uuid4().hex
        body: dict[str, Any] = {
            "title": self._title("Shared"),
            "project_id": str(shared.project_id),
        }
        if assignee is not None:
            body["assignee_id"] = str(assignee.id)
        if daily:
            body |= {"due_at": self.tomorrow_nine.isoformat(), "rrule": "FREQ=DAILY"}
        task_id = self._create("shared_create", body, by=actor, request_id=request_id)
        if daily:
            shared.series.append(task_id)
            self.ledger.series[task_id] = 0
            self.ledger.series_first[task_id] = self.tomorrow_nine
        else:
            shared.tasks[task_id] = SharedTask(actor.id, assignee.id if assignee else None)
        told = {(assignee.id, "assigned")} if assignee is not None else set()
        self._expect("shared_create", request_id, "task.created", actor, told)

    def _advance_shared(self, actor: Account, series_id: uuid.UUID, verb: str) -> None:
        """Complete or skip an occurrence: its successor keeps the assignee, and nobody is
        told (nobody assigned anything)."""
        request_id = uuid.uuid4().hex
        kind = "advance_shared"
        self._advance(kind, series_id, verb, by=actor, request_id=request_id)
        event_type = "task.completed" if verb == "complete" else "task.skipped"
        self._expect(kind, request_id, event_type, actor, set())

    def _assign(self, actor: Account, task_id: uuid.UUID, assignee: Account) -> None:
        request_id = uuid.uuid4().hex
        self.mutate(
            "assign",
            "PATCH",
            f"/tasks/{task_id}",
            lambda: self._assignee(task_id) == assignee.id,
            by=actor,
            request_id=request_id,
            json={"assignee_id": str(assignee.id)},
        )
        self.ledger.shared.tasks[task_id].assignee_id = assignee.id
        self._expect("assign", request_id, "task.updated", actor, {(assignee.id, "assigned")})

    def _comment(self, actor: Account, task_id: uuid.UUID, mentioned: list[Account]) -> None:
        shared = self.ledger.shared
        request_id = uuid.uuid4().hex
        text = " ".join([self._title("Note"), *(person.mention for person in mentioned)])
        self.mutate(
            "comment",
            "POST",
            f"/tasks/{task_id}/comments",
            lambda: self._comment_by_text(text),
            by=actor,
            request_id=request_id,
            json={"text": text},
        )
        # Told: who is mentioned, else the task's creator and assignee; members only.
        inside = {self.me.id, *shared.roles}
        task = shared.tasks[task_id]
        named = {person.id for person in mentioned} & inside
        concerned = {task.created_by, task.assignee_id} & inside - named
        told = {(p, "mentioned") for p in named} | {(p, "comment") for p in concerned}
        self._expect("comment", request_id, "comment.created", actor, told)


def _body(result: Any) -> dict[str, Any]:
    """What `Client.mutate` gave: a response's JSON, or what its verification found."""
    return result.json() if isinstance(result, httpx.Response) else result


def _now_ms() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Stats:
    """Shared progress: mutations done, and a printer that does not interleave lines."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = 0
        self.requests_in_flight = 0
        self.notes: list[str] = []

    def in_flight(self, delta: int) -> None:
        with self.lock:
            self.requests_in_flight += delta

    def tick(self) -> int:
        with self.lock:
            self.done += 1
            return self.done

    def note(self, message: str) -> None:
        with self.lock:
            self.notes.append(message)


# --- the faults ----------------------------------------------------------------------------------


@dataclass
class Fault:
    at: int  # fires when this many mutations are done
    target: str  # "broker", "backend" or an actor kind
    outage: float = 0.0  # broker: seconds down before the restart


def schedule(seed: int, mutations: int, rounds: int) -> list[Fault]:
    """`rounds` x (the broker twice, the backend once, every actor once), at random moments."""
    rng = random.Random(seed)
    faults: list[Fault] = []
    for _ in range(rounds):
        targets = ["broker", "broker", "backend", *ACTOR_KINDS]
        for target in targets:
            at = rng.randint(int(mutations * 0.03), int(mutations * 0.92))
            faults.append(Fault(at, target, round(rng.uniform(0.3, 3.0), 2)))
    return sorted(faults, key=lambda fault: fault.at)


class Injector(threading.Thread):
    def __init__(
        self,
        faults: list[Fault],
        stats: Stats,
        broker: Any,
        backend: ChaosBackend,
        prefix: str,
        namespace: str,
    ) -> None:
        super().__init__(name="faults", daemon=True)
        self.faults = faults
        self.stats = stats
        self.broker = broker
        self.backend = backend
        self.prefix = prefix
        self.namespace = namespace
        self.log: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self.finished = threading.Event()

    def run(self) -> None:
        try:
            for fault in self.faults:
                while self.stats.done < fault.at:
                    time.sleep(0.01)
                self.inject(fault)
        except BaseException as exc:
            self.error = exc
            say(f"fault injector failed: {exc!r}")
        finally:
            self.finished.set()

    def inject(self, fault: Fault) -> None:
        import ray

        from workers.actors import find_actors

        done = self.stats.done
        entry: dict[str, Any] = {
            "at_mutation": done,
            "target": fault.target,
            "at": datetime.now(UTC).isoformat(),
        }
        if fault.target == "broker":
            self.broker.kill()
            say(f"FAULT @{done}: broker SIGKILLed (down {fault.outage:.1f} s)")
            time.sleep(fault.outage)
            self.broker.start()
            say(f"          broker restarted on {self.broker.bootstrap_servers}, empty")
            entry["down_s"] = fault.outage
        elif fault.target == "backend":
            # Kill while a request is in flight (a random point of it), if one comes within 2 s.
            deadline = time.monotonic() + 2
            while not self.stats.requests_in_flight and time.monotonic() < deadline:
                time.sleep(0.0005)
            time.sleep(random.Random(done).uniform(0, 0.005))
            in_flight = self.stats.requests_in_flight
            self.backend.kill()
            say(f"FAULT @{done}: web backend SIGKILLed, {in_flight} request(s) in flight")
            entry["requests_in_flight"] = in_flight
            took = self.backend.start()
            say(f"          web backend restarted on :{self.backend.port} in {took:.1f} s")
            entry["restart_s"] = round(took, 2)
        else:
            handle = find_actors((fault.target,), self.prefix, self.namespace)[fault.target]
            if handle is None:
                raise RuntimeError(f"actor {fault.target} not found")
            ray.kill(handle, no_restart=False)
            say(f"FAULT @{done}: actor {self.prefix}{fault.target} killed (ray.kill, restart)")
        self.log.append(entry)


# --- the invariants ------------------------------------------------------------------------------


def _rows(engine: Engine, statement: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(statement).all())


def read_dead_letters(bus: Any) -> list[dict[str, Any]]:
    """Every dead letter the broker holds now (since its last restart)."""
    from kafka.structs import TopicPartition

    from todo_app.bus import DLQ_TOPICS, make_consumer

    letters: list[dict[str, Any]] = []
    consumer = make_consumer(bus, f"chaos-dlq-{uuid.uuid4().hex[:8]}")
    try:
        for topic in DLQ_TOPICS:
            partitions = consumer.partitions_for_topic(topic) or set()
            if not partitions:
                continue
            assigned = [TopicPartition(topic, p) for p in partitions]
            consumer.assign(assigned)
            consumer.seek_to_beginning(*assigned)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                for batch in consumer.poll(timeout_ms=200).values():
                    letters.extend(json.loads(record.value) for record in batch)
                ends = {p: consumer.highwater(p) for p in assigned}
                if all(end is not None and consumer.position(p) >= end for p, end in ends.items()):
                    break
    finally:
        consumer.close(autocommit=False)
    return letters


def check(
    engine: Engine, clients: list[Client], dead_ids: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The invariant table: name, expected, found, violations, details (a few examples)."""
    table: list[dict[str, Any]] = []

    def row(name: str, expected: int, found: int, problems: list[str]) -> None:
        table.append(
            {
                "invariant": name,
                "expected": expected,
                "found": found,
                "violations": len(problems),
                "examples": problems[:5],
                "all": problems[:500],
            }
        )

    users = [str(client.ledger.user_id) for client in clients]
    tasks = _rows(
        engine,
        select(
            Task.id,
            Task.user_id,
            Task.title,
            Task.series_id,
            Task.occurrence_at,
            Task.completed,
            Task.deleted_at,
        ),
    )
    tasks = [t for t in tasks if str(t.user_id) in users]

    # 1. Every created task exactly once: a retried create must not have made a second one.
    by_title = Counter(t.title for t in tasks if t.series_id is None or t.series_id == t.id)
    titles = [title for client in clients for title in client.ledger.titles.values()]
    problems = [f"{title!r} x{by_title[title]}" for title in titles if by_title[title] != 1]
    row(
        "created tasks, each exactly once",
        len(titles),
        sum(1 for title in titles if by_title[title] == 1),
        problems,
    )

    # 2. Recurring successors: n advances -> slots first + 0..n days, each once, the last open.
    series_rows: dict[str, list[Any]] = defaultdict(list)
    for t in tasks:
        if t.series_id is not None:
            series_rows[str(t.series_id)].append(t)
    expected = found = 0
    problems = []
    for client in clients:
        for series_id, advances in client.ledger.series.items():
            first = client.ledger.series_first[series_id]
            slots = Counter(_aware(t.occurrence_at) for t in series_rows[str(series_id)])
            expected += advances
            for day in range(1, advances + 1):
                slot = first + timedelta(days=day)
                if slots[slot] == 1:
                    found += 1
                else:
                    problems.append(f"series {series_id} slot +{day}d x{slots[slot]}")
            extra = set(slots) - {first + timedelta(days=d) for d in range(advances + 1)}
            problems += [f"series {series_id}: unexpected slot {s}" for s in sorted(extra)]
            rows = series_rows[str(series_id)]
            open_ = [t for t in rows if not t.completed and t.deleted_at is None]
            if len(open_) != 1 or _aware(open_[0].occurrence_at) != first + timedelta(
                days=advances
            ):
                problems.append(f"series {series_id}: {len(open_)} open occurrences")
    row("recurring successors, each exactly once", expected, found, problems)

    # 3. Reminder notifications: one per reminder set.
    notes = Counter(
        str(r.task_id)
        for r in _rows(engine, select(Notification.task_id).where(Notification.kind == "reminder"))
    )
    unsent = {
        str(r.task_id)
        for r in _rows(engine, select(Reminder.task_id).where(col(Reminder.sent_at).is_(None)))
    }
    expected = found = 0
    problems = []
    for client in clients:
        for task_id, instants in client.ledger.reminded.items():
            expected += len(instants)
            count = notes[str(task_id)]
            if count == len(instants):
                found += count
            else:
                state = "unsent" if str(task_id) in unsent else "sent"
                problems.append(f"task {task_id}: {count} notifications, reminder {state}")
    row("reminder notifications, each exactly once", expected, found, problems)

    # 4. Audit: every outbox event exactly one audit row.
    outbox = _rows(
        engine,
        select(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.created_at, OutboxEvent.published_at),
    )
    audited = Counter(str(r.event_id) for r in _rows(engine, select(AuditLog.event_id)))
    problems = [
        f"event {r.id}: {audited[str(r.id)]} audit rows"
        for r in outbox
        if audited[str(r.id)] != 1 and (str(r.id), "audit") not in dead_ids
    ]
    row(
        "audit rows, each event exactly once",
        len(outbox),
        sum(1 for r in outbox if audited[str(r.id)] == 1),
        problems,
    )

    # 5. Outbox drained.
    unpublished = [f"event {r.id} ({r.topic})" for r in outbox if r.published_at is None]
    row("outbox rows published", len(outbox), len(outbox) - len(unpublished), unpublished)

    # 6. Every event handled by every group that reads its topic, or in that group's DLQ.
    processed = {
        (str(r.event_id), r.consumer)
        for r in _rows(engine, select(ProcessedEvent.consumer, ProcessedEvent.event_id))
    }
    expected = found = 0
    problems = []
    for r in outbox:
        for group, topics in GROUP_TOPICS.items():
            if r.topic not in topics:
                continue
            expected += 1
            if (str(r.id), group) in processed or (str(r.id), group) in dead_ids:
                found += 1
            else:
                problems.append(
                    f"event {r.id} ({r.topic}, created {_aware(r.created_at):%H:%M:%S.%f}) "
                    f"not handled by {group}"
                )
    row("events handled by each consumer (or in its DLQ)", expected, found, problems)

    check_shared(engine, clients, dead_ids, row)
    return table


def check_shared(
    engine: Engine,
    clients: list[Client],
    dead_ids: set[tuple[str, str]],
    row: Callable[[str, int, int, list[str]], None],
) -> None:
    """The shared projects' rows of the table, from what the drivers did.

    A mutation's events carry its X-Request-ID, and so do the notification.created events of
    what they caused (written with each notification): so each notification is traced to the
    mutation that caused it, and each mutation to its one event and that event's audit row.
    """
    effects = [(client, e) for client in clients for e in client.ledger.shared.effects]
    events: dict[tuple[str, str], list[str]] = defaultdict(list)  # (request, type) -> ids
    caused_by: dict[str, str] = {}  # notification id -> the request that caused it
    for r in _rows(engine, select(OutboxEvent.id, OutboxEvent.payload)):
        request_id = r.payload.get(REQUEST_ID)
        if r.payload["type"] == "notification.created":
            caused_by[str(r.payload["data"]["notification_id"])] = str(request_id)
        elif request_id:
            events[(str(request_id), r.payload["type"])].append(str(r.id))

    # 7. One event per mutation, and one audit row for it: whose, who did it, where.
    audits: dict[str, list[Any]] = defaultdict(list)
    for r in _rows(
        engine,
        select(AuditLog.event_id, AuditLog.user_id, AuditLog.actor_id, AuditLog.project_id),
    ):
        audits[r.event_id].append(r)
    one_event = one_audit = 0
    event_problems: list[str] = []
    audit_problems: list[str] = []
    for client, effect in effects:
        made = events[(effect.request_id, effect.event_type)]
        what = f"{effect.kind} (request {effect.request_id})"
        if len(made) != 1:
            event_problems.append(f"{what}: {len(made)} {effect.event_type} events")
            continue
        one_event += 1
        rows = audits[made[0]]
        expected = (client.me.id, effect.actor_id, client.ledger.shared.project_id)
        got = [(uuid_of(a.user_id), uuid_of(a.actor_id), uuid_of(a.project_id)) for a in rows]
        if got == [expected]:
            one_audit += 1
        elif (made[0], "audit") not in dead_ids:
            audit_problems.append(f"{what}: audit rows {got}, expected [{expected}]")
    row("shared-project mutations, each one event", len(effects), one_event, event_problems)
    row(
        "shared-project audit rows, each exactly once (whose, actor, project)",
        len(effects),
        one_audit,
        audit_problems,
    )

    # 8. Each person a mutation concerned told once, of the right kind; nobody else told.
    told = Counter(
        (caused_by.get(str(n.id), "?"), uuid_of(n.user_id), n.kind)
        for n in _rows(
            engine,
            select(Notification.id, Notification.user_id, Notification.kind).where(
                col(Notification.kind).in_(SHARED_NOTIFICATION_KINDS)
            ),
        )
    )
    wanted = {
        (effect.request_id, person, what): effect
        for _, effect in effects
        for person, what in effect.told
    }
    handled_late = {
        effect.request_id
        for _, effect in effects
        for event_id in events[(effect.request_id, effect.event_type)]
        if (event_id, "notifications") in dead_ids
    }
    found = 0
    problems = []
    for key, effect in wanted.items():
        if told[key] == 1:
            found += 1
        elif effect.request_id not in handled_late:
            problems.append(
                f"{effect.kind} (request {key[0]}): {key[1]} told {key[2]} x{told[key]}"
            )
    by_request = {effect.request_id: effect.kind for _, effect in effects}
    problems += [
        f"unexpected: {what} to {person} x{count} "
        f"({by_request.get(request_id, 'no shared mutation')}, request {request_id})"
        for (request_id, person, what), count in told.items()
        if (request_id, person, what) not in wanted
    ]
    row("shared-project notifications, each exactly once", len(wanted), found, problems)


def settled(table: list[dict[str, Any]]) -> bool:
    return all(entry["violations"] == 0 for entry in table)


def print_table(table: list[dict[str, Any]]) -> None:
    width = max(len(entry["invariant"]) for entry in table)
    print(f"\n{'invariant':<{width}}  {'expected':>8}  {'found':>8}  {'violations':>10}")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 8}  {'-' * 10}")
    for entry in table:
        print(
            f"{entry['invariant']:<{width}}  {entry['expected']:>8}  {entry['found']:>8}  "
            f"{entry['violations']:>10}"
        )
        for example in entry["examples"]:
            print(f"    {example}")


# --- the run -------------------------------------------------------------------------------------


def run(args: argparse.Namespace, database_url: str, workdir: Path) -> int:
    import ray

    from workers.actors import find_actors, start_actors, stop_actors
    from workers.broker import EmbeddedBroker

    say(f"database: {'SQLite' if args.sqlite else 'PostgreSQL'}; migrating")
    migrate(database_url)
    engine = create_engine(database_url)
    broker = EmbeddedBroker(log_path=workdir / "tansu.log")
    broker.start()
    bus = bus_config(broker.bootstrap_servers, timeout_ms=3000)
    say(f"broker on {broker.bootstrap_servers}; starting Ray")
    namespace = start_ray(str(workdir / "ray"), "todo-chaos")
    prefix = "chaos-"
    backend = ChaosBackend(database_url, free_port(), workdir / "backend.log")
    stats = Stats()
    injector: Injector | None = None
    try:
        start_actors(actor_options(bus, database_url), prefix=prefix, namespace=namespace)
        took = backend.start()
        say(f"actors started; web backend on :{backend.port} ready in {took:.1f} s")
        wait_ready(prefix, namespace)
        clients = [Client(i, backend, engine, args.seed, stats) for i in range(args.clients)]
        for client in clients:
            client.register()
        faults = schedule(args.seed, args.mutations, args.rounds)
        say(
            f"{args.mutations} mutations from {args.clients} clients at ~{args.rate}/s; "
            f"{len(faults)} faults scheduled (seed {args.seed})"
        )
        injector = Injector(faults, stats, broker, backend, prefix, namespace)
        injector.start()
        errors: list[BaseException] = []
        share = [args.mutations // args.clients] * args.clients
        for i in range(args.mutations % args.clients):
            share[i] += 1
        interval = args.clients / args.rate

        def drive(client: Client, count: int) -> None:
            try:
                for _ in range(count):
                    began = time.monotonic()
                    client.step()
                    done = stats.tick()
                    if done % 100 == 0:
                        say(f"{done} mutations done")
                    time.sleep(max(0.0, interval - (time.monotonic() - began)))
            except BaseException as exc:
                errors.append(exc)
                say(f"client {client.index} failed: {exc!r}")

        threads = [
            threading.Thread(target=drive, args=(c, n), daemon=True)
            for c, n in zip(clients, share, strict=True)
        ]
        workload_began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        workload_s = time.monotonic() - workload_began
        injector.finished.wait(120)
        if errors or injector.error is not None:
            raise RuntimeError(f"the run failed: {errors or injector.error!r}")
        retried = sum((c.ledger.retried for c in clients), Counter())
        say(
            f"workload done in {workload_s:.1f} s; {sum(retried.values())} requests lost their "
            f"answer and were verified ({dict(retried)})"
        )
        last_reminder = max(
            (at for c in clients for ats in c.ledger.reminded.values() for at in ats),
            default=datetime.now(UTC),
        )
        # Let the last reminders come due, then wait for the pipeline to settle.
        deadline = time.monotonic() + args.settle
        say(f"waiting up to {args.settle:.0f} s for the pipeline to settle")
        dead_ids: set[tuple[str, str]] = set()
        letters: list[dict[str, Any]] = []
        while True:
            letters = read_dead_letters(bus)
            dead_ids = {
                (str((letter.get("event") or {}).get("id")), str(letter.get("consumer")))
                for letter in letters
            }
            table = check(engine, clients, dead_ids)
            if (settled(table) and datetime.now(UTC) > last_reminder) or (
                time.monotonic() > deadline
            ):
                break
            time.sleep(2)
        settle_s = args.settle - max(0.0, deadline - time.monotonic())
        say(f"checked after {settle_s:.1f} s of settling")
        handles = find_actors(tuple(ACTOR_KINDS), prefix, namespace)
        statuses = {}
        for kind, handle in handles.items():
            try:
                statuses[kind] = ray.get(handle.status.remote(), timeout=30) if handle else None
            except Exception as exc:  # reported, not fatal
                statuses[kind] = {"error": repr(exc)}
        print_table(table)
        recoveries = recovery_log_lines(workdir / "ray")
        print(
            "recoveries logged by the actors: "
            + ", ".join(f"{k}: {len(v)}" for k, v in recoveries.items())
        )
        violations = sum(entry["violations"] for entry in table)
        kinds = sum((c.ledger.kinds for c in clients), Counter())
        print(
            f"\nfaults injected: {len(injector.log)} "
            f"({dict(Counter(entry['target'] for entry in injector.log))}); "
            f"mutations: {dict(kinds)}; dead letters: {len(letters)}"
        )
        effects = [effect for c in clients for effect in c.ledger.shared.effects]
        shared = {
            "people": len(clients) * (1 + len(clients[0].members)),
            "mutations": len(effects),
            "kinds": dict(Counter(effect.kind for effect in effects)),
            "notifications": sum(len(effect.told) for effect in effects),
        }
        print(
            f"shared projects: {shared['mutations']} mutations by {shared['people']} people "
            f"({shared['kinds']}); {shared['notifications']} notifications expected"
        )
        print("violations:", violations, "(PASS)" if violations == 0 else "(FAIL)")
        path = write_results(
            "chaos",
            {
                "benchmark": "chaos",
                "date": datetime.now(UTC).isoformat(),
                "database": "sqlite" if args.sqlite else "postgresql",
                "seed": args.seed,
                "mutations": args.mutations,
                "clients": args.clients,
                "rate": args.rate,
                "workload_s": round(workload_s, 1),
                "settle_s": round(settle_s, 1),
                "mutation_kinds": dict(kinds),
                "shared": shared,
                "requests_without_answer": dict(retried),
                "found_applied_on_verify": dict(
                    sum((c.ledger.found_applied for c in clients), Counter())
                ),
                "faults": injector.log,
                "invariants": table,
                "violations": violations,
                "dead_letters": letters,
                "actor_status": statuses,
                "recoveries": recoveries,
                "notes": stats.notes[:200],
            },
        )
        say(f"wrote {path.relative_to(ROOT)}")
        return 0 if violations == 0 else 1
    finally:
        backend.stop()
        with contextlib.suppress(Exception):
            stop_actors(prefix=prefix, namespace=namespace, timeout=10)
        ray.shutdown()
        broker.stop()
        engine.dispose()


RECOVERY_MARKERS = {
    "consumer rewound a lost log": "reading again from the start",
    "relay republished a lost log": "broker lost its log",
    "recurrence sweep made a successor": "recurrence sweep created",
}


def recovery_log_lines(ray_dir: Path) -> dict[str, list[str]]:
    """Lines of the actors' logs (Ray's session logs) that show a recovery path taken."""
    found: dict[str, list[str]] = {name: [] for name in RECOVERY_MARKERS}
    for path in ray_dir.glob("**/session_2*/logs/worker-*"):  # not session_latest: a link
        with contextlib.suppress(OSError):
            for line in path.read_text(errors="replace").splitlines():
                for name, marker in RECOVERY_MARKERS.items():
                    if marker in line:
                        found[name].append(line.strip()[:300])
    return found


def wait_ready(prefix: str, namespace: str, timeout: float = 60.0) -> None:
    import ray

    from workers.actors import find_actors

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        handles = find_actors(tuple(ACTOR_KINDS), prefix, namespace)
        try:
            statuses = ray.get([h.status.remote() for h in handles.values() if h], timeout=10)
        except Exception:
            statuses = []
        if len(statuses) == len(ACTOR_KINDS) and all(
            s["consumer"]["lag"] is not None for s in statuses if "consumer" in s
        ):
            return
        time.sleep(0.3)
    raise RuntimeError("the worker consumers did not join their groups in time")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=4, help="concurrent users (threads)")
    parser.add_argument("--rate", type=float, default=15.0, help="mutations/s, all clients")
    parser.add_argument(
        "--rounds", type=int, default=2, help="fault rounds: broker x2, backend, each actor"
    )
    parser.add_argument("--settle", type=float, default=120.0, help="max seconds to settle")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead")
    parser.add_argument("--database-url", default=DEFAULT_ADMIN_URL, help="PostgreSQL admin URL")
    parser.add_argument(
        "--keep-database", action="store_true", help="keep the scratch PostgreSQL database"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    workdir = Path(tempfile.mkdtemp(prefix="chaos-", dir="/tmp"))
    try:
        admin_url = None if args.sqlite else args.database_url
        with scratch_database(admin_url, workdir, "todo_chaos", args.keep_database) as url:
            return run(args, url, workdir)
    except Exception as exc:
        say(f"FAILED: {exc!r}")
        return 2
    finally:
        if os.environ.get("CHAOS_KEEP_WORKDIR"):
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
