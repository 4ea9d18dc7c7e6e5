"""The invitation email, sent while the trainer waits (not through the outbox)."""

from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.urls import reverse

from members.mail.messages import render_email
from members.models import (
    Invitation,
)


def invitation_message(
    *, invitation: Invitation, token: str, request: HttpRequest
) -> EmailMultiAlternatives:
    trainer = invitation.invited_by
    return render_email(
        "members/email/invitation",
        {
            "member": invitation.member,
            "trainer": trainer,
            "invitation": invitation,
            "link": request.build_absolute_uri(reverse("invitation", kwargs={"token": token})),
        },
        to=[invitation.member.email],
        reply_to=[trainer.email] if trainer else None,
    )
