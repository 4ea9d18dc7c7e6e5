"""Who may reach each object: every URL of ours that names an object (by id,
token or slug) is requested by five people, and each gets the answer written
in MATRIX. The objects belong to Alex, whose trainer is Makana; Jordan is
another member and Kai another trainer.

Posts carry a payload that would change something if the door were open, and
a refused request must leave every table as it was. A URL added to the
project without a row here fails ``test_every_url_that_names_an_object_has_a_row``.
allauth's own key URLs and the admin are theirs, tested by their projects.

OVER_TIME adds time: the same URLs tried by Alex's current trainer, a former
trainer and another member's trainer, before and after Alex changes trainer
and after Alex deletes the account.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from members.accounts.invitations import invite_member
from members.blocks.steering import end_block
from members.logbook.sets import log_set, report_pain
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.models import (
    Assignment,
    Invitation,
    KnobSetting,
    PainFlag,
    PlannedSession,
    Profile,
    Question,
    SetLog,
    StepOverride,
    TrainerNote,
    Workout,
)
from members.nudges.services import unsubscribe_token
from members.privacy import services as privacy
from members.questions.services import ask
from routines.models import Knob
from routines.seed import ROUTINE_SLUG
from tests.clubsite.test_pages import parameterless_paths
from tests.factories import TrainerFactory, put_on_block

ROLES = ["owner", "other_member", "trainer", "other_trainer", "anonymous"]
SIGN_IN = "sign in"  # a 302 to the sign-in page, back here after

# Alex's pages as a member: theirs alone. Another member, and trainers too, get
# a 404 (the object is not theirs to know of); a visitor signs in first.
MEMBERS_OWN = {"other_member": 404, "trainer": 404, "other_trainer": 404, "anonymous": SIGN_IN}
# Trainer pages about Alex: Alex's trainer only. Members are refused (403);
# another trainer gets a 404.
TRAINERS = {"owner": 403, "other_member": 403, "other_trainer": 404, "anonymous": SIGN_IN}

# url name: (method, {role: status}). Posts carry a payload that would change
# something (see payloads), or none: for the owner and the trainer a 422 is the
# form's answer to that, which shows the door was open to them.
MATRIX = {
    "members:block": ("GET", {"owner": 200, **MEMBERS_OWN}),
    "members:workout": ("GET", {"owner": 200, **MEMBERS_OWN}),
    "members:accept_zero_pain": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:pain_check": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:log_set": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:undo_set": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:log_all": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:knob": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:option": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:pain": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:weaker_side": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:finish": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:reopen": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "trainer:member": ("GET", {"trainer": 200, **TRAINERS}),
    "trainer:hand_over": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:acknowledge_pain": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:resolve_pain": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:pause": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:resume": ("POST", {"trainer": 422, **TRAINERS}),
    "trainer:extend": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:end": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:renew": ("POST", {"trainer": 422, **TRAINERS}),
    "trainer:save_override": ("POST", {"trainer": 422, **TRAINERS}),
    "trainer:remove_override": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:add_note": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:question": ("GET", {"trainer": 200, **TRAINERS}),
    "trainer:answer": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:mark_answered": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:close_question": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:reopen_question": ("POST", {"trainer": 302, **TRAINERS}),
    "trainer:resend": ("POST", {"trainer": 302, **TRAINERS}),
    # A token is the credential: whoever holds it gets the same answer, signed
    # in or not. The invitation's is Alex-to-be's, from Makana.
    "invitation": ("GET", dict.fromkeys(ROLES, 200)),
    "calendar_feed": ("GET", dict.fromkeys(ROLES, 200)),
    "reminders": ("GET", dict.fromkeys(ROLES, 200)),
    "reminders_off": ("POST", dict.fromkeys(ROLES, 302)),
    "reminders_on": ("POST", dict.fromkeys(ROLES, 302)),
    # The club's published routine: every signed-in person.
    "routines:guide": ("GET", {**dict.fromkeys(ROLES[:4], 200), "anonymous": SIGN_IN}),
    # Exercise images are the guide's pictures, public like the static files.
    "media": ("GET", dict.fromkeys(ROLES, 200)),
}


def object_urls(resolver=None, prefix="", namespace=""):
    """(name, route) of every URL of ours with a parameter."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or "allauth" in str(pattern.urlconf_name):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from object_urls(pattern, route, inner)
        elif isinstance(pattern, URLPattern) and ("<" in route or "(?P" in route):
            yield f"{namespace}{pattern.name or pattern.callback.__name__}", route


