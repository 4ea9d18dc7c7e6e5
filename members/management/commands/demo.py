import datetime as dt
from io import BytesIO

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from clubsite import kept_pages
from members import models
from members.blocks.services import assign_routine
from members.blocks.steering import pause_block
from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob, set_weaker_side
from members.logbook.workouts import (
    accept_zero_pain_rule,
    finish_workout,
    record_pain_before,
    start_workout,
)
from members.management import demo_video
from members.management.check_ins import check_in_as_the_story_goes
from members.models.access import TRAINERS_GROUP
from members.models.invitations import INVITATION_LIFETIME, new_token
from members.nudges.services import reminder_key
from members.questions.services import email_key, reply_key
from routines.models import Exercise, Knob, Routine
from routines.seed import ROUTINE_SLUG, seed_ground_up_routine

DEMO_PASSWORD = "ground-up-demo"  # noqa: S105 - printed on purpose; DEBUG only.

DEMO_PEOPLE = [
    # (email, display name, trainer?, weaker side, story of the past sessions)
    ("makana@example.com", "Makana", True, models.Profile.WeakerSide.UNSURE, None),
    ("alex@example.com", "Alex Rivera", False, models.Profile.WeakerSide.LEFT, "all"),
    ("jordan@example.com", "Jordan Lee", False, models.Profile.WeakerSide.UNSURE, "first"),
]

# The rest of Makana's class, so the dashboard shows every state: (email, name,
# story, weeks since the block started). Stories: "all" done; "first" done and
# the next partly; "none" done; "pain" on the calf raise last time; "fast" (the
# wall moves out every session); "eased" (the wall moves in); "too_hard".
DEMO_CLASS = [
    ("sam@example.com", "Sam Park", "fast", 1),
    ("riley@example.com", "Riley Chen", "pain", 1),
    ("morgan@example.com", "Morgan Diaz", "none", 1),
    ("casey@example.com", "Casey Nguyen", "too_hard", 1),
    ("taylor@example.com", "Taylor Brooks", "eased", 2),
    ("quinn@example.com", "Quinn Adams", "all", 4),
    ("avery@example.com", "Avery Kim", "all", 2),
    ("drew@example.com", "Drew Patel", "all", 0),
    ("jamie@example.com", "Jamie Ortiz", "first", 2),
    ("lee@example.com", "Lee Santos", "all", 1),
]
MONDAY, THURSDAY = 0, 3

# What Makana has done since, so the trainer's controls show on a newcomer's
# first look: a paused block, a member's own numbers, notes to members.
PAUSED = "avery@example.com"
OWN_NUMBERS = ("casey@example.com", "calf-raise", 15, "Fewer reps while it feels too hard.")
NOTES = [
    (
        "sam@example.com",
        True,
        "Your wall distance keeps moving out: nice. Stay there until it feels easy.",
    ),
    ("quinn@example.com", False, "A full block, every session done. Let's plan the next one."),
]
# Questions members asked: (email, exercise slug or None, hours ago, subject,
# message, Makana's answer or None). Casey's has waited over a day, so Casey is
# on the dashboard for it; Jordan's is new today; Alex's is answered.
QUESTIONS = [
    (
        "casey@example.com",
        "calf-raise",
        30,
        "Calf raises burn after 10",
        "My calves burn after about 10 reps and I can't finish the set. "
        "Should I stop there or push through?",
        None,
    ),
    (
        "jordan@example.com",
        "tibialis-raise",
        2,
        "Where should my back be?",
        "On the tib raises, should my back stay flat on the wall the whole time?",
        None,
    ),
    (
        "alex@example.com",
        None,
        50,
        "Extra sessions on rest days?",
        "I feel good. Can I do the routine on my rest days too?",
        "Not yet: the rest days are when you adapt. Add the calf raises only if "
        "you want more, and keep to zero pain.",
    ),
]

# How Alex's question went on after the answer: (hours after asking, whether
# Makana wrote it, the text). Makana wrote last, and Alex has not read it yet.
FOLLOW_UPS = {
    "Extra sessions on rest days?": [
        (6, False, "Could I at least do the backwards walking on rest days? It feels good."),
        (9, True, "Yes, 10 minutes of backwards walking is fine on rest days. Nothing else."),
    ],
}


