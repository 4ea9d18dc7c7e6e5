"""The other side of the hostile-input tests: for each URL they post to, a
post a person would send succeeds (a 2xx or a redirect, not to sign-in) and
writes what it should. Without it, a view answering 404 to everything would
pass them: a refusal changes nothing, which is all they can check.

Each post runs in the same world, and the same savepoint, as the property
tests (``tests.clubsite.hostile``); a URL the property tests post to without
a row here fails ``test_every_hostile_target_has_a_plausible_post``."""

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db.models import Model
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from members import models
from members.blocks.steering import end_block, pause_block
from tests.clubsite import (
    test_hostile_blocks,
    test_hostile_forms,
    test_hostile_logger,
    test_hostile_sets,
    test_hostile_trainer,
)
from tests.clubsite.hostile import TRACKED, Attempt, Ref, World, finished_and_new
from tests.factories import PASSWORD
from tests.members.logger_helpers import no_pain

pytestmark = pytest.mark.django_db

SUCCESS = {200, 204, 302}


@dataclass(frozen=True)
class Plausible:
    """One post, as the page sends it: by ``who`` (None: a visitor) to the
    URL ``name`` (its arguments in ``kwargs``), after ``prepare`` changed the
    world and ``first`` set the client up; it must write or remove a row of
    ``writes``."""

    name: str
    who: str | None
    data: dict
    writes: type[Model]
    kwargs: dict = field(default_factory=dict)
    prepare: Callable[[World], None] | None = None
    first: Callable[[Attempt], None] | None = None
    htmx: bool = False

    def __str__(self) -> str:
        return self.name.split(":")[-1] + ("-htmx" if self.htmx else "")


def _today_forgotten(world: World) -> None:
    models.Workout.objects.filter(pk=world.refs["workout"]).delete()


def _pain_unanswered(world: World) -> None:
    models.Workout.objects.filter(pk=world.refs["workout"]).update(pain_before=None)


def _pain_answered(world: World) -> None:
    """ "Any pain during it?" answered for every exercise, so Finish goes through."""
    no_pain(models.Workout.objects.get(pk=world.refs["workout"]))


def _sent_an_hour_ago(world: World) -> None:
    """Sent again moments after it went, an invitation is left as it is."""
    models.Invitation.objects.filter(pk=world.refs["invitation"]).update(
        sent_at=timezone.now() - dt.timedelta(hours=1)
    )


def _paused(world: World) -> None:
    pause_block(assignment=models.Assignment.objects.get(pk=world.refs["block"]))


def _ended(world: World) -> None:
    end_block(assignment=models.Assignment.objects.get(pk=world.refs["block"]))


def _question_closed(world: World) -> None:
    models.Question.objects.filter(pk=world.refs["question"]).update(status="closed")


def _reminders_off(world: World) -> None:
    models.Profile.objects.filter(user_id=world.refs["member"]).update(session_reminders=False)


def _with_a_calendar_link(world: World) -> None:
    models.Profile.objects.get(user_id=world.refs["member"]).create_calendar_token()


def _reauthenticated(attempt: Attempt) -> None:
    """Deleting the account asks for the password again first."""
    attempt.client.post(attempt.world.url("account_reauthenticate"), {"password": PASSWORD})
    attempt.settle()


WORKOUT = {"pk": Ref("workout")}
TODAY = timezone.localdate()
# A Monday and a Thursday, as the ground-up routine asks.
DAYS = ["0", "3"]


def _step(name: str) -> dict:
    return {"pk": Ref("workout"), "step_id": Ref(name)}


