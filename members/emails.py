"""Emails the members app sends, each with a plain-text and an HTML part."""

import datetime as dt
import logging
import smtplib
from email.headerregistry import Address

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from members.models import (
    Assignment,
    EmailDelivery,
    Invitation,
    KnobSetting,
    PainFlag,
    PlannedSession,
    Question,
    TrainerNote,
    User,
    Workout,
)
from members.outbox import NotNeeded

logger = logging.getLogger(__name__)


def render_email(
    template: str,
    context: dict,
    *,
    to: list[str],
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
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
        headers=headers,
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


def hand_over_messages(
    *, member: User, former: User | None, new: User
) -> list[EmailMultiAlternatives]:
    """The member, their new trainer and the former one each hear of a hand-over."""
    context = {"member": member, "former": former, "new": new}
    messages = [
        render_email(
            "members/email/hand_over_member",
            {**context, "today_url": _link("members:home")},
            to=[member.email],
            reply_to=[_address(new.display_name, new.email)],
        )
    ]
    for trainer in (new, former):
        if trainer is not None:
            member_url = _link("trainer:member", member.pk) if trainer == new else ""
            messages.append(
                render_email(
                    "members/email/hand_over_trainer",
                    {**context, "member_url": member_url},
                    to=[trainer.email],
                )
            )
    return messages


def _address(name: str, email: str) -> str:
    """``Name <email>`` with the name quoted as the header needs it, on one
    line: a line break in a name would make the whole email unsendable."""
    return str(Address(display_name=" ".join(name.split()), addr_spec=email))


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
            "answer_url": _link("trainer:question", question.pk),
            "member_url": _link("trainer:member", question.member_id)
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
            "questions_url": _link("members:questions"),
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


def _link(name: str, *args, anchor: str = "") -> str:
    """An address on this site for the page where the reader acts; the worker
    has no request, so the host comes from ``SITE_URL``."""
    return settings.SITE_URL + reverse(name, args=args) + (f"#{anchor}" if anchor else "")


def _wants(user, preference: str) -> bool:
    # An account without a profile has the defaults: everything on.
    profile = getattr(user, "profile", None)
    return profile is None or getattr(profile, preference)


def _last_time(member_id: int, before: dt.date) -> tuple[Workout | None, list[KnobSetting]]:
    """The member's last finished workout before ``before`` and where each
    knob was set in it: “Feet distance from wall 14 in”."""
    workout = (
        Workout.objects.filter(member=member_id, finished_at__isnull=False, date__lt=before)
        .order_by("-started_at")
        .first()
    )
    if workout is None:
        return None, []
    knobs = workout.knob_settings.select_related("knob", "exercise").in_routine_order()
    return workout, list(knobs)


def session_reminder(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """What is due today: the routine, “session 3 of 8”, where the knobs were
    last time, a link to start and a one-click link to stop these emails.

    Checked again at sending: a session done, moved or on a block no longer
    running since it was queued is not reminded of."""
    from members.nudges import unsubscribe_token
    from members.overrides import overrides_for

    session = (
        PlannedSession.objects.select_related(
            "assignment__routine",
            "assignment__member__profile__trainer__profile",
            "assignment__trainer__profile",
        )
        .filter(pk=delivery.planned_session_id)
        .first()
    )
    if session is None:
        raise NotNeeded("The session no longer exists.")
    assignment, member = session.assignment, session.assignment.member
    if session.date != timezone.localdate():
        raise NotNeeded(f"The session moved to {session.date:%a %b %-d}, or its day passed.")
    if assignment.status != Assignment.Status.ACTIVE:
        raise NotNeeded(f"The block is {assignment.get_status_display().lower()}.")
    if session.workouts.exists():
        raise NotNeeded("The member had already started the session.")
    if not member.is_active:
        raise NotNeeded("The member's account is inactive.")
    # Replies go to who trains the member now: after a hand-over mid-block that
    # is no longer the trainer who assigned the block.
    trainer = member.profile.trainer or assignment.trainer
    if not _wants(member, "session_reminders"):
        raise NotNeeded("The member turned reminders off.")
    last_workout, knobs = _last_time(member.pk, session.date)
    unsubscribe_url = _link("reminders_off", unsubscribe_token(member))
    return render_email(
        "members/email/reminder",
        {
            "member": member,
            "session": session,
            "assignment": assignment,
            "routine": assignment.routine,
            "trainer": trainer,
            "total": assignment.planned_sessions.count(),
            "steps": assignment.routine.guide_steps(
                overrides_for(member, assignment.routine), details=False
            ),
            "last_workout": last_workout,
            "knobs": knobs,
            "start_url": _link("members:home"),
            "settings_url": _link("members:settings"),
            "unsubscribe_url": unsubscribe_url,
        },
        to=[delivery.to_email],
        reply_to=[_address(trainer.display_name, trainer.email)],
        headers={
            # One-click unsubscribe from the mail app's own button (RFC 8058).
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def trainer_digest(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """The week ahead for one trainer: who needs them and why (the dashboard's
    reasons, in its order) and the blocks ending this week. Not sent when
    there is nothing to say."""
    from members.review import needing_attention, review_blocks

    trainer = delivery.recipient
    if trainer is None or not trainer.is_active:
        raise NotNeeded("The trainer's account is gone or inactive.")
    if not _wants(trainer, "weekly_digest"):
        raise NotNeeded("The trainer turned the digest off.")
    reviews = review_blocks(Assignment.objects.current().for_trainer(trainer))
    attention = needing_attention(reviews)
    ending = sorted(
        (r for r in reviews if r.ends_this_week),
        key=lambda r: (r.end_date, r.member.display_name.lower()),
    )
    if not attention and not ending:
        raise NotNeeded("Nobody needed attention and no block ends this week.")
    for review in reviews:
        # Open pain is what the trainer acts on first: land on the pain reports.
        anchor = "pain-title" if review.has_pain else ""
        review.url = _link("trainer:member", review.member.pk, anchor=anchor)
    return render_email(
        "members/email/digest",
        {
            "trainer": trainer,
            "today": timezone.localdate(),
            "attention": attention,
            "ending": ending,
            "waiting_questions": Question.objects.for_trainer(trainer).waiting().count(),
            "dashboard_url": _link("trainer:dashboard"),
            "inbox_url": _link("trainer:questions"),
            "settings_url": _link("members:settings"),
            "digest_day": settings.DIGEST_DAY.capitalize(),
        },
        to=[delivery.to_email],
    )


def pain_alert(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """A member reported pain: to their trainer (or the club), Reply-To the
    member, with a link to the member's pain reports, where the trainer
    resolves the flag and writes back (the admin has no such form)."""
    flag = PainFlag.objects.select_related(
        "member__profile__trainer", "exercise", "workout__routine"
    ).get(pk=delivery.pain_flag_id)
    return render_email(
        "members/email/pain_alert",
        {
            "flag": flag,
            "member": flag.member,
            "trainer": flag.member.profile.trainer,
            "flag_url": _link("trainer:member", flag.member_id, anchor="pain-title"),
        },
        to=[delivery.to_email],
        reply_to=[flag.member.email],
    )


def pain_resolution(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """The trainer's note on a resolved pain flag, to the member, who also
    finds it on Today and on that session in History."""
    flag = PainFlag.objects.select_related(
        "member__profile", "resolved_by__profile", "exercise"
    ).get(pk=delivery.pain_flag_id)
    trainer = flag.resolved_by
    return render_email(
        "members/email/pain_resolved",
        {
            "flag": flag,
            "member": flag.member,
            "trainer": trainer,
            "today_url": _link("members:home"),
        },
        to=[delivery.to_email],
        reply_to=[trainer.email] if trainer else None,
    )


def trainer_note(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """A note the trainer wrote on the member's block or one session."""
    note = TrainerNote.objects.select_related(
        "assignment__member__profile", "assignment__routine", "author__profile", "workout"
    ).get(pk=delivery.trainer_note_id)
    trainer = note.author
    return render_email(
        "members/email/trainer_note",
        {
            "note": note,
            "member": note.assignment.member,
            "trainer": trainer,
            "today_url": _link("members:home"),
            "history_url": _link("members:history"),
        },
        to=[delivery.to_email],
        reply_to=[trainer.email] if trainer else None,
    )
