"""Who may reach each object: every URL of ours that names an object (by id,
token or slug), the answer each person gets, and the world they ask in. The
objects belong to Alex, whose trainer is Makana; Jordan is another member and
Kai another trainer.

The tests: ``test_matrix`` (five people, each URL, the answer in MATRIX),
``test_csrf`` (posts without the token), ``test_over_time`` (trainers as
Alex changes trainer and deletes the account). Posts carry a payload that
would change something if the door were open, and a refused request must
leave every table as it was. A URL added to the project without a row here
fails ``test_every_url_that_names_an_object_has_a_row``. allauth's own key
URLs and the admin are theirs, tested by their projects.
"""

import datetime as dt
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from members import models
from members.accounts.invitations import invite_member
from members.logbook.sets import log_set, report_pain
from members.logbook.views import ACTIONS
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.nudges.services import unsubscribe_token
from members.questions.services import ask
from routines.models import Knob
from routines.seed import ROUTINE_SLUG
from tests.factories import put_on_block

ROLES = ["owner", "other_member", "trainer", "other_trainer", "anonymous"]
SIGN_IN = "sign in"  # a 302 to the sign-in page, back here after

# Alex's pages as a member: theirs alone. Another member, and trainers too, get
# a 404 (the object is not theirs to know of); a visitor signs in first.
MEMBERS_OWN = {"other_member": 404, "trainer": 404, "other_trainer": 404, "anonymous": SIGN_IN}
# Trainer pages about Alex: Alex's trainer only. Members are refused (403);
# another trainer gets a 404.
TRAINERS = {"owner": 403, "other_member": 403, "other_trainer": 404, "anonymous": SIGN_IN}

# Pages about what a trainer ran, not about one member: every trainer.
EVERY_TRAINER = {
    "trainer": 200,
    "other_trainer": 200,
    "owner": 403,
    "other_member": 403,
    "anonymous": SIGN_IN,
}

# url name: (method, {role: status}). Posts carry a payload that would change
# something (see payloads), or none: for the owner and the trainer a 422 is the
# form's answer to that, which shows the door was open to them.
MATRIX = {
    "members:block": ("GET", {"owner": 200, **MEMBERS_OWN}),
    "members:block_report": ("GET", {"owner": 200, **MEMBERS_OWN}),
    "members:workout": ("GET", {"owner": 200, **MEMBERS_OWN}),
    "members:accept_zero_pain": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:pain_check": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:log_set": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:reply": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:undo_set": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:log_all": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:knob": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:option": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:pain": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:weaker_side": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:finish": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:reopen": ("POST", {"owner": 302, **MEMBERS_OWN}),
    "members:planned": ("GET", {"owner": 200, **MEMBERS_OWN}),
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
    # A routine's report: every trainer, over the blocks they ran.
    "trainer:routine_report": ("GET", EVERY_TRAINER),
    "trainer:routine_report_rows": ("GET", EVERY_TRAINER),
    # The club's published routine: every signed-in person.
    "routines:guide": ("GET", {**dict.fromkeys(ROLES[:4], 200), "anonymous": SIGN_IN}),
    # Exercise images are the guide's pictures, public like the static files.
    "media": ("GET", dict.fromkeys(ROLES, 200)),
}


# The logger's actions by planned session: the same doors as by workout.
LOGGER_ACTIONS = [name for _, _, name in ACTIONS]
MATRIX.update({f"members:planned_{name}": MATRIX[f"members:{name}"] for name in LOGGER_ACTIONS})


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


# Which of the world's objects each URL names; the rest name Alex's session.
NAMES = {
    "members:block": "block",
    "members:block_report": "block",
    **dict.fromkeys(["members:log_all", "members:knob", "members:option", "members:pain"], "step"),
    "members:weaker_side": "step",
    "members:planned": "session",
    **{f"members:planned_{name}": "session" for name in LOGGER_ACTIONS},
    **{
        f"members:planned_{name}": "session_step"
        for route, _, name in ACTIONS
        if "<int:step_id>" in route
    },
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
    "members:reply": "question",
    "trainer:resend": "invitation",
    "invitation": "invitation_token",
    "calendar_feed": "calendar",
    **dict.fromkeys(["reminders", "reminders_off", "reminders_on"], "reminders"),
    "routines:guide": "routine",
    "trainer:routine_report": "routine",
    "trainer:routine_report_rows": "routine",
    "media": "media",
}


