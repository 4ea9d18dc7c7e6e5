"""Emails about a member's pain and their trainer's replies, queued in the
outbox in the caller's transaction: stored with the flag or note that needs
them, sent by the worker, retried while the mail server is down."""

from django.conf import settings

from members import outbox
from members.models import EmailDelivery, PainFlag, TrainerNote, User


def pain_alert(flag: PainFlag) -> None:
    """To the member's trainer, or to the club when they have none yet."""
    trainer = User.objects.filter(trainees__user=flag.member_id).only("email").first()
    outbox.queue(
        kind=EmailDelivery.Kind.PAIN_ALERT,
        key=f"pain:{flag.pk}:alert",
        to_email=trainer.email if trainer else settings.CLUB_CONTACT_EMAIL,
        recipient=trainer,
        pain_flag=flag,
    )


def pain_resolution(flag: PainFlag) -> None:
    """The trainer's note on a resolved flag, to the member."""
    member = User.objects.only("email").get(pk=flag.member_id)
    outbox.queue(
        kind=EmailDelivery.Kind.PAIN_RESOLVED,
        key=f"pain:{flag.pk}:resolved",
        to_email=member.email,
        recipient=member,
        pain_flag=flag,
    )


def trainer_note(note: TrainerNote) -> None:
    member = User.objects.only("email").get(assignments__trainer_notes=note)
    outbox.queue(
        kind=EmailDelivery.Kind.TRAINER_NOTE,
        key=f"note:{note.pk}",
        to_email=member.email,
        recipient=member,
        trainer_note=note,
    )
