"""The notifications worker: reminder.due, and what a change in a shared project tells the
people it concerns (assigned, mentioned, commented, shared, role, removed, joined) -> in-app
notifications (+ an email each when wanted), and the mail of an invitation (to an address
that may have no account yet, so it is sent whatever a user chose).

The in-app notification commits with the event's processed_events row (exactly once). An email
is never sent inside that transaction: the handler only marks the notification
"email_pending"; after the commit the mail job claims it (`email_claimed_until`, one
conditional UPDATE, so of several workers exactly one gets it), sends it and, in a further
transaction, replaces the marker with "email_sent" (or "email_failed" once retries are
exhausted). The claim is a lease of `mail_lease`, extended before each retry: a mailer that
crashed holding it leaves the email to be retried once the lease ran out. Only such a crash
between the send and the update sends an email twice, with a Message-ID derived from the
notification so mail clients can drop the duplicate. Pending emails are also picked up every
`mail_poll_interval` seconds, so a restart resumes them.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import event as sa_event
from sqlmodel import Session

from todo_app.bus import BusConfig, Event
from todo_app.config import Settings, get_settings, reveal
from todo_app.core.events import REMINDERS, TASK_EVENTS
from todo_app.db import session_scope
from todo_app.models import Notification, User
from todo_app.services import notifications
from workers.consumer import ConsumerStatus, EventConsumer
from workers.lifecycle import JobStatus, PeriodicJob, Worker
from workers.metrics import Readings

log = logging.getLogger(__name__)

GROUP = "notifications"
DEFAULT_MAIL_RETRY_DELAYS: tuple[float, ...] = (1.0, 5.0, 30.0)
# SMTP replies that no retry will change: the address or the message is refused.
_PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "todo@localhost"
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> SmtpConfig | None:
        """The SMTP_* settings, or None when SMTP_HOST is unset (in-app notifications only)."""
        settings = settings or get_settings()
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=reveal(settings.smtp_password),
            sender=settings.smtp_from,
        )


def build_email(sender: str, row: Notification, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = f"Reminder: {row.title}" if row.kind == "reminder" else row.title
    message["Message-ID"] = f"<notification-{row.id}@todo-app>"
    message.set_content(f"{row.title}\n\n{row.body}\n")
    return message


def _recipient(session: Session, row: Notification) -> str | None:
    """Who gets a notification's mail: its user, or the address it was made for."""
    if row.user_id is None:
        return row.email
    user = session.get(User, row.user_id)
    return user.email if user is not None else None


def send_email(config: SmtpConfig, message: EmailMessage) -> None:
    """Deliver one message; STARTTLS when the server offers it, AUTH when a user is set."""
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if config.user:
            smtp.login(config.user, config.password or "")
        smtp.send_message(message)


@dataclass(frozen=True)
class NotificationsStatus:
    consumer: ConsumerStatus
    job: JobStatus
    emails_sent: int
    emails_failed: int
    last_email_error: str | None

    def metrics(self) -> Readings:
        return self.consumer.metrics()