def monogram(letter: str) -> bytes:
    """A round badge with ``letter`` on it, as a PNG: the demo trainer's photo."""
    image = Image.new("RGB", (256, 256), "#e3f1ec")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill="#0b5d4b")
    draw.text((128, 132), letter, fill="#ffffff", anchor="mm", font_size=150)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _sent(kind: str, key: str, to_email: str, when: dt.datetime, **about) -> None:
    """An email of the demo's past, as if the worker sent it at ``when``."""
    models.EmailDelivery.objects.create(
        kind=kind,
        key=key,
        to_email=to_email,
        state=models.EmailDelivery.State.SENT,
        attempts=1,
        created_at=when,
        sent_at=when,
        **about,
    )


class Command(BaseCommand):
    help = "Create (or refresh) the demo trainer and members. Refuses unless DEBUG is on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo makes accounts with a published password, so it only runs with "
                "DEBUG=true (development)."
            )
        with transaction.atomic():
            # Written partly with update(), past the signals: a running
            # site's kept pages go.
            kept_pages.club_changed()
            seed_ground_up_routine()
            trainers = Group.objects.get(name=TRAINERS_GROUP)
            people = {}
            for email, name, is_trainer, weaker_side, _ in DEMO_PEOPLE:
                user = models.User.objects.filter(email=email).first()
                if user is None:
                    user = models.User.objects.create_user(email, DEMO_PASSWORD, display_name=name)
                else:
                    user.set_password(DEMO_PASSWORD)
                    models.User.objects.set_up_vouched_account(user, display_name=name)
                user.is_staff = is_trainer
                user.save()
                if is_trainer:
                    user.groups.add(trainers)
                models.Profile.objects.filter(user=user).update(
                    display_name=name, weaker_side=weaker_side
                )
                people[email] = user
            trainer = people["makana@example.com"]
            self._introduce(trainer)
            self._film_the_tibialis_raise()
            # Makana wrote the routine; the seed, run by a migration, knows no one.
            Routine.objects.filter(slug=ROUTINE_SLUG, author=None).update(author=trainer)
            for email, _, is_trainer, _, story in DEMO_PEOPLE:
                if not is_trainer:
                    self._put_on_the_routine(people[email], trainer=trainer, story=story)
            for email, name, story, weeks_ago in DEMO_CLASS:
                member = models.User.objects.filter(
                    email=email
                ).first() or models.User.objects.create_user(
                    email, DEMO_PASSWORD, display_name=name
                )
                self._put_on_the_routine(member, trainer=trainer, story=story, weeks_ago=weeks_ago)
            self._steer(trainer)
            self._questions(trainer)
            self._reminders()

        self.stdout.write(self.style.SUCCESS("Demo accounts are ready. Sign in with:"))
        for email, name, is_trainer, _, _ in DEMO_PEOPLE:
            role = "trainer" if is_trainer else "member"
            self.stdout.write(f"  {role:8} {name:12} {email:22} password: {DEMO_PASSWORD}")
        self.stdout.write(
            f"  and {len(DEMO_CLASS)} more of Makana's members, such as "
            f"{DEMO_CLASS[1][0]}, with the same password."
        )

    def _steer(self, trainer):
        """Pause one block, give one member their own numbers, write two notes.
        Run again, each is left as it is."""
        today = timezone.localdate()
        paused = models.Assignment.objects.current().get(member__email=PAUSED)
        if paused.status == models.Assignment.Status.ACTIVE:
            pause_block(assignment=paused, today=today - dt.timedelta(days=1))
        email, exercise, reps, note = OWN_NUMBERS
        member = models.User.objects.get(email=email)
        step = (
            models.Assignment.objects.current()
            .get(member=member)
            .routine.steps.get(exercise__slug=exercise, alternative_to=None)
        )
        models.StepOverride.objects.get_or_create(
            member=member, step=step, defaults={"reps": reps, "note": note, "set_by": trainer}
        )
        for email, on_last_workout, text in NOTES:
            block = models.Assignment.objects.current().get(member__email=email)
            workout = (
                models.Workout.objects.filter(planned_session__assignment=block)
                .order_by("-started_at")
                .first()
                if on_last_workout
                else None
            )
            models.TrainerNote.objects.get_or_create(
                assignment=block,
                workout=workout,
                text=text,
                defaults={"author": trainer, "sent_at": timezone.now()},
            )

    def _questions(self, trainer):
        """The questions in QUESTIONS, as if their emails went. Run again, each
        is left as it is."""
        now = timezone.now()
        for email, exercise, hours_ago, subject, message, answer in QUESTIONS:
            member = models.User.objects.get(email=email)
            asked_at = now - dt.timedelta(hours=hours_ago)
            question, created = models.Question.objects.get_or_create(
                member=member,
                subject=subject,
                defaults={
                    "name": member.display_name,
                    "email": member.email,
                    "trainer": trainer,
                    "to_email": trainer.email,
                    "message": message,
                    "exercise": Exercise.objects.filter(slug=exercise).first(),
                    "created_at": asked_at,
                },
            )
            if not created:
                continue
            for kind, to_email in [
                (models.EmailDelivery.Kind.QUESTION, trainer.email),
                (models.EmailDelivery.Kind.QUESTION_RECEIPT, member.email),
            ]:
                _sent(kind, email_key(question, kind), to_email, asked_at, question=question)
            if answer:
                answered_at = asked_at + dt.timedelta(hours=3)
                models.Question.objects.filter(pk=question.pk).update(
                    answer=answer,
                    status=models.Question.Status.ANSWERED,
                    answered_by=trainer,
                    answered_at=answered_at,
                )
                kind = models.EmailDelivery.Kind.ANSWER
                _sent(
                    kind, email_key(question, kind), member.email, answered_at, question=question
                )
                models.Question.objects.filter(pk=question.pk).update(
                    trainer_wrote_at=answered_at,
                    trainer_read_at=answered_at,
                    member_read_at=answered_at,
                )
            self._follow_ups(question, trainer, member, asked_at)

    def _film_the_tibialis_raise(self):
        """The club's demonstration video of one exercise (drawn and encoded
        by bin/make_demo_video.py), so the guide shows what a video looks
        like. Run again, a video already there is left as it is."""
        exercise = Exercise.objects.get(slug="tibialis-raise")
        if exercise.video:
            return
        exercise.video = ContentFile(demo_video.CLIP.read_bytes(), name="tibialis-raise.webm")
        exercise.video_poster = ContentFile(demo_video.poster(), name="tibialis-raise.png")
        exercise.save(update_fields=["video", "video_poster"])

    def _introduce(self, trainer):
        """Makana's few words and photo (drawn here: a monogram), as Today
        shows them to Makana's members. Run again, both are left as they are."""
        profile = trainer.profile
        if profile.bio:
            return
        profile.bio = (
            "Physio-trained coach, at the club Monday and Thursday mornings. "
            "Ask me anything about the routine."
        )
        # Assigned, not saved to storage here: the field re-encodes it on save,
        # as it does every upload.
        profile.photo = ContentFile(monogram("M"), name="makana.png")
        profile.save(update_fields=["bio", "photo"])

    def _follow_ups(self, question, trainer, member, asked_at):
        """The turns of FOLLOW_UPS, each as if emailed when written."""
        for hours, from_trainer, text in FOLLOW_UPS.get(question.subject, []):
            written = asked_at + dt.timedelta(hours=hours)
            reply = models.Reply.objects.create(
                question=question,
                author=trainer if from_trainer else member,
                from_trainer=from_trainer,
                text=text,
                created_at=written,
            )
            _sent(
                models.EmailDelivery.Kind.REPLY_TO_MEMBER
                if from_trainer
                else models.EmailDelivery.Kind.REPLY_TO_TRAINER,
                reply_key(reply),
                member.email if from_trainer else trainer.email,
                written,
                question=question,
                reply=reply,
            )
            side = (
                {"status": models.Question.Status.ANSWERED, "trainer_wrote_at": written}
                if from_trainer
                else {
                    "status": models.Question.Status.NEW,
                    "member_wrote_at": written,
                    "member_read_at": written,
                }
            )
            models.Question.objects.filter(pk=question.pk).update(**side, trainer_read_at=written)

    def _reminders(self):
        """The reminders of the blocks' past sessions, as if sent at their
        mornings' time, so the admin's Email deliveries has them. Today's is
        left to `send_nudges`."""
        today = timezone.localdate()
        sessions = models.PlannedSession.objects.filter(
            assignment__status=models.Assignment.Status.ACTIVE, date__lt=today
        ).select_related("assignment__member")
        reminders = []
        for session in sessions:
            sent_at = timezone.make_aware(
                dt.datetime.combine(session.date, settings.REMINDER_TIME)
            )
            reminders.append(
                models.EmailDelivery(
                    kind=models.EmailDelivery.Kind.REMINDER,
                    key=reminder_key(session),
                    to_email=session.assignment.member.email,
                    recipient=session.assignment.member,
                    planned_session=session,
                    state=models.EmailDelivery.State.SENT,
                    attempts=1,
                    created_at=sent_at,
                    sent_at=sent_at,
                )
            )
        models.EmailDelivery.objects.bulk_create(reminders, ignore_conflicts=True)

    def _put_on_the_routine(self, member, *, trainer, story, weeks_ago=1):
        """Invited by the trainer, on the ground-up routine since Monday
        ``weeks_ago`` weeks back (Mondays and Thursdays), with the past sessions
        logged as ``story`` tells. A member already on a block keeps it."""
        if not member.invitations.exists():
            now = timezone.now()
            models.Invitation.objects.create(
                member=member,
                invited_by=trainer,
                token_hash=new_token()[1],
                sent_at=now - dt.timedelta(days=9),
                expires_at=now - dt.timedelta(days=9) + INVITATION_LIFETIME,
                accepted_at=now - dt.timedelta(days=8),
            )
        if models.Assignment.objects.current().filter(member=member).exists():
            return
        today = timezone.localdate()
        start = today - dt.timedelta(days=today.weekday(), weeks=weeks_ago)
        (block,) = assign_routine(
            trainer=trainer,
            members=[member],
            routine=Routine.objects.get(slug=ROUTINE_SLUG),
            start_date=start,
            weekdays=[MONDAY, THURSDAY],
            weeks=4,
        )
        past = [s for s in block.planned_sessions.order_by("number") if s.date < today]
        accept_zero_pain_rule(member=member)
        # Drew's first check-in is still to do (Today offers it); Jordan's was
        # never done (the trainer's page says it is missing).
        if member.email not in {"drew@example.com", "jordan@example.com"}:
            check_in_as_the_story_goes(block, story, today)
        if story == "none":
            return
        if story == "first":
            past = past[:2]
        # The extra set waits for the weaker side: a past session done in full
        # answered it (left). Not sure stays the setting, so today asks again.
        unsure = member.profile.weaker_side == models.Profile.WeakerSide.UNSURE
        if unsure:
            set_weaker_side(member=member, side=models.Profile.WeakerSide.LEFT)
        for index, session in enumerate(past):
            last = index == len(past) - 1
            self._log_session(
                member,
                session,
                wall=wall_for(story, index),
                partly=story == "first" and index == 1,
                feeling=models.Workout.Feeling.TOO_HARD
                if story == "too_hard" or (story == "first" and index == 1)
                else models.Workout.Feeling.ABOUT_RIGHT,
                pain=story == "pain" and last,
            )
        if unsure:
            models.Profile.objects.filter(user=member).update(
                weaker_side=models.Profile.WeakerSide.UNSURE
            )

    def _log_session(self, member, session, *, wall, partly, feeling, pain):
        """A session logged through the logger's own services, every set at its
        target (or only the raises when ``partly``), then dated to that evening."""
        workout = start_workout(member=member, planned_session=session, today=session.date)
        record_pain_before(workout=workout, level=0)
        steps = workout.prescription["steps"]
        for step in steps[:2] if partly else steps:
            if wall is not None and step["name"] == "Tibialis raise":
                knob = Knob.objects.get(exercise_id=step["exercise_id"])
                set_knob(workout=workout, step_id=step["id"], knob_id=knob.pk, raw_value=str(wall))
            if pain and step["name"] == "Calf raise":
                report_pain(
                    workout=workout, step_id=step["id"], level=3, note="Back of the left heel."
                )
                continue
            log_all_as_prescribed(workout=workout, step_id=step["id"])
            report_pain(workout=workout, step_id=step["id"], level=0)
        finish_workout(
            workout=workout,
            feeling=feeling,
            note="Short on time, stopped after the raises." if partly else "",
        )
        started = timezone.make_aware(dt.datetime.combine(session.date, dt.time(18, 0)))
        models.Workout.objects.filter(pk=workout.pk).update(
            started_at=started, finished_at=started + dt.timedelta(minutes=35)
        )
        workout.set_logs.update(logged_at=started + dt.timedelta(minutes=20))
        workout.pain_flags.update(created_at=started + dt.timedelta(minutes=15))


def wall_for(story: str, index: int) -> int | None:
    """The wall distance (in) set in past session ``index``, by story; None
    leaves it where it was. Most move it out to 14 in on the second session."""
    if story == "fast":
        return 12 + 2 * index
    if story == "eased":
        return max(10, 16 - 2 * index)
    return 14 if index >= 1 else None
