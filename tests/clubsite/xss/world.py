"""The club the XSS checks read, every free-text field a payload: built once
per test module (``world`` in conftest.py) and rolled back after it.

Monday, March 2, 2026 is "today": Alex's block with Makana started a week
earlier, two sessions are done, today's is under way. Every email of that
month is kept in ``World.emails``."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse

from members.accounts.invitations import invite_member
from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob
from members.logbook.workouts import (
    accept_zero_pain_rule,
    finish_workout,
    record_pain_before,
    start_workout,
)
from members.models import (
    Assignment,
    Invitation,
    PainFlag,
    PlannedSession,
    Profile,
    Question,
    User,
    Workout,
)
from routines.models import BodyArea, Equipment, Exercise, Knob, Routine, Step
from tests.clubsite.xss import payloads
from tests.factories import PASSWORD, TrainerFactory, UserFactory, ground_up_routine, put_on_block
from tests.members.logger_helpers import CLUB, no_pain

DAY = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int, minute: int = 0):
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CLUB), tick=False
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class World:
    """Alex (member), Makana (trainer), the owner (superuser) and what they made."""

    member: User
    trainer: User
    superuser: User
    posts: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    _clients: dict = field(default_factory=dict)
    _sessions: dict = field(default_factory=dict)
    # Set as the world is built.
    routine: Routine | None = None
    exercise: Exercise | None = None
    block: Assignment | None = None
    first: Workout | None = None
    second: Workout | None = None
    today: Workout | None = None
    waiting: Question | None = None
    answered: Question | None = None
    visitors: Question | None = None
    invited: Invitation | None = None
    invitation_token: str = ""
    calendar_token: str = ""

    def sign_in_everyone(self) -> None:
        """One client per person (a new client loads the middleware again),
        each with the session made here."""
        for who in ("member", "trainer", "superuser"):
            client = signed_in(getattr(self, who))
            self._clients[who] = client
            self._sessions[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
        self._clients["anonymous"] = Client()

    def client(self, who: str) -> Client:
        """``who``'s client (member, trainer, superuser or anonymous) with only
        the cookie of the session it had when the world was built, so what an
        earlier test did (a message, a new session) does not carry over."""
        client = self._clients[who]
        client.cookies.clear()
        if who in self._sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self._sessions[who]
        return client


def download(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def export(client) -> list[list[str]]:
    return download(client, reverse("trainer:export"))


def reauthenticated(client) -> Client:
    """Downloads of one's own data ask for the password again."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def poison_the_routine() -> Routine:
    routine = ground_up_routine()
    Routine.objects.filter(pk=routine.pk).update(
        title=payloads.TITLE.text,
        introduction=f"{payloads.INTRODUCTION.text}\n\nA second paragraph.",
        disclaimer=payloads.DISCLAIMER.text,
        closing_note=f"{payloads.CLOSING_NOTE.text}\n\n{payloads.CLOSING_LINKS}",
    )
    Step.objects.filter(routine=routine).update(notes=payloads.STEP_NOTES.text)
    for number, exercise in enumerate(Exercise.objects.order_by("pk"), start=1):
        exercise.name = f"{payloads.EXERCISE.text} #{number}"
        exercise.purpose = payloads.PURPOSE.text
        exercise.setup = payloads.SETUP.text
        exercise.execution = f"Stand tall.\n{payloads.EXECUTION.text}"
        exercise.cues = f"Breathe.\n{payloads.CUES.text}"
        exercise.image = "exercises/position.png"
        exercise.image_alt = payloads.IMAGE_ALT.text
        exercise.video_url = payloads.VIDEO_LINK
        exercise.save()
    Knob.objects.update(
        label=payloads.KNOB.text,
        easier_guidance=payloads.EASIER.text,
        harder_guidance=payloads.HARDER.text,
    )
    Knob.objects.exclude(start_description="").update(start_description=payloads.START.text)
    # The band's levels: none, the payload, medium, heavy.
    Knob.objects.filter(unit=Knob.Unit.LEVEL, levels__contains="light").update(
        levels=f"none, {payloads.LEVEL.text}, medium, heavy"
    )
    for number, equipment in enumerate(Equipment.objects.order_by("pk"), start=1):
        equipment.name = f"{payloads.EQUIPMENT.text} {number}"
        equipment.save(update_fields=["name"])
    for number, area in enumerate(BodyArea.objects.order_by("pk"), start=1):
        area.name = f"{payloads.BODY_AREA.text} {number}"
        area.save(update_fields=["name"])
    return Routine.objects.get(pk=routine.pk)


