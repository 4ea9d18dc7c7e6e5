"""Identical posts at once to a session addressed by its planned session (what
a phone that started it offline sends): the first action starts the
session, once, and does what it does once; never a server error."""

import pytest
from django.urls import reverse

from members.logbook.views import ACTIONS
from members.logbook.workouts import record_pain_before, start_workout
from members.models import PainFlag, SetLog, Workout
from tests.concurrency import needs_postgresql, post_at_once, signed_in_client
from tests.members.double_posts.at_once import at_once, only_normal_answers
from tests.members.logger_helpers import session_of

TAKES_STEP = {name for route, _, name in ACTIONS if "<int:step_id>" in route}


@needs_postgresql
@at_once
def test_a_planned_pain_check_at_once_starts_one_workout_and_raises_one_flag(
    member, block, mailoutbox
):
    """The page's form carries its own key: the taps are one answer."""
    tonight = session_of(block, 4)
    page = signed_in_client(member).get(reverse("members:planned", args=[tonight.pk]))
    key = page.context["start_keys"]["pain_check"]

    responses = post_at_once(
        reverse("members:planned_pain_check", args=[tonight.pk]),
        {"level": "4", "note": "Heel", "action_key": key},
        user=member,
    )

    (workout,) = Workout.objects.all()
    only_normal_answers(responses)
    assert {r["Location"] for r in responses} == {f"/me/sessions/{workout.pk}/"}
    assert workout.pain_before == 4 and workout.stopped_for_pain  # the session stays open
    (flag,) = PainFlag.objects.all()
    assert flag.workout == workout
    assert len(mailoutbox) == 1  # to Makana, once


@needs_postgresql
@at_once
def test_a_planned_set_logged_at_once_is_one_row(member, block):
    tonight = session_of(block, 4)
    workout = record_pain_before(
        workout=start_workout(member=member, planned_session=tonight), level=0
    )
    calf = next(s for s in workout.prescription["steps"] if s["name"] == "Calf raise")

    responses = post_at_once(
        reverse("members:planned_log_set", args=[tonight.pk]),
        {"step": calf["id"], "set_number": 1, "side": "both", "reps": "12"},
        user=member,
        HTTP_HX_REQUEST="true",
    )

    only_normal_answers(responses, 200)
    (row,) = SetLog.objects.all()
    assert (row.workout, row.reps) == (workout, 12)


@needs_postgresql
@at_once
@pytest.mark.parametrize("name", sorted(name for _, _, name in ACTIONS))
def test_any_planned_action_at_once_on_a_session_not_started_starts_one_workout(
    name, member, block
):
    """Whatever comes first (the phone sends in order, but a member may tap
    on two phones), one workout for the session, and a normal answer each:
    the action's own, or its refusal of a session not under way yet."""
    tonight = session_of(block, 4)
    first_step = block.routine.steps.order_by("order").first()
    kwargs = {"session": tonight.pk, **({"step_id": first_step.pk} if name in TAKES_STEP else {})}

    responses = post_at_once(reverse(f"members:planned_{name}", kwargs=kwargs), {}, user=member)

    only_normal_answers(responses, 200, 204, 302, 404, 422)
    (workout,) = Workout.objects.all()
    assert workout.planned_session == tonight
