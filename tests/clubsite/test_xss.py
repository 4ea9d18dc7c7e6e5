"""A payload in every free-text field is inert on every page, email and CSV
where it appears.

Every field a person can type (trainers in the admin and on their pages,
members in the logger, visitors in the contact form) is filled with markup
that would run if it were not escaped, each field with its own number in
``alert(n)``. The pages, htmx fragments, admin pages, emails, the calendar
feed and the trainers' CSV export are then read: the markup never appears as
markup (no ``<script>alert``, no ``<img src=x``, no ``on…=`` attribute, no
``javascript:`` link), and the escaped text does appear, so a check cannot
pass because the field was simply not shown. A new free-text field fails
``test_every_free_text_field_is_covered`` until it is added here.
"""

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from members.accounts.invitations import invite_member
from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob
from members.logbook.workouts import (
    accept_zero_pain_rule,
    finish_workout,
    record_pain_before,
    start_workout,
)
from members.models import Assignment, Invitation, PainFlag, Profile, Question, Workout
from members.nudges.services import unsubscribe_token
from routines.models import BodyArea, Equipment, Exercise, Knob, Routine, Step
from tests.factories import PASSWORD, ground_up_routine, put_on_block
from tests.members.logger_helpers import CLUB, no_pain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


def markup(number: int, room: int) -> str:
    """Markup that would run if shown unescaped, as long as the field holds."""
    n = number
    for text in (
        f"<script>alert({n})</script><img src=x onerror=alert({n})>\"'><svg onload=alert({n})>",
        f"<img src=x onerror=alert({n})>\"'><svg onload=alert({n})>",
        f"\"'><img src=x onerror=alert({n})>",
    ):
        if len(text) <= room:
            return text
    raise ValueError(f"no payload fits {room} characters")


@dataclass(frozen=True)
class Field:
    """A free-text field, and the payload it carries here."""

    label: str
    number: int
    room: int = 10_000

    @property
    def text(self) -> str:
        return markup(self.number, self.room)


# Authored by trainers in the admin.
TITLE = Field("Routine.title", 11, 120)
INTRODUCTION = Field("Routine.introduction", 12)
DISCLAIMER = Field("Routine.disclaimer", 13)
CLOSING_NOTE = Field("Routine.closing_note", 14)
EXERCISE = Field("Exercise.name", 15, 80 - 3)  # room for " #1": names are unique
PURPOSE = Field("Exercise.purpose", 16)
SETUP = Field("Exercise.setup", 17)
EXECUTION = Field("Exercise.execution", 18)
CUES = Field("Exercise.cues", 19)
IMAGE_ALT = Field("Exercise.image_alt", 20, 200)
VIDEO_URL = Field("Exercise.video_url", 21)
KNOB = Field("Knob.label", 22, 60)
LEVEL = Field("Knob.levels", 23, 40)  # also Knob.start_level, KnobSetting.level, …knob_level
START = Field("Knob.start_description", 24, 200)
EASIER = Field("Knob.easier_guidance", 25)
HARDER = Field("Knob.harder_guidance", 26)
STEP_NOTES = Field("Step.notes", 28, 200)
EQUIPMENT = Field("Equipment.name", 29, 60 - 2)
BODY_AREA = Field("BodyArea.name", 30, 40 - 2)
# Typed by members, trainers and visitors.
MEMBER_NAME = Field("Profile.display_name (member)", 40, 80)
TRAINER_NAME = Field("Profile.display_name (trainer)", 41, 80)
VISITOR = Field("Question.name", 42, 100)
SUBJECT = Field("Question.subject", 43, 120)
MESSAGE = Field("Question.message", 44)
ANSWER = Field("Question.answer", 45)
WORKOUT_NOTE = Field("Workout.note", 46, 2000)
PAIN_NOTE = Field("PainFlag.note", 47, 1000)
RESOLUTION = Field("PainFlag.resolution_note", 49, 2000)
TRAINER_NOTE = Field("TrainerNote.text", 50, 1000)
OVERRIDE_NOTE = Field("StepOverride.note", 51, 300)
BLOCK_NOTES = Field("Assignment.notes", 52)
INVITED_NAME = Field("Profile.display_name (invited)", 53, 80)
GROUP_LINE = Field("GroupInvitationForm.people", 54)
SEARCH = Field("?q= on the trainer's Members page", 60, 100)

# javascript: where a field could end up in a link: urlize on the closing
# note, and the exercise's video link (the admin refuses the scheme; a link
# with quotes in it stays inside its href).
CLOSING_LINKS = (
    'Read <a href="javascript:alert(14)">this</a>, javascript:alert(14) and '
    "https://example.com/?q=\"'><svg/onload=alert(14)>"
)
VIDEO_LINK = "https://video.example/watch?v=\"'><svg/onload=alert(21)>"

