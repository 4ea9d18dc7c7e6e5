"""Nudges: a reminder email on the morning of each planned session, and a
weekly digest for each trainer.

``manage.py send_nudges`` runs every few minutes (cron, or the compose file's
scheduler service) and queues what is due through the outbox, whose worker
sends it. Each nudge has a key naming its recipient and its session or week,
so however often, late or concurrently the command runs, it is queued once:

- a reminder is due from ``REMINDER_TIME`` on the club's clock on its
  session's day, and only that day: a run at 9:00 sends the 7:00 reminders,
  a run after midnight never sends yesterday's;
- a digest is due from ``DIGEST_TIME`` on ``DIGEST_DAY``, that day only.

Whether there is still a reason to send (the session not yet done, the block
still running, something to tell the trainer) is decided again when the
worker sends it: see ``members.mail.messages``."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.mail import outbox
from members.models import Assignment, EmailDelivery, PlannedSession, Profile, User
from members.models.access import TRAINERS_GROUP
from members.models.weekdays import WEEKDAY_NAMES

_UNSUBSCRIBE_SALT = "members.reminders-off"


@dataclass
class Queued:
    reminders: int = 0
    digests: int = 0


def reminder_key(session: PlannedSession) -> str:
    # The date is part of it: a session moved to another day (a paused block
    # resumed) is reminded of again on its new day.
    return f"reminder:{session.pk}:{session.date.isoformat()}"


def digest_key(trainer_id: int, day: dt.date) -> str:
    return f"digest:{trainer_id}:{day.isoformat()}"


def reminders_due(now: dt.datetime) -> list[PlannedSession]:
    """Today's sessions, on the club's clock, that want a reminder now: on a
    running block, not started, for a member who has not turned them off."""
    local = timezone.localtime(now)
    if local.time() < settings.REMINDER_TIME:
        return []
    return list(
        PlannedSession.objects.filter(
            date=local.date(),
            assignment__status=Assignment.Status.ACTIVE,
            assignment__member__is_active=True,
            workouts__isnull=True,
        )
        .exclude(assignment__member__profile__session_reminders=False)
        .select_related("assignment__member")
        .order_by("pk")
    )


def digest_day(now: dt.datetime) -> dt.date | None:
    """The day whose digest is due now, if one is."""
    local = timezone.localtime(now)
    weekday = WEEKDAY_NAMES[local.weekday()].lower()
    if weekday != settings.DIGEST_DAY or local.time() < settings.DIGEST_TIME:
        return None
    return local.date()


def digest_recipients():
    """Active trainers (and superusers, who see the whole club's dashboard)
    who have not turned the digest off."""
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=TRAINERS_GROUP))
        .exclude(profile__weekly_digest=False)
        .distinct()
        .order_by("pk")
    )


def _queue_new(wanted: dict[str, dict]) -> int:
    """Queue each email of ``wanted`` (key → its fields) not queued before;
    one transaction each, so one bad row cannot hold back the rest."""
    known = set(EmailDelivery.objects.filter(key__in=wanted).values_list("key", flat=True))
    queued = 0
    for key, fields in wanted.items():
        if key in known:
            continue
        with transaction.atomic():
            _, created = outbox.queue(key=key, **fields)
        queued += created
    return queued


def queue_due(now: dt.datetime | None = None) -> Queued:
    """Queue every reminder and digest due at ``now`` that is not queued yet."""
    now = now or timezone.now()
    reminders = {
        reminder_key(session): {
            "kind": EmailDelivery.Kind.REMINDER,
            "to_email": session.assignment.member.email,
            "recipient": session.assignment.member,
            "planned_session": session,
        }
        for session in reminders_due(now)
    }
    digests: dict[str, dict] = {}
    if day := digest_day(now):
        digests = {
            digest_key(trainer.pk, day): {
                "kind": EmailDelivery.Kind.DIGEST,
                "to_email": trainer.email,
                "recipient": trainer,
            }
            for trainer in digest_recipients()
        }
    return Queued(reminders=_queue_new(reminders), digests=_queue_new(digests))


def _signer() -> signing.Signer:
    return signing.Signer(salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(member: User) -> str:
    """The secret in a member's link that turns their reminders off: their id,
    signed with the site's key, so it names one member and cannot be made
    for another. The same in every reminder."""
    return _signer().sign(str(member.pk))


def member_for_token(token: str) -> User | None:
    try:
        pk = _signer().unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return User.objects.filter(pk=int(pk), is_active=True).select_related("profile").first()


def set_reminders(member: User, on: bool) -> None:
    profile = Profile.objects.for_user(member)
    if profile.session_reminders != on:
        profile.session_reminders = on
        profile.save(update_fields=["session_reminders"])