def payloads(objects: dict) -> dict:
    """A post that would change something if the door were open: a denied
    person's post must change nothing. URLs not here are posted empty."""
    slot = objects["slot"]
    logger = {
        "log_set": {**slot, "reps": "9"},
        "undo_set": slot,
        "pain_check": {"level": "0"},
        "knob": {"knob": objects["knob"], "direction": "harder"},
        "pain": {"level": "3", "note": "Sharp"},
        "weaker_side": {"side": "right"},
        "finish": {"feeling": "too_hard", "note": "Done"},
    }
    return {
        **{f"members:{name}": data for name, data in logger.items()},
        **{f"members:planned_{name}": data for name, data in logger.items()},
        "trainer:resolve_pain": {"note": "Rest a week."},
        "trainer:extend": {"extend-weeks": "1"},
        "trainer:add_note": {"note-text": "Good work."},
        "trainer:answer": {"answer-text": "Stay at 12 in."},
        "members:reply": {"reply-text": "Both legs?"},
    }


# Everything an action here can change: each table's rows, by these columns.
FINGERPRINTED = {
    models.SetLog: ("pk", "reps"),
    models.Workout: ("pk", "finished_at", "feeling"),
    models.KnobSetting: ("pk", "value", "level"),
    models.PainFlag: ("pk", "status"),
    models.Assignment: ("pk", "status", "weeks"),
    models.PlannedSession: ("pk", "date"),
    models.StepOverride: ("pk",),
    models.TrainerNote: ("pk",),
    models.Question: ("pk", "status", "answer"),
    models.Reply: ("pk", "text"),
    models.Invitation: ("pk", "send_count"),
    models.Profile: ("pk", "weaker_side", "session_reminders"),
}


def fingerprint() -> tuple:
    """Everything an action here can change, as it is now."""
    return tuple(
        list(model.objects.order_by("pk").values_list(*columns))
        for model, columns in FINGERPRINTED.items()
    )


def path_of(name: str, objects: dict) -> str:
    """The URL ``name`` for the world's object it names."""
    kwargs = objects[NAMES.get(name, "workout")]
    routes = dict(object_urls())
    route = routes[name].replace("^", "").replace("$", "")
    for key, value in kwargs.items():
        for converter in ("int", "str", "slug", ""):
            tag = f"<{converter}:{key}>" if converter else f"(?P<{key}>.+)"
            route = route.replace(tag, str(value))
    return "/" + route


def build_world(people: dict, media_root: Path) -> dict:
    """Alex on a block with Makana, a session started today, a pain flag, an
    override, a question and an invitation; an exercise picture under
    ``media_root``. Returns the objects the URLs name."""
    member, second_member, trainer = people["owner"], people["other_member"], people["trainer"]
    (media_root / "exercises").mkdir()
    (media_root / "exercises" / "tibialis.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    # Jordan trains with Makana too: sharing a trainer shows no one Alex's things.
    models.Profile.objects.filter(user__in=[member, second_member]).update(trainer=trainer)
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
    flag = models.PainFlag.objects.create(member=member, workout=workout, level=2, note="Heel")
    override = models.StepOverride.objects.create(member=member, step_id=step["id"], reps=10)
    question = ask(
        member=member, name="Alex", email=member.email, subject="Wall", message="How far?"
    )
    invitation, invitation_token = invite_member(
        trainer=trainer, email="new@example.com", display_name="New Member"
    )
    member.profile.refresh_from_db()
    return {
        "block": {"pk": block.pk},
        "workout": {"pk": workout.pk},
        "step": {"pk": workout.pk, "step_id": step["id"]},
        "session": {"session": workout.planned_session_id},
        "session_step": {"session": workout.planned_session_id, "step_id": step["id"]},
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