# Every CharField and TextField of our models is a field above, or is here
# with the reason it carries nothing a person typed.
NOT_TYPED = {
    "User.password": "a hash",
    "User.email": "an EmailField: validated, cannot hold < or >",
    "Question.email": "an EmailField: validated, cannot hold < or >",
    "Question.to_email": "an EmailField: the club's or a trainer's address",
    "EmailDelivery.to_email": "an EmailField",
    "Profile.calendar_token": "made by the app",
    "Invitation.token_hash": "made by the app",
    "EmailDelivery.key": "made by the app",
    "RateCount.key": "made by the app: a limit's scope, who and window, never shown",
    "EmailDelivery.last_error": "the mail server's error, shown escaped to trainers",
    "EmailDelivery.skipped_because": "the app's own words",
    "KnobSetting.unit": "a copy of Knob.unit, a choice",
    "KnobSetting.level": "one of Knob.levels (LEVEL)",
    "Knob.start_level": "one of Knob.levels (LEVEL)",
    "StepOverride.knob_level": "one of Knob.levels (LEVEL), typed on the trainer's form",
    "Exercise.slug": "a SlugField: letters, digits and hyphens",
    "Routine.slug": "a SlugField: letters, digits and hyphens",
    "Workout.prescription": "a copy of the routine's fields above, made when a workout starts",
    "Workout.choices": "step ids",
    "Workout.pain_after": "step ids to 0",
    "SetLog.knobs": "Knob.label to a value or level: KNOB and LEVEL",
}
FIELDS = [value for value in list(globals().values()) if isinstance(value, Field)]


def test_every_free_text_field_is_covered():
    covered = {field.label.split(" ")[0] for field in FIELDS} | set(NOT_TYPED)
    missing = []
    for app in ("members", "routines"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                text = isinstance(field, models.CharField | models.TextField | models.JSONField)
                label = f"{model.__name__}.{field.name}"
                if text and not field.choices and label not in covered:
                    missing.append(label)
    assert not missing, f"free-text fields without a payload here: {missing}"


# Inert: what the payloads must never become.

RAW = re.compile(r"<script>alert|<img src=x|<svg[ /]onload|\"'><", re.IGNORECASE)
LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


class _Inspector(HTMLParser):
    """Every element the browser would build: an ``on…`` attribute, a
    ``javascript:`` link or a script calling ``alert`` is a payload that ran."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            scheme = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name in LINK_ATTRIBUTES and scheme.startswith(("javascript:", "data:text/html")):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if tag == "img" and name == "src" and value == "x":
                self.problems.append("<img src=x>")
        self._script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._script = False

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.problems.append(f"<script>{data[:40]}")


def assert_inert(html: str, where: str) -> None:
    raw = RAW.search(html)
    assert raw is None, f"{where}: raw markup {html[max(raw.start() - 80, 0) : raw.end() + 40]!r}"
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    assert not inspector.problems, f"{where}: {inspector.problems}"


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{TITLE.text}</p>",
        f'<p title="{BODY_AREA.text}">',
        "<p><script>alert(1)</script></p>",
        '<a title="x" onmouseover="alert(1)">',
        '<a href=" java\tscript:alert(1)">link</a>',
        "<svg/onload=alert(1)>",
    ],
)
def test_the_check_catches_markup_that_would_run(html):
    with pytest.raises(AssertionError):
        assert_inert(html, "sample")


def test_the_check_passes_escaped_markup():
    for field in FIELDS:
        assert_inert(f'<p title="{escape(field.text)}">{escape(field.text)}</p>', field.label)


def assert_escaped(html: str, fields, where: str) -> None:
    """Each field's payload is on the page, escaped: it was shown, as text."""
    absent = [field.label for field in fields if escape(field.text) not in html]
    assert not absent, f"{where}: the escaped payload of {absent} is not there"


# The club, every field filled. Monday, March 2, 2026 is "today": the block
# started a week earlier, two sessions are done, today's is under way.

DAY = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int, minute: int = 0):
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CLUB), tick=False
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _poison_the_routine() -> Routine:
    routine = ground_up_routine()
    Routine.objects.filter(pk=routine.pk).update(
        title=TITLE.text,
        introduction=f"{INTRODUCTION.text}\n\nA second paragraph.",
        disclaimer=DISCLAIMER.text,
        closing_note=f"{CLOSING_NOTE.text}\n\n{CLOSING_LINKS}",
    )
    Step.objects.filter(routine=routine).update(notes=STEP_NOTES.text)
    for number, exercise in enumerate(Exercise.objects.order_by("pk"), start=1):
        exercise.name = f"{EXERCISE.text} #{number}"
        exercise.purpose = PURPOSE.text
        exercise.setup = SETUP.text
        exercise.execution = f"Stand tall.\n{EXECUTION.text}"
        exercise.cues = f"Breathe.\n{CUES.text}"
        exercise.image = "exercises/position.png"
        exercise.image_alt = IMAGE_ALT.text
        exercise.video_url = VIDEO_LINK
        exercise.save()
    Knob.objects.update(label=KNOB.text, easier_guidance=EASIER.text, harder_guidance=HARDER.text)
    Knob.objects.exclude(start_description="").update(start_description=START.text)
    # The band's levels: none, the payload, medium, heavy.
    Knob.objects.filter(unit=Knob.Unit.LEVEL, levels__contains="light").update(
        levels=f"none, {LEVEL.text}, medium, heavy"
    )
    for number, equipment in enumerate(Equipment.objects.order_by("pk"), start=1):
        equipment.name = f"{EQUIPMENT.text} {number}"
        equipment.save(update_fields=["name"])
    for number, area in enumerate(BodyArea.objects.order_by("pk"), start=1):
        area.name = f"{BODY_AREA.text} {number}"
        area.save(update_fields=["name"])
    return Routine.objects.get(pk=routine.pk)


