"""What the hostile-input tests share: the world they post into, and the check
every answer must pass (what a post may hold: ``tests.clubsite.hostile_posts``).

Every example runs in a savepoint that is rolled back, so each starts from the
same world, built once per test (hypothesis runs a test's examples inside one
call of the test function, where function-scoped fixtures are not reset).
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import event
from hypothesis.control import currently_in_test_context

from members.accounts.invitations import invite_member
from members.logbook.sets import log_set
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.models import (
    Activity,
    ActivityScore,
    AreaPain,
    Assignment,
    CheckIn,
    EmailDelivery,
    Invitation,
    KnobSetting,
    PainFlag,
    PlannedSession,
    Profile,
    Question,
    Reply,
    SetLog,
    StepOverride,
    TrainerNote,
    User,
    Workout,
)
from members.nudges.services import unsubscribe_token
from members.questions.services import ask
from routines.models import Exercise, Knob, Routine, Step
from tests.factories import ground_up_routine, put_on_block
from tests.members.logger_helpers import box_height_without_bounds


@dataclass(frozen=True)
class Ref:
    """An object of the world, by name: posted as its id (or token), so an
    explicit ``@example`` can name it before the world exists."""

    name: str


@dataclass(frozen=True)
class Sent:
    """How a post is sent: as htmx sends it (HX-Request) or as a browser does,
    form-encoded or multipart."""

    htmx: bool = False
    form_encoded: bool = False


# Everything a post can change, and what it must never change.
TRACKED: list[type[Model]] = [
    User,
    Profile,
    EmailAddress,
    Invitation,
    Assignment,
    PlannedSession,
    Workout,
    SetLog,
    KnobSetting,
    PainFlag,
    StepOverride,
    TrainerNote,
    Question,
    Reply,
    EmailDelivery,
    CheckIn,
    AreaPain,
    Activity,
    ActivityScore,
    Routine,
    Step,
    Exercise,
    Knob,
]


def snapshot() -> dict[type[Model], dict[Any, tuple]]:
    """Every row of every tracked table, column by column, as the database
    holds it (read raw: the ORM would cost more than the request under test)."""
    tables = {}
    with connection.cursor() as cursor:
        for model in TRACKED:
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT {pk}, * FROM {table}")  # noqa: S608 (our own names)
            tables[model] = {row[0]: row for row in cursor.fetchall()}
    return tables


@dataclass
class Changes:
    """Rows added, changed and removed by one post, by model."""

    written: dict[type[Model], list] = field(default_factory=dict)
    removed: dict[type[Model], list] = field(default_factory=dict)

    @property
    def models(self) -> set[type[Model]]:
        return set(self.written) | set(self.removed)

    def __bool__(self) -> bool:
        return bool(self.written or self.removed)


def compare(before: dict, after: dict) -> Changes:
    changes = Changes()
    for model in TRACKED:
        old, new = before[model], after[model]
        written = [pk for pk, row in new.items() if old.get(pk) != row]
        removed = [pk for pk in old if pk not in new]
        if written:
            changes.written[model] = written
        if removed:
            changes.removed[model] = removed
    return changes


def _nul_free(value) -> bool:
    """PostgreSQL refuses NUL in text and in JSON strings: a row holding one
    saved here would have been a server error there."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_nul_free(k) and _nul_free(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_nul_free(v) for v in value)
    return True


def assert_whole(obj: Model) -> None:
    """A row as a form would have let it be: every field valid (lengths,
    choices, ranges, digits), every constraint met, no NUL anywhere."""
    obj.full_clean()
    for f in obj._meta.concrete_fields:
        assert _nul_free(getattr(obj, f.attname)), f"NUL saved in {obj._meta.label}.{f.name}"


def _echoable(value) -> bool:
    return isinstance(value, str) and value.strip() != "" and len(value) <= 10_000