LOGGER = [
    Plausible(
        "members:start_workout",
        "member",
        {"session": Ref("session")},
        models.Workout,
        prepare=_today_forgotten,
    ),
    Plausible(
        "members:pain_check", "member", {"level": "0"}, models.Workout, WORKOUT, _pain_unanswered
    ),
    *[
        Plausible(
            "members:log_set",
            "member",
            {"step": Ref("reps_step"), "set_number": "2", "side": "both", "reps": "12"},
            models.SetLog,
            WORKOUT,
            htmx=htmx,
        )
        for htmx in (False, True)
    ],
    Plausible(
        "members:undo_set",
        "member",
        {"step": Ref("reps_step"), "set_number": "1", "side": "both"},
        models.SetLog,
        WORKOUT,
    ),
    Plausible("members:log_all", "member", {}, models.SetLog, _step("per_side_step")),
    Plausible(
        "members:knob",
        "member",
        {"knob": Ref("knob"), "direction": "harder"},
        models.KnobSetting,
        _step("reps_step"),
    ),
    Plausible(
        "members:option", "member", {"option": Ref("option")}, models.Workout, _step("option_step")
    ),
    Plausible(
        "members:pain",
        "member",
        {"level": "3", "note": "Sharp, inside the knee"},
        models.PainFlag,
        _step("reps_step"),
    ),
    Plausible(
        "members:weaker_side", "member", {"side": "left"}, models.Profile, _step("per_side_step")
    ),
    Plausible(
        "members:finish",
        "member",
        {"feeling": "about_right", "note": "Felt strong"},
        models.Workout,
        WORKOUT,
        _pain_answered,
    ),
    Plausible("members:accept_zero_pain", "member", {}, models.Profile, WORKOUT, finished_and_new),
    Plausible("members:reopen", "member", {}, models.Workout, WORKOUT, finished_and_new),
]

BLOCK = {"pk": Ref("block")}
QUESTION = {"pk": Ref("question")}
TRAINER = [
    Plausible(
        "trainer:resolve_pain",
        "trainer",
        {"note": "Rest two days."},
        models.PainFlag,
        {"pk": Ref("flag")},
    ),
    Plausible("trainer:acknowledge_pain", "trainer", {}, models.PainFlag, {"pk": Ref("flag")}),
    Plausible("trainer:extend", "trainer", {"extend-weeks": "1"}, models.Assignment, BLOCK),
    Plausible("trainer:pause", "trainer", {}, models.Assignment, BLOCK),
    Plausible(
        "trainer:resume",
        "trainer",
        {"resume-on": (TODAY + dt.timedelta(days=1)).isoformat(), "resume-weekdays": DAYS},
        models.Assignment,
        BLOCK,
        _paused,
    ),
    Plausible("trainer:end", "trainer", {}, models.Assignment, BLOCK),
    Plausible(
        "trainer:renew",
        "trainer",
        {
            "renew-start_date": (TODAY + dt.timedelta(days=7)).isoformat(),
            "renew-weekdays": DAYS,
            "renew-weeks": "4",
        },
        models.Assignment,
        BLOCK,
        _ended,
    ),
    Plausible(
        "trainer:save_override",
        "trainer",
        {
            "override-step": Ref("reps_step"),
            "override-sets": "3",
            "override-reps": "15",
            "override-note": "Slower on the way down.",
        },
        models.StepOverride,
        BLOCK,
    ),
    Plausible(
        "trainer:remove_override", "trainer", {}, models.StepOverride, {"pk": Ref("override")}
    ),
    Plausible(
        "trainer:add_note",
        "trainer",
        {"note-text": "Good work: keep the wall at 12 in.", "note-workout": Ref("done_workout")},
        models.TrainerNote,
        BLOCK,
    ),
    Plausible(
        "trainer:answer",
        "trainer",
        {"answer-text": "Stay at 12 in for a week."},
        models.Question,
        QUESTION,
    ),
    Plausible("trainer:mark_answered", "trainer", {}, models.Question, QUESTION),
    Plausible(
        "members:reply",
        "member",
        {"reply-text": "Should both legs feel it the same?"},
        models.Reply,
        QUESTION,
    ),
    Plausible("trainer:close_question", "trainer", {}, models.Question, QUESTION),
    Plausible(
        "trainer:reopen_question", "trainer", {}, models.Question, QUESTION, _question_closed
    ),
    Plausible(
        "trainer:resend",
        "trainer",
        {},
        models.Invitation,
        {"pk": Ref("invitation")},
        _sent_an_hour_ago,
    ),
    Plausible(
        "trainer:invite",
        "trainer",
        {"display_name": "Pat Lee", "email": "pat@example.com"},
        models.User,
    ),
    Plausible(
        "trainer:invite_group",
        "trainer",
        {"people": "Pat Lee, pat@example.com\nAna María <ana@example.com>"},
        models.User,
    ),
    Plausible(
        "trainer:assign",
        "trainer",
        {
            "members": [Ref("second_member")],
            "routine": Ref("routine"),
            "start_date": TODAY.isoformat(),
            "weekdays": DAYS,
            "weeks": "4",
            "notes": "Start easy.",
        },
        models.Assignment,
    ),
]