def band(routine) -> tuple[Step, Knob]:
    knob = Knob.objects.get(levels__contains=payloads.LEVEL.text)
    return routine.steps.get(exercise=knob.exercise_id), knob


def _workout(member, session: PlannedSession, *, pain_step: Step, day: dt.date) -> Workout:
    """A finished session with the band at the payload's level, pain on one
    exercise and a note, through the logger's services."""
    band_step, knob = band(session.assignment.routine)
    workout = start_workout(member=member, planned_session=session, today=day)
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    set_knob(workout=workout, step_id=band_step.pk, knob_id=knob.pk, raw_value=payloads.LEVEL.text)
    for main in workout.prescription["steps"]:
        if main["id"] != pain_step.pk:
            log_all_as_prescribed(workout=workout, step_id=main["id"])
    report_pain(workout=workout, step_id=pain_step.pk, level=3, note=payloads.PAIN_NOTE.text)
    no_pain(workout)
    return finish_workout(workout=workout, feeling="too_hard", note=payloads.WORKOUT_NOTE.text)


def _contact(client, *, exercise=None, **fields):
    about = {"exercise": exercise.pk, "about": f"exercise-{exercise.pk}"} if exercise else {}
    page = client.get(reverse("contact"), {"exercise": exercise.pk} if exercise else {})
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    data = {
        "token": token,
        "subject": payloads.SUBJECT.text,
        "message": payloads.MESSAGE.text,
        **about,
        **fields,
    }
    return client.post(reverse("contact"), data, follow=True)


