"""Session reminders to members and the weekly digest to trainers, registered
with the outbox."""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from members.coaching.attention import needing_attention, reviews_with_reasons
from members.mail import outbox
from members.mail.messages import address, link, render_email, wants
from members.mail.outbox import NotNeeded
from members.models import (
    Assignment,
    EmailDelivery,
    KnobSetting,
    PlannedSession,
    Question,
    Workout,
)
from members.nudges.services import unsubscribe_token
from members.outcomes.services import open_check_in
from routines.personal import guide_steps, overrides_for


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

    # A deleted session leaves its reminder behind, naming none.
    if delivery.planned_session_id is None:
        raise NotNeeded("The session no longer exists.")
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
    if not wants(member, "session_reminders"):
        raise NotNeeded("The member turned reminders off.")
    last_workout, knobs = _last_time(member.pk, session.date)
    today = timezone.localdate()
    check_in = open_check_in(
        assignment, assignment.progress(today), list(assignment.check_ins.all()), today
    )
    unsubscribe_url = link("reminders_off", unsubscribe_token(member))
    return render_email(
        "members/email/reminder",
        {
            "member": member,
            "session": session,
            "assignment": assignment,
            "routine": assignment.routine,
            "trainer": trainer,
            "total": assignment.planned_sessions.count(),
            "steps": guide_steps(
                assignment.routine, overrides_for(member, assignment.routine), details=False
            ),
            "last_workout": last_workout,
            "knobs": knobs,
            "start_url": link("members:home"),
            "check_in": check_in,
            "check_in_url": link("members:check_in"),
            "settings_url": link("members:settings"),
            "unsubscribe_url": unsubscribe_url,
        },
        to=[delivery.to_email],
        reply_to=[address(trainer.display_name, trainer.email)],
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

    trainer = delivery.recipient
    if trainer is None or not trainer.is_active:
        raise NotNeeded("The trainer's account is gone or inactive.")
    if not wants(trainer, "weekly_digest"):
        raise NotNeeded("The trainer turned the digest off.")
    reviews = reviews_with_reasons(Assignment.objects.current().for_trainer(trainer))
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
        review.url = link("trainer:member", review.member.pk, anchor=anchor)
    return render_email(
        "members/email/digest",
        {
            "trainer": trainer,
            "today": timezone.localdate(),
            "attention": attention,
            "ending": ending,
            "waiting_questions": Question.objects.for_trainer(trainer).waiting().count(),
            "dashboard_url": link("trainer:dashboard"),
            "inbox_url": link("trainer:questions"),
            "settings_url": link("members:settings"),
            "digest_day": settings.DIGEST_DAY.capitalize(),
        },
        to=[delivery.to_email],
    )


outbox.register(EmailDelivery.Kind.REMINDER, build=session_reminder)
outbox.register(EmailDelivery.Kind.DIGEST, build=trainer_digest)