class NotificationsWorker(Worker):
    """Consumes `reminders` and `task-events` as group "notifications" and mails in a periodic
    job, once started.

    `smtp=None` reads SMTP_* settings; pass `mail=False` for in-app only.
    `consumer_options` go to EventConsumer (retry_delays, poll_timeout_ms, ...).
    """

    def __init__(
        self,
        *,
        bus: BusConfig | None = None,
        database_url: str | None = None,
        smtp: SmtpConfig | None = None,
        mail: bool = True,
        mail_retry_delays: Sequence[float] = DEFAULT_MAIL_RETRY_DELAYS,
        mail_poll_interval: float = 30.0,
        mail_max_age: timedelta = timedelta(days=1),
        mail_lease: timedelta = timedelta(minutes=5),
        **consumer_options: Any,
    ) -> None:
        self._database_url = database_url
        self._smtp = (smtp or SmtpConfig.from_settings()) if mail else None
        self._mail_retry_delays = tuple(mail_retry_delays)
        self._mail_max_age = mail_max_age
        self._mail_lease = mail_lease
        self._lock = threading.Lock()
        self._sent = 0
        self._failed = 0
        self._last_email_error: str | None = None
        self.consumer = EventConsumer(
            GROUP,
            [REMINDERS, TASK_EVENTS],
            self.handle,
            bus=bus,
            database_url=database_url,
            **consumer_options,
        )
        self._job = PeriodicJob("notifications-mail", self._mail_next, mail_poll_interval)
        super().__init__(self.consumer, self._job)

    def handle(self, session: Session, event: Event) -> None:
        data = dict(event.data)
        if event.type == "reminder.due":
            rows = [notifications.create_for_reminder(session, data)]
        else:
            rows = notifications.create_for_event(session, event.type, data)
        queued = False
        for row in rows:
            user = session.get(User, row.user_id) if row.user_id is not None else None
            # An invitation is mailed whatever the account (if any) chose: it is the link.
            wanted = row.kind == "invited" or (user is not None and user.email_notifications)
            if self._smtp is not None and wanted:
                notifications.queue_email(session, row)
                queued = True
        if queued:
            # Wake the mailer only once the notifications (and their markers) are committed.
            sa_event.listen(session, "after_commit", lambda _: self._job.wake(), once=True)

    def send_pending(self) -> int:
        """Send every queued email no other mailer holds; returns how many were sent."""
        if self._smtp is None:
            return 0
        since = datetime.now(UTC) - self._mail_max_age
        with session_scope(self._database_url) as session:
            batch = [
                (row, recipient)
                for row in notifications.pending_emails(session, since)
                if (recipient := _recipient(session, row)) is not None
            ]
        sent = 0
        for row, recipient in batch:
            if self._job.stopping:
                break
            claim = self._claim(row.id)
            if claim is None:
                continue
            message = build_email(self._smtp.sender, row, recipient)
            try:
                outcome = self._deliver(message, row.id, claim)
            except BaseException:
                # Stopping mid-retry: hand it back so the next pass need not wait for the lease.
                with session_scope(self._database_url) as session:
                    notifications.release_email(session, row.id, claim)
                raise
            if outcome is None:
                continue
            with session_scope(self._database_url) as session:
                notifications.settle_email(session, row.id, outcome)
            sent += outcome == notifications.EMAIL_SENT
        return sent

    def _claim(self, notification_id: uuid.UUID, held: datetime | None = None) -> datetime | None:
        """Claim (or, with `held`, extend our claim on) an email; the lease's end, or None."""
        until = datetime.now(UTC) + self._mail_lease
        with session_scope(self._database_url) as session:
            if held is None:
                claimed = notifications.claim_email(session, notification_id, until)
            else:
                claimed = notifications.extend_claim(session, notification_id, held, until)
        return until if claimed else None

    def _deliver(
        self, message: EmailMessage, notification_id: uuid.UUID, claim: datetime
    ) -> str | None:
        """Send with retries; EMAIL_SENT, EMAIL_FAILED (logged with the reason), or None when
        the claim was lost to another mailer before a retry."""
        assert self._smtp is not None
        attempt = 0
        while True:
            try:
                send_email(self._smtp, message)
            except (smtplib.SMTPException, OSError) as exc:
                attempt += 1
                self._note_email_error(f"email for notification {notification_id}: {exc!r}")
                permanent = isinstance(exc, _PERMANENT)
                if permanent or attempt > len(self._mail_retry_delays):
                    log.error("email for notification %s failed: %r", notification_id, exc)
                    with self._lock:
                        self._failed += 1
                    return notifications.EMAIL_FAILED
                if self._job.sleep(self._mail_retry_delays[attempt - 1]):
                    # Stopping: leave it pending for the next run rather than mark it failed.
                    raise
                renewed = self._claim(notification_id, held=claim)
                if renewed is None:
                    log.warning("email for notification %s: claim lost", notification_id)
                    return None
                claim = renewed
                continue
            with self._lock:
                self._sent += 1
            return notifications.EMAIL_SENT

    def _mail_next(self) -> None:
        self.send_pending()

    def _note_email_error(self, error: str) -> None:
        with self._lock:
            self._last_email_error = error

    def status(self) -> NotificationsStatus:
        with self._lock:
            return NotificationsStatus(
                consumer=self.consumer.status(),
                job=self._job.status(),
                emails_sent=self._sent,
                emails_failed=self._failed,
                last_email_error=self._last_email_error,
            )
