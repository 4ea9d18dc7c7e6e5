"""Exactly once on the server: a logger action sent again with its
Idempotency-Key gets the first answer and does nothing, even after the member
went on (a set logged, then undone, stays undone when the log is sent again)."""

import datetime as dt
import io
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone

from members import urls as member_urls
from members.logbook.sets import log_set
from members.logbook.workouts import accept_zero_pain_rule, finish_workout
from members.models import ActionKey, KnobSetting, PainFlag, Profile, SetLog, Workout
from routines.models import Knob
from tests.factories import put_on_block
from tests.members.logbook.action_keys import KEY, a_set, assert_same_answer, fresh, keyed, url
from tests.members.logger_helpers import no_pain, started_workout, step

pytestmark = pytest.mark.django_db


def the_state(member) -> tuple:
    """Everything a logger action can change, to compare before and after."""
    return (
        list(
            Workout.objects.filter(member=member)
            .order_by("pk")
            .values_list("pk", "finished_at", "pain_before", "choices", "pain_after", "note")
        ),
        list(
            SetLog.objects.order_by("pk").values_list(
                "step_id", "set_number", "side", "reps", "seconds"
            )
        ),
        list(KnobSetting.objects.order_by("pk").values_list("knob_id", "value", "level")),
        list(PainFlag.objects.order_by("pk").values_list("step_id", "level")),
        list(
            Profile.objects.filter(user=member).values_list("weaker_side", "zero_pain_accepted_at")
        ),
    )


# Each logger action from a state where it does something, and what the member
# does next (with the phone's next key) that a second doing of it would undo.
# Returns (path, post, htmx, next action).
Setup = Callable[[Client, object, object], tuple[str, dict, bool, Callable[[], object]]]


def _start(client, member, trainer):
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    accept_zero_pain_rule(member=member)

    def then():
        # Pain before starting: no session today, and the planned one stays
        # open, so a second start would make a second workout.
        (workout,) = Workout.objects.all()
        client.post(url(workout, "pain-check/"), {"level": "2"}, **fresh())

    return "/me/sessions/start/", {}, False, then


def _zero_pain(client, member, trainer):
    workout = started_workout(member, trainer)
    Profile.objects.filter(user=member).update(zero_pain_accepted_at=None)
    return url(workout, "zero-pain/"), {}, False, lambda: None


def _pain_check(client, member, trainer):
    workout = started_workout(member, trainer)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    return url(workout, "pain-check/"), {"level": "3", "note": "heel"}, False, lambda: None


def _log_set(client, member, trainer):
    workout = started_workout(member, trainer)
    data = a_set(workout, reps="25")
    then = lambda: client.post(url(workout, "sets/undo/"), a_set(workout), **fresh(htmx=True))  # noqa: E731
    return url(workout, "sets/"), data, True, then


def _undo_set(client, member, trainer):
    workout = started_workout(member, trainer)
    log_set(
        workout=workout,
        step_id=step(workout, "Tibialis raise")["id"],
        set_number=1,
        side="both",
        reps=25,
    )
    again = a_set(workout, reps="20")
    then = lambda: client.post(url(workout, "sets/"), again, **fresh(htmx=True))  # noqa: E731
    return url(workout, "sets/undo/"), a_set(workout), True, then


def _log_all(client, member, trainer):
    workout = started_workout(member, trainer)
    tibialis = step(workout, "Tibialis raise")["id"]
    then = lambda: client.post(url(workout, "sets/undo/"), a_set(workout), **fresh(htmx=True))  # noqa: E731
    return url(workout, f"steps/{tibialis}/all/"), {}, True, then


def _knob(client, member, trainer):
    workout = started_workout(member, trainer)
    tibialis = step(workout, "Tibialis raise")["id"]
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    return (
        url(workout, f"steps/{tibialis}/knob/"),
        {"knob": wall.pk, "direction": "harder"},
        True,
        lambda: None,  # a second "harder" would step it twice
    )


def _option(client, member, trainer):
    workout = started_workout(member, trainer)
    walking = step(workout, "Backwards walking")["id"]
    path = url(workout, f"steps/{walking}/option/")
    then = lambda: client.post(path, {"option": "main"}, **fresh(htmx=True))  # noqa: E731
    return path, {"option": step(workout, "Deadmill")["id"]}, True, then


def _weaker_side(client, member, trainer):
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    path = url(workout, f"steps/{step(workout, 'Patrick step')['id']}/weaker-side/")
    then = lambda: client.post(path, {"side": "left"}, **fresh(htmx=True))  # noqa: E731
    return path, {"side": "right"}, True, then


def _pain(client, member, trainer):
    workout = started_workout(member, trainer)
    nordic = step(workout, "Regressed reverse Nordic")["id"]
    return (
        url(workout, f"steps/{nordic}/pain/"),
        {"level": "2", "note": "knee"},
        True,
        lambda: None,
    )


def _finish(client, member, trainer):
    workout = started_workout(member, trainer)
    no_pain(workout)
    then = lambda: client.post(url(workout, "reopen/"), **fresh())  # noqa: E731
    return url(workout, "finish/"), {"feeling": "about_right"}, False, then


def _reopen(client, member, trainer):
    workout = started_workout(member, trainer)
    no_pain(workout)
    finish_workout(workout=workout)
    then = lambda: client.post(url(workout, "finish/"), {"feeling": "too_easy"}, **fresh())  # noqa: E731
    return url(workout, "reopen/"), {}, False, then


ACTIONS: dict[str, Setup] = {
    "start_workout": _start,
    "accept_zero_pain": _zero_pain,
    "pain_check": _pain_check,
    "log_set": _log_set,
    "undo_set": _undo_set,
    "log_all": _log_all,
    "knob": _knob,
    "option": _option,
    "weaker_side": _weaker_side,
    "pain": _pain,
    "finish": _finish,
    "reopen": _reopen,
}