def test_every_url_that_names_an_object_has_a_row():
    names = {name for name, _ in object_urls()}
    assert names == set(MATRIX), (
        f"without a row: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )
    assert all(set(expected) == set(ROLES) for _, expected in MATRIX.values())


@pytest.fixture
def world(member, second_member, trainer, other_trainer, settings, tmp_path):
    """Alex on a block with Makana, a session started today, a pain flag, an
    override, a question and an invitation; an exercise picture."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "tibialis.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    # Jordan trains with Makana too: sharing a trainer shows no one Alex's things.
    Profile.objects.filter(user__in=[member, second_member]).update(trainer=trainer)
    today = timezone.localdate()
    # Three weeks of a routine that runs to four, so the block can be extended.
    block = put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=7), weeks=3)
    workout = start_workout(member=member)
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    # A step counted in reps with a knob, one set of it logged (to correct, or undo).
    step = next(
        main
        for main in workout.prescription["steps"]
        if main["reps"] and Knob.objects.filter(exercise_id=main["exercise_id"]).exists()
    )
    knob = Knob.objects.filter(exercise_id=step["exercise_id"]).first()
    slot = {"step": step["id"], "set_number": 1, "side": "left" if step["per_side"] else "both"}
    log_set(workout=workout, step_id=step["id"], set_number=1, side=slot["side"], reps=10)
    # "Any pain during it?" answered, so the owner's Finish goes through.
    report_pain(workout=workout, step_id=step["id"], level=0)
    flag = PainFlag.objects.create(member=member, workout=workout, level=2, note="Heel")
    override = StepOverride.objects.create(member=member, step_id=step["id"], reps=10)
    question = ask(
        member=member, name="Alex", email=member.email, subject="Wall", message="How far?"
    )
    invitation, invitation_token = invite_member(
        trainer=trainer, email="new@example.com", display_name="New Member"
    )
    member.profile.refresh_from_db()
    objects = {
        "block": {"pk": block.pk},
        "workout": {"pk": workout.pk},
        "step": {"pk": workout.pk, "step_id": step["id"]},
        "slot": slot,
        "knob": knob.pk,
        "member": {"pk": member.pk},
        "flag": {"pk": flag.pk},
        "override": {"pk": override.pk},
        "question": {"pk": question.pk},
        "invitation": {"pk": invitation.pk},
        "invitation_token": {"token": invitation_token},
        "calendar": {"token": member.profile.create_calendar_token()},
        "reminders": {"token": unsubscribe_token(member)},
        "routine": {"slug": ROUTINE_SLUG},
        "media": {"path": "exercises/tibialis.png"},
    }
    people = {
        "owner": member,
        "other_member": second_member,
        "trainer": trainer,
        "other_trainer": other_trainer,
        "anonymous": None,
    }
    return objects, people


# Which of the world's objects each URL names; the rest name Alex's session.
NAMES = {
    "members:block": "block",
    **dict.fromkeys(["members:log_all", "members:knob", "members:option", "members:pain"], "step"),
    "members:weaker_side": "step",
    "trainer:member": "member",
    "trainer:hand_over": "member",
    "trainer:acknowledge_pain": "flag",
    "trainer:resolve_pain": "flag",
    **dict.fromkeys(
        ["trainer:pause", "trainer:resume", "trainer:extend", "trainer:end", "trainer:renew"],
        "block",
    ),
    "trainer:save_override": "block",
    "trainer:add_note": "block",
    "trainer:remove_override": "override",
    **dict.fromkeys(
        [
            "trainer:question",
            "trainer:answer",
            "trainer:mark_answered",
            "trainer:close_question",
            "trainer:reopen_question",
        ],
        "question",
    ),
    "trainer:resend": "invitation",
    "invitation": "invitation_token",
    "calendar_feed": "calendar",
    **dict.fromkeys(["reminders", "reminders_off", "reminders_on"], "reminders"),
    "routines:guide": "routine",
    "media": "media",
}


def payloads(objects: dict) -> dict:
    """A post that would change something if the door were open: a denied
    person's post must change nothing. URLs not here are posted empty."""
    slot = objects["slot"]
    return {
        "members:log_set": {**slot, "reps": "9"},
        "members:undo_set": slot,
        "members:pain_check": {"level": "0"},
        "members:knob": {"knob": objects["knob"], "direction": "harder"},
        "members:pain": {"level": "3", "note": "Sharp"},
        "members:weaker_side": {"side": "right"},
        "members:finish": {"feeling": "too_hard", "note": "Done"},
        "trainer:resolve_pain": {"note": "Rest a week."},
        "trainer:extend": {"extend-weeks": "1"},
        "trainer:add_note": {"note-text": "Good work."},
        "trainer:answer": {"answer-text": "Stay at 12 in."},
    }


def fingerprint() -> tuple:
    """Everything an action here can change."""
    return (
        list(SetLog.objects.order_by("pk").values_list("pk", "reps")),
        list(Workout.objects.order_by("pk").values_list("pk", "finished_at", "feeling")),
        list(KnobSetting.objects.order_by("pk").values_list("pk", "value", "level")),
        list(PainFlag.objects.order_by("pk").values_list("pk", "status")),
        list(Assignment.objects.order_by("pk").values_list("pk", "status", "weeks")),
        list(PlannedSession.objects.order_by("pk").values_list("pk", "date")),
        list(StepOverride.objects.values_list("pk", flat=True)),
        list(TrainerNote.objects.values_list("pk", flat=True)),
        list(Question.objects.order_by("pk").values_list("pk", "status", "answer")),
        list(Invitation.objects.order_by("pk").values_list("pk", "send_count")),
        list(Profile.objects.order_by("pk").values_list("pk", "weaker_side", "session_reminders")),
    )


def _path(name: str, kwargs: dict) -> str:
    routes = dict(object_urls())
    route = routes[name].replace("^", "").replace("$", "")
    for key, value in kwargs.items():
        for converter in ("int", "str", "slug", ""):
            tag = f"<{converter}:{key}>" if converter else f"(?P<{key}>.+)"
            route = route.replace(tag, str(value))
    return "/" + route


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_person_gets_the_answer_in_the_matrix(client, world, name, role):
    objects, people = world
    method, expected = MATRIX[name]
    if people[role] is not None:
        client.force_login(people[role])
    path = _path(name, objects[NAMES.get(name, "workout")])
    before = fingerprint()
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, payloads(objects).get(name, {}))
    if expected[role] in {SIGN_IN, 403, 404}:
        assert fingerprint() == before, f"{role}'s refused {method} {path} changed something"
    if expected[role] == SIGN_IN:
        assert response.status_code == 302, f"{role} {method} {path}"
        assert response["Location"] == f"/accounts/login/?next={path}"
    else:
        assert response.status_code == expected[role], f"{role} {method} {path}"