def build_world() -> World:
    """The club, every field filled, as people filled it: the trainer's posts
    through the trainer's pages, the member's through the logger's services
    and the contact form, the month's emails sent."""
    member = UserFactory(email="alex@example.com", display_name="Alex Rivera")
    trainer = TrainerFactory(email="makana@example.com", display_name="Makana")
    superuser = User.objects.create_superuser("owner@example.com", PASSWORD, display_name="Owner")
    w = World(member=member, trainer=trainer, superuser=superuser)
    with TestCase.captureOnCommitCallbacks(execute=True):
        with at(DAY - dt.timedelta(days=8), 12):
            Profile.objects.filter(user=member).update(display_name=payloads.MEMBER_NAME.text)
            Profile.objects.filter(user=trainer).update(
                display_name=payloads.TRAINER_NAME.text, bio=payloads.TRAINER_BIO.text
            )
            w.routine = poison_the_routine()
            w.exercise = w.routine.steps.order_by("order").first().exercise
            w.block = put_on_block(
                member, trainer=trainer, start_date=DAY - dt.timedelta(weeks=1), routine=w.routine
            )
            Assignment.objects.filter(pk=w.block.pk).update(notes=payloads.BLOCK_NOTES.text)
            band_step, knob = band(w.routine)
            trainer_client = signed_in(trainer)
            w.posts.append(
                trainer_client.post(
                    reverse("trainer:save_override", args=[w.block.pk]),
                    {
                        "override-step": band_step.pk,
                        "override-knob": knob.pk,
                        "override-knob_start": payloads.LEVEL.text,
                        "override-note": payloads.OVERRIDE_NOTE.text,
                    },
                    follow=True,
                )
            )
        sessions = list(w.block.planned_sessions.order_by("number"))
        steps = list(w.routine.steps.filter(alternative_to=None).order_by("order"))
        with at(sessions[0].date, 18):
            w.first = _workout(member, sessions[0], pain_step=steps[1], day=sessions[0].date)
        with at(sessions[0].date + dt.timedelta(days=1), 9):
            resolved = PainFlag.objects.get(workout=w.first)
            w.posts.append(
                trainer_client.post(
                    reverse("trainer:resolve_pain", args=[resolved.pk]),
                    {"note": payloads.RESOLUTION.text},
                    follow=True,
                )
            )
            w.posts.append(
                trainer_client.post(
                    reverse("trainer:add_note", args=[w.block.pk]),
                    {"note-text": payloads.TRAINER_NOTE.text, "note-workout": w.first.pk},
                    follow=True,
                )
            )
        with at(sessions[1].date, 18):
            w.second = _workout(member, sessions[1], pain_step=steps[2], day=sessions[1].date)
            member_client = signed_in(member)
            w.posts.append(_contact(member_client, exercise=w.exercise))
            w.posts.append(_contact(member_client))
            w.posts.append(
                _contact(Client(), name=payloads.VISITOR.text, email="robin@example.net")
            )
            w.waiting, w.answered = Question.objects.filter(member=member).order_by("created_at")
            w.visitors = Question.objects.get(member=None)
        with at(sessions[1].date + dt.timedelta(days=1), 9):
            w.posts.append(
                trainer_client.post(
                    reverse("trainer:answer", args=[w.answered.pk]),
                    {"answer-text": payloads.ANSWER.text},
                    follow=True,
                )
            )
            # The conversation goes on: the member replies, the trainer again.
            w.posts.append(
                member_client.post(
                    reverse("members:reply", args=[w.answered.pk]),
                    {"reply-text": payloads.MEMBER_REPLY.text},
                    follow=True,
                )
            )
            w.posts.append(
                trainer_client.post(
                    reverse("trainer:answer", args=[w.answered.pk]),
                    {"answer-text": payloads.TRAINER_REPLY.text},
                    follow=True,
                )
            )
            w.posts.append(
                trainer_client.post(
                    reverse("trainer:add_note", args=[w.block.pk]),
                    {"note-text": payloads.TRAINER_NOTE.text},
                    follow=True,
                )
            )
            w.posts.append(
                trainer_client.post(
                    reverse("trainer:invite"),
                    {"display_name": payloads.INVITED_NAME.text, "email": "sam@example.com"},
                    follow=True,
                )
            )
            w.invited = Invitation.objects.get(member__email="sam@example.com")
            # The link's secret is only in the email: make a fresh one to open.
            _, w.invitation_token = invite_member(
                trainer=trainer,
                email="sam.two@example.com",
                display_name=payloads.INVITED_NAME.text,
            )
        with at(DAY, 7):
            call_command("send_nudges", stdout=io.StringIO())  # the reminder and the digest
        with at(DAY, 8):
            w.today = start_workout(member=member, planned_session=sessions[2])
            record_pain_before(workout=w.today, level=0)
            w.calendar_token = member.profile.create_calendar_token()
    w.sign_in_everyone()
    w.emails = list(mail.outbox)
    return w


@dataclass
class Page:
    """A page, who opens it, and the fields whose payloads it shows."""

    name: str
    who: str  # "member", "trainer", "superuser" or "anonymous"
    url: object  # the world -> the path
    fields: tuple[payloads.Field, ...]
    htmx: bool = False

    def __str__(self) -> str:  # the test id: "logger, under way" -> "logger-under-way"
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def assert_shown_as_text(world: World, page: Page) -> None:
    """The page opens, no payload on it is markup, and each of its fields'
    payloads is there, escaped."""
    headers = {"HX-Request": "true"} if page.htmx else {}
    response = world.client(page.who).get(page.url(world), headers=headers)
    assert response.status_code == 200, f"{page.name}: {response.status_code}"
    html = response.content.decode()
    payloads.assert_inert(html, page.name)
    payloads.assert_escaped(html, page.fields, page.name)
