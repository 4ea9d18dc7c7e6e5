"""A member's own data: everything the club keeps about them, to download, and
their account's deletion.

Deleting an account removes the person: their name, email, sign-in, what they
wrote and what was written to them. What they did stays, unnamed: the blocks,
sessions, sets and pain levels of a former member still count in their
trainer's totals (sessions done with them, a routine's use), and nowhere show
who it was."""

import json
import re
import secrets
from collections.abc import Iterator
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from members import models
from members.outcomes.services import check_ins_for_download
from members.web.downloads import amount, set_cells

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


def export(user: models.User) -> dict:
    """Everything kept about ``user``, in plain words and ISO dates."""
    profile = models.Profile.objects.select_related("trainer__profile").filter(user=user).first()
    workouts = (
        models.Workout.objects.filter(member=user)
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
            for block in models.Assignment.objects.filter(member=user)
            .select_related("routine", "trainer__profile")
            .prefetch_related("planned_sessions", "trainer_notes")
            .order_by("start_date")
        ],
        "workouts": [
            {
                "date": workout.date,
                "routine": workout.routine.title if workout.routine else "",
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
        "check_ins": check_ins_for_download(user),
        "pain_reports": [
            {
                "reported": _when(flag.created_at),
                "level": flag.level,
                "exercise": flag.exercise.name if flag.exercise else None,
                "note": flag.note,
                "status": flag.get_status_display(),
                "trainer_reply": flag.resolution_note,
            }
            for flag in models.PainFlag.objects.filter(member=user)
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
            for override in models.StepOverride.objects.filter(member=user).select_related(
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
                "replies": [
                    {
                        "from": "trainer" if reply.from_trainer else "you",
                        "written": _when(reply.created_at),
                        "text": reply.text,
                    }
                    for reply in question.replies.all()
                ],
            }
            for question in models.Question.objects.filter(member=user)
            .prefetch_related("replies")
            .order_by("created_at")
        ],
        "emails_sent_to_you": [
            {
                "kind": delivery.get_kind_display(),
                "to": delivery.to_email,
                "state": delivery.get_state_display(),
                "sent": _when(delivery.sent_at),
            }
            for delivery in models.EmailDelivery.objects.filter(recipient=user).order_by(
                "created_at"
            )
        ],
        # Kept 14 days, so that an action the phone sends again is not done twice.
        "actions_your_phone_sent_with_a_key": [
            {
                "key": action.key,
                "action": f"{action.method} {action.path}",
                "answer": action.status,
                "when": _when(action.created_at),
            }
            for action in models.ActionKey.objects.filter(user=user).order_by("created_at")
        ],
    }


def set_rows(user: models.User) -> Iterator[list]:
    """The member's sets, one row each, oldest first, headed by ``SET_COLUMNS``."""
    yield SET_COLUMNS
    logs = (
        models.SetLog.objects.filter(workout__member=user)
        .select_related("workout__routine", "workout__planned_session", "exercise")
        .order_by("workout__started_at", "step__order", "set_number", "side")
    )
    for log in logs.iterator(chunk_size=2000):
        workout = log.workout
        yield [
            workout.date.isoformat(),
            workout.routine.title if workout.routine else "",
            workout.planned_session.number if workout.planned_session else "extra",
            *set_cells(log),
            _when(log.logged_at),
        ]


@transaction.atomic
def forget(user: models.User) -> None:
    """Delete the member's account: who they were and every word by or to them
    goes; what they did stays under an unnamed, closed account."""
    user = models.User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    # Only addresses the account proved it reads: an address typed into the
    # account but never confirmed may be a stranger's, whose questions and
    # emails are not this account's to delete.
    addresses = _proven_addresses(user)
    # Questions asked while signed out, from one of their addresses, are theirs too.
    their_questions = models.Question.objects.filter(
        Q(member=user) | (Q(member=None) & _iexact_any("email", addresses))
    )
    names = {user.display_name, *their_questions.values_list("name", flat=True)}
    # Before the rows go: which admin log entries are about them.
    _scrub_admin_log(user, questions=their_questions, addresses=addresses, names=names)
    # Words by or to the member, and the emails that carried them.
    their_questions.delete()
    models.TrainerNote.objects.filter(assignment__member=user).delete()
    models.EmailDelivery.objects.filter(
        Q(recipient=user) | _iexact_any("to_email", addresses)
    ).delete()
    models.Invitation.objects.filter(member=user).delete()
    # The answers kept for the phone's keys are pages: they may quote a note.
    models.ActionKey.objects.filter(user=user).delete()
    models.Workout.objects.filter(member=user).update(note="")
    _scrub_prescriptions(user)
    models.PainFlag.objects.filter(member=user).update(note="", resolution_note="")
    models.StepOverride.objects.filter(member=user).update(note="")
    models.Assignment.objects.filter(member=user).update(notes="")
    # The activities were named in the member's words; their scores stay, unnamed.
    models.Activity.objects.filter(assignment__member=user).update(name="")
    # The dashboard's kept standings quote a question's subject and the activities.
    models.BlockStanding.objects.filter(assignment__member=user).delete()
    # A block still running ends today.
    models.Assignment.objects.current().filter(member=user).update(
        status=models.Assignment.Status.ENDED_EARLY, ended_on=timezone.localdate(), updated_at=now
    )
    EmailAddress.objects.filter(user=user).delete()
    models.Profile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": FORMER_MEMBER,
            "calendar_token": None,
            "session_reminders": False,
            "weekly_digest": False,
            "pain_alerts": False,
            "question_emails": False,
            "bio": "",
            "photo": "",
            "forgotten_at": now,
        },
    )
    _end_sessions(user, addresses=addresses)
    user.email = f"former-{secrets.token_hex(8)}@deleted.invalid"
    # A new password hash signs the account out of every session it had.
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.save(update_fields=["email", "password", "is_active", "last_login"])


