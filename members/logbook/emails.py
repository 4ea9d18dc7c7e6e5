"""The pain alert to the member's trainer, queued in the outbox in the
caller's transaction: stored with the flag, sent by the worker, retried
while the mail server is down."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from clubsite import kept_pages
from members.mail import outbox
from members.mail.messages import link, render_email, wants
from members.models import (
    EmailDelivery,
    PainFlag,
    User,
)


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


def pain_alert_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """A member reported pain: to their trainer (or the club), Reply-To the
    member, with a link to the member's pain reports, where the trainer
    resolves the flag and writes back (the admin has no such form)."""
    flag = PainFlag.objects.select_related(
        "member__profile__trainer", "exercise", "workout__routine"
    ).get(pk=outbox.subject(delivery.pain_flag_id, "pain flag"))
    if delivery.recipient is not None and not wants(delivery.recipient, "pain_alerts"):
        raise outbox.NotNeeded(
            "The trainer reads pain reports on the dashboard and in the digest, "
            "not by email at once."
        )
    return render_email(
        "members/email/pain_alert",
        {
            "flag": flag,
            "member": flag.member,
            "trainer": flag.member.profile.trainer,
            "flag_url": link("trainer:member", flag.member_id, anchor="pain-title"),
        },
        to=[delivery.to_email],
        reply_to=[flag.member.email],
    )


def _alert_sent(delivery: EmailDelivery) -> None:
    """The pages say "emailed" from this time, kept beside the flag."""
    if (pk := delivery.pain_flag_id) is not None:
        flag = PainFlag.objects.filter(pk=pk)
        flag.update(alert_sent_at=delivery.sent_at)
        kept_pages.member_changed(flag.values_list("member_id", flat=True))


outbox.register(EmailDelivery.Kind.PAIN_ALERT, build=pain_alert_message, sent=_alert_sent)