def _band(routine) -> tuple[Step, Knob]:
    knob = Knob.objects.get(levels__contains=LEVEL.text)
    return routine.steps.get(exercise=knob.exercise_id), knob


def _workout(member, session, *, pain_step: Step, day: dt.date) -> Workout:
    """A finished session with the band at the payload's level, pain on one
    exercise and a note, through the logger's services."""
    band_step, band = _band(session.assignment.routine)
    workout = start_workout(member=member, planned_session=session, today=day)
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    set_knob(workout=workout, step_id=band_step.pk, knob_id=band.pk, raw_value=LEVEL.text)
    for main in workout.prescription["steps"]:
        if main["id"] != pain_step.pk:
            log_all_as_prescribed(workout=workout, step_id=main["id"])
    report_pain(workout=workout, step_id=pain_step.pk, level=3, note=PAIN_NOTE.text)
    no_pain(workout)
    return finish_workout(workout=workout, feeling="too_hard", note=WORKOUT_NOTE.text)


def _contact(client, *, exercise=None, **fields):
    about = {"exercise": exercise.pk, "about": f"exercise-{exercise.pk}"} if exercise else {}
    page = client.get(reverse("contact"), {"exercise": exercise.pk} if exercise else {})
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    data = {"token": token, "subject": SUBJECT.text, "message": MESSAGE.text, **about, **fields}
    return client.post(reverse("contact"), data, follow=True)


