"""Email that must not be lost: stored as an ``EmailDelivery`` row first, sent
by the task worker, retried with backoff when the mail server fails, and left
visibly failed (for ``manage.py requeue_emails``) after the last try.

The outbox knows no feature. Each feature registers, for each kind of email
it queues, the function that builds the message from the stored row (and,
optionally, what to record once it went): see ``register``.

Django's tasks API has no retries of its own: each failed try enqueues the
next one with ``run_after``."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from members.models import EmailDelivery

logger = logging.getLogger(__name__)

# The waits after the 1st, 2nd, 3rd and 4th failed try: an outage of about
# two and a half hours is ridden out before the email is marked failed.
RETRY_DELAYS = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A queued email this long past its time has lost its task (or the worker was down).
STALLED_AFTER = dt.timedelta(minutes=15)


class NotNeeded(Exception):
    """Raised by a message builder when, by the time it is sent, the email has
    no reason left to go (the session was done, the block paused): the row is
    marked skipped with the reason, so the admin can say why nothing came."""


def subject(pk: int | None, what: str) -> int:
    """The id of the row an email of this kind is about. Every builder's kind
    names one; a delivery queued without it is a bug, raised (and retried)
    like any other failure to build."""
    if pk is None:
        raise ValueError(f"This email names no {what}.")
    return pk


Builder = Callable[[EmailDelivery], EmailMultiAlternatives]
SentHook = Callable[[EmailDelivery], None]


@dataclass(frozen=True)
class Kind:
    build: Builder
    sent: SentHook | None = None


_kinds: dict[str, Kind] = {}


def register(kind: str, *, build: Builder, sent: SentHook | None = None) -> None:
    """Say how an email of ``kind`` is built when it is sent, and what to
    record once it went (the pages say "emailed" from such stamps). Each
    feature's ``emails`` module registers its kinds when the app is ready."""
    if kind in _kinds and _kinds[kind] != Kind(build, sent):
        raise ImproperlyConfigured(f"Email kind {kind!r} is registered twice.")
    _kinds[kind] = Kind(build, sent)


def builder(kind: str) -> Builder:
    try:
        return _kinds[kind].build
    except KeyError:
        raise ImproperlyConfigured(f"No email builder is registered for {kind!r}.") from None


def queue(*, kind: str, key: str, to_email: str, **about) -> tuple[EmailDelivery, bool]:
    """Store an email for sending, once per ``key``, and enqueue its task;
    True when this call stored it.

    The task is enqueued in the caller's transaction: with the database
    backend the task row commits, or rolls back, with the email's row. Two
    callers racing for one key both reach the unique constraint: one inserts,
    the other finds its row, and only the first enqueues."""
    delivery, created = EmailDelivery.objects.get_or_create(
        key=key, defaults={"kind": kind, "to_email": to_email, **about}
    )
    if created:
        _enqueue(delivery.pk)
    return delivery, created


def _enqueue(delivery_id: int, *, run_after: dt.datetime | None = None) -> None:
    if run_after is None:
        deliver.enqueue(delivery_id)
    elif deliver.get_backend().supports_defer:
        deliver.using(run_after=run_after).enqueue(delivery_id)
    # A backend that cannot defer (tests run tasks in process) leaves the
    # retry to requeue_emails, which picks up queued emails past their time.


@task()
def deliver(delivery_id: int) -> str:
    """Send one stored email, unless it went already. The row stays locked
    while sending, so a second worker given the same email skips it."""
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, state=EmailDelivery.State.QUEUED)
            .first()
        )
        if delivery is None:
            return "nothing to send"
        try:
            builder(delivery.kind)(delivery).send()
        except NotNeeded as reason:
            delivery.state = EmailDelivery.State.SKIPPED
            delivery.skipped_because = str(reason)[:200]
            delivery.save(update_fields=["state", "skipped_because"])
            return "not needed"
        except Exception as error:  # Whatever the cause, record it and try again later.
            return _record_failure(delivery, error)
        delivery.state = EmailDelivery.State.SENT
        delivery.sent_at = timezone.now()
        delivery.attempts += 1
        delivery.save(update_fields=["state", "sent_at", "attempts"])
        if sent := _kinds[delivery.kind].sent:
            sent(delivery)
        return "sent"


def _record_failure(delivery: EmailDelivery, error: Exception) -> str:
    logger.warning("Could not send %s (try %d): %s", delivery, delivery.attempts + 1, error)
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:1000]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = EmailDelivery.State.FAILED
    else:
        delivery.next_attempt_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    return delivery.state


@transaction.atomic
def requeue(deliveries) -> int:
    """Send failed emails again from a fresh count of tries, and re-enqueue
    queued ones whose task was lost. Emails already sent, or no longer
    needed, are left alone."""
    now = timezone.now()
    # Lock the rows by id: a trainer's scope joins optional rows, which
    # PostgreSQL cannot lock.
    ids = list(
        EmailDelivery.objects.filter(
            pk__in=list(deliveries.values_list("pk", flat=True)),
            state__in=[EmailDelivery.State.QUEUED, EmailDelivery.State.FAILED],
        )
        .select_for_update()
        .values_list("pk", flat=True)
    )
    EmailDelivery.objects.filter(pk__in=ids, state=EmailDelivery.State.FAILED).update(
        state=EmailDelivery.State.QUEUED, attempts=0, next_attempt_at=now
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)
