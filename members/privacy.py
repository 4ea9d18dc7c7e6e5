"""A member's own data: everything the club keeps about them, to download, and
their account's deletion.

Deleting an account removes the person: their name, email, sign-in, what they
wrote and what was written to them. What they did stays, unnamed: the blocks,
sessions, sets and pain levels of a former member still count in their
trainer's totals (sessions done with them, a routine's use), and nowhere show
who it was."""

import secrets
from collections.abc import Iterator

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from members.models import (
    Assignment,
    EmailDelivery,
    Invitation,
    PainFlag,
    Profile,
    Question,
    SetLog,
    StepOverride,
    TrainerNote,
    User,
    Workout,
)
from members.spreadsheets import amount

FORMER_MEMBER = "Former member"
SET_COLUMNS = [
    "date",
    "routine",
    "session",
    "exercise",
    "side",
    "set",
    "target",
    "done",
    "knobs",
    "logged at",
]


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


def export(user: User) -> dict:
    """Everything kept about ``user``, in plain words and ISO dates."""
    profile = Profile.objects.select_related("trainer__profile").filter(user=user).first()
    workouts = (
        Workout.objects.filter(member=user)
        .select_related("routine", "planned_session")
        .prefetch_related("set_logs__exercise", "knob_settings__knob", "knob_settings__exercise")
        .order_by("started_at")
    )
    return {
        "account": {
            "email": user.email,
            "name": user.display_name,
            "joined": _when(user.date_joined),
            "last_sign_in": _when(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "settings": {
            "weaker_side": profile.get_weaker_side_display() if profile else None,
            "units": profile.get_units_display() if profile else None,
            "trainer": profile.trainer.display_name if profile and profile.trainer else None,
            "zero_pain_rule_accepted": _when(profile.zero_pain_accepted_at) if profile else None,
            "session_reminders": profile.session_reminders if profile else None,
            "calendar_feed": bool(profile and profile.calendar_token),
        },
        "blocks": [
            {
                "routine": block.routine.title,
                "trainer": block.trainer.display_name,
                "start_date": block.start_date,
                "weeks": block.weeks,
                "weekdays": block.weekdays_text,
                "status": block.get_status_display(),
                "sessions": [
                    {"number": session.number, "week": session.week, "date": session.date}
                    for session in block.planned_sessions.all()
                ],
                "notes_from_your_trainer": [
                    {"written": _when(note.created_at), "text": note.text}
                    for note in block.trainer_notes.all()
                ],
            }
            for block in Assignment.objects.filter(member=user)
            .select_related("routine", "trainer__profile")
            .prefetch_related("planned_sessions", "trainer_notes")
            .order_by("start_date")
        ],
        "workouts": [
            {
                "date": workout.date,
                "routine": workout.routine.title,
                "session": workout.planned_session.number if workout.planned_session else None,
                "started": _when(workout.started_at),
                "finished": _when(workout.finished_at),
                "complete": workout.is_complete,
                "pain_before": workout.pain_before,
                "how_it_felt": workout.get_feeling_display(),
                "note_to_your_trainer": workout.note,
                "sets": [
                    {
                        "exercise": log.exercise.name,
                        "set": log.set_number,
                        "side": log.get_side_display(),
                        "target": amount(log.target_reps, log.target_seconds),
                        "done": amount(log.reps, log.seconds),
                        "knobs": log.knobs,
                        "logged": _when(log.logged_at),
                    }
                    for log in workout.set_logs.all()
                ],
                "adjustments": [
                    {
                        "exercise": setting.exercise.name,
                        "knob": setting.knob.label,
                        "value": setting.value,
                        "level": setting.level,
                        "unit": setting.unit,
                        "changed": _when(setting.changed_at),
                    }
                    for setting in workout.knob_settings.all()
                ],
            }
            for workout in workouts
        ],
        "pain_reports": [
            {
                "reported": _when(flag.created_at),
                "level": flag.level,
                "exercise": flag.exercise.name if flag.exercise else None,
                "note": flag.note,
                "status": flag.get_status_display(),
                "trainer_reply": flag.resolution_note,
            }
            for flag in PainFlag.objects.filter(member=user)
            .select_related("exercise")
            .order_by("created_at")
        ],
        "changes_your_trainer_made": [
            {
                "exercise": override.step.exercise.name,
                "sets": override.sets,
                "reps": override.reps,
                "seconds": override.duration_seconds,
                "knob": override.knob.label if override.knob else None,
                "knob_value": override.knob_value,
                "knob_level": override.knob_level,
                "note": override.note,
            }
            for override in StepOverride.objects.filter(member=user).select_related(
                "step__exercise", "knob"
            )
        ],
        "questions": [
            {
                "asked": _when(question.created_at),
                "subject": question.subject,
                "message": question.message,
                "status": question.get_status_display(),
                "answer": question.answer,
                "answered": _when(question.answered_at),
            }
            for question in Question.objects.filter(member=user).order_by("created_at")
        ],
        "emails_sent_to_you": [
            {
                "kind": delivery.get_kind_display(),
                "to": delivery.to_email,
                "state": delivery.get_state_display(),
                "sent": _when(delivery.sent_at),
            }
            for delivery in EmailDelivery.objects.filter(recipient=user).order_by("created_at")
        ],
    }


def set_rows(user: User) -> Iterator[list]:
    """The member's sets, one row each, oldest first, headed by ``SET_COLUMNS``."""
    yield SET_COLUMNS
    logs = (
        SetLog.objects.filter(workout__member=user)
        .select_related("workout__routine", "workout__planned_session", "exercise")
        .order_by("workout__started_at", "step__order", "set_number", "side")
    )
    for log in logs.iterator(chunk_size=2000):
        workout = log.workout
        yield [
            workout.date.isoformat(),
            workout.routine.title,
            workout.planned_session.number if workout.planned_session else "extra",
            log.exercise.name,
            log.side,
            log.set_number,
            amount(log.target_reps, log.target_seconds),
            amount(log.reps, log.seconds),
            "; ".join(f"{label}: {value}" for label, value in log.knobs.items()),
            _when(log.logged_at),
        ]


@transaction.atomic
def forget(user: User) -> None:
    """Delete the member's account: who they were and every word by or to them
    goes; what they did stays under an unnamed, closed account."""
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    # Words by or to the member, and the emails that carried them.
    Question.objects.filter(member=user).delete()
    TrainerNote.objects.filter(assignment__member=user).delete()
    EmailDelivery.objects.filter(recipient=user).delete()
    Invitation.objects.filter(member=user).delete()
    Workout.objects.filter(member=user).update(note="")
    PainFlag.objects.filter(member=user).update(note="", resolution_note="")
    StepOverride.objects.filter(member=user).update(note="")
    Assignment.objects.filter(member=user).update(notes="")
    # A block still running ends today.
    Assignment.objects.current().filter(member=user).update(
        status=Assignment.Status.ENDED_EARLY, ended_on=timezone.localdate(), updated_at=now
    )
    EmailAddress.objects.filter(user=user).delete()
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": FORMER_MEMBER,
            "calendar_token": None,
            "session_reminders": False,
            "weekly_digest": False,
            "forgotten_at": now,
        },
    )
    user.email = f"former-{secrets.token_hex(8)}@deleted.invalid"
    # A new password hash signs the account out of every session it had.
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.save(update_fields=["email", "password", "is_active", "last_login"])