# Mail apps' one-click unsubscribe posts without a token (RFC 8058): the signed
# address is the credential, and it can only turn reminders off.
CSRF_EXEMPT = {"reminders_off"}
POSTS = sorted(name for name, (method, _) in MATRIX.items() if method == "POST")


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("name", POSTS)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world, name, htmx):
    objects, people = world
    _, expected = MATRIX[name]
    # The person the door is open to, so only the missing token can refuse them.
    allowed = next(role for role in ROLES if expected[role] not in {SIGN_IN, 403, 404})
    client = Client(enforce_csrf_checks=True)
    if people[allowed] is not None:
        client.force_login(people[allowed])
    path = _path(name, objects[NAMES.get(name, "workout")])
    headers = {"HX-Request": "true"} if htmx else {}
    before = fingerprint()
    response = client.post(path, payloads(objects).get(name, {}), headers=headers)
    if name in CSRF_EXEMPT:
        assert response.status_code == 302
        return
    assert response.status_code == 403, f"{allowed} POST {path}"
    assert fingerprint() == before
    # With the token, the same post goes through.
    client.get("/contact/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        path, payloads(objects).get(name, {}), headers={**headers, "X-CSRFToken": token}
    )
    assert response.status_code != 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "member", "trainer"])
def test_every_other_url_refuses_a_post_without_the_token(persona, request):
    """The URLs that name no object (sign-in, settings, start a session,
    invitations, the contact form...): any post without the token is refused
    before a view runs."""
    client = Client(enforce_csrf_checks=True)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    checked = 0
    for path in parameterless_paths():
        if path.startswith("/admin/") or path == "/healthz":
            continue
        response = client.post(path, {"email": "x@example.com"})
        assert response.status_code == 403, f"{persona} POST {path}"
        checked += 1
    assert checked >= 20


# The time dimension: access follows people. Makana trains Alex until Kai
# takes Alex on (Makana's block ends, Kai starts a new one; the member Makana
# invited moves to Kai too); then Alex deletes the account. Lani trains
# Jordan throughout. Each object URL is tried by each trainer in the role
# they hold at the time: Alex's current trainer, a former trainer, or a
# trainer of another member. Only the current trainer's door is open, and
# only while Alex's account is; a refused request changes nothing.
WHEN = ["before", "after_change", "after_deletion"]
TRAINER_ROLES = ["current_trainer", "former_trainer", "another_trainer"]
MOVED_ON = {"makana": "former_trainer", "kai": "current_trainer", "lani": "another_trainer"}
ROLE_OF = {
    "before": {"makana": "current_trainer", "kai": "another_trainer", "lani": "another_trainer"},
    "after_change": MOVED_ON,
    "after_deletion": MOVED_ON,
}