@dataclass
class Attempt:
    """One post into the world, inside a savepoint rolled back after it."""

    world: "World"
    client: Client
    before: dict
    sent: Sent = Sent()
    response: HttpResponse | None = None
    data: dict = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)

    def post(
        self,
        path: str,
        data: dict,
        *,
        htmx: bool | None = None,
        form_encoded: bool | None = None,
        query: dict | None = None,
    ) -> HttpResponse:
        """Post as the attempt was ``sent`` (unless ``htmx`` or
        ``form_encoded`` say otherwise), and run the emails the post queued."""
        htmx = self.sent.htmx if htmx is None else htmx
        form_encoded = self.sent.form_encoded if form_encoded is None else form_encoded
        data = {name: self.world.resolve(value) for name, value in data.items()}
        self.data = data
        if query:
            path += "?" + urlencode(
                {k: self.world.resolve(v) for k, v in query.items()}, doseq=True
            )
        headers = {"HX-Request": "true"} if htmx else {}
        with self.world.capture(execute=True):
            if form_encoded:
                self.response = self.client.post(
                    path,
                    urlencode(data, doseq=True),
                    content_type="application/x-www-form-urlencoded",
                    headers=headers,
                )
            else:
                self.response = self.client.post(path, data, headers=headers)
        return self.response

    def check(
        self,
        *,
        may_change: set[type[Model]],
        statuses: set[int],
        echo: list[str] = (),
    ) -> Changes:
        """The answer is the form's or success, never a server error: a
        refusal changed nothing; a success changed only ``may_change``, and
        every row it wrote is whole. A form shown again keeps what was typed
        in the ``echo`` fields."""
        response = self.response
        status = response.status_code
        if currently_in_test_context():
            event(f"status {status}")  # for --hypothesis-show-statistics
        assert status < 500
        assert status in statuses, f"unexpected {status}"
        if status == 302:
            assert not response["Location"].startswith(reverse("account_login")), "signed out"
        self.changes = compare(self.before, snapshot())
        if status >= 400:
            assert not self.changes, f"a {status} changed {self.changes}"
        else:
            assert self.changes.models <= may_change, f"changed {self.changes.models}"
            for model, pks in self.changes.written.items():
                for obj in model._base_manager.filter(pk__in=pks):
                    assert_whole(obj)
            for delivery in EmailDelivery.objects.filter(
                pk__in=self.changes.written.get(EmailDelivery, [])
            ):
                # Whatever was typed went into an email that was built and sent.
                assert delivery.state in {"sent", "skipped"}, delivery.last_error
        if status in {200, 422} and response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode()
            for name in echo:
                value = self.data.get(name)
                if _echoable(value):
                    assert escape(value) in body, f"{name} typed, not shown again"
        return self.changes

    def settle(self) -> None:
        """Picture the world again, after requests that set the example up."""
        self.before = snapshot()

    def value(self, name: str):
        """What the view read for ``name``: the last of repeated values."""
        value = self.data.get(name)
        return value[-1] if isinstance(value, list) and value else value

    def number(self, name: str) -> int:
        """The whole number the view read for ``name``, as Django's integer field
        reads it ("0." and " 7 " included)."""
        return forms.IntegerField().clean(self.value(name))

    def written(self, model: type[Model]) -> list:
        return list(model.objects.filter(pk__in=self.changes.written.get(model, [])))


@dataclass(repr=False)
class World:
    """Alex on a three-week block with Makana, a workout started today with one
    set logged; an earlier session done; a pain flag, an override, a question
    and an invitation. Jordan, Makana's other member, and Sam, nobody's, are
    on no block. One knob of the routine was left without bounds."""

    people: dict[str, User]
    refs: dict[str, Any]
    capture: Callable
    # One client for every example (a new one loads the middleware again, and
    # WhiteNoise's reads every static file's headers when it does), and one
    # session for each person, made with the world.
    client: Client = field(default_factory=Client)
    sessions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for who, user in self.people.items():
            self.client.cookies.clear()  # else the next sign-in ends this session
            self.client.force_login(user)
            self.sessions[who] = self.client.cookies[django_settings.SESSION_COOKIE_NAME].value
        self.client.cookies.clear()

    def __repr__(self) -> str:
        return "world"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text("world")  # how hypothesis shows a failing example

    def resolve(self, value):
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, Ref):
            return str(self.refs[value.name])
        return value

    def url(self, name: str, **kwargs) -> str:
        return reverse(name, kwargs={key: self.resolve(v) for key, v in kwargs.items()})

    @contextmanager
    def attempt(
        self, who: str | None, sent: Sent = Sent(), *, prepare: Callable | None = None
    ) -> Iterator[Attempt]:
        """A client signed in as ``who`` (None: a visitor), posting as ``sent``;
        ``prepare`` changes the world for this example only."""
        with transaction.atomic():
            if prepare is not None:
                prepare(self)
            self.client.cookies.clear()
            if who is not None:
                self.client.cookies[django_settings.SESSION_COOKIE_NAME] = self.sessions[who]
            yield Attempt(self, self.client, snapshot(), sent)
            transaction.set_rollback(True)