QUESTION_FORM = {
    "about": "",
    "subject": "How far from the wall?",
    "message": "My knee clicks on the way down. Should I stop?",
    "website": "",
    "token": "0b6c5b8e-3f5d-4d8e-9a57-1c1f3f7b2f10",
}
PASSWORDS = {"new_password1": "correct-horse-battery-staple"} | {
    "new_password2": "correct-horse-battery-staple"
}
FORMS = [
    Plausible("contact", "member", QUESTION_FORM, models.Question),
    Plausible(
        "contact:visitor",
        None,
        {**QUESTION_FORM, "name": "Robin", "email": "robin@example.net"},
        models.Question,
    ),
    Plausible(
        "invitation", None, PASSWORDS, models.Invitation, {"token": Ref("invitation_token")}
    ),
    Plausible(
        "account_signup",
        None,
        {
            "email": "pat@example.com",
            "password1": "correct-horse-battery-staple",
            "password2": "correct-horse-battery-staple",
            "display_name": "Pat Lee",
        },
        models.User,
    ),
    Plausible(
        "members:settings",
        "member",
        {"display_name": "Alex R.", "weaker_side": "left", "units": "metric"},
        models.Profile,
    ),
    Plausible("members:calendar_create", "member", {"next": "/me/settings/"}, models.Profile),
    Plausible(
        "members:check_in",
        "member",
        {
            "kind": "baseline",
            **{f"{scale}_{n}": "4" for scale in ("worst", "usual") for n in range(3)},
            "name_0": "Going down stairs",
            "new_score_0": "6",
        },
        models.CheckIn,
    ),
    Plausible(
        "members:calendar_revoke",
        "member",
        {"next": "/me/settings/"},
        models.Profile,
        prepare=_with_a_calendar_link,
    ),
    Plausible("reminders_off", None, {}, models.Profile, {"token": Ref("reminders_token")}),
    Plausible(
        "reminders_on", None, {}, models.Profile, {"token": Ref("reminders_token")}, _reminders_off
    ),
    Plausible(
        "members:delete_account", "member", {"confirm": "yes"}, models.User, first=_reauthenticated
    ),
]
PLAUSIBLE = LOGGER + TRAINER + FORMS


@pytest.mark.parametrize("post", PLAUSIBLE, ids=str)
def test_a_plausible_post_succeeds(world, post):
    with world.attempt(post.who, prepare=post.prepare) as attempt:
        if post.first is not None:
            post.first(attempt)
        url = world.url(post.name.removesuffix(":visitor"), **post.kwargs)
        attempt.post(url, post.data, htmx=post.htmx)
        status = attempt.response.status_code
        assert status in SUCCESS, f"{post}: {status}"
        # Every row it wrote is whole, and it did not sign anyone out.
        changes = attempt.check(may_change=set(TRACKED), statuses=SUCCESS)
        assert post.writes in changes.models, f"{post} changed {changes.models}"


def _url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_hostile_target_has_a_plausible_post():
    """The URL names the property tests name, and those with a plausible post."""
    known = _url_names()
    named = set()
    for module in (
        test_hostile_logger,
        test_hostile_sets,
        test_hostile_trainer,
        test_hostile_blocks,
        test_hostile_forms,
    ):
        strings = re.findall(r'"([a-z_]+(?::[a-z_]+)?)"', inspect.getsource(module))
        named |= {name for name in strings if name in known} - {"account_reauthenticate"}
    covered = {post.name.removesuffix(":visitor") for post in PLAUSIBLE}
    assert named <= covered, f"no plausible post for {sorted(named - covered)}"
    assert len(named) > 30  # the regular expression still finds them