@pytest.fixture
def world(member, trainer, superuser, settings, django_capture_on_commit_callbacks):
    """Alex on the ground-up routine with Makana, every field a payload, and
    every email the month sent in ``mail.outbox``."""
    settings.DIGEST_DAY = "monday"
    settings.CLUB_CONTACT_EMAIL = trainer.email  # Makana reads the visitors' questions
    w = SimpleNamespace(member=member, trainer=trainer, superuser=superuser, posts=[])
    with django_capture_on_commit_callbacks(execute=True):
        with at(DAY - dt.timedelta(days=8), 12):
            Profile.objects.filter(user=member).update(display_name=MEMBER_NAME.text)
            Profile.objects.filter(user=trainer).update(display_name=TRAINER_NAME.text)
            w.routine = _poison_the_routine()
            w.exercise = w.routine.steps.order_by("order").first().exercise
            w.block = put_on_block(
                member, trainer=trainer, start_date=DAY - dt.timedelta(weeks=1), routine=w.routine
            )
            Assignment.objects.filter(pk=w.block.pk).update(notes=BLOCK_NOTES.text)
            band_step, band = _band(w.routine)
            w.trainer_client = _signed_in(trainer)
            w.posts.append(
                w.trainer_client.post(
                    reverse("trainer:save_override", args=[w.block.pk]),
                    {
                        "override-step": band_step.pk,
                        "override-knob": band.pk,
                        "override-knob_start": LEVEL.text,
                        "override-note": OVERRIDE_NOTE.text,
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
                w.trainer_client.post(
                    reverse("trainer:resolve_pain", args=[resolved.pk]),
                    {"note": RESOLUTION.text},
                    follow=True,
                )
            )
            w.posts.append(
                w.trainer_client.post(
                    reverse("trainer:add_note", args=[w.block.pk]),
                    {"note-text": TRAINER_NOTE.text, "note-workout": w.first.pk},
                    follow=True,
                )
            )
        with at(sessions[1].date, 18):
            w.second = _workout(member, sessions[1], pain_step=steps[2], day=sessions[1].date)
            member_client = _signed_in(member)
            w.posts.append(_contact(member_client, exercise=w.exercise))
            w.posts.append(_contact(member_client))
            w.posts.append(_contact(Client(), name=VISITOR.text, email="robin@example.net"))
            w.waiting, w.answered = Question.objects.filter(member=member).order_by("created_at")
            w.visitors = Question.objects.get(member=None)
        with at(sessions[1].date + dt.timedelta(days=1), 9):
            w.posts.append(
                w.trainer_client.post(
                    reverse("trainer:answer", args=[w.answered.pk]),
                    {"answer-text": ANSWER.text},
                    follow=True,
                )
            )
            w.posts.append(
                w.trainer_client.post(
                    reverse("trainer:add_note", args=[w.block.pk]),
                    {"note-text": TRAINER_NOTE.text},
                    follow=True,
                )
            )
            w.posts.append(
                w.trainer_client.post(
                    reverse("trainer:invite"),
                    {"display_name": INVITED_NAME.text, "email": "sam@example.com"},
                    follow=True,
                )
            )
            w.invited = Invitation.objects.get(member__email="sam@example.com")
            # The link's secret is only in the email: make a fresh one to open.
            _, w.invitation_token = invite_member(
                trainer=trainer, email="sam.two@example.com", display_name=INVITED_NAME.text
            )
        with at(DAY, 7):
            call_command("send_nudges", stdout=io.StringIO())  # the reminder and the digest
        with at(DAY, 8):
            w.today = start_workout(member=member, planned_session=sessions[2])
            record_pain_before(workout=w.today, level=0)
            w.calendar_token = member.profile.create_calendar_token()
    w.member_client = _signed_in(member)
    w.emails = list(mail.outbox)
    with at(DAY, 9):
        yield w


# Pages.


@dataclass
class Page:
    name: str
    who: str  # "member", "trainer", "superuser" or "anonymous"
    url: object  # the world -> the path
    fields: tuple[Field, ...]
    htmx: bool = False


GUIDE_FIELDS = (
    TITLE,
    INTRODUCTION,
    DISCLAIMER,
    CLOSING_NOTE,
    EXERCISE,
    PURPOSE,
    SETUP,
    EXECUTION,
    CUES,
    IMAGE_ALT,
    KNOB,
    LEVEL,
    START,
    EASIER,
    HARDER,
    STEP_NOTES,
    EQUIPMENT,
    OVERRIDE_NOTE,
    TRAINER_NAME,
)

PAGES = [
    # The member's pages.
    Page(
        "today",
        "member",
        lambda w: reverse("members:home"),
        (MEMBER_NAME, TRAINER_NAME, TITLE, EXERCISE, OVERRIDE_NOTE, LEVEL, TRAINER_NOTE),
    ),
    Page("program", "member", lambda w: reverse("members:program"), (TITLE, TRAINER_NAME)),
    Page(
        "history",
        "member",
        lambda w: reverse("members:history"),
        (EXERCISE, KNOB, LEVEL, TRAINER_NOTE, TRAINER_NAME),
    ),
    Page(
        "questions",
        "member",
        lambda w: reverse("members:questions"),
        (SUBJECT, MESSAGE, ANSWER, TRAINER_NAME, EXERCISE),
    ),
    Page("settings", "member", lambda w: reverse("members:settings"), (MEMBER_NAME,)),
    Page("routines", "member", lambda w: reverse("routines:list"), (TITLE,)),
    Page("guide", "member", lambda w: w.routine.get_absolute_url(), GUIDE_FIELDS),
    Page(
        "logger, under way",
        "member",
        lambda w: reverse("members:workout", args=[w.today.pk]),
        (TITLE, EXERCISE, SETUP, EXECUTION, CUES, KNOB, LEVEL, START, STEP_NOTES, OVERRIDE_NOTE),
    ),
    Page(
        "logger, finished",
        "member",
        lambda w: reverse("members:workout", args=[w.second.pk]),
        (TITLE, WORKOUT_NOTE, EXERCISE, KNOB, LEVEL),
    ),
    Page(
        "contact about an exercise",
        "member",
        lambda w: reverse("contact") + f"?exercise={w.exercise.pk}",
        (EXERCISE, TRAINER_NAME, MEMBER_NAME),
    ),
    Page(
        "contact about a session",
        "member",
        lambda w: reverse("contact") + f"?workout={w.second.pk}",
        (EXERCISE, TRAINER_NAME),
    ),
    Page(
        "reminders",
        "anonymous",
        lambda w: reverse("reminders", args=[unsubscribe_token(w.member)]),
        # Only the name's first word: tests/members/nudges/test_unsubscribe.py escapes it.
        (),
    ),
    Page(
        "invitation",
        "anonymous",
        lambda w: reverse("invitation", args=[w.invitation_token]),
        (INVITED_NAME, TRAINER_NAME),
    ),
    # The trainer's pages.
    Page(
        "dashboard",
        "trainer",
        lambda w: reverse("trainer:dashboard"),
        (MEMBER_NAME, TITLE, EXERCISE, SUBJECT, KNOB, LEVEL),
    ),
    Page(
        "dashboard, htmx list",
        "trainer",
        lambda w: reverse("trainer:dashboard") + "?show=attention",
        (MEMBER_NAME, TITLE),
        htmx=True,
    ),
    Page(
        "member detail",
        "trainer",
        lambda w: reverse("trainer:member", args=[w.member.pk]),
        (
            MEMBER_NAME,
            TRAINER_NAME,
            TITLE,
            EXERCISE,
            KNOB,
            LEVEL,
            WORKOUT_NOTE,
            PAIN_NOTE,
            RESOLUTION,
            TRAINER_NOTE,
            OVERRIDE_NOTE,
            SUBJECT,
        ),
    ),
    Page(
        "members",
        "trainer",
        lambda w: reverse("trainer:members"),
        (MEMBER_NAME, INVITED_NAME, TITLE),
    ),
    Page(
        "members, searched",
        "trainer",
        lambda w: reverse("trainer:members") + "?q=" + _quote(SEARCH.text),
        (SEARCH,),
    ),
    Page(
        "inbox",
        "trainer",
        lambda w: reverse("trainer:questions") + "?show=all",
        (MEMBER_NAME, VISITOR, SUBJECT, MESSAGE, EXERCISE),
    ),
    Page(
        "question from a member",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.waiting.pk]),
        (MEMBER_NAME, SUBJECT, MESSAGE, EXERCISE, TITLE),
    ),
    Page(
        "question answered",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.answered.pk]),
        (MEMBER_NAME, SUBJECT, MESSAGE, TRAINER_NAME),
    ),
    Page(
        "question from a visitor",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.visitors.pk]),
        (VISITOR, SUBJECT, MESSAGE),
    ),
    Page(
        "assign",
        "trainer",
        lambda w: reverse("trainer:assign") + f"?member={w.invited.member_id}",
        (INVITED_NAME, TITLE),
    ),
    Page("invite", "trainer", lambda w: reverse("trainer:invite"), ()),
    # The admin, where trainers author and look things up.
    Page("admin: routines", "superuser", lambda w: "/admin/routines/routine/", (TITLE,)),
    Page(
        "admin: routine",
        "superuser",
        lambda w: f"/admin/routines/routine/{w.routine.pk}/change/",
        (TITLE, INTRODUCTION, DISCLAIMER, CLOSING_NOTE, EXERCISE, STEP_NOTES),
    ),
    Page(
        "admin: exercises",
        "superuser",
        lambda w: "/admin/routines/exercise/",
        (EXERCISE, KNOB, EQUIPMENT),
    ),
    Page(
        "admin: exercise",
        "superuser",
        lambda w: f"/admin/routines/exercise/{_band(w.routine)[1].exercise_id}/change/",
        (
            EXERCISE,
            PURPOSE,
            SETUP,
            CUES,
            IMAGE_ALT,
            KNOB,
            LEVEL,
            EASIER,
            HARDER,
            EQUIPMENT,
            BODY_AREA,
        ),
    ),
    Page("admin: equipment", "superuser", lambda w: "/admin/routines/equipment/", (EQUIPMENT,)),
    Page("admin: body areas", "superuser", lambda w: "/admin/routines/bodyarea/", (BODY_AREA,)),
    Page("admin: users", "superuser", lambda w: "/admin/members/user/", (MEMBER_NAME,)),
    Page(
        "admin: user",
        "superuser",
        lambda w: f"/admin/members/user/{w.member.pk}/change/",
        (MEMBER_NAME,),
    ),
    Page(
        "admin: invitations",
        "superuser",
        lambda w: "/admin/members/invitation/",
        (INVITED_NAME,),
    ),
    Page(
        "admin: blocks",
        "superuser",
        lambda w: "/admin/members/assignment/",
        (TITLE,),
    ),
    Page(
        "admin: block",
        "superuser",
        lambda w: f"/admin/members/assignment/{w.block.pk}/change/",
        (BLOCK_NOTES, TRAINER_NOTE, TITLE),
    ),
    Page(
        "admin: workout",
        "superuser",
        lambda w: f"/admin/members/workout/{w.first.pk}/change/",
        (WORKOUT_NOTE,),
    ),
    Page(
        "admin: pain flag",
        "superuser",
        lambda w: f"/admin/members/painflag/{PainFlag.objects.get(workout=w.first).pk}/change/",
        (PAIN_NOTE,),
    ),
    Page(
        "admin: overrides",
        "superuser",
        lambda w: "/admin/members/stepoverride/",
        (LEVEL,),
    ),
    Page(
        "admin: questions", "superuser", lambda w: "/admin/members/question/", (SUBJECT, VISITOR)
    ),
    Page(
        "admin: question",
        "superuser",
        lambda w: f"/admin/members/question/{w.answered.pk}/change/",
        (SUBJECT, MESSAGE, ANSWER),
    ),
    Page("admin: emails", "superuser", lambda w: "/admin/members/emaildelivery/", (SUBJECT,)),
]


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _client_for(world, who: str) -> Client:
    return {
        "member": world.member_client,
        "trainer": world.trainer_client,
        "anonymous": Client(),
    }.get(who) or _signed_in(world.superuser)