def test_every_logger_action_is_tried_here():
    posts = {
        pattern.name
        for pattern in member_urls.urlpatterns
        if isinstance(pattern, URLPattern)
        and pattern.callback.__module__ == "members.logbook.views"
        and pattern.name not in {"workout", "planned"}  # the pages themselves, GETs
        and not pattern.name.startswith("planned_")  # the same actions (test_planned_sessions)
    }
    assert posts == set(ACTIONS)


@pytest.mark.parametrize("name", ACTIONS)
def test_an_action_sent_again_with_its_key_is_answered_again_and_not_done_again(
    name, member_client, member, trainer
):
    path, data, htmx, then = ACTIONS[name](member_client, member, trainer)
    before = the_state(member)

    first = member_client.post(path, data, **keyed(htmx=htmx))
    assert first.status_code in {200, 302}, first.text[:2000]
    assert the_state(member) != before, "the first post did something"
    then()
    went_on = the_state(member)
    again = member_client.post(path, data, **keyed(htmx=htmx))

    assert_same_answer(first, again)
    assert the_state(member) == went_on
    (kept,) = ActionKey.objects.filter(key=KEY)
    assert (kept.user, kept.method, kept.path, kept.status) == (
        member,
        "POST",
        path,
        first.status_code,
    )


def test_a_replayed_start_opens_no_second_workout(member_client, member, trainer):
    path, data, _, then = _start(member_client, member, trainer)
    first = member_client.post(path, data, **keyed())
    then()
    again = member_client.post(path, data, **keyed())
    assert again["Location"] == first["Location"] == url(Workout.objects.get())
    # Without the key it is a new start: the session, free again, opens anew.
    assert member_client.post(path, data).status_code == 302
    assert Workout.objects.count() == 2


def test_the_same_key_from_another_member_is_another_action(
    member_client, member, second_member, trainer
):
    path, data, _, _ = _log_set(member_client, member, trainer)
    theirs = started_workout(second_member, trainer)
    other_phone = Client()
    other_phone.force_login(second_member)

    mine = member_client.post(path, data, **keyed(htmx=True))
    their_answer = other_phone.post(
        url(theirs, "sets/"), a_set(theirs, reps="19"), **keyed(htmx=True)
    )

    assert mine.status_code == their_answer.status_code == 200
    assert "Idempotent-Replayed" not in their_answer
    assert sorted(SetLog.objects.values_list("workout__member", "reps")) == sorted(
        [(member.pk, 25), (second_member.pk, 19)]
    )
    assert ActionKey.objects.filter(key=KEY).count() == 2


def test_a_key_sent_to_another_action_is_refused_and_does_nothing(member_client, member, trainer):
    workout = started_workout(member, trainer)
    member_client.post(url(workout, "sets/"), a_set(workout, reps="25"), **keyed(htmx=True))

    undo = member_client.post(url(workout, "sets/undo/"), a_set(workout), **keyed(htmx=True))

    assert undo.status_code == 422
    assert "used for another action" in undo.text
    assert "used for another action" in unquote(undo["X-Refusal-Reason"])
    assert SetLog.objects.get().reps == 25


@pytest.mark.parametrize(
    "key", ["short", "has a space in it", "x" * 101, "ünïcode-key-1", "semi;colon;key", ""]
)
def test_a_malformed_key_is_a_400_and_does_nothing(member_client, member, trainer, key):
    workout = started_workout(member, trainer)

    response = member_client.post(url(workout, "sets/"), a_set(workout, reps="25"), **keyed(key))

    assert response.status_code == 400
    assert "Idempotency-Key must be 8 to 100 letters" in response.text
    assert not SetLog.objects.exists()
    assert not ActionKey.objects.exists()


def test_a_server_error_keeps_nothing_and_the_same_key_is_done_later(
    member, trainer, django_capture_on_commit_callbacks
):
    """The database refuses the write (a trigger, standing in for an outage):
    500, no key kept, and the same key sent later does the action."""
    workout = started_workout(member, trainer)
    phone = Client(raise_request_exception=False)
    phone.force_login(member)
    table = SetLog._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'the disk is full'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER outage BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER outage BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
            )

    failed = phone.post(url(workout, "sets/"), a_set(workout, reps="25"), **keyed(htmx=True))

    assert failed.status_code == 500
    assert not ActionKey.objects.exists() and not SetLog.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DROP TRIGGER outage{' ON ' + table if connection.vendor == 'postgresql' else ''}"
        )
    later = phone.post(url(workout, "sets/"), a_set(workout, reps="25"), **keyed(htmx=True))
    assert later.status_code == 200 and "Idempotent-Replayed" not in later
    assert SetLog.objects.get().reps == 25


def test_the_scheduler_forgets_keys_after_fourteen_days(member_client, member, trainer):
    path, data, htmx, _ = _knob(member_client, member, trainer)
    member_client.post(path, data, **keyed(htmx=htmx))
    ActionKey.objects.update(created_at=timezone.now() - dt.timedelta(days=14, minutes=1))
    recent = fresh(htmx=htmx)
    member_client.post(path, data, **recent)
    out = io.StringIO()

    call_command("send_nudges", stdout=out)

    kept = list(ActionKey.objects.values_list("key", flat=True))
    assert kept == [recent["HTTP_IDEMPOTENCY_KEY"]]
    assert "Forgot 1 action key(s) older than 14 days." in out.getvalue()
    # Sent again after that, the old key is a new action.
    again = member_client.post(path, data, **keyed(htmx=htmx))
    assert again.status_code == 200 and "Idempotent-Replayed" not in again