def _proven_addresses(user: models.User) -> list[str]:
    verified = EmailAddress.objects.filter(user=user, verified=True)
    return sorted(
        {user.email.lower(), *(e.lower() for e in verified.values_list("email", flat=True))}
    )


def _iexact_any(field: str, values) -> Q:
    condition = Q(pk__in=[])
    for value in values:
        condition |= Q(**{f"{field}__iexact": value})
    return condition


def _scrub_prescriptions(user: models.User) -> None:
    """A workout's copy of the prescription carries the trainer's note on the
    member's own numbers (``override_note``): the copy goes with the original."""
    workouts = list(models.Workout.objects.filter(member=user).only("pk", "prescription"))
    for workout in workouts:
        for main in workout.prescription.get("steps", []):
            for step in [main, *main.get("options", [])]:
                if step.get("override_note"):
                    step["override_note"] = ""
    models.Workout.objects.bulk_update(workouts, ["prescription"], batch_size=500)


def _rows_about(user: models.User, *, questions) -> list[QuerySet]:
    """The member's rows that the admin can show, and so log changes to."""
    return [
        models.User.objects.filter(pk=user.pk),
        models.Profile.objects.filter(user=user),
        EmailAddress.objects.filter(user=user),
        models.Invitation.objects.filter(member=user),
        models.Assignment.objects.filter(member=user),
        models.PlannedSession.objects.filter(assignment__member=user),
        models.Workout.objects.filter(member=user),
        models.SetLog.objects.filter(workout__member=user),
        models.KnobSetting.objects.filter(workout__member=user),
        models.PainFlag.objects.filter(member=user),
        models.StepOverride.objects.filter(member=user),
        models.TrainerNote.objects.filter(assignment__member=user),
        questions,
        models.EmailDelivery.objects.filter(Q(recipient=user) | Q(question__in=questions)),
    ]


def _scrub_admin_log(
    user: models.User, *, questions, addresses: list[str], names: set[str]
) -> None:
    """The admin's log keeps what staff did, and when, but not to whom: entries
    about the member's rows, or naming them (a row deleted earlier, an
    address since changed), say "Former member" instead. Trainers see their
    own entries under Recent actions on the admin's index."""
    about = Q(pk__in=[])
    for rows in _rows_about(user, questions=questions):
        # The log keeps ids as text; a subquery, as a long membership has
        # thousands of sets.
        ids = rows.annotate(text_id=Cast("pk", TextField())).values("text_id")
        about |= Q(content_type=ContentType.objects.get_for_model(rows.model), object_id__in=ids)
    # Names matched as whole words, so "Al" leaves "Calf raise" alone; the log
    # stores its messages as JSON, where a non-ASCII name is escaped.
    words = [*addresses, *(name.strip() for name in names if len(name.strip()) > 1)]
    forms = {form for word in words for form in (word, json.dumps(word)[1:-1])}
    mentions = Q(pk__in=[])
    for form in forms:
        mentions |= Q(object_repr__icontains=form) | Q(change_message__icontains=form)
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(form)}(?!\w)" for form in sorted(forms)), re.IGNORECASE
    )
    named = [
        entry
        for entry in LogEntry.objects.filter(mentions).exclude(about)
        if pattern.search(entry.object_repr) or pattern.search(entry.change_message)
    ]
    entries = [*LogEntry.objects.filter(about), *named]
    for entry in entries:
        entry.object_repr = FORMER_MEMBER
        entry.change_message = _unnamed_change_message(entry.change_message)
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"], batch_size=500)


def _unnamed_change_message(message: str) -> str:
    """Keep which fields changed; an inline row's name ("object") may be the
    member's (their profile is named after them)."""
    try:
        changes = json.loads(message) if message.startswith("[") else None
    except json.JSONDecodeError:
        changes = None
    if not isinstance(changes, list):
        return ""
    for change in changes:
        for detail in change.values() if isinstance(change, dict) else []:
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = FORMER_MEMBER
    return json.dumps(changes)


def _end_sessions(user: models.User, *, addresses: list[str]) -> None:
    """Delete the member's sessions on every device, and any other session that
    holds one of their addresses (the contact form's confirmation keeps the
    sender's). The new password hash would refuse their sessions anyway, but
    the rows would keep the address until they expire. Only a database
    session store can be searched; the default is one."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    model = store.get_model_class()
    theirs = []
    for session in model.objects.iterator(chunk_size=500):
        data = session.get_decoded()
        text = json.dumps(data, default=str).lower()
        if data.get(SESSION_KEY) == str(user.pk) or any(a in text for a in addresses):
            theirs.append(session.pk)
    model.objects.filter(pk__in=theirs).delete()
