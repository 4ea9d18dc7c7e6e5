"""Emails the members app sends, each with a plain-text and an HTML part."""

import logging
import smtplib
from email.headerregistry import Address

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from members.models import EmailDelivery, Invitation, Question

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


def _address(name: str, email: str) -> str:
    """``Name <email>`` with the name quoted as the header needs it."""
    return str(Address(display_name=name, addr_spec=email))


def _question(delivery: EmailDelivery) -> Question:
    return Question.objects.select_related(
        "member__profile", "trainer__profile", "answered_by__profile", "exercise", "workout"
    ).get(pk=delivery.question_id)


def question_to_trainer(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """The question, who asked it and how their block is going; Reply-To the
    sender, so answering is one click on Reply."""
    from members.questions import sender_summary

    question = _question(delivery)
    return render_email(
        "members/email/question",
        {
            "question": question,
            "summary": sender_summary(question),
            "answer_url": settings.SITE_URL + reverse("trainer:question", args=[question.pk]),
            "member_url": settings.SITE_URL + reverse("trainer:member", args=[question.member_id])
            if question.member_id
            else "",
        },
        to=[delivery.to_email],
        reply_to=[_address(question.name, question.email)],
    )


def _answerer_address(question: Question) -> list[str]:
    trainer = question.answered_by or question.trainer
    if trainer:
        return [_address(trainer.display_name, trainer.email)]
    return [settings.CLUB_CONTACT_EMAIL]


def _to_sender(template: str, delivery: EmailDelivery) -> EmailMultiAlternatives:
    question = _question(delivery)
    return render_email(
        template,
        {
            "question": question,
            "questions_url": settings.SITE_URL + reverse("members:questions"),
        },
        to=[delivery.to_email],
        reply_to=_answerer_address(question),
    )


def question_receipt(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """That the question arrived and who will answer. It never repeats what
    the sender typed: the address may not be theirs."""
    return _to_sender("members/email/question_receipt", delivery)


def question_answer(delivery: EmailDelivery) -> EmailMultiAlternatives:
    return _to_sender("members/email/question_answer", delivery)