def the_messages_after_each_post_are_escaped(world):
    """Where a form says what it did ("Sent to <name>…"), the names are text."""
    for response in world.posts:
        assert response.status_code == 200
        assert_inert(response.content.decode(), response.request["PATH_INFO"])
    assert len(world.posts) == 9


def the_video_link_stays_inside_its_href(world):
    html = world.member_client.get(world.routine.get_absolute_url()).content.decode()
    assert f'<a href="{escape(VIDEO_LINK)}" rel="noopener">' in html


def the_closing_note_links_only_web_addresses(world):
    html = world.member_client.get(world.routine.get_absolute_url()).content.decode()
    closing = html.split('id="closing-title"')[1]
    assert escape('<a href="javascript:alert(14)">this</a>') in closing
    assert 'href="https://example.com/?q=%22%27%3E%3Csvg%2Fonload%3Dalert%2814%29%3E"' in closing
    assert "javascript:alert(14) and" in closing  # as words, not a link


def test_the_admin_refuses_a_javascript_video_link(superuser):
    request = RequestFactory().get("/admin/routines/exercise/add/")
    request.user = superuser
    form_class = admin.site.get_model_admin(Exercise).get_form(request)
    for link in ("javascript:alert(21)", "data:text/html,<script>alert(21)</script>"):
        form = form_class(
            {"name": "Wall sit", "slug": "wall-sit", "purpose": "p", "setup": "s"}
            | {"execution": "e", "video_url": link}
        )
        assert not form.is_valid()
        assert "video_url" in form.errors
    with pytest.raises(ValidationError):
        Exercise(name="x", slug="x", video_url="javascript:alert(21)").clean_fields(
            exclude=["purpose", "setup", "execution"]
        )


