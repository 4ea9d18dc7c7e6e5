"""Emails the members app sends, each with a plain-text and an HTML part."""

import logging
import smtplib

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from members.models import Invitation

logger = logging.getLogger(__name__)


def render_email(
    template: str, context: dict, *, to: list[str], reply_to: list[str] | None = None
) -> EmailMultiAlternatives:
    """``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html`` as one
    message. The text templates turn autoescaping off; the HTML one keeps it."""
    context = {"CLUB_NAME": settings.CLUB_NAME, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=to,
        reply_to=reply_to or [],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


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


def send_all(messages: list[EmailMultiAlternatives]) -> bool:
    """Send over one connection; False (and a log line) when the mail server
    refuses, so the caller can say so instead of failing the request."""
    if not messages:
        return True
    try:
        with mail.mailers.default as connection:
            connection.send_messages(messages)
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send %d email(s)", len(messages))
        return False
    return True
