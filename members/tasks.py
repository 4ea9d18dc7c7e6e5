"""Background work, run by the django-tasks-db worker (`manage.py db_worker`)."""

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from members.emails import render_email


@task()
def send_pain_alert(flag_id: int) -> None:
    """Email the member's trainer (or the club) that pain was reported. Sent
    once: a flag whose alert went already is skipped."""
    from members.models import PainFlag

    flag = (
        PainFlag.objects.select_related("member__profile__trainer", "exercise", "workout__routine")
        .filter(pk=flag_id, alert_sent_at__isnull=True)
        .first()
    )
    if flag is None:
        return
    trainer = flag.member.profile.trainer
    message = render_email(
        "members/email/pain_alert",
        {
            "flag": flag,
            "member": flag.member,
            "trainer": trainer,
            "site_url": settings.SITE_URL,
            "admin_path": reverse("admin:members_painflag_change", args=[flag.pk]),
        },
        to=[trainer.email if trainer else settings.CLUB_CONTACT_EMAIL],
        reply_to=[flag.member.email],
    )
    message.send()
    PainFlag.objects.filter(pk=flag.pk).update(alert_sent_at=timezone.now())


@task()
def send_pain_resolution(flag_id: int) -> None:
    """Email the member the trainer's note on a resolved pain flag, once."""
    from members.models import PainFlag

    flag = (
        PainFlag.objects.select_related("member__profile", "resolved_by__profile", "exercise")
        .filter(pk=flag_id, resolved_at__isnull=False, resolution_sent_at__isnull=True)
        .first()
    )
    if flag is None:
        return
    trainer = flag.resolved_by
    render_email(
        "members/email/pain_resolved",
        {"flag": flag, "member": flag.member, "trainer": trainer, "site_url": settings.SITE_URL},
        to=[flag.member.email],
        reply_to=[trainer.email] if trainer else None,
    ).send()
    PainFlag.objects.filter(pk=flag.pk).update(resolution_sent_at=timezone.now())


@task()
def send_trainer_note(note_id: int) -> None:
    """Email the member a note their trainer wrote, once."""
    from members.models import TrainerNote

    note = (
        TrainerNote.objects.select_related(
            "assignment__member__profile", "assignment__routine", "author__profile", "workout"
        )
        .filter(pk=note_id, sent_at__isnull=True)
        .first()
    )
    if note is None:
        return
    member, trainer = note.assignment.member, note.author
    render_email(
        "members/email/trainer_note",
        {"note": note, "member": member, "trainer": trainer, "site_url": settings.SITE_URL},
        to=[member.email],
        reply_to=[trainer.email] if trainer else None,
    ).send()
    TrainerNote.objects.filter(pk=note.pk).update(sent_at=timezone.now())
