"""Pain alerts, pain replies and trainer notes not yet emailed when they moved
onto the outbox get their outbox rows, so none is lost with its old task.
They are due from when they were written, so ``manage.py requeue_emails``
finds them stalled and sends them."""

from django.conf import settings
from django.db import migrations


def queue_unsent(apps, schema_editor):
    EmailDelivery = apps.get_model("members", "EmailDelivery")
    PainFlag = apps.get_model("members", "PainFlag")
    TrainerNote = apps.get_model("members", "TrainerNote")
    rows = []
    for flag in PainFlag.objects.filter(alert_sent_at__isnull=True).select_related(
        "member__profile__trainer"
    ):
        trainer = flag.member.profile.trainer if hasattr(flag.member, "profile") else None
        rows.append(
            EmailDelivery(
                kind="pain_alert",
                key=f"pain:{flag.pk}:alert",
                to_email=trainer.email if trainer else settings.CLUB_CONTACT_EMAIL,
                recipient=trainer,
                pain_flag=flag,
                next_attempt_at=flag.created_at,
            )
        )
    for flag in PainFlag.objects.filter(
        resolved_at__isnull=False, resolution_sent_at__isnull=True
    ).select_related("member"):
        rows.append(
            EmailDelivery(
                kind="pain_resolved",
                key=f"pain:{flag.pk}:resolved",
                to_email=flag.member.email,
                recipient=flag.member,
                pain_flag=flag,
                next_attempt_at=flag.resolved_at,
            )
        )
    for note in TrainerNote.objects.filter(sent_at__isnull=True).select_related(
        "assignment__member"
    ):
        member = note.assignment.member
        rows.append(
            EmailDelivery(
                kind="trainer_note",
                key=f"note:{note.pk}",
                to_email=member.email,
                recipient=member,
                trainer_note=note,
                next_attempt_at=note.created_at,
            )
        )
    EmailDelivery.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("members", "0008_pain_and_notes_in_outbox")]

    operations = [migrations.RunPython(queue_unsent, migrations.RunPython.noop)]