def finished_and_new(world: World) -> None:
    """Today's workout finished, and the zero-pain rule not yet accepted."""
    Workout.objects.filter(pk=world.refs["workout"]).update(finished_at=timezone.now())
    Profile.objects.filter(user_id=world.refs["member"]).update(zero_pain_accepted_at=None)


def build_world(*, member, second_member, trainer, capture) -> World:
    Profile.objects.filter(user__in=[member, second_member]).update(trainer=trainer)
    today = timezone.localdate()
    routine = ground_up_routine()
    unbounded = box_height_without_bounds(Exercise.objects.get(name="Patrick step").pk)
    # Three weeks of a routine that runs to four, so the block can be extended.
    block = put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=7), weeks=3)
    workout = start_workout(member=member)
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    earlier = block.planned_sessions.filter(date__lt=today).order_by("date").first()
    done = Workout.objects.create(
        member=member,
        planned_session=earlier,
        routine=routine,
        date=earlier.date,
        prescription=workout.prescription,
        pain_before=0,
        finished_at=timezone.now() - dt.timedelta(days=3),
    )
    steps = {main["name"]: main for main in workout.prescription["steps"]}
    tibialis = steps["Tibialis raise"]
    log_set(workout=workout, step_id=tibialis["id"], set_number=1, side="both", reps=20)
    with_option = next(main for main in steps.values() if main["options"])
    flag = PainFlag.objects.create(member=member, workout=done, level=2, note="Heel")
    override = StepOverride.objects.create(member=member, step_id=tibialis["id"], reps=20)
    question = ask(
        member=member, name="Alex", email=member.email, subject="Wall", message="How far away?"
    )
    invitation, invitation_token = invite_member(
        trainer=trainer, email="new@example.com", display_name="New Member"
    )
    third = User.objects.create_user("sam@example.com", "x", display_name="Sam Park")
    return World(
        people={
            "member": member,
            "second_member": second_member,
            "trainer": trainer,
        },
        refs={
            "workout": workout.pk,
            "done_workout": done.pk,
            "session": workout.planned_session_id,
            "earlier_session": earlier.pk,
            "block": block.pk,
            "routine": routine.pk,
            "timed_step": steps["Backwards walking"]["id"],
            "reps_step": tibialis["id"],
            "per_side_step": steps["Patrick step"]["id"],
            "levels_step": steps["Regressed reverse Nordic"]["id"],
            "option_step": with_option["id"],
            "option": with_option["options"][0]["id"],
            "knob": Knob.objects.get(exercise_id=tibialis["exercise_id"]).pk,
            "levels_knob": Knob.objects.get(exercise__name="Regressed reverse Nordic").pk,
            "unbounded_knob": unbounded.pk,
            "flag": flag.pk,
            "override": override.pk,
            "question": question.pk,
            "invitation": invitation.pk,
            "invitation_token": invitation_token,
            "reminders_token": unsubscribe_token(member),
            # The contact form's topics, as its select names them.
            "about_exercise": f"exercise-{tibialis['exercise_id']}",
            "about_workout": f"workout-{done.pk}",
            "member": member.pk,
            "second_member": second_member.pk,
            "third_member": third.pk,
            "trainer": trainer.pk,
        },
        capture=capture,
    )