def the_loggers_htmx_fragments_show_the_payloads_as_text(world):
    """The fragment a knob tap swaps in carries the knob's guidance."""
    band_step, band = _band(world.routine)
    url = reverse("members:knob", args=[world.today.pk, band_step.pk])
    for direction, guidance in (("harder", HARDER), ("easier", EASIER)):
        response = world.member_client.post(
            url, {"knob": band.pk, "direction": direction}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert_inert(html, f"knob {direction}")
        assert_escaped(html, (guidance, KNOB, EXERCISE, SETUP), f"knob {direction}")

    log = world.member_client.post(
        reverse("members:log_set", args=[world.today.pk]),
        {"step": band_step.pk, "set_number": 1, "side": "both", "reps": 20},
        headers={"HX-Request": "true"},
    )
    assert log.status_code == 200
    assert_inert(log.content.decode(), "log a set")
    assert_escaped(log.content.decode(), (EXERCISE,), "log a set")


def a_form_redisplaying_what_was_typed_escapes_it(world):
    """Refused input comes back in the form (and in its error) as text."""
    group = world.trainer_client.post(
        reverse("trainer:invite_group"), {"people": f"{GROUP_LINE.text}, not-an-address"}
    )
    assert group.status_code == 200
    assert_inert(group.content.decode(), "group invitation")
    assert_escaped(group.content.decode(), (GROUP_LINE,), "group invitation")

    finish = world.member_client.post(
        reverse("members:finish", args=[world.today.pk]),
        {"feeling": "sideways", "note": WORKOUT_NOTE.text},
    )
    assert_inert(finish.content.decode(), "finish, refused")
    assert escape(WORKOUT_NOTE.text) in finish.content.decode()

    flag = PainFlag.objects.filter(member=world.member, status="open").first()
    resolve = world.trainer_client.post(
        reverse("trainer:resolve_pain", args=[flag.pk]), {"note": RESOLUTION.text + "x" * 2000}
    )
    assert resolve.status_code == 422
    assert_inert(resolve.content.decode(), "resolve, refused")
    assert escape(RESOLUTION.text) in resolve.content.decode()


def the_admins_put_on_a_routine_form_escapes_routine_titles(world):
    """The block form's help text names every routine: as text."""
    response = _signed_in(world.superuser).post(
        "/admin/members/user/",
        {"action": "put_on_a_routine", "_selected_action": [world.invited.member_id]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, "put on a routine")
    assert_escaped(html, (TITLE, INVITED_NAME), "put on a routine")


def a_duplicated_routines_title_is_escaped_in_the_admins_message(world):
    client = _signed_in(world.superuser)
    response = client.post(
        "/admin/routines/routine/",
        {"action": "duplicate", "_selected_action": [world.routine.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert_inert(html, "duplicate action")
    assert f"a draft copy of “{escape(TITLE.text)}”" in html


def test_every_page_shows_the_payloads_as_text(world, subtests):
    for page in PAGES:
        with subtests.test(page.name):
            headers = {"HX-Request": "true"} if page.htmx else {}
            response = _client_for(world, page.who).get(page.url(world), headers=headers)
            assert response.status_code == 200, f"{page.name}: {response.status_code}"
            html = response.content.decode()
            assert_inert(html, page.name)
            assert_escaped(html, page.fields, page.name)
    # Then what the pages do with posts, in an order that leaves the GETs above untouched.
    for check in (
        the_messages_after_each_post_are_escaped,
        the_video_link_stays_inside_its_href,
        the_closing_note_links_only_web_addresses,
        the_admins_put_on_a_routine_form_escapes_routine_titles,
        a_duplicated_routines_title_is_escaped_in_the_admins_message,
        the_loggers_htmx_fragments_show_the_payloads_as_text,
        a_form_redisplaying_what_was_typed_escapes_it,
    ):
        with subtests.test(check.__name__.replace("_", " ")):
            check(world)


# Emails: the HTML part escaped, the text part verbatim, the headers one line each.


@dataclass
class Email:
    name: str
    matches: object  # (message, world) -> bool
    fields: tuple[Field, ...]
    subject_fields: tuple[Field, ...] = ()


def _to(message, user) -> bool:
    return message.to == [user.email]


def _reply_to(message, address: str) -> bool:
    return any(address in reply_to for reply_to in message.reply_to)


EMAILS = [
    Email(
        "invitation",
        lambda m, w: m.to == ["sam@example.com"],
        (INVITED_NAME, TRAINER_NAME),
        (TRAINER_NAME,),
    ),
    Email(
        "a member's question, to the trainer",
        lambda m, w: (
            _to(m, w.trainer) and "Question from" in m.subject and _reply_to(m, w.member.email)
        ),
        (MEMBER_NAME, SUBJECT, MESSAGE, EXERCISE, TITLE),
        (MEMBER_NAME, SUBJECT),
    ),
    Email(
        "a visitor's question, to the club",
        lambda m, w: _to(m, w.trainer) and _reply_to(m, "robin@example.net"),
        (VISITOR, SUBJECT, MESSAGE),
        (VISITOR, SUBJECT),
    ),
    Email(
        "receipt",
        lambda m, w: _to(m, w.member) and m.subject.endswith("has your question"),
        (TRAINER_NAME, MEMBER_NAME),
        (TRAINER_NAME,),
    ),
    Email(
        "answer",
        lambda m, w: _to(m, w.member) and m.subject.startswith("Re: "),
        (ANSWER, SUBJECT, MEMBER_NAME, TRAINER_NAME),
        (SUBJECT,),
    ),
    Email(
        "session reminder",
        lambda m, w: _to(m, w.member) and m.subject.startswith("Today:"),
        (MEMBER_NAME, TRAINER_NAME, TITLE, EXERCISE, KNOB, LEVEL),
        (TITLE,),
    ),
    Email(
        "weekly digest",
        lambda m, w: _to(m, w.trainer) and m.subject.startswith("Your week"),
        (MEMBER_NAME, TRAINER_NAME, TITLE, EXERCISE, SUBJECT),
    ),
    Email(
        "pain alert",
        lambda m, w: _to(m, w.trainer) and m.subject.startswith("Pain reported"),
        (MEMBER_NAME, EXERCISE, PAIN_NOTE),
        (MEMBER_NAME, EXERCISE),
    ),
    Email(
        "pain resolved",
        lambda m, w: _to(m, w.member) and "about the pain you reported" in m.subject,
        (RESOLUTION, TRAINER_NAME, MEMBER_NAME, EXERCISE),
        (TRAINER_NAME,),
    ),
    Email(
        "trainer's note",
        lambda m, w: _to(m, w.member) and TRAINER_NOTE.text in m.body,
        (TRAINER_NOTE, TRAINER_NAME, MEMBER_NAME),
        (TRAINER_NAME,),
    ),
]

HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:", re.MULTILINE)


def test_every_email_csv_and_feed_carries_the_payloads_as_text(world, subtests):
    for email in EMAILS:
        with subtests.test(email.name):
            found = [m for m in world.emails if email.matches(m, world)]
            assert found, f"no {email.name} among {[m.subject for m in world.emails]}"
            message = found[0]
            assert "\n" not in message.subject and "\r" not in message.subject
            for field in email.subject_fields:
                assert field.text in message.subject, f"{email.name}: {field.label} not in subject"
            # The message builds (a line break in a header would raise), and
            # its header block has only the headers the app set.
            head = message.message().as_string().split("\n\n", 1)[0]
            names = {line.split(":", 1)[0].lower() for line in HEADER_LINE.findall(head)}
            assert names <= {
                "content-type",
                "mime-version",
                "subject",
                "from",
                "to",
                "reply-to",
                "date",
                "message-id",
                "list-unsubscribe",
                "list-unsubscribe-post",
                "content-transfer-encoding",
            }, f"{email.name}: {names}"
            # The text part says exactly what was typed, not HTML entities.
            for field in email.fields:
                assert field.text in message.body, f"{email.name}: {field.label} not in text"
            assert "&lt;" not in message.body and "&quot;" not in message.body
            ((html, kind),) = message.alternatives
            assert kind == "text/html"
            assert_inert(html, f"{email.name} (HTML)")
            assert_escaped(html, email.fields, f"{email.name} (HTML)")
    with subtests.test("the trainer's export"):
        the_export_keeps_each_payload_in_its_own_cell(world)
    with subtests.test("the member's own downloads"):
        the_members_own_downloads_keep_every_payload_as_typed(world)
    with subtests.test("the calendar feed"):  # last: it puts a line break in the title
        the_calendar_feed_keeps_the_title_in_its_summary(world)


# The calendar feed and the trainers' export.


def the_calendar_feed_keeps_the_title_in_its_summary(world):
    Routine.objects.filter(pk=world.routine.pk).update(
        title=f"{TITLE.text}\r\nATTENDEE:mailto:evil@example.org"
    )
    response = Client().get(reverse("calendar_feed", args=[world.calendar_token]))
    assert response.status_code == 200
    ics = response.content.decode()
    unfolded = ics.replace("\r\n ", "")
    summaries = [line for line in unfolded.splitlines() if line.startswith("SUMMARY:")]
    assert len(summaries) == unfolded.count("BEGIN:VEVENT") == 8
    # The line break is escaped inside the summary (RFC 5545), never a new property.
    assert all(TITLE.text in line and "\\nATTENDEE" in line for line in summaries)
    assert not any(line.startswith("ATTENDEE") for line in unfolded.splitlines())


def _download(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _export(client) -> list[list[str]]:
    return _download(client, reverse("trainer:export"))


def the_export_keeps_each_payload_in_its_own_cell(world):
    header, *rows = _export(world.trainer_client)
    assert rows and all(len(row) == len(header) for row in rows)
    column = {name: index for index, name in enumerate(header)}
    assert {row[column["member"]] for row in rows} == {MEMBER_NAME.text}
    assert all(row[column["exercise"]].startswith(EXERCISE.text) for row in rows)
    assert any(f"{KNOB.text}: {LEVEL.text}" == row[column["knob settings"]] for row in rows)


def _reauthenticated(client) -> Client:
    """Downloads of one's own data ask for the password again."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def _strings(value):
    """Every string in decoded JSON, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def the_members_own_downloads_keep_every_payload_as_typed(world):
    """The JSON of everything and the CSV of the sets, from Settings: files
    to download (never a page), each payload exactly as it was typed."""
    client = _reauthenticated(world.member_client)
    page = client.get(reverse("members:your_data"))
    assert page.status_code == 200
    assert_inert(page.content.decode(), "your data")

    response = client.get(reverse("members:data_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    texts = set(_strings(json.loads(response.content)))
    fields = (
        MEMBER_NAME,
        TRAINER_NAME,
        TITLE,
        KNOB,
        LEVEL,
        WORKOUT_NOTE,
        PAIN_NOTE,
        RESOLUTION,
        TRAINER_NOTE,
        OVERRIDE_NOTE,
        SUBJECT,
        MESSAGE,
        ANSWER,
    )
    missing = [field.label for field in fields if field.text not in texts]
    assert not missing, f"not in the JSON as typed: {missing}"
    assert any(text.startswith(EXERCISE.text) for text in texts)

    header, *rows = _download(client, reverse("members:sets_csv"))
    assert rows and all(len(row) == len(header) for row in rows)
    column = {name: index for index, name in enumerate(header)}
    assert {row[column["routine"]] for row in rows} == {TITLE.text}
    assert all(row[column["exercise"]].startswith(EXERCISE.text) for row in rows)
    assert any(row[column["knobs"]] == f"{KNOB.text}: {LEVEL.text}" for row in rows)


FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def test_the_exports_neutralise_cells_a_spreadsheet_would_run(member, trainer, trainer_client):
    """A member's name, a routine, an exercise or a knob that starts like a
    formula is exported as text, in the trainer's CSV and the member's own:
    a quote goes first."""
    routine = ground_up_routine()
    put_on_block(member, trainer=trainer, start_date=timezone.localdate(), routine=routine)
    band = Knob.objects.get(unit=Knob.Unit.LEVEL, levels__contains="light")
    band_step = routine.steps.get(exercise=band.exercise_id)
    member_client = _reauthenticated(_signed_in(member))
    for formula, rest in zip(FORMULAS, range(len(FORMULAS)), strict=True):
        Profile.objects.filter(user=member).update(display_name=formula)
        Routine.objects.filter(pk=routine.pk).update(title=formula)
        Exercise.objects.filter(pk=band_step.exercise_id).update(name=f"{formula} #{rest}")
        Knob.objects.filter(pk=band.pk).update(label=formula, levels=f"none, {formula}, heavy")
        Workout.objects.filter(member=member).delete()
        workout = start_workout(member=member)
        accept_zero_pain_rule(member=member)
        record_pain_before(workout=workout, level=0)
        set_knob(workout=workout, step_id=band_step.pk, knob_id=band.pk, raw_value=formula.strip())
        log_all_as_prescribed(workout=workout, step_id=band_step.pk)

        for rows, names in (
            (_export(trainer_client), ("member", "exercise", "knob settings")),
            (
                _download(member_client, reverse("members:sets_csv")),
                ("routine", "exercise", "knobs"),
            ),
        ):
            header, *rows = rows
            column = {name: index for index, name in enumerate(header)}
            assert rows
            for row in rows:
                for name in names:
                    cell = row[column[name]]
                    assert cell.startswith("'" + formula[0]), f"{formula!r} in {name}: {cell!r}"