def _only_the_current_trainer(status, *, after_deletion: int | None = 404) -> dict:
    """``status`` for Alex's trainer of the moment, a 404 for the others; after
    Alex's deletion a 404 for everyone (or ``after_deletion`` for the current
    trainer, for an object that is not Alex's)."""
    others = {"former_trainer": 404, "another_trainer": 404}
    return {
        "before": {"current_trainer": status, **others},
        "after_change": {"current_trainer": status, **others},
        "after_deletion": {"current_trainer": after_deletion, **others},
    }


def _everyone(before, *, after_deletion=None) -> dict:
    after = before if after_deletion is None else after_deletion
    return {
        "before": dict.fromkeys(TRAINER_ROLES, before),
        "after_change": dict.fromkeys(TRAINER_ROLES, before),
        "after_deletion": dict.fromkeys(TRAINER_ROLES, after),
    }


# url name: {when: {role: status}}. A trainer is never the member: Alex's own
# pages are a 404 to every trainer at every time.
OVER_TIME = {
    **{name: _everyone(404) for name in MATRIX if name.startswith("members:")},
    **{
        name: _only_the_current_trainer(expected["trainer"])
        for name, (_, expected) in MATRIX.items()
        if name.startswith("trainer:") and name != "trainer:resend"
    },
    # The invited member is not Alex: Kai, who took them on, still may.
    "trainer:resend": _only_the_current_trainer(302, after_deletion=302),
    "invitation": _everyone(200),
    # Deleting the account revokes the feed; the reminders link names no one.
    "calendar_feed": _everyone(200, after_deletion=404),
    "reminders": _everyone(200, after_deletion=404),
    "reminders_off": _everyone(302, after_deletion=404),
    "reminders_on": _everyone(302, after_deletion=404),
    "routines:guide": _everyone(200),
    "media": _everyone(200),
}


def test_every_url_that_names_an_object_has_a_row_over_time():
    assert set(OVER_TIME) == set(MATRIX)
    for name, row in OVER_TIME.items():
        assert set(row) == set(WHEN), name
        assert all(set(roles) == set(TRAINER_ROLES) for roles in row.values()), name


@pytest.fixture
def trainers(world, second_member, trainer, other_trainer):
    lani = TrainerFactory(email="lani@example.com", display_name="Lani")
    Profile.objects.filter(user=second_member).update(trainer=lani)
    return {"makana": trainer, "kai": other_trainer, "lani": lani}


def _move_on(objects, member, *, to, when) -> None:
    """Kai takes Alex, and the member Makana invited, on; then Alex leaves."""
    if when == "before":
        return
    end_block(assignment=Assignment.objects.get(pk=objects["block"]["pk"]))
    invited = Invitation.objects.get(pk=objects["invitation"]["pk"]).member
    for person in [member, invited]:
        # Makana hands them over (a trainer takes on only members who are free).
        Profile.objects.filter(user=person).update(trainer=to)
        put_on_block(person, trainer=to, start_date=timezone.localdate())
    if when == "after_deletion":
        privacy.forget(member)


def _without_tokens(html: str) -> str:
    """The page less its CSRF tokens, random letters that may spell a name."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*', "", html)


@pytest.mark.django_db
@pytest.mark.parametrize("when", WHEN)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_trainer_gets_the_answer_of_their_role_at_the_time(
    world, trainers, member, name, when
):
    objects, _ = world
    _move_on(objects, member, to=trainers["kai"], when=when)
    method, _ = MATRIX[name]
    path = _path(name, objects[NAMES.get(name, "workout")])
    data = payloads(objects).get(name, {})
    expected = OVER_TIME[name][when]
    # The refused first, so an allowed post cannot change what they would meet.
    order = sorted(trainers, key=lambda who: expected[ROLE_OF[when][who]] != 404)
    for who in order:
        role = ROLE_OF[when][who]
        client = Client()
        client.force_login(trainers[who])
        before = fingerprint()
        response = client.get(path) if method == "GET" else client.post(path, data)
        assert response.status_code == expected[role], f"{when}: {who} ({role}) {method} {path}"
        if expected[role] == 404:
            assert fingerprint() == before, f"{when}: {who}'s refused {method} {path} changed"
            assert "Alex" not in _without_tokens(response.text)
