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
